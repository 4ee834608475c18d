package dev.bitproof.verify.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.testing.SarifSchema;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SARIF log of a report, validated against the official OASIS SARIF 2.1.0 schema (src/test/resources/sarif). */
class ReportSarifTest {
  @Test
  void tamperedReportIsValidSarifWithOneResultPerProblem() {
    ObjectNode log = ReportSarif.toJson(HostileReport.tampered(), "1.2.3", false);
    assertEquals(List.of(), SarifSchema.validate(log));
    JsonNode run = log.get("runs").get(0);
    JsonNode results = run.get("results");
    // compare: verdict-below-required, 2 images, 2 layers, 6 files (one inside a tar); signatures: 1 invalid; sbom: 1 info
    assertEquals(13, results.size(), results.toPrettyString());
    List<String> ruleIds = new ArrayList<>();
    run.get("tool").get("driver").get("rules").forEach(r -> ruleIds.add(r.get("id").asText()));
    assertEquals(List.of("COMPARE_VERDICT_BELOW_REQUIRED", "IMAGE_DIFFERENT", "LAYER_DIFFERENT", "FILE_CHANGED", "FILE_ADDED",
        "APKINDEX_SIGNATURE_INVALID", "SBOM_NONE"), ruleIds);
    JsonNode fileChanged = results.get(3);
    assertEquals("FILE_CHANGED", fileChanged.get("ruleId").asText());
    assertEquals("error", fileChanged.get("level").asText());
    assertEquals("FILE_CHANGED", ruleIds.get(fileChanged.get("ruleIndex").asInt()));
    JsonNode loc = fileChanged.get("locations").get(0);
    assertEquals("linux/amd64 layer 0 " + HostileReport.SCRIPT_NAME, loc.get("logicalLocations").get(0).get("name").asText());
    String uri = loc.get("physicalLocation").get("artifactLocation").get("uri").asText();
    assertEquals("oci:published%20%3Cevil%3E", uri);
    URI.create(uri);
    assertTrue(fileChanged.get("message").get("text").asText().contains("content differs"));
    assertEquals("10", fileChanged.get("properties").get("evidence").get("sizeA").asText());
    JsonNode sbom = results.get(12);
    assertEquals("note", sbom.get("level").asText());
    JsonNode rule = run.get("tool").get("driver").get("rules").get(5);
    assertEquals("https://bitproof.dev/docs/apk.md", rule.get("helpUri").asText());
    assertEquals("error", rule.get("defaultConfiguration").get("level").asText());
    JsonNode target = run.get("artifacts").get(1);
    assertEquals(HostileReport.d("rb").hex(), target.get("hashes").get("sha-256").asText());
    assertEquals("FAIL", run.get("invocations").get(0).get("properties").get("result").asText());
    JsonNode ignored = run.get("invocations").get(0).get("properties").get("ignored");
    assertEquals("[{\"rule\":\"timestamps\",\"hid\":2},{\"rule\":\"history\",\"hid\":0},"
        + "{\"rule\":\"path:var/<b>cache</b>/**\",\"hid\":3}]", ignored.toString());
    JsonNode nested = results.get(6);
    assertEquals("linux/amd64 layer 0 usr/lib/scripts.tar!/" + HostileReport.SCRIPT_NAME,
        nested.get("locations").get(0).get("logicalLocations").get(0).get("name").asText(), "an entry inside a tar");
  }

  @Test
  void passingFindingsOnlyWhenAskedAndAsKindPass() {
    ObjectNode quiet = ReportSarif.toJson(HostileReport.identical(), "1", false);
    assertEquals(List.of(), SarifSchema.validate(quiet));
    assertEquals(0, quiet.get("runs").get(0).get("results").size());
    ObjectNode all = ReportSarif.toJson(HostileReport.identical(), "1", true);
    assertEquals(List.of(), SarifSchema.validate(all));
    JsonNode r = all.get("runs").get(0).get("results").get(0);
    assertEquals("COMPARE_VERDICT", r.get("ruleId").asText());
    assertEquals("pass", r.get("kind").asText());
    assertEquals("none", r.get("level").asText());
  }

  @Test
  void schemaCatchesWhatItShould() {
    ObjectNode log = ReportSarif.toJson(HostileReport.tampered(), "1", false);
    ObjectNode bad = log.deepCopy();
    ((ObjectNode) bad.get("runs").get(0).get("results").get(0)).put("level", "fatal");
    assertFalse(SarifSchema.validate(bad).isEmpty());
    bad = log.deepCopy();
    bad.put("version", "2.0.0");
    assertFalse(SarifSchema.validate(bad).isEmpty());
  }

  @Test
  void referencesBecomeUriReferences() {
    assertEquals("docker://ghcr.io/a/b:1@sha256:ab", ReportSarif.uri("docker://ghcr.io/a/b:1@sha256:ab"));
    assertEquals("1abc%3Ax/%22%3E%3Cimg%3E", ReportSarif.uri("1abc:x/\"><img>"));
    assertEquals("oci:/t/%C3%A9%0A", ReportSarif.uri("oci:/t/é\n"));
  }
}
