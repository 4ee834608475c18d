package dev.bitproof.attest.intoto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;

/**
 * The bitproof report an attestation is made from: what {@code bitproof verify|compare|demo --format json} print,
 * schema version 1 ({@code docs/schema/report.json}, {@code https://bitproof.dev/schemas/report-v1.json}):
 * {@code result} PASS|FAIL, {@code verdict} BIT_IDENTICAL|CONTENT_IDENTICAL|SEMANTICALLY_IDENTICAL|DIFFERENT|NOT_COMPARED,
 * {@code subjects.a/b} {label, reference, digest}, {@code inputs}, {@code ignoreSet}, {@code checks[]} {name, status,
 * summary, findings[]}, {@code images[]} (manifest, config and layer digests side by side).
 *
 * <p>The attested image is the subject labelled {@code published}, else subject {@code b} (the image compared
 * against). Only what is read here is relied on; the rest of the document goes into the evidence as it is.
 *
 * @param digest SHA-256 of the report file's bytes, recorded in the evidence
 * @param document the whole report, for the evidence
 */
public record VerificationReport(Digest digest, boolean passed, String verdict, String command, String toolVersion,
    String reference, Digest imageDigest, ArrayNode checks, ObjectNode document) {
  public static final int MAX_SIZE = 16 * 1024 * 1024;
  public static final String SCHEMA_ID = "https://bitproof.dev/schemas/report-v1.json";

  public static VerificationReport parse(byte[] bytes, String subject) {
    if (bytes.length > MAX_SIZE) {
      throw new CheckException(IntotoCode.REPORT_INVALID, subject, "report is over " + MAX_SIZE + " bytes");
    }
    ObjectNode n;
    try {
      n = Json.parseObject(bytes, subject);
    } catch (CheckException e) {
      throw new CheckException(IntotoCode.REPORT_INVALID, subject, e.getMessage(), e);
    }
    if (n.path("result").asText("").equals("ERROR")) {
      throw new CheckException(IntotoCode.REPORT_INVALID, subject, "this is an error document (the run could not check): nothing to attest");
    }
    if (n.path("schemaVersion").asInt(-1) != 1) {
      throw new CheckException(IntotoCode.REPORT_INVALID, subject, "schemaVersion must be 1 (found " + n.path("schemaVersion") + ")");
    }
    boolean passed = switch (text(n, "result", subject)) {
      case "PASS" -> true;
      case "FAIL" -> false;
      default -> throw new CheckException(IntotoCode.REPORT_INVALID, subject, "result must be PASS or FAIL, not '" + n.path("result").asText() + "'");
    };
    String verdict = text(n, "verdict", subject);
    JsonNode subjects = n.path("subjects");
    if (!subjects.isObject()) {
      throw new CheckException(IntotoCode.REPORT_INVALID, subject, "subjects must be an object with a and b");
    }
    JsonNode image = pick(subjects);
    if (image == null) {
      throw new CheckException(IntotoCode.REPORT_INVALID, subject, "no subject labelled 'published' and no subject b");
    }
    String reference = text(image, "reference", subject);
    JsonNode d = image.get("digest");
    if (d == null || !d.isTextual()) {
      throw new CheckException(IntotoCode.REPORT_INVALID, subject, "the image (" + reference + ") has no digest in the report");
    }
    Digest imageDigest;
    try {
      imageDigest = Digest.parse(d.asText());
    } catch (CheckException e) {
      throw new CheckException(IntotoCode.REPORT_INVALID, subject, "subject digest: " + e.getMessage(), e);
    }
    JsonNode checks = n.path("checks");
    if (!checks.isArray()) {
      throw new CheckException(IntotoCode.REPORT_INVALID, subject, "checks must be an array");
    }
    for (JsonNode c : checks) {
      if (!c.path("name").isTextual() || !c.path("status").isTextual() || !c.path("findings").isArray()) {
        throw new CheckException(IntotoCode.REPORT_INVALID, subject, "every check needs a name, a status and findings");
      }
    }
    return new VerificationReport(Digest.sha256(bytes), passed, verdict, n.path("command").asText("verify"),
        n.path("tool").path("version").asText(""), reference, imageDigest, (ArrayNode) checks, n);
  }

  private static JsonNode pick(JsonNode subjects) {
    for (String side : new String[] {"a", "b"}) {
      if (subjects.path(side).path("label").asText("").equals("published")) {
        return subjects.get(side);
      }
    }
    return subjects.path("b").isObject() ? subjects.get("b") : null;
  }

  private static String text(JsonNode n, String field, String subject) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new CheckException(IntotoCode.REPORT_INVALID, subject, "field '" + field + "' is missing or not a string");
    }
    return v.asText();
  }
}
