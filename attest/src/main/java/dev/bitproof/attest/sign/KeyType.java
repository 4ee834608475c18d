package dev.bitproof.attest.sign;

import dev.bitproof.report.CheckException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;

/** The key types bitproof signs attestations with: the two that every peer we cross-check with accepts. */
public enum KeyType {
  ECDSA_P256("ecdsa-p256", "SHA256withECDSA"),
  ED25519("ed25519", "Ed25519");

  private final String cliName;
  private final String jcaSignature;

  KeyType(String cliName, String jcaSignature) {
    this.cliName = cliName;
    this.jcaSignature = jcaSignature;
  }

  public String cliName() {
    return cliName;
  }

  /** JCA signature algorithm; ECDSA signatures are ASN.1 DER, as cosign, securesystemslib and sigstore-js expect. */
  public String jcaSignature() {
    return jcaSignature;
  }

  public static KeyType parse(String s) {
    for (KeyType t : values()) {
      if (t.cliName.equalsIgnoreCase(s)) {
        return t;
      }
    }
    throw CheckException.usage(SignCode.KEY_TYPE_UNSUPPORTED, "unknown key type '" + s + "' (use ecdsa-p256 or ed25519)");
  }

  /** The type of a public key; {@code KEY_TYPE_UNSUPPORTED} for RSA, P-384 and anything else. */
  public static KeyType of(PublicKey key, String subject) {
    if (key instanceof ECPublicKey ec) {
      if (isP256(ec.getParams())) {
        return ECDSA_P256;
      }
      throw new CheckException(SignCode.KEY_TYPE_UNSUPPORTED, subject,
          "EC key on curve " + ec.getParams() + " is not supported: only P-256 (peers hash every EC key with SHA-256)");
    }
    if ("Ed25519".equalsIgnoreCase(key.getAlgorithm()) || "EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
      return ED25519;
    }
    throw new CheckException(SignCode.KEY_TYPE_UNSUPPORTED, subject,
        key.getAlgorithm() + " keys are not supported: use ECDSA P-256 or Ed25519");
  }

  static boolean isP256(ECParameterSpec p) {
    return p.getCurve().getField().getFieldSize() == 256
        && p.getOrder().toString(16).equals("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  }
}
