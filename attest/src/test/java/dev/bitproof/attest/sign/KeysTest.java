package dev.bitproof.attest.sign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.CheckException;
import dev.bitproof.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class KeysTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void pkcs8AndSpkiPemRoundTripAndSign(KeyType type) {
    SigningKey k = Keys.generate(type, RANDOM);
    SigningKey back = Keys.readSigningKey(Keys.privatePem(k).getBytes(StandardCharsets.US_ASCII), "k", () -> null);
    assertEquals(type, back.type());
    assertEquals(k.keyId(), back.keyId(), "public half derived from the PKCS#8 key must be the generated one");
    VerificationKey pub = Keys.readVerificationKey(Keys.publicPem(k.publicKey()).getBytes(StandardCharsets.US_ASCII), "p");
    assertEquals(k.keyId(), pub.keyId());
    byte[] data = "data".getBytes(StandardCharsets.UTF_8);
    byte[] sig = back.sign(data);
    assertTrue(pub.verifies(data, sig));
    assertFalse(pub.verifies("datA".getBytes(StandardCharsets.UTF_8), sig));
  }

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void cosignEncryptedRoundTripAndWrongPassphrase(KeyType type) {
    SigningKey k = Keys.generate(type, RANDOM);
    byte[] enc = Keys.encryptedPem(k, "s3cret".toCharArray(), RANDOM).getBytes(StandardCharsets.US_ASCII);
    assertTrue(new String(enc, StandardCharsets.US_ASCII).startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"));
    assertEquals(k.keyId(), Keys.readSigningKey(enc, "k", "s3cret"::toCharArray).keyId());
    CheckException e = assertThrows(CheckException.class, () -> Keys.readSigningKey(enc, "k", "wrong"::toCharArray));
    assertEquals(SignCode.KEY_PASSPHRASE_WRONG, e.code());
    assertEquals(SignCode.KEY_PASSPHRASE_MISSING,
        assertThrows(CheckException.class, () -> Keys.readSigningKey(enc, "k", () -> null)).code());
  }

  /** cosign's own test vector: ENCRYPTED SIGSTORE PRIVATE KEY, scrypt N=32768, passphrase "hello". */
  @Test
  void cosignTestVectorDecrypts() throws Exception {
    byte[] file = Files.readAllBytes(SharedData.testdata("attest/cosign-sigstore-key.pem"));
    SigningKey k = Keys.readSigningKey(file, "cosign", "hello"::toCharArray);
    assertEquals(KeyType.ECDSA_P256, k.type());
    byte[] sig = k.sign(new byte[] {1, 2, 3});
    assertTrue(new VerificationKey(k.publicKey(), k.type()).verifies(new byte[] {1, 2, 3}, sig));
    assertEquals(SignCode.KEY_PASSPHRASE_WRONG,
        assertThrows(CheckException.class, () -> Keys.readSigningKey(file, "cosign", "hellO"::toCharArray)).code());
  }

  @Test
  void sec1EcPrivateKeyIsRead() throws Exception {
    SigningKey k = Keys.generate(KeyType.ECDSA_P256, RANDOM);
    var inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(
        org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(k.privateKey().getEncoded()).parsePrivateKey());
    byte[] bare = inner.getEncoded();
    // OpenSSL's SEC1 files name the curve; without it the key cannot be read
    assertEquals(SignCode.KEY_INVALID, assertThrows(CheckException.class, () -> Keys.readSigningKey(
        Pem.write("EC PRIVATE KEY", bare).getBytes(StandardCharsets.US_ASCII), "k", () -> null)).code());
    byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(),
        org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1).getEncoded();
    SigningKey back = Keys.readSigningKey(Pem.write("EC PRIVATE KEY", sec1).getBytes(StandardCharsets.US_ASCII), "k", () -> null);
    assertEquals(k.keyId(), back.keyId());
  }

  @Test
  void wrongKeyTypesAreRefusedWithStableCodes() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    var rsaKp = rsa.generateKeyPair();
    assertEquals(SignCode.KEY_TYPE_UNSUPPORTED, assertThrows(CheckException.class, () -> Keys.readVerificationKey(
        Keys.publicPem(rsaKp.getPublic()).getBytes(StandardCharsets.US_ASCII), "rsa")).code());
    assertEquals(SignCode.KEY_TYPE_UNSUPPORTED, assertThrows(CheckException.class, () -> Keys.readSigningKey(
        Pem.write("PRIVATE KEY", rsaKp.getPrivate().getEncoded()).getBytes(StandardCharsets.US_ASCII), "rsa", () -> null)).code());
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp384r1"));
    var p384 = ec.generateKeyPair();
    assertEquals(SignCode.KEY_TYPE_UNSUPPORTED, assertThrows(CheckException.class, () -> Keys.readVerificationKey(
        Keys.publicPem(p384.getPublic()).getBytes(StandardCharsets.US_ASCII), "p384")).code());
    assertEquals(SignCode.KEY_TYPE_UNSUPPORTED, assertThrows(CheckException.class, () -> Keys.readSigningKey(
        Pem.write("PRIVATE KEY", p384.getPrivate().getEncoded()).getBytes(StandardCharsets.US_ASCII), "p384", () -> null)).code());
    assertEquals(SignCode.KEY_NOT_PRIVATE, assertThrows(CheckException.class, () -> Keys.readSigningKey(
        Keys.publicPem(Keys.generate(KeyType.ED25519, RANDOM).publicKey()).getBytes(StandardCharsets.US_ASCII), "pub", () -> null)).code());
    assertEquals(SignCode.KEY_INVALID, assertThrows(CheckException.class,
        () -> Keys.readVerificationKey("not a key".getBytes(StandardCharsets.US_ASCII), "junk")).code());
  }

  @Test
  void keyIdIsSha256OfSpki() throws Exception {
    SigningKey k = Keys.generate(KeyType.ED25519, RANDOM);
    byte[] spki = k.publicKey().getEncoded();
    assertEquals(44, spki.length, "Ed25519 SPKI is 12 bytes of header + 32 bytes of key");
    assertArrayEquals(java.security.MessageDigest.getInstance("SHA-256").digest(spki),
        java.util.HexFormat.of().parseHex(k.keyId()));
  }

  /** A hostile key file must not make scrypt allocate gigabytes: only cosign's parameter sets are accepted. */
  @Test
  void cosignKeyWithOtherScryptParametersIsRefusedBeforeDerivation() {
    String body = "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":1073741824,\"r\":8,\"p\":1},\"salt\":\"AAAA\"},"
        + "\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"},\"ciphertext\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}";
    byte[] file = Pem.write(CosignKeyFile.LABEL, body.getBytes(StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII);
    assertEquals(SignCode.KEY_INVALID, assertThrows(CheckException.class, () -> Keys.readSigningKey(file, "evil", "x"::toCharArray)).code());
  }
}
