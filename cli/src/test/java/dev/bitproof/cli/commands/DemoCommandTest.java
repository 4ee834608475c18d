package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.testing.ReportSchema;
import dev.bitproof.testing.SharedData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bitproof demo} on the bundled {@code testdata/demo} (needs nothing else: no ../shared, no network).
 * {@code -Dbitproof.regenerateDemo=true} rewrites the bundle first (see testdata/demo/README.md).
 */
class DemoCommandTest {
  /**
   * The demo generator's output verifies: its published image is reproduced from its inputs and its tampered copy is
   * caught. Written to a temporary folder (a fresh key each time), or into testdata/demo with
   * {@code -Dbitproof.regenerateDemo=true} (see testdata/demo/README.md).
   */
  @Test
  void regenerate(@TempDir Path tmp) throws Exception {
    Path demo = Boolean.getBoolean("bitproof.regenerateDemo") ? SharedData.projectRoot().resolve("testdata/demo") : tmp.resolve("demo");
    DemoFixtures.generate(demo);
    Run ok = run("verify", "--image", "oci:" + demo.resolve("published"), "--context", demo.toString(),
        demo.resolve("apko.yaml").toString(), "--no-policy", "--format", "json");
    assertEquals(0, ok.code(), ok.out() + ok.err());
    assertEquals("BIT_IDENTICAL", ok.json().get("verdict").asText(), ok.out());
    Run bad = run("verify", "--image", "oci:" + demo.resolve("published-tampered"), "--context", demo.toString(),
        demo.resolve("apko.yaml").toString(), "--no-policy");
    assertEquals(1, bad.code(), bad.out() + bad.err());
    assertTrue(bad.out().contains("FILE_ADDED") && bad.out().contains("usr/bin/.cache"), bad.out());
    assertTrue(bad.out().contains("CONFIG_FIELD_DIFFERS") && bad.out().contains("GREETING=pwned"), bad.out());
  }

  @Test
  void demoVerifiesTheBundledImage() {
    Run r = run("demo", "--format", "json");
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode j = r.json();
    assertEquals(List.of(), ReportSchema.validate(j));
    assertEquals("demo", j.get("command").asText());
    assertEquals("PASS", j.get("result").asText());
    assertTrue(j.get("verdict").asText().equals("BIT_IDENTICAL") || j.get("verdict").asText().equals("CONTENT_IDENTICAL"),
        j.get("verdict").asText());
    assertEquals("6 signatures verified, 0 failed", j.get("checks").get(1).get("summary").asText(), "2 indexes, 4 packages");
  }

  @Test
  void tamperedDemoFailsAndSaysWhy() {
    Run r = run("demo", "--tampered");
    assertEquals(1, r.code(), r.err());
    assertTrue(r.out().contains("FAIL  FILE_ADDED  linux/amd64 layer 0 usr/bin/.cache"), r.out());
    assertTrue(r.out().contains("FAIL  CONFIG_FIELD_DIFFERS  linux/amd64 config config.Env GREETING"), r.out());
    assertTrue(r.out().contains("b: GREETING=pwned"), r.out());
  }
}
