package dev.bitproof.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.attest.intoto.Predicates;
import dev.bitproof.attest.registry.AttachCode;
import dev.bitproof.attest.registry.Attachments;
import dev.bitproof.attest.sign.KeyType;
import dev.bitproof.attest.sign.Keys;
import dev.bitproof.attest.sign.SigningKey;
import dev.bitproof.attest.sign.VerificationKey;
import dev.bitproof.io.IoCode;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.report.CheckException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The signing service: immutable request in, result out; writes only where told; attaches when asked. */
class SignerTest {
  @TempDir
  Path dir;

  private SigningKey key(Path file) throws Exception {
    SigningKey k = Keys.generate(KeyType.ED25519, new SecureRandom());
    Files.writeString(file, Keys.privatePem(k));
    return k;
  }

  @Test
  void signsWritesJsonLinesTheVerifierAcceptsAndReportsWhatItDid() throws Exception {
    Descriptor image = Fixtures.writeImage(dir.resolve("img"), "v1", "a");
    String ref = "oci:" + dir.resolve("img") + ":v1";
    SigningKey k = key(dir.resolve("k.key"));
    Path out = dir.resolve("deep/er/r.intoto.jsonl");
    Signer.SignRequest req = Signer.SignRequest.of(Fixtures.reportBytes(ref, image.digest()), "r.json", dir.resolve("k.key"),
        null, out);
    Signer.SignResult r = Signer.sign(req, s -> {});
    assertEquals(k.keyId(), r.keyId());
    assertEquals(image.digest(), r.subject());
    assertTrue(r.reportPassed());
    assertEquals(List.of(out), r.files());
    assertEquals(List.of(Predicates.EVIDENCE, Predicates.VSA), r.attestations().stream().map(Signer.Signed::predicateType).toList());
    assertTrue(r.attached().isEmpty());
    try (var s = Files.list(out.getParent())) {
      assertEquals(List.of(out), s.toList(), "no temporary file left beside it");
    }
    var opts = new AttestationVerifier.Options(image.digest(), Set.of(), Optional.empty(), java.time.Instant.now(),
        Optional.empty(), Optional.empty());
    var outcomes = AttestationVerifier.verifyFile(Files.readAllBytes(out), VerificationKey.of(k.publicKey()), opts, out.toString());
    var verdict = AttestationVerifier.decide(outcomes, opts);
    assertTrue(verdict.passed(), verdict.findings().toString());
    // the request is a value: mutating the array it was built from changes nothing
    byte[] bytes = req.report();
    bytes[0] = 'X';
    assertFalse(java.util.Arrays.equals(bytes, req.report()));
  }

  @Test
  void attachOnlyWritesNoFileAndDsseFormWritesADirectory() throws Exception {
    Descriptor image = Fixtures.writeImage(dir.resolve("img"), "v1", "a");
    String ref = "oci:" + dir.resolve("img") + ":v1";
    key(dir.resolve("k.key"));
    Signer.SignRequest base = Signer.SignRequest.of(Fixtures.reportBytes(ref, image.digest()), "r.json", dir.resolve("k.key"),
        null, dir.resolve("unused"));
    Signer.SignRequest attachOnly = new Signer.SignRequest(base.report(), "r.json", base.key(), null, Signer.Form.JSONL,
        Optional.empty(), Optional.empty(), Optional.empty(), Predicates.DEFAULT_VERIFIER_ID, Optional.empty(),
        Optional.of(new Signer.Attach(Attachments.Layout.REFERRERS, Optional.empty())), TransportOptions.defaults(), Fixtures.NOW);
    List<String> said = new java.util.ArrayList<>();
    Signer.SignResult r = Signer.sign(attachOnly, said::add);
    assertEquals(List.of(), r.files());
    assertTrue(r.attached().isPresent() && r.attached().get().digests().size() == 2, r.toString());
    assertTrue(said.get(0).startsWith("attaching 2 attestations"), said.toString());
    try (var s = Files.list(dir)) {
      assertEquals(Set.of("img", "k.key"), s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
    }

    Signer.SignRequest dsse = new Signer.SignRequest(base.report(), "r.json", base.key(), null, Signer.Form.DSSE,
        Optional.of(dir.resolve("att")), Optional.empty(), Optional.empty(), Predicates.DEFAULT_VERIFIER_ID, Optional.empty(),
        Optional.empty(), TransportOptions.defaults(), Fixtures.NOW);
    assertEquals(List.of(dir.resolve("att/evidence.dsse.json"), dir.resolve("att/vsa.dsse.json")), Signer.sign(dsse, s -> {}).files());
  }

  @Test
  void refusesNowhereToWriteADirectoryAsTheFileAndAMissingKey() throws Exception {
    byte[] report = Fixtures.reportBytes("oci:x:v1", dev.bitproof.oci.Digest.sha256(new byte[0]));
    CheckException nowhere = assertThrows(CheckException.class, () -> new Signer.SignRequest(report, "r.json",
        dir.resolve("k.key"), null, Signer.Form.JSONL, Optional.empty(), Optional.empty(), Optional.empty(),
        Predicates.DEFAULT_VERIFIER_ID, Optional.empty(), Optional.empty(), TransportOptions.defaults(), Fixtures.NOW));
    assertEquals(AttestCode.ATTEST_OUTPUT_REQUIRED, nowhere.code());

    key(dir.resolve("k.key"));
    Path existingDir = Files.createDirectories(dir.resolve("a-dir"));
    CheckException isDir = assertThrows(CheckException.class,
        () -> Signer.sign(Signer.SignRequest.of(report, "r.json", dir.resolve("k.key"), null, existingDir), s -> {}));
    assertEquals(IoCode.OUTPUT_IS_DIRECTORY, isDir.code());

    CheckException missing = assertThrows(CheckException.class,
        () -> Signer.sign(Signer.SignRequest.of(report, "r.json", dir.resolve("nope.key"), null, dir.resolve("o")), s -> {}));
    assertEquals(IoCode.FILE_NOT_FOUND, missing.code());
    assertEquals(dir.resolve("nope.key").toString(), missing.subject());
    CheckException keyDir = assertThrows(CheckException.class,
        () -> Signer.sign(Signer.SignRequest.of(report, "r.json", existingDir, null, dir.resolve("o")), s -> {}));
    assertEquals(IoCode.FILE_IS_DIRECTORY, keyDir.code());
    assertFalse(Files.exists(dir.resolve("o")), "nothing written when signing could not start");
    assertArrayEquals(report, Fixtures.reportBytes("oci:x:v1", dev.bitproof.oci.Digest.sha256(new byte[0])));
    assertEquals("cosign", Signer.layoutName(Signer.parseLayout("COSIGN")));
    assertEquals(AttachCode.ATTACH_LAYOUT_INVALID, assertThrows(CheckException.class, () -> Signer.parseLayout("tags")).code());
    new String(report, StandardCharsets.UTF_8); // the fixture is text
  }
}
