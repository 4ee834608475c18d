package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.testing.ReportSchema;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestLayouts;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bitproof compare} through the CLI entry point: exit codes, JSON that validates, text for people. */
class CompareCommandTest {
  static Path golden() {
    return SharedData.testdata("demo/published");
  }

  @Test
  void sameImageExitsZero() {
    Run r = run("compare", "oci:" + golden(), "oci:" + golden(), "--format", "json");
    assertEquals(0, r.code(), r.err());
    assertEquals(List.of(), ReportSchema.validate(r.json()));
    assertEquals("BIT_IDENTICAL", r.json().get("verdict").asText());
  }

  @Test
  void recompressedIsContentIdenticalButNotBitIdentical(@TempDir Path tmp) {
    Path re = TestLayouts.rewrite(golden(), tmp.resolve("re"), null, null, true);
    Run r = run("compare", "oci:" + golden(), "oci:" + re);
    assertEquals(0, r.code(), r.out());
    assertTrue(r.out().startsWith("bitproof compare: PASS — CONTENT_IDENTICAL\n"), r.out());
    Run strict = run("compare", "oci:" + golden(), "oci:" + re, "--require", "bit", "--format", "json");
    assertEquals(1, strict.code());
    assertEquals(List.of(), ReportSchema.validate(strict.json()));
    assertEquals("COMPARE_VERDICT_BELOW_REQUIRED", strict.json().get("checks").get(0).get("findings").get(0).get("code").asText());
  }

  @Test
  void tamperedFileExitsOneAndIsNamed(@TempDir Path tmp) {
    Path t = TestLayouts.rewrite(golden(), tmp.resolve("t"), (arch, tar) -> TestLayouts.flipByte(tar, "etc/os-release"), null, false);
    Run r = run("compare", "oci:" + golden(), "oci:" + t);
    assertEquals(1, r.code());
    assertTrue(r.out().contains("FAIL  FILE_CHANGED  linux/arm64 layer 0 etc/os-release: content differs"), r.out());
    assertTrue(r.out().contains("--- a/etc/os-release"), r.out());
    Run j = run("compare", "oci:" + golden(), "oci:" + t, "--format=json");
    assertEquals(1, j.code());
    assertEquals(List.of(), ReportSchema.validate(j.json()));
    assertEquals("DIFFERENT", j.json().get("verdict").asText());
  }

  @Test
  void differentLayeringIsExplainedByTheMergedFilesystems(@TempDir Path tmp) throws Exception {
    Path one = TestLayouts.singleImage(tmp.resolve("one"), "amd64", List.of(), TestLayouts.tar(0, "a", "1", "b", "2"));
    Path two = TestLayouts.singleImage(tmp.resolve("two"), "amd64", List.of(), TestLayouts.tar(0, "a", "1"),
        TestLayouts.tar(0, "b", "2"));
    Run strict = run("compare", "oci:" + one, "oci:" + two);
    assertEquals(1, strict.code(), strict.out());
    assertTrue(strict.out().contains("LAYERING_DIFFERS_CONTENT_SAME"), strict.out());
    assertTrue(strict.out().contains("FAIL  LAYER_COUNT_DIFFERS"), strict.out());
    Run semantic = run("compare", "oci:" + one, "oci:" + two, "--semantic", "--format", "json");
    assertEquals(0, semantic.code(), semantic.out());
    assertEquals(List.of(), ReportSchema.validate(semantic.json()));
    assertEquals("SEMANTICALLY_IDENTICAL", semantic.json().get("verdict").asText());
    assertTrue(semantic.json().get("ignoreSet").toString().contains("\"layering\""), semantic.out());
    assertEquals(2, semantic.json().get("images").get(0).get("layers").size());
  }

  @Test
  void semanticIgnoresTimestamps(@TempDir Path tmp) {
    Path t = TestLayouts.rewrite(golden(), tmp.resolve("t"), (arch, tar) -> TestLayouts.setMtime(tar, "etc/passwd", 1234),
        cfg -> cfg.put("created", "2000-01-01T00:00:00Z"), false);
    assertEquals(1, run("compare", "oci:" + golden(), "oci:" + t).code());
    Run s = run("compare", "oci:" + golden(), "oci:" + t, "--semantic", "--format", "json");
    assertEquals(0, s.code(), s.out());
    assertEquals("SEMANTICALLY_IDENTICAL", s.json().get("verdict").asText());
    assertEquals(7, ((ArrayNode) s.json().get("ignoreSet")).size(), "diffoci's set, with file-mode-redundant-bits");
    // the mtime of etc/passwd in each of the two layers, config created: what --semantic hid, by rule
    JsonNode ts = s.json().get("ignored").get(0);
    assertEquals("timestamps", ts.get("rule").asText());
    assertTrue(ts.get("hid").asInt() >= 3, ts.toString());
    assertEquals(List.of(), ReportSchema.validate(s.json()));
  }

  @Test
  void noMatchingPlatformCannotCompare() {
    Run r = run("compare", "oci:" + golden(), "oci:" + golden(), "--platform", "linux/riscv64", "--format", "json");
    assertEquals(3, r.code());
    assertEquals("PLATFORM_NOT_FOUND", r.json().get("error").get("code").asText());
    assertEquals(List.of(), ReportSchema.validate(r.json()));
  }

  @Test
  void missingLayoutCannotCompareAndBadFlagIsUsage(@TempDir Path tmp) {
    assertEquals(3, run("compare", "oci:" + tmp.resolve("nope"), "oci:" + golden()).code());
    assertEquals(2, run("compare", "oci:" + golden(), "oci:" + golden(), "--require", "fuzzy").code());
    assertEquals(2, run("compare", "oci:" + golden()).code());
  }
}
