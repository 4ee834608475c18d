package dev.bitproof.attest.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.attest.AttestCode;
import dev.bitproof.attest.AttestationVerifier;
import dev.bitproof.attest.sign.KeyType;
import dev.bitproof.attest.sign.Keys;
import dev.bitproof.attest.sign.VerificationKey;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A real public-good keyless bundle (GitHub Actions provenance, Fulcio certificate, Rekor v1 DSSE entry) verified
 * offline with sigstore-java against the pinned trusted root in testdata/attest/keyless (no TUF, no network).
 */
class KeylessBundlesTest {
  static final Digest ARTIFACT = new Digest("sha256", "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf");
  static final String SAN = "https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main";
  static final String ISSUER = "https://token.actions.githubusercontent.com";

  static Path dir() {
    return SharedData.testdata("attest/keyless");
  }

  static AttestationVerifier.Outcome verify(byte[] bundle, KeylessBundles.Policy p, Digest artifact) {
    AttestationVerifier.Trust trust = new AttestationVerifier.Trust(Optional.empty(), Optional.of(p));
    AttestationVerifier.Options o = new AttestationVerifier.Options(artifact, Set.of("https://slsa.dev/provenance/v1"),
        Optional.empty(), Instant.parse("2026-11-29T00:00:00Z"), Optional.empty(), Optional.empty());
    return AttestationVerifier.verifyDocument(bundle, trust, o, "bundle");
  }

  static List<Code> codes(AttestationVerifier.Outcome o) {
    return o.findings().stream().map(Finding::code).toList();
  }

  @Test
  void publicGoodBundleVerifiesOfflineWithPinnedRoot() throws Exception {
    byte[] bundle = Files.readAllBytes(dir().resolve("bundle.dsse.sigstore.json"));
    KeylessBundles.Policy p = new KeylessBundles.Policy(dir().resolve("trusted_root.json"), SAN, ISSUER);
    AttestationVerifier.Outcome ok = verify(bundle, p, ARTIFACT);
    assertTrue(ok.passed(), ok.findings().toString());
    assertEquals(List.of(BundleCode.KEYLESS_VERIFIED, AttestCode.ATTEST_SUBJECT_MATCHED, AttestCode.ATTEST_TYPE_MATCHED), codes(ok));
  }

  @Test
  void wrongIdentityArtifactOrPayloadIsRejected() throws Exception {
    byte[] bundle = Files.readAllBytes(dir().resolve("bundle.dsse.sigstore.json"));
    Path root = dir().resolve("trusted_root.json");
    AttestationVerifier.Outcome id = verify(bundle, new KeylessBundles.Policy(root, SAN.replace("main", "evil"), ISSUER), ARTIFACT);
    assertEquals(List.of(BundleCode.KEYLESS_INVALID), codes(id));
    AttestationVerifier.Outcome iss = verify(bundle, new KeylessBundles.Policy(root, SAN, "https://accounts.google.com"), ARTIFACT);
    assertEquals(List.of(BundleCode.KEYLESS_INVALID), codes(iss));
    AttestationVerifier.Outcome other = verify(bundle, new KeylessBundles.Policy(root, SAN, ISSUER),
        Digest.sha256("other".getBytes(StandardCharsets.UTF_8)));
    assertFalse(other.passed());
    assertEquals(List.of(BundleCode.KEYLESS_INVALID), codes(other));
    // one payload character changed (its base64 re-encoded): DSSE signature and Rekor entry no longer match
    String json = new String(bundle, StandardCharsets.UTF_8);
    SigstoreBundle parsed = SigstoreBundle.parse(bundle, "b");
    String payload = java.util.Base64.getEncoder().encodeToString(parsed.envelope().payload());
    String tamperedPayload = java.util.Base64.getEncoder().encodeToString(new String(parsed.envelope().payload(), StandardCharsets.UTF_8)
        .replace("workflow_dispatch", "workflow_dispatcH").getBytes(StandardCharsets.UTF_8));
    assertTrue(json.contains(payload));
    AttestationVerifier.Outcome tampered = verify(json.replace(payload, tamperedPayload).getBytes(StandardCharsets.UTF_8),
        new KeylessBundles.Policy(root, SAN, ISSUER), ARTIFACT);
    assertEquals(List.of(BundleCode.KEYLESS_INVALID), codes(tampered));
  }

  @Test
  void keylessBundleWithOnlyAKeyOrKeyBundleWithOnlyARootIsRefused() throws Exception {
    byte[] bundle = Files.readAllBytes(dir().resolve("bundle.dsse.sigstore.json"));
    VerificationKey key = new VerificationKey(Keys.generate(KeyType.ECDSA_P256, new SecureRandom()).publicKey(), KeyType.ECDSA_P256);
    AttestationVerifier.Options o = new AttestationVerifier.Options(ARTIFACT, Set.of(), Optional.empty(), Instant.now(),
        Optional.empty(), Optional.empty());
    assertEquals(List.of(BundleCode.BUNDLE_KEYLESS), codes(AttestationVerifier.verifyDocument(bundle, key, o, "b")));
  }
}
