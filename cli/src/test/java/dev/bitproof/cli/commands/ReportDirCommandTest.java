package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.testing.ReportSchema;
import dev.bitproof.testing.TestLayouts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --ignore-path / --ignore-annotation / --ignore-file-mode-redundant-bits and --report-dir through the CLI. */
class ReportDirCommandTest {
  @Test
  void ignorePathAndTheCountsInTheJsonReport(@TempDir Path tmp) throws Exception {
    Path a = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(),
        TestLayouts.tar(0, "etc/motd", "hi\n", "var/log/build.log", "built at 1\n"));
    Path b = TestLayouts.singleImage(tmp.resolve("b"), "amd64", List.of(),
        TestLayouts.tar(0, "etc/motd", "hi\n", "var/log/build.log", "built at 2\n"));
    assertEquals(1, run("compare", "oci:" + a, "oci:" + b).code());
    Run r = run("compare", "oci:" + a, "oci:" + b, "--ignore-path", "var/log/**", "--ignore-path", "tmp/*",
        "--ignore-annotation", "com.example.unused", "--ignore-file-mode-redundant-bits", "--format", "json");
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode j = r.json();
    assertEquals(List.of(), ReportSchema.validate(j));
    assertEquals("SEMANTICALLY_IDENTICAL", j.get("verdict").asText());
    assertEquals("[\"file-mode-redundant-bits\",\"path:var/log/**\",\"path:tmp/*\",\"annotation:com.example.unused\"]",
        j.get("ignoreSet").toString());
    assertEquals("[{\"rule\":\"file-mode-redundant-bits\",\"hid\":0},{\"rule\":\"path:var/log/**\",\"hid\":1},"
        + "{\"rule\":\"path:tmp/*\",\"hid\":0},{\"rule\":\"annotation:com.example.unused\",\"hid\":0},"
        + "{\"rule\":\"digests-may-change\",\"hid\":1}]", j.get("ignored").toString());
    Run text = run("compare", "oci:" + a, "oci:" + b, "--ignore-path", "var/log/**");
    assertTrue(text.out().contains("ignored (rule: differences hidden):\n  path:var/log/**                    1"), text.out());
    assertTrue(text.out().contains("IGNORE_RULE_APPLIED  ignore path:var/log/**: this ignore rule hid 1 difference"),
        text.out());
  }

  @Test
  void compareWritesBothVersionsOfEachDifferingFile(@TempDir Path tmp) throws Exception {
    Path a = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), TestLayouts.tar(0, "etc/motd", "hi\n"));
    Path b = TestLayouts.singleImage(tmp.resolve("b"), "amd64", List.of(), TestLayouts.tar(0, "etc/motd", "bye\n"));
    Path dir = tmp.resolve("out");
    Run r = run("compare", "oci:" + a, "oci:" + b, "--report-dir", dir.toString());
    assertEquals(1, r.code(), r.err());
    assertEquals("hi\n", Files.readString(dir.resolve("linux_amd64/layer-0/a/etc/motd")));
    assertEquals("bye\n", Files.readString(dir.resolve("linux_amd64/layer-0/b/etc/motd")));
    JsonNode index = Json.parse(Files.readAllBytes(dir.resolve("index.json")), "index");
    assertEquals("etc/motd", index.get("files").get(0).get("path").asText());

    // the same DIR again: refused before any work, nothing changed
    Run again = run("compare", "oci:" + a, "oci:" + b, "--report-dir", dir.toString(), "--format", "json");
    assertEquals(3, again.code());
    assertEquals("REPORT_DIR_NOT_EMPTY", again.json().get("error").get("code").asText());
    assertEquals("hi\n", Files.readString(dir.resolve("linux_amd64/layer-0/a/etc/motd")));
  }

  @Test
  void aComparisonThatCannotFinishLeavesNoReportDir(@TempDir Path tmp) throws Exception {
    Path a = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), TestLayouts.tar(0, "etc/motd", "hi\n"));
    Path dir = tmp.resolve("out");
    Run r = run("compare", "oci:" + a, "oci:" + tmp.resolve("missing"), "--report-dir", dir.toString());
    assertEquals(3, r.code(), r.err());
    assertFalse(Files.exists(dir));
    try (var s = Files.list(tmp)) {
      assertEquals(List.of("a"), s.map(p -> p.getFileName().toString()).toList(), "no staging directory left");
    }
  }

  @Test
  void theTamperedDemoWritesTheSlippedInFile(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("demo-files");
    Run r = run("demo", "--tampered", "--report-dir", dir.toString(), "--format", "json");
    assertEquals(1, r.code(), r.err());
    Path added = dir.resolve("linux_amd64/layer-0/b/usr/bin/.cache");
    assertTrue(Files.isRegularFile(added), r.err());
    assertFalse(Files.exists(dir.resolve("linux_amd64/layer-0/a/usr/bin/.cache")));
    assertEquals(44, Files.size(added));
  }
}
