package dev.bitproof.cli.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.report.CheckException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Where credentials come from, and in which order. */
class TransportMixinTest {
  static TransportMixin parse(String... args) {
    TransportMixin m = new TransportMixin();
    new CommandLine(m).parseArgs(args);
    return m;
  }

  @Test
  void flagsBeatTheEnvironmentWhichBeatsNothing() {
    Map<String, String> env = Map.of(TransportMixin.ENV_USERNAME, "envuser", TransportMixin.ENV_PASSWORD, "envpass",
        "DOCKER_CONFIG", "/cfg");
    TransportOptions fromEnv = parse().options(null, env);
    assertEquals(Optional.of("envuser"), fromEnv.username());
    assertEquals(Optional.of("envpass"), fromEnv.password());
    assertEquals(Optional.of(Path.of("/cfg/config.json")), fromEnv.dockerConfig());

    TransportOptions flags = parse("--username", "u", "--password", "p", "--insecure").options(null, env);
    assertEquals(Optional.of("u"), flags.username());
    assertEquals(Optional.of("p"), flags.password());
    assertEquals(true, flags.insecure());

    TransportOptions creds = parse("--creds", "a:b:c", "--username", "u").options(null, env);
    assertEquals(Optional.of("a"), creds.username());
    assertEquals(Optional.of("b:c"), creds.password(), "the password may hold colons");

    TransportOptions side = parse("--creds", "a:b").options("src:pw", env);
    assertEquals(Optional.of("src"), side.username());

    TransportOptions none = parse("--docker-config", "/x/config.json").options(null, Map.of());
    assertEquals(Optional.empty(), none.username());
    assertEquals(Optional.of(Path.of("/x/config.json")), none.dockerConfig());
  }

  @Test
  void malformedCredentialsAreUsageErrors() {
    CheckException e = assertThrows(CheckException.class, () -> parse("--creds", "nocolon").options(null, Map.of()));
    assertEquals(TransportCode.CREDENTIALS_INVALID, e.code());
    assertEquals(CheckException.Kind.USAGE, e.kind());
    assertEquals(TransportCode.CREDENTIALS_INVALID,
        assertThrows(CheckException.class, () -> parse("--password", "p").options(null, Map.of())).code());
  }
}
