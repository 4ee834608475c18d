package dev.bitproof.deb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.BCPGOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/**
 * Test keys and signatures made with BouncyCastle in the test itself (no fixture files): Ed25519 (legacy EdDSA,
 * as Debian's release keys) or RSA primaries, optional signing subkey with cross-certification, expiry and
 * revocation, and cleartext/detached signing with a chosen digest and time.
 */
final class TestPgp {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A certificate and the private key that signs documents (the subkey when there is one). */
  record Key(PGPPublicKeyRing ring, PGPPrivateKey signer, PGPPublicKey signerPublic, int algorithm) {
    byte[] keyring() throws IOException {
      return ring.getEncoded();
    }

    Path writeKeyring(Path dir, String name) throws IOException {
      Path p = dir.resolve(name);
      Files.write(p, keyring());
      return p;
    }

    PgpKeyring asKeyring() {
      return PgpKeyring.of(List.of(ring));
    }
  }

  /** What to make. Expiry is seconds after creation; 0 = never. */
  record Spec(String uid, Instant created, long primaryExpiry, boolean subkey, long subkeyExpiry, boolean revokeSubkey,
      int rsaBits) {
    static Spec ed25519(String uid, Instant created) {
      return new Spec(uid, created, 0, false, 0, false, 0);
    }

    Spec withSubkey(long expiry, boolean revoked) {
      return new Spec(uid, created, primaryExpiry, true, expiry, revoked, rsaBits);
    }

    Spec expiringAfter(long seconds) {
      return new Spec(uid, created, seconds, subkey, subkeyExpiry, revokeSubkey, rsaBits);
    }

    Spec rsa(int bits) {
      return new Spec(uid, created, primaryExpiry, subkey, subkeyExpiry, revokeSubkey, bits);
    }
  }

  private TestPgp() {}

  static Key make(Spec s) throws PGPException {
    Date created = Date.from(s.created());
    PGPKeyPair primary = pair(s.rsaBits(), created);
    PGPSignatureSubpacketGenerator h = new PGPSignatureSubpacketGenerator();
    h.setSignatureCreationTime(false, created);
    h.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | (s.subkey() ? 0 : KeyFlags.SIGN_DATA));
    if (s.primaryExpiry() > 0) {
      h.setKeyExpirationTime(false, s.primaryExpiry());
    }
    PGPKeyRingGenerator g = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, primary, s.uid(),
        new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1), h.generate(), null,
        new BcPGPContentSignerBuilder(primary.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256), null);
    PGPKeyPair signer = primary;
    if (s.subkey()) {
      PGPKeyPair sub = pair(s.rsaBits(), created);
      PGPSignatureSubpacketGenerator sh = new PGPSignatureSubpacketGenerator();
      sh.setSignatureCreationTime(false, created);
      sh.setKeyFlags(false, KeyFlags.SIGN_DATA);
      if (s.subkeyExpiry() > 0) {
        sh.setKeyExpirationTime(false, s.subkeyExpiry());
      }
      g.addSubKey(sub, sh.generate(), null,
          new BcPGPContentSignerBuilder(sub.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256));
      signer = sub;
    }
    PGPPublicKeyRing ring = g.generatePublicKeyRing();
    PGPPublicKey signerPublic = ring.getPublicKey(signer.getKeyID());
    if (s.revokeSubkey()) {
      PGPSignatureGenerator rg = new PGPSignatureGenerator(
          new BcPGPContentSignerBuilder(primary.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256), primary.getPublicKey());
      rg.init(PGPSignature.SUBKEY_REVOCATION, primary.getPrivateKey());
      PGPSignatureSubpacketGenerator rh = new PGPSignatureSubpacketGenerator();
      rh.setSignatureCreationTime(false, created);
      rg.setHashedSubpackets(rh.generate());
      PGPSignature rev = rg.generateCertification(ring.getPublicKey(), signerPublic);
      signerPublic = PGPPublicKey.addCertification(signerPublic, rev);
      ring = PGPPublicKeyRing.insertPublicKey(ring, signerPublic);
    }
    return new Key(ring, signer.getPrivateKey(), signerPublic, signer.getPublicKey().getAlgorithm());
  }

  private static PGPKeyPair pair(int rsaBits, Date created) throws PGPException {
    if (rsaBits > 0) {
      RSAKeyPairGenerator kpg = new RSAKeyPairGenerator();
      kpg.init(new RSAKeyGenerationParameters(BigInteger.valueOf(65537), RANDOM, rsaBits, 80));
      AsymmetricCipherKeyPair kp = kpg.generateKeyPair();
      return new BcPGPKeyPair(PublicKeyAlgorithmTags.RSA_GENERAL, kp, created);
    }
    Ed25519KeyPairGenerator kpg = new Ed25519KeyPairGenerator();
    kpg.init(new Ed25519KeyGenerationParameters(RANDOM));
    return new BcPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY, kpg.generateKeyPair(), created);
  }

  static PGPSignature sign(Key k, int type, byte[] data, Instant when, int hash) throws PGPException {
    PGPSignatureGenerator g = new PGPSignatureGenerator(new BcPGPContentSignerBuilder(k.algorithm(), hash), k.signerPublic());
    g.init(type, k.signer());
    PGPSignatureSubpacketGenerator h = new PGPSignatureSubpacketGenerator();
    h.setSignatureCreationTime(false, Date.from(when));
    h.setIssuerFingerprint(false, k.signerPublic());
    g.setHashedSubpackets(h.generate());
    g.update(data);
    return g.generate();
  }

  /** A detached binary-document signature, armored or not. */
  static byte[] detached(Key k, byte[] data, Instant when, int hash, boolean armored) throws Exception {
    return encode(List.of(sign(k, PGPSignature.BINARY_DOCUMENT, data, when, hash)), armored);
  }

  static byte[] encode(List<PGPSignature> sigs, boolean armored) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    OutputStream out = armored ? ArmoredOutputStream.builder().clearHeaders().build(bos) : bos;
    try (BCPGOutputStream b = new BCPGOutputStream(out)) {
      for (PGPSignature s : sigs) {
        s.encode(b);
      }
    }
    if (armored) {
      out.close();
    }
    return bos.toByteArray();
  }

  /**
   * A cleartext-signed document the way gpg writes it: dash-escaped body, signature over the canonical text
   * (trailing whitespace stripped, CRLF, no final line end). Several keys make several signatures.
   */
  static String clearsign(String text, Instant when, int hash, Key... keys) throws Exception {
    String[] lines = text.split("\n", -1);
    int n = text.endsWith("\n") ? lines.length - 1 : lines.length;
    StringBuilder canon = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        canon.append("\r\n");
      }
      canon.append(ClearSigned.stripTrailingWhitespace(lines[i]));
      body.append(lines[i].startsWith("-") ? "- " + lines[i] : lines[i]).append('\n');
    }
    byte[] c = canon.toString().getBytes(StandardCharsets.UTF_8);
    java.util.ArrayList<PGPSignature> sigs = new java.util.ArrayList<>();
    for (Key k : keys) {
      sigs.add(sign(k, PGPSignature.CANONICAL_TEXT_DOCUMENT, c, when, hash));
    }
    String hashName = PgpVerifier.hashName(hash);
    return ClearSigned.BEGIN + "\nHash: " + hashName + "\n\n" + body
        + new String(encode(sigs, true), StandardCharsets.US_ASCII);
  }
}
