package dev.bitproof.attest.intoto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.io.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The bitproof verification report an attestation is made from ({@code bitproof verify --format json}):
 * <pre>{"schemaVersion":1, "verdict":"PASS"|"FAIL", "subject":{"reference":R, "digest":"sha256:…"},
 *  "checks":[finding…], "digests":{…}, "inputs":{…}?, "levels":[…]?, "policy":{"uri":…, "digest":{…}}?}</pre>
 * {@code digests} (rebuilt and published digests per level) and {@code inputs} (config, lock, packages with
 * checksums and signer keys) are carried into the evidence verbatim.
 *
 * @param digest SHA-256 of the report file's bytes, recorded in the evidence
 */
public record VerificationReport(Digest digest, boolean passed, String verdict, String reference, Digest imageDigest,
    ArrayNode checks, ObjectNode digests, Optional<ObjectNode> inputs, Optional<List<String>> levels,
    Optional<ObjectNode> policy) {
  public static final int MAX_SIZE = 16 * 1024 * 1024;

  public static VerificationReport parse(byte[] bytes, String subject) {
    if (bytes.length > MAX_SIZE) {
      throw new CheckException("REPORT_INVALID", subject, "report is over " + MAX_SIZE + " bytes");
    }
    ObjectNode n;
    try {
      n = Json.parseObject(bytes, subject);
    } catch (CheckException e) {
      throw new CheckException("REPORT_INVALID", subject, e.getMessage(), e);
    }
    if (n.path("schemaVersion").asInt(-1) != 1) {
      throw new CheckException("REPORT_INVALID", subject, "schemaVersion must be 1 (found " + n.path("schemaVersion") + ")");
    }
    String verdict = text(n, "verdict", subject);
    boolean passed = switch (verdict.toUpperCase(Locale.ROOT)) {
      case "PASS", "PASSED", "OK", "VERIFIED" -> true;
      case "FAIL", "FAILED" -> false;
      default -> throw new CheckException("REPORT_INVALID", subject, "verdict '" + verdict + "' is neither PASS nor FAIL");
    };
    JsonNode subj = n.path("subject");
    if (!subj.isObject()) {
      throw new CheckException("REPORT_INVALID", subject, "subject must be an object with reference and digest");
    }
    String reference = text(subj, "reference", subject);
    Digest imageDigest;
    try {
      imageDigest = Digest.parse(text(subj, "digest", subject));
    } catch (CheckException e) {
      throw new CheckException("REPORT_INVALID", subject, "subject.digest: " + e.getMessage(), e);
    }
    JsonNode checks = n.path("checks");
    if (!checks.isArray()) {
      throw new CheckException("REPORT_INVALID", subject, "checks must be an array of findings");
    }
    for (JsonNode c : checks) {
      if (!c.path("code").isTextual() || !c.path("severity").isTextual()) {
        throw new CheckException("REPORT_INVALID", subject, "every check needs a code and a severity");
      }
    }
    JsonNode digests = n.path("digests");
    if (!digests.isMissingNode() && !digests.isObject()) {
      throw new CheckException("REPORT_INVALID", subject, "digests must be an object");
    }
    Optional<List<String>> levels = Optional.empty();
    if (n.has("levels")) {
      List<String> ls = new ArrayList<>(Json.stringList(n, "levels"));
      for (String l : ls) {
        if (!l.startsWith("BITPROOF_")) {
          throw new CheckException("REPORT_INVALID", subject, "level '" + l + "' must start with BITPROOF_");
        }
      }
      levels = Optional.of(List.copyOf(ls));
    }
    return new VerificationReport(Digest.sha256(bytes), passed, verdict, reference, imageDigest, (ArrayNode) checks,
        digests.isObject() ? (ObjectNode) digests : Json.mapper().createObjectNode(),
        n.path("inputs").isObject() ? Optional.of((ObjectNode) n.get("inputs")) : Optional.empty(), levels,
        n.path("policy").isObject() ? Optional.of((ObjectNode) n.get("policy")) : Optional.empty());
  }

  private static String text(JsonNode n, String field, String subject) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new CheckException("REPORT_INVALID", subject, "field '" + field + "' is missing or not a string");
    }
    return v.asText();
  }
}
