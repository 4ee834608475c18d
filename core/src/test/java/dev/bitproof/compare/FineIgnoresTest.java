package dev.bitproof.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.report.Finding;
import dev.bitproof.testing.ReportSchema;
import dev.bitproof.testing.TestImages;
import dev.bitproof.testing.TestImages.Entry;
import dev.bitproof.testing.TestLayouts;
import dev.bitproof.verify.Report;
import dev.bitproof.verify.ReportJson;
import dev.bitproof.verify.ReportText;
import dev.bitproof.verify.render.ReportHtml;
import dev.bitproof.verify.render.ReportSarif;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --ignore-path, --ignore-annotation, --ignore-file-mode-redundant-bits, and the per-rule counts in every format. */
class FineIgnoresTest {
  private static Report report(Comparison c) {
    return Report.ofComparison("compare", c, "a", "b", Verdict.SEMANTICALLY_IDENTICAL, Map.of(), List.of());
  }

  private static void assertSchemaValid(Comparison c) {
    assertEquals(List.of(), ReportSchema.validate(ReportJson.toJson(report(c), "test")));
  }

  private static Map<String, Integer> counts(Comparison c) {
    return new LinkedHashMap<>(c.ignoredCounts());
  }

  private static Path image(Path dir, Entry... entries) throws IOException {
    new TestImages().layer(entries).writeTo(dir);
    return dir;
  }

  @Test
  void anIgnoredPathHidesItsEntriesAndIsCounted(@TempDir Path tmp) throws Exception {
    Path a = image(tmp.resolve("a"), Entry.file("etc/motd", 0644, "hi\n"), Entry.file("var/cache/x/1", 0644, "one"),
        Entry.file("var/cache/x/2", 0644, "two"), Entry.file("var/cache/gone", 0644, "g"));
    Path b = image(tmp.resolve("b"), Entry.file("etc/motd", 0644, "hi\n"), Entry.file("var/cache/x/1", 0644, "ONE"),
        Entry.file("var/cache/x/2", 0644, "two"), Entry.file("var/cache/new", 0644, "n"));
    CompareOptions o = CompareOptions.strict().withAlsoIgnored(false, List.of("var/cache/**"), List.of());
    Comparison c = ImageComparatorTest.compare(a, b, o);
    assertEquals(Verdict.SEMANTICALLY_IDENTICAL, c.verdict(), c.failures().toString());
    // x/1 changed, gone removed, new added: three entries hidden; x/2 is the same and hides nothing
    assertEquals(Map.of("path:var/cache/**", 3, "digests-may-change", 1), counts(c));
    Finding rule = c.findings().stream().filter(f -> f.code() == CompareCode.IGNORE_RULE_APPLIED)
        .filter(f -> f.evidence().get("rule").equals("path:var/cache/**")).findFirst().orElseThrow();
    assertEquals("3", rule.evidence().get("hid"));
    assertSchemaValid(c);

    // the glob hides only what it matches
    Path b2 = image(tmp.resolve("b2"), Entry.file("etc/motd", 0644, "bye\n"), Entry.file("var/cache/x/1", 0644, "one"),
        Entry.file("var/cache/x/2", 0644, "two"), Entry.file("var/cache/gone", 0644, "g"));
    Comparison d = ImageComparatorTest.compare(a, b2, o);
    assertEquals(Verdict.DIFFERENT, d.verdict());
    assertEquals(List.of("linux/amd64 layer 0 etc/motd"), ImageComparatorTest.failures(d, CompareCode.FILE_CHANGED)
        .stream().map(Finding::subject).toList());
    assertEquals(0, d.ignoredCounts().get("path:var/cache/**"), "a rule that hid nothing is still listed");
  }

  @Test
  void redundantModeBitsAreIgnoredOnlyWhenAsked(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    // BuildKit writes the file-type bits into the mode field, the legacy builder does not (diffoci's example)
    new TestImages().writeTars(a, List.of(rawTar("usr/bin/tool", 0100755, "x"), rawTar("etc/motd", 0100644, "hi")));
    new TestImages().writeTars(b, List.of(rawTar("usr/bin/tool", 0755, "x"), rawTar("etc/motd", 0644, "hi")));
    Comparison strict = ImageComparatorTest.compare(a, b, CompareOptions.strict());
    assertEquals(Verdict.DIFFERENT, strict.verdict());
    Finding f = ImageComparatorTest.failures(strict, CompareCode.FILE_CHANGED).get(0);
    assertEquals("100755", f.evidence().get("mode.a"));
    assertEquals("0755", f.evidence().get("mode.b"));

    Comparison relaxed = ImageComparatorTest.compare(a, b,
        CompareOptions.strict().withAlsoIgnored(true, List.of(), List.of()));
    assertEquals(Verdict.SEMANTICALLY_IDENTICAL, relaxed.verdict(), relaxed.failures().toString());
    assertEquals(2, relaxed.ignoredCounts().get(CompareOptions.FILE_MODE_REDUNDANT_BITS), "one entry in each layer");
    assertSchemaValid(relaxed);

    // a permission change is never redundant
    Path c = tmp.resolve("c");
    new TestImages().writeTars(c, List.of(rawTar("usr/bin/tool", 0700, "x"), rawTar("etc/motd", 0644, "hi")));
    Comparison real = ImageComparatorTest.compare(a, c, CompareOptions.semantic());
    assertEquals(Verdict.DIFFERENT, real.verdict());
    assertEquals("0700", ImageComparatorTest.failures(real, CompareCode.FILE_CHANGED).get(0).evidence().get("mode.b"));
  }

  @Test
  void anIgnoredAnnotationKeyIsCountedAndOthersStillFail(@TempDir Path tmp) throws Exception {
    Path a = image(tmp.resolve("a"), Entry.file("etc/motd", 0644, "hi\n"));
    Path b = TestLayouts.copy(a, tmp.resolve("b"));
    TestLayouts.editIndex(b, idx -> idx.putObject("annotations").put("com.example.build-url", "https://ci/42"));
    CompareOptions o = CompareOptions.strict().withAlsoIgnored(false, List.of(), List.of("com.example.build-url"));
    Comparison c = ImageComparatorTest.compare(a, b, o);
    assertEquals(Verdict.SEMANTICALLY_IDENTICAL, c.verdict(), c.failures().toString());
    assertEquals(1, c.ignoredCounts().get("annotation:com.example.build-url"));
    assertEquals(List.of("annotation:com.example.build-url"), c.ignoreSet());

    TestLayouts.editIndex(b, idx -> ((ObjectNode) idx.get("annotations")).put("com.example.other", "x"));
    Comparison d = ImageComparatorTest.compare(a, b, o);
    assertEquals(Verdict.DIFFERENT, d.verdict());
    assertEquals(List.of("index annotations com.example.other"),
        ImageComparatorTest.failures(d, CompareCode.INDEX_ANNOTATION_DIFFERS).stream().map(Finding::subject).toList());
  }

  @Test
  void semanticCountsEveryRuleAndEveryFormatShowsTheCounts(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    new TestImages().writeTars(a, List.of(rawTar("etc/motd", 0100644, "hi", 0), rawTar("etc/issue", 0644, "x", 0)));
    new TestImages().writeTars(b, List.of(rawTar("etc/motd", 0644, "hi", 0), rawTar("etc/issue", 0644, "x", 99)));
    Comparison c = ImageComparatorTest.compare(a, b, CompareOptions.semantic());
    assertEquals(Verdict.SEMANTICALLY_IDENTICAL, c.verdict(), c.failures().toString());
    Map<String, Integer> n = counts(c);
    assertEquals(1, n.get(CompareOptions.TIMESTAMPS));
    assertEquals(1, n.get(CompareOptions.FILE_MODE_REDUNDANT_BITS));
    assertEquals(0, n.get(CompareOptions.HISTORY));
    assertEquals(List.of("timestamps", "history", "file-order", "tar-format", "image-name", "layering",
        "file-mode-redundant-bits", "digests-may-change"), List.copyOf(n.keySet()));

    JsonNode json = ReportJson.toJson(report(c), "test");
    assertEquals("file-mode-redundant-bits", json.get("ignored").get(6).get("rule").asText());
    assertEquals(1, json.get("ignored").get(6).get("hid").asInt());
    assertSchemaValid(c);
    String text = ReportText.render(report(c), false);
    assertTrue(text.contains("ignored (rule: differences hidden):\n  timestamps"), text);
    assertTrue(text.contains("IGNORE_RULE_APPLIED  ignore history: this ignore rule hid no difference"), text);
    String html = ReportHtml.render(report(c), "test");
    assertTrue(html.contains("<tr class=\"differs\"><td><code>file-mode-redundant-bits</code></td><td>1</td></tr>"), html);
    JsonNode sarif = ReportSarif.toJson(report(c), "test", false);
    JsonNode inv = sarif.get("runs").get(0).get("invocations").get(0).get("properties").get("ignored");
    assertEquals("timestamps", inv.get(0).get("rule").asText());
    assertTrue(sarif.toString().contains("\"ruleId\":\"IGNORE_RULE_APPLIED\""), "each rule is a result too");
  }

  static byte[] rawTar(String name, int mode, String content) throws IOException {
    return rawTar(name, mode, content, 0);
  }

  /** One file with the mode field exactly as given (TestImages adds the type bits itself). */
  static byte[] rawTar(String name, int mode, String content, long mtime) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bos)) {
      byte[] c = content.getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry e = new TarArchiveEntry(name);
      e.setSize(c.length);
      e.setMode(mode);
      e.setModTime(mtime * 1000);
      t.putArchiveEntry(e);
      t.write(c);
      t.closeArchiveEntry();
    }
    return bos.toByteArray();
  }
}
