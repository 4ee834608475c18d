package dev.bitproof.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.attest.bundle.SigstoreBundle;
import dev.bitproof.attest.dsse.DsseCode;
import dev.bitproof.attest.dsse.Envelope;
import dev.bitproof.attest.sign.KeyType;
import dev.bitproof.attest.sign.Keys;
import dev.bitproof.attest.sign.SigningKey;
import dev.bitproof.attest.sign.VerificationKey;
import dev.bitproof.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our attestations checked by verifiers we did not write: securesystemslib (DSSE over PAE with our public key) and
 * sigstore-js (our sigstore bundle with the public key), for both key types, on a non-ASCII payload; both must
 * reject a tampered payload. And key interop with openssl and cosign's key format (via python3-nacl).
 */
class PeerCrossCheckTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Digest IMAGE = Digest.sha256("golden".getBytes(StandardCharsets.UTF_8));

  @TempDir
  Path dir;

  private record Files3(Path pub, Path env, Path bundle, Path tamperedEnv, Path tamperedBundle) {}

  private Files3 produce(KeyType type) throws Exception {
    SigningKey key = Keys.generate(type, RANDOM);
    Attestor.Attestations a = Attestor.attest(Fixtures.report("docker://localhost:5000/golden:latest", IMAGE), key,
        Fixtures.context());
    Envelope env = a.evidence().envelope(); // the evidence carries the report's non-ASCII finding text
    String payload = new String(env.payload(), StandardCharsets.UTF_8);
    assertTrue(payload.length() < env.payload().length, "the payload must be non-ASCII for this test to mean anything");
    Envelope tampered = new Envelope(env.payloadType(),
        payload.replace("Zürich", "Zurich").getBytes(StandardCharsets.UTF_8), env.signatures());
    Path pub = Files.writeString(dir.resolve(type.cliName() + ".pub"), Keys.publicPem(key.publicKey()));
    return new Files3(pub,
        Files.write(dir.resolve(type.cliName() + ".dsse.json"), env.toBytes()),
        Files.write(dir.resolve(type.cliName() + ".bundle.json"), SigstoreBundle.of(env).bytes()),
        Files.write(dir.resolve(type.cliName() + ".tampered.dsse.json"), tampered.toBytes()),
        Files.write(dir.resolve(type.cliName() + ".tampered.bundle.json"), SigstoreBundle.of(tampered).bytes()));
  }

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void securesystemslibVerifiesOurDsseAndRejectsTampering(KeyType type) throws Exception {
    Peers.requireSecuresystemslib();
    Files3 f = produce(type);
    String py = Peers.PYTHON.toString();
    String script = Peers.sslibScript().toString();
    Peers.Result ok = Peers.run(List.of(py, script, "verify", f.pub().toString(), f.env().toString()));
    assertEquals(0, ok.exit(), ok.output());
    Peers.Result okBundle = Peers.run(List.of(py, script, "verify", f.pub().toString(), f.bundle().toString(), "--bundle"));
    assertEquals(0, okBundle.exit(), okBundle.output());
    Peers.Result bad = Peers.run(List.of(py, script, "verify", f.pub().toString(), f.tamperedEnv().toString()));
    assertEquals(1, bad.exit(), bad.output());
    assertTrue(bad.output().startsWith("REJECTED"), bad.output());
  }

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void sigstoreJsVerifiesOurBundleAndRejectsTampering(KeyType type) throws Exception {
    Peers.requireSigstoreJs();
    Files3 f = produce(type);
    String js = Peers.nodeScript().toString();
    Peers.Result ok = Peers.run(List.of("node", js, f.pub().toString(), f.bundle().toString()));
    assertEquals(0, ok.exit(), ok.output());
    Peers.Result okDsse = Peers.run(List.of("node", js, f.pub().toString(), f.env().toString(), "--dsse"));
    assertEquals(0, okDsse.exit(), okDsse.output());
    Peers.Result bad = Peers.run(List.of("node", js, f.pub().toString(), f.tamperedBundle().toString()));
    assertEquals(1, bad.exit(), bad.output());
    assertTrue(bad.output().contains("SIGNATURE"), bad.output());
    // another key: rejected on the hint before any signature is checked
    Path otherPub = Files.writeString(dir.resolve("other.pub"), Keys.publicPem(Keys.generate(type, RANDOM).publicKey()));
    Peers.Result other = Peers.run(List.of("node", js, otherPub.toString(), f.bundle().toString()));
    assertEquals(1, other.exit(), other.output());
  }

  /** openssl's keys (PKCS#8 "PRIVATE KEY", SEC1 "EC PRIVATE KEY", SPKI) are read and sign what openssl verifies. */
  @Test
  void opensslKeysInteroperate() throws Exception {
    Peers.requireTool("openssl");
    Path ec = dir.resolve("ec.key");
    Path ecPub = dir.resolve("ec.pub");
    Path ed = dir.resolve("ed.key");
    Path sec1 = dir.resolve("ec-sec1.key");
    assertEquals(0, Peers.run(List.of("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-pkeyopt", "ec_param_enc:named_curve", "-out", ec.toString())).exit());
    assertEquals(0, Peers.run(List.of("openssl", "pkey", "-in", ec.toString(), "-pubout", "-out", ecPub.toString())).exit());
    assertEquals(0, Peers.run(List.of("openssl", "ec", "-in", ec.toString(), "-out", sec1.toString())).exit());
    assertEquals(0, Peers.run(List.of("openssl", "genpkey", "-algorithm", "ed25519", "-out", ed.toString())).exit());
    SigningKey k = Keys.readSigningKey(Files.readAllBytes(ec), "ec", () -> null);
    assertEquals(k.keyId(), Keys.readSigningKey(Files.readAllBytes(sec1), "sec1", () -> null).keyId());
    VerificationKey v = Keys.readVerificationKey(Files.readAllBytes(ecPub), "ec.pub");
    assertEquals(k.keyId(), v.keyId());
    Path data = Files.writeString(dir.resolve("data"), "Grüße");
    Path sig = Files.write(dir.resolve("sig"), k.sign(Files.readAllBytes(data)));
    Peers.Result r = Peers.run(List.of("openssl", "dgst", "-sha256", "-verify", ecPub.toString(), "-signature",
        sig.toString(), data.toString()));
    assertEquals(0, r.exit(), r.output());
    assertEquals(KeyType.ED25519, Keys.readSigningKey(Files.readAllBytes(ed), "ed", () -> null).type());
  }

  /** cosign's encrypted key format: python3-nacl encrypts, we decrypt; we encrypt, python3-nacl decrypts. */
  @Test
  void cosignKeyFormatInteroperatesWithNacl() throws Exception {
    Peers.requireSecuresystemslib();
    SigningKey k = Keys.generate(KeyType.ECDSA_P256, RANDOM);
    Path der = Files.write(dir.resolve("k.der"), k.privateKey().getEncoded());
    Path pyEnc = dir.resolve("py.key");
    String py = Peers.PYTHON.toString();
    String script = Peers.sslibScript().toString();
    assertEquals(0, Peers.run(List.of(py, script, "cosign-encrypt", der.toString(), "pässwort", pyEnc.toString())).exit());
    assertEquals(k.keyId(), Keys.readSigningKey(Files.readAllBytes(pyEnc), "py.key", "pässwort"::toCharArray).keyId());

    Path javaEnc = Files.writeString(dir.resolve("java.key"), Keys.encryptedPem(k, "pässwort".toCharArray(), RANDOM));
    Path out = dir.resolve("out.der");
    Peers.Result r = Peers.run(List.of(py, script, "cosign-decrypt", javaEnc.toString(), "pässwort", out.toString()));
    assertEquals(0, r.exit(), r.output());
    assertEquals(k.keyId(), Keys.readSigningKey(dev.bitproof.attest.sign.Pem.write("PRIVATE KEY", Files.readAllBytes(out))
        .getBytes(StandardCharsets.US_ASCII), "out", () -> null).keyId());
    Peers.Result wrong = Peers.run(List.of(py, script, "cosign-decrypt", javaEnc.toString(), "passwort", out.toString()));
    assertEquals(1, wrong.exit(), wrong.output());
  }

  /**
   * The other direction: securesystemslib produces (its own key, URL-safe unpadded base64, its keyid scheme) and we
   * verify; a payload changed after its signing is rejected by us too.
   */
  @ParameterizedTest
  @EnumSource(KeyType.class)
  void securesystemslibProducesWeVerify(KeyType type) throws Exception {
    Peers.requireSecuresystemslib();
    SigningKey unused = Keys.generate(type, RANDOM);
    byte[] statement = Attestor.attest(Fixtures.report("docker://localhost:5000/golden:latest", IMAGE), unused, Fixtures.context())
        .evidence().statement().toBytes();
    Path st = Files.write(dir.resolve("statement.json"), statement);
    Path env = dir.resolve("py.dsse.json");
    Path pub = dir.resolve("py.pub");
    Peers.Result r = Peers.run(List.of(Peers.PYTHON.toString(), Peers.sslibScript().toString(), "sign",
        type == KeyType.ECDSA_P256 ? "ecdsa" : "ed25519", st.toString(), env.toString(), pub.toString()));
    assertEquals(0, r.exit(), r.output());
    String json = Files.readString(env);
    assertTrue(json.contains("-") || json.contains("_"), "URL-safe alphabet expected in " + json.substring(0, 80));
    VerificationKey key = Keys.readVerificationKey(Files.readAllBytes(pub), "py.pub");
    assertEquals(type, key.type());
    AttestationVerifier.Options o = new AttestationVerifier.Options(IMAGE, java.util.Set.of(), java.util.Optional.empty(),
        Fixtures.NOW, java.util.Optional.empty(), java.util.Optional.empty());
    AttestationVerifier.Outcome ok = AttestationVerifier.verifyDocument(Files.readAllBytes(env), key, o, "py");
    assertTrue(ok.passed(), ok.findings().toString());
    Envelope parsed = Envelope.parse(Files.readAllBytes(env), "py");
    Envelope tampered = new Envelope(parsed.payloadType(), new String(parsed.payload(), StandardCharsets.UTF_8)
        .replace("Zürich", "Zurich").getBytes(StandardCharsets.UTF_8), parsed.signatures());
    assertEquals(DsseCode.DSSE_SIGNATURE_INVALID, AttestationVerifier.verifyDocument(tampered.toBytes(), key, o, "t").findings().get(0).code());
  }
}
