package dev.bitproof.attest.sign;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.Objects;

/** A trusted public key, given by the user (never taken from the artifact being verified). */
public record VerificationKey(PublicKey publicKey, KeyType type) {
  public VerificationKey {
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(type, "type");
  }

  public static VerificationKey of(PublicKey key) {
    return new VerificationKey(key, KeyType.of(key, key.getAlgorithm()));
  }

  public String keyId() {
    return Keys.keyId(publicKey);
  }

  /**
   * Does {@code sig} sign {@code data} under this key? ECDSA signatures are accepted as DER (what every peer
   * writes) or as raw r||s (the DSSE spec's own test vector); both are the same signature.
   */
  public boolean verifies(byte[] data, byte[] sig) {
    if (!canonical(sig)) {
      return false;
    }
    if (verifies(type.jcaSignature(), data, sig)) {
      return true;
    }
    return type == KeyType.ECDSA_P256 && sig.length == 64 && verifies("SHA256withECDSAinP1363Format", data, sig);
  }

  /**
   * Only the encodings the signature schemes define: Ed25519 is exactly 64 bytes (RFC 8032); ECDSA is 64 raw
   * bytes or one DER SEQUENCE that fills the signature (a short-form length: P-256 DER is at most 72 bytes), so
   * no trailing byte rides along. A verifier that accepts non-canonical signatures invites malleability.
   */
  private boolean canonical(byte[] sig) {
    return switch (type) {
      case ED25519 -> sig.length == 64;
      case ECDSA_P256 -> sig.length == 64 || sig.length >= 8 && sig.length <= 72 && sig[0] == 0x30
          && (sig[1] & 0xff) == sig.length - 2;
    };
  }

  private boolean verifies(String alg, byte[] data, byte[] sig) {
    try {
      Signature s = Signature.getInstance(alg);
      s.initVerify(publicKey);
      s.update(data);
      return s.verify(sig);
    } catch (SignatureException e) {
      return false; // malformed signature encoding: not a valid signature
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(alg + " unavailable", e);
    }
  }
}
