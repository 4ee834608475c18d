package dev.bitproof.attest.dsse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.attest.sign.KeyType;
import dev.bitproof.attest.sign.Keys;
import dev.bitproof.attest.sign.SigningKey;
import dev.bitproof.attest.sign.VerificationKey;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Base64;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DsseTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] NON_ASCII = "{\"x\":\"Grüße aus Zürich — ✓\"}".getBytes(StandardCharsets.UTF_8);

  /** The DSSE spec's test vector (protocol.md): PAE bytes and a P-256 raw r||s signature. */
  @Test
  void specTestVector() throws Exception {
    byte[] pae = Pae.encode("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8));
    assertEquals("DSSEv1 29 http://example.com/HelloWorld 11 hello world", new String(pae, StandardCharsets.UTF_8));
    AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
    ap.init(new ECGenParameterSpec("secp256r1"));
    ECPoint w = new ECPoint(new BigInteger("46950820868899156662930047687818585632848591499744589407958293238635476079160"),
        new BigInteger("5640078356564379163099075877009565129882514886557779369047442380624545832820"));
    VerificationKey key = VerificationKey.of(KeyFactory.getInstance("EC")
        .generatePublic(new ECPublicKeySpec(w, ap.getParameterSpec(ECParameterSpec.class))));
    Envelope env = Envelope.parse(("{\"payload\": \"aGVsbG8gd29ybGQ=\", \"payloadType\": \"http://example.com/HelloWorld\","
        + " \"signatures\": [{\"sig\": \"A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==\"}]}")
        .getBytes(StandardCharsets.UTF_8), "vector");
    assertArrayEquals(pae, env.pae());
    assertTrue(key.verifies(env.pae(), env.signatures().get(0).sig()));
    assertFalse(key.verifies(Pae.encode("http://example.com/HelloWorld", "hello World".getBytes(StandardCharsets.UTF_8)),
        env.signatures().get(0).sig()));
    // a valid signature over a payload type that is not in-toto is still refused as an attestation
    assertEquals(DsseCode.DSSE_PAYLOAD_TYPE, Dsse.verify(env, key, "vector").findings().get(0).code());
  }

  @Test
  void paeCountsBytesNotCharacters() {
    String text = new String(NON_ASCII, StandardCharsets.UTF_8);
    assertTrue(text.length() < NON_ASCII.length);
    String pae = new String(Pae.encode(Envelope.IN_TOTO, NON_ASCII), StandardCharsets.UTF_8);
    assertTrue(pae.startsWith("DSSEv1 28 application/vnd.in-toto+json " + NON_ASCII.length + " "), pae);
  }

  @Test
  void signVerifyNonAsciiBothKeyTypesAndTamper() {
    for (KeyType t : KeyType.values()) {
      SigningKey k = Keys.generate(t, RANDOM);
      VerificationKey v = new VerificationKey(k.publicKey(), t);
      Envelope env = Dsse.sign(Envelope.IN_TOTO, NON_ASCII, k);
      Envelope back = Envelope.parse(env.toBytes(), "env");
      Dsse.Verified ok = Dsse.verify(back, v, "env");
      assertTrue(ok.ok(), ok.findings().toString());
      assertArrayEquals(NON_ASCII, ok.payload().get());

      byte[] tampered = NON_ASCII.clone();
      tampered[tampered.length - 3] ^= 1;
      Envelope bad = new Envelope(Envelope.IN_TOTO, tampered, back.signatures());
      assertEquals(DsseCode.DSSE_SIGNATURE_INVALID, single(Dsse.verify(bad, v, "bad")).code());

      VerificationKey other = new VerificationKey(Keys.generate(t, RANDOM).publicKey(), t);
      assertEquals(DsseCode.DSSE_SIGNATURE_INVALID, single(Dsse.verify(back, other, "other")).code());
    }
  }

  @Test
  void wrongKeyTypeRejectsSignature() {
    SigningKey ec = Keys.generate(KeyType.ECDSA_P256, RANDOM);
    SigningKey ed = Keys.generate(KeyType.ED25519, RANDOM);
    Envelope env = Dsse.sign(Envelope.IN_TOTO, NON_ASCII, ec);
    assertEquals(DsseCode.DSSE_SIGNATURE_INVALID,
        single(Dsse.verify(env, new VerificationKey(ed.publicKey(), KeyType.ED25519), "x")).code());
  }

  @Test
  void zeroAndTwoSignaturesAreRejected() {
    SigningKey k = Keys.generate(KeyType.ECDSA_P256, RANDOM);
    VerificationKey v = new VerificationKey(k.publicKey(), k.type());
    Envelope one = Dsse.sign(Envelope.IN_TOTO, NON_ASCII, k);
    Envelope none = new Envelope(Envelope.IN_TOTO, NON_ASCII, List.of());
    assertEquals(DsseCode.DSSE_NO_SIGNATURE, single(Dsse.verify(Envelope.parse(none.toBytes(), "0"), v, "0")).code());
    Envelope two = new Envelope(Envelope.IN_TOTO, NON_ASCII, List.of(one.signatures().get(0), one.signatures().get(0)));
    assertEquals(DsseCode.DSSE_SIGNATURE_COUNT, single(Dsse.verify(Envelope.parse(two.toBytes(), "2"), v, "2")).code());
  }

  @Test
  void payloadTypeMustBeInToto() {
    SigningKey k = Keys.generate(KeyType.ED25519, RANDOM);
    Envelope env = Dsse.sign("application/json", NON_ASCII, k);
    Finding f = single(Dsse.verify(env, new VerificationKey(k.publicKey(), k.type()), "t"));
    assertEquals(DsseCode.DSSE_PAYLOAD_TYPE, f.code());
    assertEquals("application/json", f.evidence().get("actual"));
  }

  @Test
  void base64VariantsAcceptedStandardWritten() throws Exception {
    SigningKey k = Keys.generate(KeyType.ECDSA_P256, RANDOM);
    VerificationKey v = new VerificationKey(k.publicKey(), k.type());
    // a payload whose standard base64 holds '+' and '/', so the URL-safe form really differs
    byte[] payload = new byte[] {(byte) 0xfb, (byte) 0xff, (byte) 0xfe, 0x3e, 0x3f, '{', '}'};
    Envelope env = Dsse.sign(Envelope.IN_TOTO, payload, k);
    ObjectNode json = env.toJson();
    String std = json.get("payload").asText();
    assertTrue(std.contains("+") || std.contains("/"), std);
    assertEquals(Base64.getEncoder().encodeToString(payload), std, "we write standard padded base64");
    String url = Base64.getUrlEncoder().withoutPadding().encodeToString(payload);
    String sigUrl = Base64.getUrlEncoder().withoutPadding().encodeToString(env.signatures().get(0).sig());
    json.put("payload", url);
    ((ObjectNode) json.get("signatures").get(0)).put("sig", sigUrl);
    Envelope parsed = Envelope.parse(dev.bitproof.json.Json.mapper().writeValueAsBytes(json), "url");
    assertArrayEquals(payload, parsed.payload());
    assertTrue(Dsse.verify(parsed, v, "url").ok());
    json.put("payload", std.replace('+', '-'));  // mixed alphabets are not base64
    if (std.contains("/")) {
      assertEquals(DsseCode.DSSE_INVALID, assertThrows(CheckException.class,
          () -> Envelope.parse(dev.bitproof.json.Json.mapper().writeValueAsBytes(json), "mixed")).code());
    }
    json.put("payload", "not base64!");
    assertEquals(DsseCode.DSSE_INVALID, assertThrows(CheckException.class,
        () -> Envelope.parse(dev.bitproof.json.Json.mapper().writeValueAsBytes(json), "junk")).code());
  }

  @Test
  void malformedEnvelopesAreDsseInvalid() {
    for (String s : List.of("[]", "{}", "{\"payload\":\"e30=\",\"payloadType\":\"x\"}",
        "{\"payload\":\"e30=\",\"payloadType\":\"x\",\"signatures\":[{\"keyid\":\"k\"}]}",
        "{\"payload\":1,\"payloadType\":\"x\",\"signatures\":[]}", "not json")) {
      assertEquals(DsseCode.DSSE_INVALID, assertThrows(CheckException.class,
          () -> Envelope.parse(s.getBytes(StandardCharsets.UTF_8), "m")).code(), s);
    }
  }

  @Test
  void keyidIsWrittenAndOptionalOnRead() {
    SigningKey k = Keys.generate(KeyType.ED25519, RANDOM);
    Envelope env = Dsse.sign(Envelope.IN_TOTO, NON_ASCII, k);
    assertEquals(Optional.of(k.keyId()), env.signatures().get(0).keyid());
    Envelope noId = new Envelope(Envelope.IN_TOTO, NON_ASCII, List.of(new Envelope.Signature(Optional.empty(), env.signatures().get(0).sig())));
    assertTrue(Dsse.verify(Envelope.parse(noId.toBytes(), "n"), new VerificationKey(k.publicKey(), k.type()), "n").ok());
  }

  /** Issue 18: a 65-byte Ed25519 signature (the valid 64 plus a trailing NUL) verified. */
  @Test
  void nonCanonicalSignaturesAreRefused() {
    for (KeyType t : KeyType.values()) {
      SigningKey k = Keys.generate(t, RANDOM);
      VerificationKey v = new VerificationKey(k.publicKey(), k.type());
      Envelope env = Dsse.sign(Envelope.IN_TOTO, NON_ASCII, k);
      byte[] sig = env.signatures().get(0).sig();
      assertTrue(Dsse.verify(env, v, "ok").ok(), t.cliName());
      for (byte[] bad : List.of(Arrays.copyOf(sig, sig.length + 1), Arrays.copyOf(sig, sig.length - 1))) {
        Envelope m = new Envelope(Envelope.IN_TOTO, NON_ASCII, List.of(new Envelope.Signature(Optional.of(k.keyId()), bad)));
        assertEquals(DsseCode.DSSE_SIGNATURE_INVALID, single(Dsse.verify(m, v, "m")).code(), t.cliName() + " " + bad.length);
      }
    }
  }

  /** Issue 18: an envelope keyid naming another key was not reported for a bare envelope. */
  @Test
  void aKeyidNamingAnotherKeyIsReportedForABareEnvelope() {
    SigningKey k = Keys.generate(KeyType.ED25519, RANDOM);
    SigningKey other = Keys.generate(KeyType.ED25519, RANDOM);
    Envelope env = Dsse.sign(Envelope.IN_TOTO, NON_ASCII, k);
    Envelope m = new Envelope(Envelope.IN_TOTO, NON_ASCII,
        List.of(new Envelope.Signature(Optional.of(other.keyId()), env.signatures().get(0).sig())));
    Dsse.Verified v = Dsse.verify(m, new VerificationKey(k.publicKey(), k.type()), "m");
    // an unauthenticated hint in the signer's scheme (securesystemslib writes its own): reported, not failed
    assertEquals(List.of(DsseCode.DSSE_KEYID_MISMATCH, DsseCode.DSSE_SIGNATURE_VALID), v.findings().stream().map(Finding::code).toList());
    assertEquals(dev.bitproof.report.Severity.WARN, v.findings().get(0).severity());
  }

  private static Finding single(Dsse.Verified v) {
    assertFalse(v.ok());
    assertTrue(v.payload().isEmpty(), "no payload may be handed out unverified");
    assertEquals(1, v.findings().size(), v.findings().toString());
    return v.findings().get(0);
  }

  @Test
  void tooManySignaturesIsRefusedWhileParsing() {
    StringBuilder sb = new StringBuilder("{\"payload\":\"e30=\",\"payloadType\":\"x\",\"signatures\":[");
    for (int i = 0; i <= Envelope.MAX_SIGNATURES; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"sig\":\"AA==\"}");
    }
    sb.append("]}");
    assertEquals(DsseCode.DSSE_INVALID, assertThrows(CheckException.class,
        () -> Envelope.parse(sb.toString().getBytes(StandardCharsets.UTF_8), "many")).code());
  }
}
