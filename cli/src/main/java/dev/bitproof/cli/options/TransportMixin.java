package dev.bitproof.cli.options;

import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.report.CheckException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Registry options every image-reading command takes ({@code @Mixin TransportMixin transport;} then
 * {@link #options()}). Credentials come from, in order: {@code --creds}/{@code --username}+{@code --password},
 * the environment ({@code BITPROOF_REGISTRY_USERNAME}/{@code BITPROOF_REGISTRY_PASSWORD}), then the docker config
 * ({@code $DOCKER_CONFIG/config.json} or {@code ~/.docker/config.json}: auths, credHelpers, credsStore).
 */
public final class TransportMixin {
  public static final String ENV_USERNAME = "BITPROOF_REGISTRY_USERNAME";
  public static final String ENV_PASSWORD = "BITPROOF_REGISTRY_PASSWORD";

  @Option(names = "--username", paramLabel = "USER", description = "Registry user (or env " + ENV_USERNAME + ").")
  String username;

  @Option(names = "--password", paramLabel = "PASSWORD", description = "Registry password or token (or env " + ENV_PASSWORD + ").")
  String password;

  @Option(names = "--creds", paramLabel = "USER:PASSWORD", description = "Registry credentials in one value.")
  String creds;

  @Option(names = "--insecure", description = "Allow plain http and unverified TLS (loopback test registries only).")
  boolean insecure;

  @Option(names = "--docker-config", paramLabel = "FILE",
      description = "Docker config.json to read credentials from (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json).")
  Path dockerConfig;

  /** The options for a transport; {@code credsOverride} (e.g. {@code --src-creds}) wins when given. */
  public TransportOptions options(String credsOverride) {
    return options(credsOverride, System.getenv());
  }

  /** As {@link #options(String)}, reading the environment from {@code env} (tests pass their own). */
  TransportOptions options(String credsOverride, java.util.Map<String, String> env) {
    String user = null;
    String pass = null;
    String c = credsOverride != null ? credsOverride : creds;
    if (c != null) {
      int colon = c.indexOf(':');
      if (colon <= 0) {
        throw CheckException.usage(TransportCode.CREDENTIALS_INVALID, "credentials must be USER:PASSWORD");
      }
      user = c.substring(0, colon);
      pass = c.substring(colon + 1);
    } else if (username != null) {
      user = username;
      pass = password != null ? password : env.get(ENV_PASSWORD);
    } else if (env.get(ENV_USERNAME) != null && !env.get(ENV_USERNAME).isEmpty()) {
      user = env.get(ENV_USERNAME);
      pass = password != null ? password : env.get(ENV_PASSWORD);
    } else if (password != null) {
      throw CheckException.usage(TransportCode.CREDENTIALS_INVALID, "--password needs --username");
    }
    return new TransportOptions(Optional.ofNullable(user), Optional.ofNullable(pass), insecure, Optional.of(dockerConfigPath(env)));
  }

  public TransportOptions options() {
    return options(null);
  }

  private Path dockerConfigPath(java.util.Map<String, String> env) {
    if (dockerConfig != null) {
      return dockerConfig;
    }
    String dir = env.get("DOCKER_CONFIG");
    if (dir != null && !dir.isEmpty()) {
      return Path.of(dir, "config.json");
    }
    return Path.of(System.getProperty("user.home"), ".docker", "config.json");
  }
}
