package dev.bitproof.apko;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The values apko fills in when {@code apko.yaml} leaves them out, in one place (reference apko.md §1.5, §3.1):
 * the image environment, a user's home directory and shell, and the architectures built when none are named.
 */
public final class ApkoDefaults {
  /** apko's {@code PATH} when the config sets none (current releases; older ones: {@code ApkoRules.defaultPath}). */
  public static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/bin:/usr/sbin:/sbin:/bin";
  /** apko's {@code SSL_CERT_FILE} when the config sets none. */
  public static final String SSL_CERT_FILE = "/etc/ssl/certs/ca-certificates.crt";
  /** A user's login shell in {@code /etc/passwd} when the config gives none. */
  public static final String SHELL = "/bin/sh";

  private ApkoDefaults() {}

  /** The config's environment with {@code PATH} and {@code SSL_CERT_FILE} added when absent, sorted by name. */
  public static Map<String, String> environment(Map<String, String> configured) {
    return environment(configured, PATH);
  }

  /** As {@link #environment(Map)} with the default {@code PATH} of the apko release being reproduced. */
  public static Map<String, String> environment(Map<String, String> configured, String defaultPath) {
    Map<String, String> env = new TreeMap<>(configured);
    env.putIfAbsent("PATH", defaultPath);
    env.putIfAbsent("SSL_CERT_FILE", SSL_CERT_FILE);
    return env;
  }

  /** {@code /home/<username>} unless the config names a home directory ({@code Validate()} fills it so). */
  public static String homedir(ImageConfiguration.User u) {
    return u.homedir().isEmpty() ? "/home/" + u.username() : u.homedir();
  }

  public static String shell(ImageConfiguration.User u) {
    return u.shell().isEmpty() ? SHELL : u.shell();
  }

  /**
   * The architectures to build: those asked for on the command line, else the config's {@code archs}, else every
   * architecture apko knows; sorted and de-duplicated as apko's {@code ParseArchitectures}.
   */
  public static List<Arch> archs(List<String> requested, ImageConfiguration ic) {
    return Arch.parseAll(!requested.isEmpty() ? requested
        : !ic.archs().isEmpty() ? ic.archs() : Arrays.stream(Arch.values()).map(Arch::oci).toList());
  }
}
