package dev.bitproof.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.compare.CompareOptions;
import dev.bitproof.compare.Comparison;
import dev.bitproof.compare.ImageComparator;
import dev.bitproof.compare.Verdict;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.testing.ReportSchema;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestLayouts;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's JSON against the documented schema, on real comparisons. */
class ReportJsonTest {
  static Comparison compare(Path a, Path b) throws Exception {
    try (ImageSource sa = Transports.source(ImageReference.parse("oci:" + a), TransportOptions.defaults());
        ImageSource sb = Transports.source(ImageReference.parse("oci:" + b), TransportOptions.defaults())) {
      return ImageComparator.compare(sa, sb, CompareOptions.strict());
    }
  }

  @Test
  void differentReportValidatesAndCarriesTheDigestsSideBySide(@TempDir Path tmp) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    Path t = TestLayouts.rewrite(golden, tmp.resolve("t"),
        (arch, tar) -> TestLayouts.flipByte(tar, "etc/apk/world"), null, false);
    Report r = Report.ofComparison("compare", compare(golden, t), "a", "b", Verdict.CONTENT_IDENTICAL, Map.of(), List.of());
    ObjectNode json = ReportJson.toJson(r, "test");
    assertEquals(List.of(), ReportSchema.validate(json));
    assertEquals("FAIL", json.get("result").asText());
    assertEquals("DIFFERENT", json.get("verdict").asText());
    ObjectNode layer = (ObjectNode) json.get("images").get(0).get("layers").get(0);
    assertEquals("sha256:186210a0e657db3a672cc4ec4d0b6ff92b36271f504cd028b908135223345a72", layer.get("diffId").get("a").asText());
    assertFalse(layer.get("diffId").get("a").equals(layer.get("diffId").get("b")));
    String text = ReportText.render(r, false);
    assertTrue(text.contains("FAIL  FILE_CHANGED  linux/amd64 layer 0 etc/apk/world: content differs"), text);
  }

  @Test
  void identicalReportValidatesAndPasses() throws Exception {
    Path golden = SharedData.testdata("demo/published");
    Report r = Report.ofComparison("compare", compare(golden, golden), "a", "b", Verdict.CONTENT_IDENTICAL, Map.of("x", "y"), List.of("n"));
    ObjectNode json = ReportJson.toJson(r, "test");
    assertEquals(List.of(), ReportSchema.validate(json));
    assertEquals("PASS", json.get("result").asText());
    assertEquals("BIT_IDENTICAL", json.get("verdict").asText());
  }

  @Test
  void schemaRejectsWhatItShould() throws Exception {
    Path golden = SharedData.testdata("demo/published");
    ObjectNode json = ReportJson.toJson(Report.ofComparison("compare", compare(golden, golden), "a", "b",
        Verdict.CONTENT_IDENTICAL, Map.of(), List.of()), "test");
    ObjectNode bad = json.deepCopy();
    bad.put("verdict", "ALMOST_IDENTICAL");
    assertFalse(ReportSchema.validate(bad).isEmpty());
    bad = json.deepCopy();
    ((ObjectNode) bad.get("images").get(0).get("manifest")).put("a", "sha256:nothex");
    assertFalse(ReportSchema.validate(bad).isEmpty());
    bad = json.deepCopy();
    ((ObjectNode) ((ArrayNode) bad.get("checks")).get(0).get("findings").get(0)).put("code", "lower_case");
    assertFalse(ReportSchema.validate(bad).isEmpty());
  }
}
