package dev.bitproof.attest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.attest.bundle.KeylessBundles;
import dev.bitproof.attest.bundle.SigstoreBundle;
import dev.bitproof.attest.dsse.Dsse;
import dev.bitproof.attest.dsse.Envelope;
import dev.bitproof.attest.intoto.IntotoCode;
import dev.bitproof.attest.intoto.Predicates;
import dev.bitproof.attest.intoto.Statement;
import dev.bitproof.attest.sign.VerificationKey;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies attestations about an image, in the order SLSA's VSA spec prescribes: signature under the trusted key,
 * subject digest = the image digest, predicate type, verifier, result, freshness, policy.
 */
public final class AttestationVerifier {
  private AttestationVerifier() {}

  /** Clock skew tolerated for a {@code timeVerified} slightly in the future. */
  public static final Duration SKEW = Duration.ofMinutes(5);

  /**
   * What to require. Secure defaults: a verdict other than PASSED fails.
   *
   * @param image the image digest the statement must name as subject
   * @param types predicate types wanted (empty = any)
   * @param maxAge oldest acceptable {@code timeVerified}, if limited
   * @param now the current time (explicit: only the CLI reads the clock)
   * @param policyDigest the digest the VSA's policy must have, if required
   * @param verifierId the verifier id the VSA must name, if required
   */
  public record Options(Digest image, Set<String> types, Optional<Duration> maxAge, Instant now,
      Optional<Digest> policyDigest, Optional<String> verifierId, Set<String> requiredLevels, Optional<String> resourceUri) {
    public Options {
      types = Set.copyOf(types);
      requiredLevels = Set.copyOf(requiredLevels);
    }

    public Options(Digest image, Set<String> types, Optional<Duration> maxAge, Instant now, Optional<Digest> policyDigest,
        Optional<String> verifierId) {
      this(image, types, maxAge, now, policyDigest, verifierId, Set.of(), Optional.empty());
    }

    /** The same options, also requiring these VSA verifiedLevels and this resourceUri (SLSA VSA steps 5 and 7). */
    public Options requiring(Set<String> levels, Optional<String> uri) {
      return new Options(image, types, maxAge, now, policyDigest, verifierId, levels, uri);
    }
  }

  /** One attestation's outcome. */
  public record Outcome(String source, List<Finding> findings, Optional<Statement> statement, Optional<Instant> timeVerified) {
    public Outcome {
      findings = List.copyOf(findings);
    }

    public boolean passed() {
      return statement.isPresent() && findings.stream().noneMatch(Finding::fails);
    }
  }

  /**
   * What signatures are trusted: a public key (bitproof's own attestations) and/or a keyless policy (third-party
   * sigstore bundles, checked offline against a pinned trusted root). Both come from the user, never the artifact.
   */
  public record Trust(Optional<VerificationKey> key, Optional<KeylessBundles.Policy> keyless) {
    public Trust {
      if (key.isEmpty() && keyless.isEmpty()) {
        throw CheckException.usage(AttestCode.TRUST_REQUIRED, "give a public key or a trusted root with a certificate identity");
      }
    }

    public static Trust of(VerificationKey key) {
      return new Trust(Optional.of(key), Optional.empty());
    }
  }

  /** A DSSE envelope, a sigstore bundle, or one line of a JSON Lines file. */
  public static Outcome verifyDocument(byte[] bytes, VerificationKey key, Options o, String source) {
    return verifyDocument(bytes, Trust.of(key), o, source);
  }

  public static Outcome verifyDocument(byte[] bytes, Trust trust, Options o, String source) {
    JsonNode n = Json.parse(bytes, source);
    Dsse.Verified v;
    if (SigstoreBundle.looksLikeBundle(n)) {
      SigstoreBundle b = SigstoreBundle.parse(bytes, source);
      if (b.keyless() && trust.keyless().isPresent()) {
        v = KeylessBundles.verify(b, trust.keyless().get(), o.image(), source);
      } else if (trust.key().isPresent()) {
        v = b.verify(trust.key().get(), source);
      } else {
        v = new Dsse.Verified(List.of(Finding.fail(AttestCode.BUNDLE_NOT_KEYLESS, source,
            "bundle is signed with a key, but only a keyless trusted root was given")), Optional.empty());
      }
    } else if (trust.key().isPresent()) {
      v = Dsse.verify(Envelope.parse(bytes, source), trust.key().get(), source);
    } else {
      v = new Dsse.Verified(List.of(Finding.fail(AttestCode.DSSE_KEY_REQUIRED, source,
          "a bare DSSE envelope can only be verified with a public key")), Optional.empty());
    }
    return checkStatement(v, o, source);
  }

  /** Every document in a file: one JSON document, or JSON Lines (one envelope or bundle per line). */
  public static List<Outcome> verifyFile(byte[] bytes, VerificationKey key, Options o, String source) {
    return verifyFile(bytes, Trust.of(key), o, source);
  }

  public static List<Outcome> verifyFile(byte[] bytes, Trust trust, Options o, String source) {
    List<byte[]> docs = splitJsonl(bytes, source);
    List<Outcome> out = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      out.add(verifyDocument(docs.get(i), trust, o, docs.size() == 1 ? source : source + ":" + (i + 1)));
    }
    return out;
  }

  static List<byte[]> splitJsonl(byte[] bytes, String source) {
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      throw new CheckException(AttestCode.ATTESTATION_INVALID, source, "file is empty");
    }
    List<byte[]> docs = new ArrayList<>();
    if (text.startsWith("{") && !text.contains("\n")) {
      docs.add(bytes);
      return docs;
    }
    // A pretty-printed single document spans lines; JSON Lines has one complete document per line.
    try {
      Json.parse(bytes, source);
      docs.add(bytes);
      return docs;
    } catch (CheckException notOne) {
      for (String line : text.split("\n")) {
        if (!line.isBlank()) {
          docs.add(line.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (docs.size() > 1024) {
        throw new CheckException(AttestCode.ATTESTATION_INVALID, source, "more than 1024 attestations in one file");
      }
      return docs;
    }
  }

  static Outcome checkStatement(Dsse.Verified v, Options o, String source) {
    List<Finding> fs = new ArrayList<>(v.findings());
    if (v.payload().isEmpty()) {
      return new Outcome(source, fs, Optional.empty(), Optional.empty());
    }
    Statement st;
    try {
      st = Statement.parse(v.payload().get(), source);
    } catch (CheckException e) {
      fs.add(Finding.fail(IntotoCode.STATEMENT_INVALID, source, e.getMessage()));
      return new Outcome(source, fs, Optional.empty(), Optional.empty());
    }
    if (!st.hasSubject(o.image())) {
      Finding f = Finding.fail(AttestCode.ATTEST_SUBJECT_MISMATCH, source, "the statement is about another artifact")
          .with("expected", o.image());
      for (Statement.Subject s : st.subjects()) {
        f = f.with("subject", s.digest().toString());
      }
      fs.add(f);
    } else {
      fs.add(Finding.ok(AttestCode.ATTEST_SUBJECT_MATCHED, source, "statement subject is the image").with("digest", o.image()));
    }
    if (!o.types().isEmpty() && !o.types().contains(st.predicateType())) {
      fs.add(Finding.fail(AttestCode.ATTEST_TYPE_MISMATCH, source, "predicate type is not the one asked for")
          .with("expected", String.join(" ", o.types())).with("actual", st.predicateType()));
    } else {
      fs.add(Finding.ok(AttestCode.ATTEST_TYPE_MATCHED, source, "predicate type").with("predicateType", st.predicateType()));
    }
    Optional<Instant> time = Optional.empty();
    if (st.predicateType().equals(Predicates.VSA) || st.predicateType().equals(Predicates.EVIDENCE)) {
      JsonNode p = st.predicate();
      String verifier = p.path("verifier").path("id").asText("");
      if (o.verifierId().isPresent() && !o.verifierId().get().equals(verifier)) {
        fs.add(Finding.fail(AttestCode.ATTEST_VERIFIER_MISMATCH, source, "attestation names another verifier")
            .with("expected", o.verifierId().get()).with("actual", verifier));
      }
      String result = p.path("verificationResult").asText("");
      if (!result.equals("PASSED")) {
        fs.add(Finding.fail(AttestCode.ATTEST_RESULT_FAILED, source, "the attested verification did not pass")
            .with("verificationResult", result));
      } else {
        fs.add(Finding.ok(AttestCode.ATTEST_RESULT_PASSED, source, "verificationResult PASSED")
            .with("verifiedLevels", p.path("verifiedLevels").toString()));
      }
      time = freshness(p, o, source, fs);
      if (st.predicateType().equals(Predicates.VSA)) {
        vsaClaims(p, o, source, fs);
      }
      if (o.policyDigest().isPresent() && st.predicateType().equals(Predicates.VSA)) {
        String actual = p.path("policy").path("digest").path(o.policyDigest().get().algorithm()).asText("");
        if (!actual.equals(o.policyDigest().get().hex())) {
          fs.add(Finding.fail(AttestCode.ATTEST_POLICY_MISMATCH, source, "the VSA was made under another policy")
              .with("expected", o.policyDigest().get()).with("actual", actual.isEmpty() ? "(none)" : actual));
        } else {
          fs.add(Finding.ok(AttestCode.ATTEST_POLICY_MATCHED, source, "policy digest").with("digest", o.policyDigest().get()));
        }
      }
    } else if (o.maxAge().isPresent()) {
      fs.add(Finding.fail(AttestCode.ATTEST_TIME_MISSING, source, "freshness asked for, but this predicate type carries no time we know"));
    }
    return new Outcome(source, fs, Optional.of(st), time);
  }

  /** SLSA VSA "how to verify" steps 5 (resourceUri) and 7 (verifiedLevels), when the user asked for them. */
  private static void vsaClaims(JsonNode p, Options o, String source, List<Finding> fs) {
    if (o.resourceUri().isPresent()) {
      String actual = p.path("resourceUri").asText("");
      if (!actual.equals(o.resourceUri().get())) {
        fs.add(Finding.fail(AttestCode.ATTEST_RESOURCE_MISMATCH, source, "the VSA is about another resource URI")
            .with("expected", o.resourceUri().get()).with("actual", actual));
      } else {
        fs.add(Finding.ok(AttestCode.ATTEST_RESOURCE_MATCHED, source, "resourceUri").with("resourceUri", actual));
      }
    }
    if (!o.requiredLevels().isEmpty()) {
      java.util.Set<String> have = new java.util.LinkedHashSet<>();
      p.path("verifiedLevels").forEach(l -> have.add(l.asText()));
      List<String> missing = o.requiredLevels().stream().filter(l -> !have.contains(l)).sorted().toList();
      if (!missing.isEmpty()) {
        fs.add(Finding.fail(AttestCode.ATTEST_LEVEL_MISSING, source, "the VSA does not claim every required level")
            .with("missing", missing).with("verifiedLevels", have));
      } else {
        fs.add(Finding.ok(AttestCode.ATTEST_LEVELS_MATCHED, source, "every required level is claimed")
            .with("required", o.requiredLevels().stream().sorted().toList()));
      }
    }
  }

  private static Optional<Instant> freshness(JsonNode p, Options o, String source, List<Finding> fs) {
    String t = p.path("timeVerified").asText("");
    Instant when;
    try {
      when = Instant.parse(t);
    } catch (DateTimeParseException e) {
      if (o.maxAge().isPresent()) {
        fs.add(Finding.fail(AttestCode.ATTEST_TIME_MISSING, source, "timeVerified is missing or not RFC 3339").with("timeVerified", t));
      }
      return Optional.empty();
    }
    if (when.isAfter(o.now().plus(SKEW))) {
      fs.add(Finding.fail(AttestCode.ATTEST_TIME_IN_FUTURE, source, "timeVerified is in the future")
          .with("timeVerified", t).with("now", o.now()));
    } else if (o.maxAge().isPresent() && when.isBefore(o.now().minus(o.maxAge().get()))) {
      fs.add(Finding.fail(AttestCode.ATTEST_STALE, source, "the attestation is older than the allowed age")
          .with("timeVerified", t).with("maxAge", o.maxAge().get()).with("now", o.now()));
    } else if (o.maxAge().isPresent()) {
      fs.add(Finding.ok(AttestCode.ATTEST_FRESH, source, "timeVerified within the allowed age").with("timeVerified", t));
    }
    return Optional.of(when);
  }

  /**
   * The verdict over several attestations found for one image: among those signed by the trusted key about this
   * image and of a wanted type, the newest (by timeVerified) decides; the others are reported as INFO. Attestations
   * that fail the signature or subject are reported but cannot make a verdict pass.
   */
  public static Verdict decide(List<Outcome> outcomes, Options o) {
    List<Outcome> trusted = new ArrayList<>();
    for (Outcome out : outcomes) {
      boolean signedAndAbout = out.statement().isPresent() && out.findings().stream()
          .noneMatch(f -> f.fails() && (f.code() == AttestCode.ATTEST_SUBJECT_MISMATCH || f.code() == AttestCode.ATTEST_TYPE_MISMATCH));
      if (signedAndAbout) {
        trusted.add(out);
      }
    }
    if (trusted.isEmpty()) {
      List<Finding> fs = new ArrayList<>();
      outcomes.forEach(out -> fs.addAll(out.findings()));
      fs.add(new Finding(AttestCode.ATTEST_NONE_VALID, Severity.FAIL, o.image().toString(),
          "no attestation signed by the trusted key about this image" + (o.types().isEmpty() ? "" : " of type " + o.types()),
          Map.of("found", String.valueOf(outcomes.size()))));
      return new Verdict(false, Optional.empty(), fs);
    }
    // Newest per predicate type decides for that type.
    Map<String, Outcome> newest = new java.util.LinkedHashMap<>();
    trusted.stream()
        .sorted(Comparator.comparing((Outcome x) -> x.timeVerified().orElse(Instant.EPOCH)).reversed())
        .forEach(x -> newest.putIfAbsent(x.statement().get().predicateType(), x));
    List<Finding> fs = new ArrayList<>();
    boolean ok = true;
    for (Outcome out : outcomes) {
      boolean decides = newest.containsValue(out);
      if (decides) {
        fs.addAll(out.findings());
        ok &= out.passed();
      } else {
        List<Code> failing = out.findings().stream().filter(Finding::fails).map(Finding::code).toList();
        boolean otherType = failing.equals(List.of(AttestCode.ATTEST_TYPE_MISMATCH));
        String why = trusted.contains(out) ? "a newer attestation of the same type decides"
            : otherType ? "not of the requested predicate type"
            : "not a valid attestation about this image by the trusted signer";
        // an attestation that fails its signature or subject is worth a warning: someone attached it
        fs.add(Finding.of(AttestCode.ATTEST_SUPERSEDED, trusted.contains(out) || otherType ? Severity.INFO : Severity.WARN, out.source(),
            "not deciding: " + why).with("findings", failing));
      }
    }
    return new Verdict(ok, Optional.of(List.copyOf(newest.values())), fs);
  }

  /** The overall result. */
  public record Verdict(boolean passed, Optional<List<Outcome>> deciding, List<Finding> findings) {
    public Verdict {
      findings = List.copyOf(findings);
    }
  }
}
