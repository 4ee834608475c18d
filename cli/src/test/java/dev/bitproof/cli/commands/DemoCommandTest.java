package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.testing.ReportSchema;
import dev.bitproof.testing.SharedData;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code bitproof demo} on the bundled {@code testdata/demo} (needs nothing else: no ../shared, no network).
 * {@code -Dbitproof.regenerateDemo=true} rewrites the bundle first (see testdata/demo/README.md).
 */
class DemoCommandTest {
  @Test
  void regenerate() throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("bitproof.regenerateDemo"), "set -Dbitproof.regenerateDemo=true to rewrite testdata/demo");
    DemoFixtures.generate(SharedData.projectRoot().resolve("testdata/demo"));
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
