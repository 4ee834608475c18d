package dev.bitproof.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.attest.bundle.BundleCode;
import dev.bitproof.attest.bundle.SigstoreBundle;
import dev.bitproof.attest.dsse.Dsse;
import dev.bitproof.attest.dsse.DsseCode;
import dev.bitproof.attest.dsse.Envelope;
import dev.bitproof.attest.intoto.IntotoCode;
import dev.bitproof.attest.intoto.Predicates;
import dev.bitproof.attest.intoto.Statement;
import dev.bitproof.attest.intoto.VerificationReport;
import dev.bitproof.attest.sign.KeyType;
import dev.bitproof.attest.sign.Keys;
import dev.bitproof.attest.sign.SigningKey;
import dev.bitproof.attest.sign.VerificationKey;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AttestorTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Digest IMAGE = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));
  private static final Digest OTHER = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
  private final SigningKey key = Keys.generate(KeyType.ECDSA_P256, RANDOM);
  private final VerificationKey pub = new VerificationKey(key.publicKey(), key.type());

  private Attestor.Attestations attest() throws Exception {
    return Attestor.attest(Fixtures.report("docker://localhost:5000/bitproof/golden:latest", IMAGE), key, Fixtures.context());
  }

  private static AttestationVerifier.Options options(Digest image, Set<String> types, Optional<Duration> maxAge) {
    return new AttestationVerifier.Options(image, types, maxAge, Fixtures.NOW.plusSeconds(3600), Optional.empty(), Optional.empty());
  }

  @Test
  void statementsHaveTheImageAsSubjectAndTheSpecFields() throws Exception {
    Attestor.Attestations a = attest();
    Statement vsa = Statement.parse(a.vsa().envelope().payload(), "vsa");
    assertEquals(Predicates.VSA, vsa.predicateType());
    assertEquals(List.of(new Statement.Subject("localhost:5000/bitproof/golden", java.util.Map.of("sha256", IMAGE.hex()))), vsa.subjects());
    JsonNode p = vsa.predicate();
    assertEquals(Predicates.DEFAULT_VERIFIER_ID, p.path("verifier").path("id").asText());
    assertEquals("2026-11-29T12:00:00Z", p.path("timeVerified").asText());
    assertEquals("oci://localhost:5000/bitproof/golden@" + IMAGE, p.path("resourceUri").asText());
    assertEquals("PASSED", p.path("verificationResult").asText());
    assertEquals("[\"SLSA_BUILD_LEVEL_UNEVALUATED\",\"BITPROOF_REBUILT_BIT_IDENTICAL\",\"BITPROOF_SIGNATURES_VERIFIED\",\"BITPROOF_SBOM_MATCHED\"]",
        p.path("verifiedLevels").toString());
    for (JsonNode l : p.path("verifiedLevels")) {
      assertTrue(l.asText().startsWith("BITPROOF_") || l.asText().equals("SLSA_BUILD_LEVEL_UNEVALUATED"), l.asText());
    }
    // the VSA points at the evidence envelope by the digest of its exact bytes
    assertEquals(Digest.sha256(a.evidence().envelope().toBytes()).hex(),
        p.path("inputAttestations").get(0).path("digest").path("sha256").asText());
    assertEquals(Digest.sha256("policy".getBytes(StandardCharsets.UTF_8)).hex(), p.path("policy").path("digest").path("sha256").asText());

    Statement ev = Statement.parse(a.evidence().envelope().payload(), "evidence");
    assertEquals(Predicates.EVIDENCE, ev.predicateType());
    JsonNode e = ev.predicate();
    assertTrue(e.path("inputs").path("lock").asText().endsWith("2222222222222222222222222222222222222222222222222222222222222222"));
    assertTrue(e.path("inputs").path("package:busybox").asText().contains("signer wolfi-signing.rsa.pub"));
    assertEquals(IMAGE.toString(), e.path("subjects").path("b").path("digest").asText());
    assertEquals("sha256:" + "6".repeat(64), e.path("images").get(0).path("layers").get(0).path("diffId").path("a").asText());
    assertEquals(3, e.path("checks").size());
    assertEquals("non-ASCII text: Grüße aus Zürich — ✓", e.path("checks").get(2).path("findings").get(1).path("message").asText());
    assertEquals(Digest.sha256(Fixtures.reportBytes("docker://localhost:5000/bitproof/golden:latest", IMAGE)).hex(),
        e.path("report").path("digest").path("sha256").asText());

    // only the four Statement fields at top level (cosign parses strictly)
    JsonNode raw = Json.parse(a.vsa().envelope().payload(), "raw");
    List<String> names = new java.util.ArrayList<>();
    raw.fieldNames().forEachRemaining(names::add);
    assertEquals(List.of("_type", "subject", "predicateType", "predicate"), names);
  }

  @Test
  void failedReportGivesFailedVsa() throws Exception {
    byte[] b = new String(Fixtures.reportBytes("oci:/tmp/x:t", IMAGE), StandardCharsets.UTF_8)
        .replace("\"result\": \"PASS\"", "\"result\": \"FAIL\"").getBytes(StandardCharsets.UTF_8);
    Attestor.Attestations a = Attestor.attest(VerificationReport.parse(b, "r"), key, Fixtures.context());
    JsonNode p = Statement.parse(a.vsa().envelope().payload(), "vsa").predicate();
    assertEquals("FAILED", p.path("verificationResult").asText());
    assertEquals("[\"FAILED\"]", p.path("verifiedLevels").toString());
    assertEquals("pkg:oci/x@sha256%3A" + IMAGE.hex(), p.path("resourceUri").asText());
    AttestationVerifier.Outcome o = AttestationVerifier.verifyDocument(a.vsa().envelope().toBytes(), pub,
        options(IMAGE, Set.of(), Optional.empty()), "vsa");
    assertFalse(o.passed());
    assertTrue(codes(o).contains(AttestCode.ATTEST_RESULT_FAILED), codes(o).toString());
  }

  @Test
  void verifyAcceptsEnvelopeBundleAndJsonl() throws Exception {
    Attestor.Attestations a = attest();
    AttestationVerifier.Options o = options(IMAGE, Set.of(Predicates.VSA), Optional.of(Duration.ofDays(1)));
    AttestationVerifier.Outcome env = AttestationVerifier.verifyDocument(a.vsa().envelope().toBytes(), pub, o, "env");
    assertTrue(env.passed(), env.findings().toString());
    assertTrue(codes(env).containsAll(List.of(DsseCode.DSSE_SIGNATURE_VALID, AttestCode.ATTEST_SUBJECT_MATCHED, AttestCode.ATTEST_TYPE_MATCHED,
        AttestCode.ATTEST_RESULT_PASSED, AttestCode.ATTEST_FRESH)), codes(env).toString());
    assertTrue(AttestationVerifier.verifyDocument(a.vsa().bundle().bytes(), pub, o, "bundle").passed());
    List<AttestationVerifier.Outcome> lines = AttestationVerifier.verifyFile(a.jsonl(), pub,
        options(IMAGE, Set.of(), Optional.empty()), "x.intoto.jsonl");
    assertEquals(2, lines.size());
    assertTrue(lines.stream().allMatch(AttestationVerifier.Outcome::passed));
    AttestationVerifier.Verdict v = AttestationVerifier.decide(
        AttestationVerifier.verifyFile(a.jsonl(), pub, o, "x.intoto.jsonl"), o);
    assertTrue(v.passed(), v.findings().toString());
  }

  @Test
  void subjectOfAnotherImageTypeAndFreshnessAreFindings() throws Exception {
    Attestor.Attestations a = attest();
    byte[] vsa = a.vsa().envelope().toBytes();
    AttestationVerifier.Outcome other = AttestationVerifier.verifyDocument(vsa, pub, options(OTHER, Set.of(), Optional.empty()), "o");
    assertFalse(other.passed());
    assertTrue(codes(other).contains(AttestCode.ATTEST_SUBJECT_MISMATCH));
    AttestationVerifier.Verdict none = AttestationVerifier.decide(List.of(other), options(OTHER, Set.of(), Optional.empty()));
    assertFalse(none.passed());
    assertTrue(none.findings().stream().anyMatch(f -> f.code().equals(AttestCode.ATTEST_NONE_VALID)));

    AttestationVerifier.Outcome type = AttestationVerifier.verifyDocument(a.evidence().envelope().toBytes(), pub,
        options(IMAGE, Set.of(Predicates.VSA), Optional.empty()), "t");
    assertTrue(codes(type).contains(AttestCode.ATTEST_TYPE_MISMATCH));

    AttestationVerifier.Options late = new AttestationVerifier.Options(IMAGE, Set.of(), Optional.of(Duration.ofHours(1)),
        Fixtures.NOW.plus(Duration.ofDays(2)), Optional.empty(), Optional.empty());
    assertTrue(codes(AttestationVerifier.verifyDocument(vsa, pub, late, "s")).contains(AttestCode.ATTEST_STALE));
    AttestationVerifier.Options early = new AttestationVerifier.Options(IMAGE, Set.of(), Optional.empty(),
        Fixtures.NOW.minus(Duration.ofHours(1)), Optional.empty(), Optional.empty());
    assertTrue(codes(AttestationVerifier.verifyDocument(vsa, pub, early, "f")).contains(AttestCode.ATTEST_TIME_IN_FUTURE));
    AttestationVerifier.Options policy = new AttestationVerifier.Options(IMAGE, Set.of(), Optional.empty(),
        Fixtures.NOW, Optional.of(OTHER), Optional.empty());
    assertTrue(codes(AttestationVerifier.verifyDocument(vsa, pub, policy, "p")).contains(AttestCode.ATTEST_POLICY_MISMATCH));
  }

  @Test
  void bundleWhoseHintNamesAnotherKeyIsRejectedEvenIfSignatureWouldVerify() throws Exception {
    Attestor.Attestations a = attest();
    SigstoreBundle b = a.vsa().bundle();
    String foreignHint = Keys.generate(KeyType.ECDSA_P256, RANDOM).keyId();
    byte[] other = new String(b.bytes(), StandardCharsets.UTF_8).replace(key.keyId(), foreignHint).getBytes(StandardCharsets.UTF_8);
    AttestationVerifier.Outcome o = AttestationVerifier.verifyDocument(other, pub, options(IMAGE, Set.of(), Optional.empty()), "b");
    assertFalse(o.passed());
    assertEquals(List.of(BundleCode.BUNDLE_KEY_HINT_MISMATCH), codes(o));
    // and a key given by the bundle's hint is never looked up: a bundle made with an attacker key fails on ours
    SigningKey attacker = Keys.generate(KeyType.ECDSA_P256, RANDOM);
    SigstoreBundle forged = SigstoreBundle.of(Dsse.sign(Envelope.IN_TOTO, a.vsa().envelope().payload(), attacker));
    assertEquals(List.of(BundleCode.BUNDLE_KEY_HINT_MISMATCH),
        codes(AttestationVerifier.verifyDocument(forged.bytes(), pub, options(IMAGE, Set.of(), Optional.empty()), "f")));
  }

  @Test
  void tamperedPayloadInsideBundleIsRejected() throws Exception {
    Attestor.Attestations a = attest();
    Envelope env = a.vsa().envelope();
    byte[] p = env.payload();
    String s = new String(p, StandardCharsets.UTF_8).replace("PASSED", "PASSEd");
    Envelope bad = new Envelope(env.payloadType(), s.getBytes(StandardCharsets.UTF_8), env.signatures());
    AttestationVerifier.Outcome o = AttestationVerifier.verifyDocument(SigstoreBundle.of(bad).bytes(), pub,
        options(IMAGE, Set.of(), Optional.empty()), "t");
    assertEquals(List.of(DsseCode.DSSE_SIGNATURE_INVALID), codes(o));
  }

  @Test
  void newestAttestationDecides() throws Exception {
    Attestor.Attestations old = attest();
    byte[] failed = new String(Fixtures.reportBytes("docker://localhost:5000/bitproof/golden:latest", IMAGE), StandardCharsets.UTF_8)
        .replace("\"result\": \"PASS\"", "\"result\": \"FAIL\"").getBytes(StandardCharsets.UTF_8);
    Predicates.Context later = new Predicates.Context(Predicates.DEFAULT_VERIFIER_ID, "t", Fixtures.NOW.plusSeconds(60),
        Predicates.DEFAULT_POLICY_URI, Optional.empty(), Optional.empty());
    Attestor.Attestations newer = Attestor.attest(VerificationReport.parse(failed, "r"), key, later);
    AttestationVerifier.Options o = options(IMAGE, Set.of(Predicates.VSA), Optional.empty());
    List<AttestationVerifier.Outcome> both = List.of(
        AttestationVerifier.verifyDocument(old.vsa().envelope().toBytes(), pub, o, "old"),
        AttestationVerifier.verifyDocument(newer.vsa().envelope().toBytes(), pub, o, "new"));
    assertFalse(AttestationVerifier.decide(both, o).passed(), "a newer FAILED verdict must not be hidden by an older PASSED one");
  }

  private static List<Code> codes(AttestationVerifier.Outcome o) {
    return o.findings().stream().map(Finding::code).toList();
  }

  @Test
  void signedPayloadThatIsNotAStatementIsAFinding() {
    for (String payload : List.of("{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"subject\":[{\"digest\":{\"sha256\":\"" + IMAGE.hex() + "\"}}],\"predicateType\":\"x\"}",
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[],\"predicateType\":\"x\"}",
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"x\"}],\"predicateType\":\"x\"}",
        "[1]", "not json")) {
      Envelope env = Dsse.sign(Envelope.IN_TOTO, payload.getBytes(StandardCharsets.UTF_8), key);
      AttestationVerifier.Outcome o = AttestationVerifier.verifyDocument(env.toBytes(), pub, options(IMAGE, Set.of(), Optional.empty()), "s");
      assertFalse(o.passed(), payload);
      assertEquals(List.of(DsseCode.DSSE_SIGNATURE_VALID, IntotoCode.STATEMENT_INVALID), codes(o), payload);
    }
  }

  @Test
  void reportsThatCannotBeAttestedAreRefused() throws Exception {
    String good = new String(Fixtures.reportBytes("oci:/x:t", IMAGE), StandardCharsets.UTF_8);
    for (String bad : List.of(good.replace("\"schemaVersion\": 1", "\"schemaVersion\": 2"),
        good.replace("\"result\": \"PASS\"", "\"result\": \"MAYBE\""),
        good.replace("\"label\": \"published\", \"reference\": \"oci:/x:t\", \"digest\": \"" + IMAGE + "\"",
            "\"label\": \"published\", \"reference\": \"oci:/x:t\", \"digest\": null"),
        "{\"schemaVersion\":1,\"result\":\"ERROR\",\"error\":{}}", "[]")) {
      assertEquals(IntotoCode.REPORT_INVALID, org.junit.jupiter.api.Assertions.assertThrows(dev.bitproof.report.CheckException.class,
          () -> VerificationReport.parse(bad.getBytes(StandardCharsets.UTF_8), "r")).code(), bad.length() > 80 ? bad.substring(0, 80) : bad);
    }
  }

  @Test
  void requiredLevelsAndResourceUri() throws Exception {
    byte[] vsa = attest().vsa().envelope().toBytes();
    AttestationVerifier.Options base = options(IMAGE, Set.of(), Optional.empty());
    AttestationVerifier.Outcome ok = AttestationVerifier.verifyDocument(vsa, pub, base.requiring(
        Set.of("BITPROOF_REBUILT_BIT_IDENTICAL", "BITPROOF_SIGNATURES_VERIFIED"),
        Optional.of("oci://localhost:5000/bitproof/golden@" + IMAGE)), "ok");
    assertTrue(ok.passed(), ok.findings().toString());
    assertTrue(codes(ok).containsAll(List.of(AttestCode.ATTEST_LEVELS_MATCHED, AttestCode.ATTEST_RESOURCE_MATCHED)));
    AttestationVerifier.Outcome missing = AttestationVerifier.verifyDocument(vsa, pub, base.requiring(
        Set.of("BITPROOF_REBUILT_SEMANTICALLY_IDENTICAL"), Optional.empty()), "m");
    assertTrue(codes(missing).contains(AttestCode.ATTEST_LEVEL_MISSING), codes(missing).toString());
    AttestationVerifier.Outcome uri = AttestationVerifier.verifyDocument(vsa, pub, base.requiring(
        Set.of(), Optional.of("oci://elsewhere/golden@" + IMAGE)), "u");
    assertTrue(codes(uri).contains(AttestCode.ATTEST_RESOURCE_MISMATCH), codes(uri).toString());
  }

  /** Only an enforced policy check (named exactly "policy") that passed earns the policy level; advisory never does. */
  @Test
  void policyLevelOnlyForAnEnforcedPassingPolicyCheck() throws Exception {
    for (String name : List.of("policy", "policy-advisory")) {
      com.fasterxml.jackson.databind.node.ObjectNode doc = Json.parseObject(
          Fixtures.reportBytes("docker://localhost:5000/bitproof/golden:latest", IMAGE), "report");
      com.fasterxml.jackson.databind.node.ObjectNode c = ((com.fasterxml.jackson.databind.node.ArrayNode) doc.get("checks")).addObject();
      c.put("name", name);
      c.put("status", "PASS");
      c.put("summary", "0 rule violation(s)");
      c.putArray("findings");
      VerificationReport r = VerificationReport.parse(Json.mapper().writeValueAsBytes(doc), "report.json");
      assertEquals(name.equals("policy"), Predicates.levels(r).contains(Predicates.POLICY_PASSED), name + " -> " + Predicates.levels(r));
    }
  }
}
