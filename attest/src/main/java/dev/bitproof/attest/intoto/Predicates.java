package dev.bitproof.attest.intoto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The two predicates bitproof signs: a SLSA Verification Summary (the decision consumers gate on) and the
 * evidence behind it (our own versioned predicate type).
 */
public final class Predicates {
  public static final String VSA = "https://slsa.dev/verification_summary/v1";
  public static final String EVIDENCE = "https://bitproof.dev/attestation/rebuild-evidence/v1";
  public static final String DEFAULT_VERIFIER_ID = "https://bitproof.dev/verifier/bitproof";
  public static final String DEFAULT_POLICY_URI = "https://bitproof.dev/policy/default/v1";

  /** Our verified levels (custom VSA values MUST NOT start with {@code SLSA_}). */
  public static final String REBUILT_BIT_IDENTICAL = "BITPROOF_REBUILT_BIT_IDENTICAL";
  public static final String REBUILT_CONTENT_IDENTICAL = "BITPROOF_REBUILT_CONTENT_IDENTICAL";
  public static final String REBUILT_SEMANTICALLY_IDENTICAL = "BITPROOF_REBUILT_SEMANTICALLY_IDENTICAL";
  public static final String SIGNATURES_VERIFIED = "BITPROOF_SIGNATURES_VERIFIED";
  public static final String SBOM_MATCHED = "BITPROOF_SBOM_MATCHED";
  /** The hardening policy was enforced ({@code verify --enforce-policy}) and no rule at FAIL severity was violated. */
  public static final String POLICY_PASSED = "BITPROOF_POLICY_PASSED";
  /** We never verify upstream build provenance, so the build track is unevaluated. */
  public static final String SLSA_BUILD_UNEVALUATED = "SLSA_BUILD_LEVEL_UNEVALUATED";

  private Predicates() {}

  /**
   * Who verified, when and against which policy.
   *
   * @param policyUri the policy's URI; {@code policyDigest} its file's digest when there is one
   */
  public record Context(String verifierId, String verifierVersion, Instant timeVerified, String policyUri,
      Optional<Digest> policyDigest, Optional<String> resourceUri) {}

  public static String timestamp(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * The evidence predicate: the image, the report's digest, verdict, inputs (config, lock, packages), ignore set,
   * every check with its findings, and the digests of both sides per level (index, manifest, config, layers).
   */
  public static ObjectNode evidence(VerificationReport r, Context c) {
    ObjectNode p = Json.mapper().createObjectNode();
    verifier(p, c);
    p.put("timeVerified", timestamp(c.timeVerified()));
    p.put("verificationResult", r.passed() ? "PASSED" : "FAILED");
    p.put("verdict", r.verdict());
    ObjectNode image = p.putObject("image");
    image.put("reference", r.reference());
    image.putObject("digest").put(r.imageDigest().algorithm(), r.imageDigest().hex());
    ObjectNode report = p.putObject("report");
    report.put("schema", VerificationReport.SCHEMA_ID);
    report.put("command", r.command());
    report.put("toolVersion", r.toolVersion());
    report.putObject("digest").put(r.digest().algorithm(), r.digest().hex());
    ObjectNode doc = r.document();
    p.set("subjects", doc.path("subjects").deepCopy());
    p.set("inputs", doc.path("inputs").isObject() ? doc.get("inputs").deepCopy() : Json.mapper().createObjectNode());
    p.set("ignoreSet", doc.path("ignoreSet").isArray() ? doc.get("ignoreSet").deepCopy() : Json.mapper().createArrayNode());
    p.set("checks", r.checks().deepCopy());
    p.set("images", doc.path("images").isArray() ? doc.get("images").deepCopy() : Json.mapper().createArrayNode());
    return p;
  }

  /** The VSA: result, levels, policy, and the evidence envelope as input attestation. */
  public static ObjectNode vsa(VerificationReport r, Context c, String evidenceUri, Digest evidenceEnvelopeDigest) {
    ObjectNode p = Json.mapper().createObjectNode();
    verifier(p, c);
    p.put("timeVerified", timestamp(c.timeVerified()));
    p.put("resourceUri", c.resourceUri().orElseGet(() -> resourceUri(r.reference(), r.imageDigest())));
    ObjectNode policy = p.putObject("policy");
    policy.put("uri", c.policyUri());
    c.policyDigest().ifPresent(d -> policy.putObject("digest").put(d.algorithm(), d.hex()));
    ArrayNode inputs = p.putArray("inputAttestations");
    ObjectNode ev = inputs.addObject();
    ev.put("uri", evidenceUri);
    ev.putObject("digest").put(evidenceEnvelopeDigest.algorithm(), evidenceEnvelopeDigest.hex());
    p.put("verificationResult", r.passed() ? "PASSED" : "FAILED");
    ArrayNode levels = p.putArray("verifiedLevels");
    levels(r).forEach(levels::add);
    p.put("slsaVersion", "1.1");
    return p;
  }

  /**
   * The levels claimed: {@code FAILED} when the report failed; else SLSA_BUILD_LEVEL_UNEVALUATED, the rebuild level
   * its verdict shows, and signatures / SBOM when a check of that kind ran and passed and none of that kind failed.
   */
  public static List<String> levels(VerificationReport r) {
    if (!r.passed()) {
      return List.of("FAILED");
    }
    Set<String> out = new LinkedHashSet<>();
    out.add(SLSA_BUILD_UNEVALUATED);
    switch (r.verdict()) {
      case "BIT_IDENTICAL" -> out.add(REBUILT_BIT_IDENTICAL);
      case "CONTENT_IDENTICAL" -> out.add(REBUILT_CONTENT_IDENTICAL);
      case "SEMANTICALLY_IDENTICAL" -> out.add(REBUILT_SEMANTICALLY_IDENTICAL);
      default -> { }
    }
    if (passedAll(r, "signature")) {
      out.add(SIGNATURES_VERIFIED);
    }
    if (passedAll(r, "sbom")) {
      out.add(SBOM_MATCHED);
    }
    // only an enforced policy check is named exactly "policy"; an advisory one ("policy-advisory") claims nothing
    for (JsonNode c : r.checks()) {
      if (c.path("name").asText().equals("policy") && c.path("status").asText().equals("PASS")) {
        out.add(POLICY_PASSED);
      }
    }
    return List.copyOf(out);
  }

  /** At least one check whose name contains {@code part} passed and none such failed. */
  private static boolean passedAll(VerificationReport r, String part) {
    List<String> status = new ArrayList<>();
    for (JsonNode c : r.checks()) {
      if (c.path("name").asText().toLowerCase(Locale.ROOT).contains(part)) {
        status.add(c.path("status").asText());
      }
    }
    return status.contains("PASS") && !status.contains("FAIL");
  }

  /**
   * Where consumers fetch the artifact: {@code oci://HOST/REPO@sha256:…} for a registry image, else a
   * {@code pkg:oci/NAME@sha256%3A…} purl named after the layout directory.
   */
  public static String resourceUri(String reference, Digest d) {
    try {
      ImageReference ref = ImageReference.parse(reference);
      if (ref.transport() == ImageReference.Transport.DOCKER) {
        return "oci://" + ref.registry() + "/" + ref.repository() + "@" + d;
      }
      String name = java.nio.file.Path.of(ref.path()).getFileName().toString().toLowerCase(Locale.ROOT)
          .replaceAll("[^a-z0-9._-]", "-");
      return "pkg:oci/" + name + "@" + d.algorithm() + "%3A" + d.hex();
    } catch (RuntimeException e) {
      return "pkg:oci/image@" + d.algorithm() + "%3A" + d.hex();
    }
  }

  private static void verifier(ObjectNode p, Context c) {
    ObjectNode v = p.putObject("verifier");
    v.put("id", c.verifierId());
    v.putObject("version").put("bitproof", c.verifierVersion());
  }
}
