package dev.bitproof.attest.intoto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.io.Json;
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
  public static final String SIGNATURES_VERIFIED = "BITPROOF_SIGNATURES_VERIFIED";
  public static final String SBOM_MATCHED = "BITPROOF_SBOM_MATCHED";
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

  /** The evidence predicate: config/lock/packages inputs, digests per level, every finding, the report's digest. */
  public static ObjectNode evidence(VerificationReport r, Context c) {
    ObjectNode p = Json.mapper().createObjectNode();
    verifier(p, c);
    p.put("timeVerified", timestamp(c.timeVerified()));
    p.put("verificationResult", r.passed() ? "PASSED" : "FAILED");
    ObjectNode image = p.putObject("image");
    image.put("reference", r.reference());
    image.putObject("digest").put(r.imageDigest().algorithm(), r.imageDigest().hex());
    ObjectNode report = p.putObject("report");
    report.put("schemaVersion", 1);
    report.put("verdict", r.verdict());
    report.putObject("digest").put(r.digest().algorithm(), r.digest().hex());
    p.set("inputs", r.inputs().<JsonNode>map(ObjectNode::deepCopy).orElseGet(() -> Json.mapper().createObjectNode()));
    p.set("digests", r.digests().deepCopy());
    p.set("findings", r.checks().deepCopy());
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
   * The levels claimed: {@code FAILED} when the verdict failed; else SLSA_BUILD_LEVEL_UNEVALUATED plus the report's
   * own {@code levels}, or, when it gives none, what its digests and checks show.
   */
  public static List<String> levels(VerificationReport r) {
    if (!r.passed()) {
      return List.of("FAILED");
    }
    Set<String> out = new LinkedHashSet<>();
    out.add(SLSA_BUILD_UNEVALUATED);
    if (r.levels().isPresent()) {
      out.addAll(r.levels().get());
      return List.copyOf(out);
    }
    String published = r.digests().path("published").asText("");
    String rebuilt = r.digests().path("rebuilt").asText("");
    if (!published.isEmpty() && published.equals(rebuilt)) {
      out.add(REBUILT_BIT_IDENTICAL);
    }
    if (passedAll(r, "SIGNATURE")) {
      out.add(SIGNATURES_VERIFIED);
    }
    if (passedAll(r, "SBOM_")) {
      out.add(SBOM_MATCHED);
    }
    return List.copyOf(out);
  }

  /** At least one check whose code contains {@code part} passed and none failed. */
  private static boolean passedAll(VerificationReport r, String part) {
    List<String> sev = new ArrayList<>();
    for (JsonNode c : r.checks()) {
      if (c.path("code").asText().contains(part)) {
        sev.add(c.path("severity").asText().toUpperCase(Locale.ROOT));
      }
    }
    return sev.contains("OK") && !sev.contains("FAIL");
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
