package dev.bitproof.attest.sign;

import dev.bitproof.report.CheckException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Objects;

/**
 * A private key with its public half, its type and its key id (hex SHA-256 of the DER SubjectPublicKeyInfo, the
 * RFC 6962-style hint sigstore recommends).
 */
public record SigningKey(PrivateKey privateKey, PublicKey publicKey, KeyType type) {
  public SigningKey {
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(type, "type");
  }

  public String keyId() {
    return Keys.keyId(publicKey);
  }

  /** Signs {@code data}; ECDSA signatures are DER, Ed25519 the raw 64 bytes. */
  public byte[] sign(byte[] data) {
    try {
      Signature s = Signature.getInstance(type.jcaSignature());
      s.initSign(privateKey);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new CheckException(SignCode.KEY_INVALID, keyId(), "cannot sign with this key: " + e.getMessage(), e);
    }
  }
}
