package dev.bitproof.attest.sign;

import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * Reading, writing and generating attestation keys. PEM in: {@code PRIVATE KEY} (PKCS#8), {@code EC PRIVATE KEY}
 * (SEC1), cosign's encrypted files, {@code PUBLIC KEY} (SPKI). PEM out: PKCS#8 and SPKI. Key types: ECDSA P-256 and
 * Ed25519; anything else is {@code KEY_TYPE_UNSUPPORTED}.
 */
public final class Keys {
  private static final ASN1ObjectIdentifier P256 = SECObjectIdentifiers.secp256r1;

  private Keys() {}

  /** The key id: lowercase hex SHA-256 of the DER SubjectPublicKeyInfo. */
  public static String keyId(PublicKey key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static SigningKey generate(KeyType type, SecureRandom random) {
    try {
      KeyPairGenerator g;
      if (type == KeyType.ECDSA_P256) {
        g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
      } else {
        g = KeyPairGenerator.getInstance("Ed25519");
        g.initialize(255, random);
      }
      KeyPair kp = g.generateKeyPair();
      return new SigningKey(kp.getPrivate(), kp.getPublic(), type);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A private key file. {@code passphrase} is asked only for an encrypted file; a wrong one is
   * {@code KEY_PASSPHRASE_WRONG}.
   */
  public static SigningKey readSigningKey(byte[] file, String subject, Supplier<char[]> passphrase) {
    List<Pem.Block> blocks = Pem.read(file, subject);
    for (Pem.Block b : blocks) {
      switch (b.label()) {
        case "PRIVATE KEY":
          return fromPkcs8(b.der(), subject);
        case "EC PRIVATE KEY":
          return fromPkcs8(sec1ToPkcs8(b.der(), subject), subject);
        case CosignKeyFile.LABEL, CosignKeyFile.LEGACY_LABEL: {
          char[] pass = passphrase.get();
          if (pass == null) {
            throw CheckException.usage(SignCode.KEY_PASSPHRASE_MISSING, subject + " is encrypted: give its passphrase");
          }
          return fromPkcs8(CosignKeyFile.decrypt(b.der(), pass, subject), subject);
        }
        case "ENCRYPTED PRIVATE KEY":
          throw new CheckException(SignCode.KEY_UNSUPPORTED, subject,
              "PKCS#8-encrypted keys are not supported: use cosign's encrypted format or an unencrypted PKCS#8 key");
        default:
          // PUBLIC KEY, certificates, EC PARAMETERS ... : keep looking
      }
    }
    if (blocks.stream().anyMatch(b -> b.label().equals("PUBLIC KEY"))) {
      throw CheckException.usage(SignCode.KEY_NOT_PRIVATE, subject + " holds a public key; signing needs the private key");
    }
    throw new CheckException(SignCode.KEY_UNSUPPORTED, subject, "no private key block (found " + labels(blocks) + ")");
  }

  /** A public key file (SPKI {@code PUBLIC KEY}); a private key file gives its public half. */
  public static VerificationKey readVerificationKey(byte[] file, String subject) {
    List<Pem.Block> blocks = Pem.read(file, subject);
    for (Pem.Block b : blocks) {
      if (b.label().equals("PUBLIC KEY")) {
        return new VerificationKey(publicFromSpki(b.der(), subject), typeOfSpki(b.der(), subject));
      }
    }
    for (Pem.Block b : blocks) {
      if (b.label().equals("PRIVATE KEY") || b.label().equals("EC PRIVATE KEY")) {
        SigningKey k = readSigningKey(file, subject, () -> null);
        return new VerificationKey(k.publicKey(), k.type());
      }
    }
    throw new CheckException(SignCode.KEY_UNSUPPORTED, subject, "no PUBLIC KEY block (found " + labels(blocks) + ")");
  }

  public static String privatePem(SigningKey key) {
    return Pem.write("PRIVATE KEY", key.privateKey().getEncoded());
  }

  public static String publicPem(PublicKey key) {
    return Pem.write("PUBLIC KEY", key.getEncoded());
  }

  /** Cosign's {@code ENCRYPTED SIGSTORE PRIVATE KEY} form of the key. */
  public static String encryptedPem(SigningKey key, char[] passphrase, SecureRandom random) {
    return CosignKeyFile.encrypt(key.privateKey().getEncoded(), passphrase, random);
  }

  static SigningKey fromPkcs8(byte[] der, String subject) {
    PrivateKeyInfo pki;
    try {
      pki = PrivateKeyInfo.getInstance(der);
    } catch (RuntimeException e) {
      throw new CheckException(SignCode.KEY_INVALID, subject, "not a PKCS#8 private key", e);
    }
    ASN1ObjectIdentifier alg = pki.getPrivateKeyAlgorithm().getAlgorithm();
    try {
      SubjectPublicKeyInfo spki;
      KeyType type;
      String jca;
      if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
        if (!P256.equals(pki.getPrivateKeyAlgorithm().getParameters())) {
          throw new CheckException(SignCode.KEY_TYPE_UNSUPPORTED, subject, "EC key is not on curve P-256 (only P-256 is supported)");
        }
        ECPrivateKey sec1 = ECPrivateKey.getInstance(pki.parsePrivateKey());
        if (sec1.getPublicKey() != null) {
          spki = new SubjectPublicKeyInfo(pki.getPrivateKeyAlgorithm(), sec1.getPublicKey().getBytes());
        } else {
          X9ECParameters x9 = CustomNamedCurves.getByOID(P256);
          byte[] q = x9.getG().multiply(sec1.getKey()).normalize().getEncoded(false);
          spki = new SubjectPublicKeyInfo(pki.getPrivateKeyAlgorithm(), q);
        }
        type = KeyType.ECDSA_P256;
        jca = "EC";
      } else if (alg.equals(EdECObjectIdentifiers.id_Ed25519)) {
        byte[] raw = ASN1OctetString.getInstance(pki.parsePrivateKey()).getOctets();
        byte[] pub = new Ed25519PrivateKeyParameters(raw, 0).generatePublicKey().getEncoded();
        spki = new SubjectPublicKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), pub);
        type = KeyType.ED25519;
        jca = "Ed25519";
      } else {
        throw new CheckException(SignCode.KEY_TYPE_UNSUPPORTED, subject,
            "private key algorithm " + alg + " is not supported: use ECDSA P-256 or Ed25519");
      }
      KeyFactory kf = KeyFactory.getInstance(jca);
      PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(der));
      PublicKey pub = kf.generatePublic(new X509EncodedKeySpec(spki.getEncoded()));
      return new SigningKey(priv, pub, type);
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new CheckException(SignCode.KEY_INVALID, subject, "cannot read private key: " + e.getMessage(), e);
    }
  }

  static byte[] sec1ToPkcs8(byte[] der, String subject) {
    try {
      ECPrivateKey sec1 = ECPrivateKey.getInstance(der);
      if (sec1.getParametersObject() == null) {
        throw new CheckException(SignCode.KEY_INVALID, subject, "EC PRIVATE KEY without named-curve parameters");
      }
      return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, sec1.getParametersObject()), sec1)
          .getEncoded();
    } catch (IOException | IllegalArgumentException e) {
      throw new CheckException(SignCode.KEY_INVALID, subject, "not a SEC1 EC private key", e);
    }
  }

  private static KeyType typeOfSpki(byte[] der, String subject) {
    SubjectPublicKeyInfo spki = spki(der, subject);
    ASN1ObjectIdentifier alg = spki.getAlgorithm().getAlgorithm();
    if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey) && P256.equals(spki.getAlgorithm().getParameters())) {
      return KeyType.ECDSA_P256;
    }
    if (alg.equals(EdECObjectIdentifiers.id_Ed25519)) {
      return KeyType.ED25519;
    }
    throw new CheckException(SignCode.KEY_TYPE_UNSUPPORTED, subject,
        "public key algorithm " + alg + (alg.equals(X9ObjectIdentifiers.id_ecPublicKey) ? " (curve " + spki.getAlgorithm().getParameters() + ")" : "")
            + " is not supported: use ECDSA P-256 or Ed25519");
  }

  private static PublicKey publicFromSpki(byte[] der, String subject) {
    KeyType t = typeOfSpki(der, subject);
    try {
      return KeyFactory.getInstance(t == KeyType.ECDSA_P256 ? "EC" : "Ed25519").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new CheckException(SignCode.KEY_INVALID, subject, "cannot read public key: " + e.getMessage(), e);
    }
  }

  private static SubjectPublicKeyInfo spki(byte[] der, String subject) {
    try {
      return SubjectPublicKeyInfo.getInstance(der);
    } catch (RuntimeException e) {
      throw new CheckException(SignCode.KEY_INVALID, subject, "not a SubjectPublicKeyInfo public key", e);
    }
  }

  private static String labels(List<Pem.Block> blocks) {
    return blocks.stream().map(Pem.Block::label).toList().toString();
  }
}
