package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.testing.LocalRegistry;
import dev.bitproof.testing.ReportSchema;
import dev.bitproof.testing.SharedData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bitproof verify} on the demo's config and lock ({@code testdata/demo}) against its published image, from a
 * layout and, after {@code bitproof copy}, from the real local registry (Debian's docker-registry). apko's own golden
 * config and image are verified in core's {@code GoldenVerifyTest} (fidelity, ../shared).
 */
class VerifyCommandTest {
  static final String GOLDEN_INDEX = "sha256:7c08727a4cc2346501dce66540aff115783a9235af93e196d99978087a9b2f59";

  static Path demo() {
    return SharedData.testdata("demo");
  }

  /** The demo's published image as {@code oci:DIR}. */
  static String published() {
    return "oci:" + demo().resolve("published");
  }

  static Run verify(String image, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("verify", demo().resolve("apko.yaml").toString(),
        "--image", image, "--lockfile", demo().resolve("apko.lock.json").toString(), "--context", demo().toString()));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  static void assertGoldenVerified(Run r) {
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode j = r.json();
    assertEquals(List.of(), ReportSchema.validate(j));
    assertEquals("PASS", j.get("result").asText());
    assertEquals("BIT_IDENTICAL", j.get("verdict").asText(), "apko's exact gzip reproduces the published digests");
    assertEquals(GOLDEN_INDEX, j.get("subjects").get("b").get("digest").asText());
    JsonNode sig = j.get("checks").get(1);
    assertEquals("signatures", sig.get("name").asText());
    assertEquals("PASS", sig.get("status").asText());
    assertEquals("6 signatures verified, 0 failed", sig.get("summary").asText(), "2 APKINDEX + 4 packages");
    assertTrue(j.get("inputs").get("sourceDateEpoch").asText().contains("0"));
  }

  @Test
  void goldenLayout() {
    assertGoldenVerified(verify(published(), "--format", "json"));
  }

  @Test
  void goldenInTheLocalRegistry() throws Exception {
    String ref = "docker://" + LocalRegistry.plain() + "/" + LocalRegistry.uniqueRepository("verify-golden") + ":v1";
    Run copy = run("copy", published(), ref, "--insecure", "--quiet");
    assertEquals(0, copy.code(), copy.err());
    Run r = verify(ref, "--insecure", "--format", "json");
    assertGoldenVerified(r);
    assertEquals(ref, r.json().get("subjects").get("b").get("reference").asText());
  }

  @Test
  void textReportSaysWhereTheBuildDateCameFrom() {
    Run r = verify(published());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("bitproof verify: PASS — BIT_IDENTICAL\n"), r.out());
    assertTrue(r.out().contains("annotations [org.opencontainers.image.title, org.opencontainers.image.vendor] taken from the published index"), r.out());
    assertTrue(r.out().contains("PASS    signatures       6 signatures verified, 0 failed"), r.out());
  }

  @Test
  void badInputs(@TempDir Path tmp) {
    assertEquals(3, run("verify", tmp.resolve("missing.yaml").toString(), "--image", "oci:" + tmp).code());
    assertEquals(2, verify(published(), "--source-date-epoch", "yesterday").code());
    assertEquals(2, run("verify", demo().resolve("apko.yaml").toString()).code(), "--image is required");
  }
}
