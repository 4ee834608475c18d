package dev.bitproof.deb;

import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * Verifies OpenPGP document signatures against a {@link PgpKeyring} and applies apt's acceptance rule
 * ({@code methods/gpgv.cc}): the data is accepted when at least one signature is GOOD and none is BAD;
 * signatures by keys outside the keyring are ignored; weak digests, weak keys, expired or revoked keys make a
 * signature worthless without failing the file.
 *
 * <p>Key validity is checked the way gpg does before it says GOODSIG: a verified self-signature on the primary
 * key, a verified binding signature for a subkey (with the signing flag when flags are present), no verified
 * revocation, and no expiry at signing time or at {@code now}.
 */
public final class PgpVerifier {
  private static final BcPGPContentVerifierBuilderProvider VERIFIERS = new BcPGPContentVerifierBuilderProvider();
  private static final Set<Integer> WEAK_DIGESTS = Set.of(HashAlgorithmTags.MD5, HashAlgorithmTags.SHA1,
      HashAlgorithmTags.RIPEMD160, HashAlgorithmTags.MD2, HashAlgorithmTags.TIGER_192, HashAlgorithmTags.HAVAL_5_160);

  /**
   * What is accepted.
   *
   * @param now the verification time (injectable: {@code --now})
   * @param maxClockSkew how far in the future a signature may be dated
   * @param allowedSigners if not empty, only these primary or (with a {@code !} suffix) exact key fingerprints
   *     count, as apt's {@code Signed-By: <fingerprint>}
   */
  public record Policy(Instant now, Duration maxClockSkew, Set<String> allowedSigners) {
    public Policy {
      allowedSigners = Set.copyOf(allowedSigners);
    }

    public static Policy at(Instant now) {
      return new Policy(now, Duration.ofMinutes(10), Set.of());
    }
  }

  /** The verdict on one file: each signature and apt's rule. */
  public record Verdict(List<SignatureCheck> signatures) {
    public Verdict {
      signatures = List.copyOf(signatures);
    }

    public long good() {
      return signatures.stream().filter(SignatureCheck::good).count();
    }

    public long bad() {
      return signatures.stream().filter(s -> s.status() == SignatureCheck.Status.BAD).count();
    }

    /** apt's rule: at least one good signature and no bad one. */
    public boolean accepted() {
      return good() > 0 && bad() == 0;
    }

    /** One finding per signature, then the file's verdict ({@code PGP_VERIFIED} or {@code PGP_NOT_VERIFIED}). */
    public List<Finding> findings(String subject) {
      List<Finding> out = new ArrayList<>();
      for (SignatureCheck s : signatures) {
        out.add(s.toFinding(subject));
      }
      if (accepted()) {
        out.add(new Finding(DebCode.PGP_VERIFIED, Severity.OK, subject, good() + " good signature(s) from the keyring, none bad", null)
            .with("good", good()).with("signatures", signatures.size()));
      } else {
        out.add(new Finding(DebCode.PGP_NOT_VERIFIED, Severity.FAIL, subject,
            bad() > 0 ? bad() + " bad signature(s): the signed data was altered or the signature belongs to other data"
                : "no good signature from a trusted key", null)
            .with("good", good()).with("bad", bad()).with("signatures", signatures.size()));
      }
      return out;
    }
  }

  private PgpVerifier() {}

  /** The signed bytes, opened once per signature (a deb's members are streamed, not held). */
  public interface SignedData {
    InputStream open() throws IOException;
  }

  /** Verifies each signature over {@code data} (the canonical text for cleartext signatures, raw bytes otherwise). */
  public static Verdict verify(List<PGPSignature> signatures, byte[] data, PgpKeyring keyring, Policy policy) {
    return verify(signatures, () -> new ByteArrayInputStream(data), keyring, policy);
  }

  public static Verdict verify(List<PGPSignature> signatures, SignedData data, PgpKeyring keyring, Policy policy) {
    List<SignatureCheck> out = new ArrayList<>();
    for (PGPSignature sig : signatures) {
      out.add(check(sig, data, keyring, policy));
    }
    return new Verdict(out);
  }

  static SignatureCheck check(PGPSignature sig, SignedData data, PgpKeyring keyring, Policy policy) {
    long keyId = sig.getKeyID();
    byte[] issuerFpr = issuerFingerprint(sig);
    String kid = PgpKeyring.keyId(keyId);
    String pkAlg = algorithmName(sig.getKeyAlgorithm());
    String hashAlg = hashName(sig.getHashAlgorithm());
    Instant created = sig.getCreationTime() == null ? null : sig.getCreationTime().toInstant();

    PGPPublicKeyRing ring = (issuerFpr != null ? keyring.ringOf(issuerFpr) : java.util.Optional.<PGPPublicKeyRing>empty())
        .or(() -> keyring.ringOf(keyId)).orElse(null);
    if (ring == null) {
      return new SignatureCheck(SignatureCheck.Status.NO_PUBKEY, kid, "", "", "", pkAlg, hashAlg, created, "");
    }
    PGPPublicKey key = issuerFpr != null ? findByFingerprint(ring, issuerFpr) : ring.getPublicKey(keyId);
    if (key == null) {
      key = ring.getPublicKey(keyId);
    }
    PGPPublicKey primary = ring.getPublicKey();
    String fpr = PgpKeyring.fingerprint(key);
    String primaryFpr = PgpKeyring.fingerprint(primary);
    String uid = PgpKeyring.userId(ring);
    if (!policy.allowedSigners().isEmpty() && !policy.allowedSigners().contains(primaryFpr)
        && !policy.allowedSigners().contains(fpr + "!")) {
      return new SignatureCheck(SignatureCheck.Status.NO_PUBKEY, kid, fpr, primaryFpr, uid, pkAlg, hashAlg, created,
          "key is in the keyring but not among the allowed signers");
    }
    int type = sig.getSignatureType();
    if (type != PGPSignature.BINARY_DOCUMENT && type != PGPSignature.CANONICAL_TEXT_DOCUMENT) {
      return new SignatureCheck(SignatureCheck.Status.WRONG_TYPE, kid, fpr, primaryFpr, uid, pkAlg, hashAlg, created,
          String.format("signature type 0x%02x is not a document signature", type));
    }
    // cryptographic check first: a BAD signature fails the file whatever else is wrong with the key
    boolean valid;
    try {
      sig.init(VERIFIERS, key);
      try (InputStream in = data.open()) {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
          sig.update(buf, 0, n);
        }
      }
      valid = sig.verify();
    } catch (IOException e) {
      throw new dev.bitproof.report.CheckException(DebCode.PGP_DATA_UNREADABLE, kid, "cannot read the signed data: " + e.getMessage(), e);
    } catch (PGPException | RuntimeException e) {
      if (e instanceof dev.bitproof.report.CheckException ce) {
        throw ce;
      }
      return new SignatureCheck(SignatureCheck.Status.BAD, kid, fpr, primaryFpr, uid, pkAlg, hashAlg, created,
          "cannot verify: " + e.getMessage());
    }
    if (!valid) {
      return new SignatureCheck(SignatureCheck.Status.BAD, kid, fpr, primaryFpr, uid, pkAlg, hashAlg, created, "");
    }
    SignatureCheck.Status st = SignatureCheck.Status.GOOD;
    String detail = "";
    String weak = weakKey(key);
    Instant sigExpiry = sigExpiry(sig);
    if (WEAK_DIGESTS.contains(sig.getHashAlgorithm())) {
      st = SignatureCheck.Status.WEAK_DIGEST;
      detail = hashAlg + " digests are not trusted";
    } else if (weak != null) {
      st = SignatureCheck.Status.WEAK_KEY;
      detail = weak;
    } else if (created != null && created.isAfter(policy.now().plus(policy.maxClockSkew()))) {
      st = SignatureCheck.Status.SIG_FUTURE;
      detail = "made at " + created + ", after " + policy.now();
    } else if (sigExpiry != null && !sigExpiry.isAfter(policy.now())) {
      st = SignatureCheck.Status.SIG_EXPIRED;
      detail = "signature expired at " + sigExpiry;
    } else {
      String problem = keyProblem(ring, key, created, policy.now());
      if (problem != null) {
        st = problem.startsWith("revoked") ? SignatureCheck.Status.KEY_REVOKED
            : problem.startsWith("expired") ? SignatureCheck.Status.KEY_EXPIRED : SignatureCheck.Status.KEY_INVALID;
        detail = problem;
      }
    }
    return new SignatureCheck(st, kid, fpr, primaryFpr, uid, pkAlg, hashAlg, created, detail);
  }

  /** Why the key cannot make a valid signature at {@code signedAt} / {@code now}, or null. */
  static String keyProblem(PGPPublicKeyRing ring, PGPPublicKey key, Instant signedAt, Instant now) {
    PGPPublicKey primary = ring.getPublicKey();
    if (revoked(primary, primary, null)) {
      return "revoked: the primary key " + PgpKeyring.fingerprint(primary) + " is revoked";
    }
    PGPSignature self = latestSelfSignature(primary);
    if (self == null) {
      return "the certificate has no valid self-signature";
    }
    Instant primaryExpiry = expiry(primary, self);
    if (primaryExpiry != null && signedAt != null && !primaryExpiry.isAfter(signedAt)) {
      return "expired: the primary key expired at " + primaryExpiry + ", before the signature (" + signedAt + ")";
    }
    if (primaryExpiry != null && !primaryExpiry.isAfter(now)) {
      return "expired: the primary key expired at " + primaryExpiry;
    }
    PGPSignature flagsFrom = self;
    if (!key.isMasterKey()) {
      if (revoked(key, primary, primary)) {
        return "revoked: the subkey " + PgpKeyring.fingerprint(key) + " is revoked";
      }
      PGPSignature binding = latestBinding(primary, key);
      if (binding == null) {
        return "the subkey has no valid binding signature from its primary key";
      }
      Instant subExpiry = expiry(key, binding);
      if (subExpiry != null && signedAt != null && !subExpiry.isAfter(signedAt)) {
        return "expired: the subkey expired at " + subExpiry + ", before the signature (" + signedAt + ")";
      }
      if (subExpiry != null && !subExpiry.isAfter(now)) {
        return "expired: the subkey expired at " + subExpiry;
      }
      flagsFrom = binding;
      if (!crossCertified(primary, key, binding)) {
        return "the signing subkey is not cross-certified (no valid primary-key binding signature)";
      }
    }
    if (signedAt != null && key.getCreationTime().toInstant().isAfter(signedAt)) {
      return "the key was created after the signature";
    }
    PGPSignatureSubpacketVector h = flagsFrom.getHashedSubPackets();
    if (h != null && h.getKeyFlags() != 0 && (h.getKeyFlags() & KeyFlags.SIGN_DATA) == 0) {
      return "the key is not marked for signing data";
    }
    return null;
  }

  private static boolean revoked(PGPPublicKey key, PGPPublicKey issuer, PGPPublicKey primaryForSubkey) {
    int type = primaryForSubkey == null ? PGPSignature.KEY_REVOCATION : PGPSignature.SUBKEY_REVOCATION;
    for (Iterator<PGPSignature> it = key.getSignaturesOfType(type); it.hasNext(); ) {
      PGPSignature s = it.next();
      if (s.getKeyID() != issuer.getKeyID()) {
        continue; // revocations by designated revokers are not evaluated
      }
      try {
        s.init(VERIFIERS, issuer);
        boolean ok = primaryForSubkey == null ? s.verifyCertification(key) : s.verifyCertification(primaryForSubkey, key);
        if (ok) {
          return true;
        }
      } catch (PGPException | RuntimeException e) {
        // an unverifiable revocation does not revoke
      }
    }
    return false;
  }

  private static PGPSignature latestSelfSignature(PGPPublicKey primary) {
    PGPSignature best = null;
    for (Iterator<String> ids = primary.getUserIDs(); ids.hasNext(); ) {
      String id = ids.next();
      for (Iterator<PGPSignature> it = primary.getSignaturesForID(id); it.hasNext(); ) {
        PGPSignature s = it.next();
        if (s.getKeyID() != primary.getKeyID() || !s.isCertification()
            || s.getSignatureType() == PGPSignature.CERTIFICATION_REVOCATION) {
          continue;
        }
        try {
          s.init(VERIFIERS, primary);
          if (s.verifyCertification(id, primary) && (best == null || s.getCreationTime().after(best.getCreationTime()))) {
            best = s;
          }
        } catch (PGPException | RuntimeException e) {
          // not valid
        }
      }
    }
    for (Iterator<PGPSignature> it = primary.getSignaturesOfType(PGPSignature.DIRECT_KEY); it.hasNext(); ) {
      PGPSignature s = it.next();
      try {
        s.init(VERIFIERS, primary);
        if (s.getKeyID() == primary.getKeyID() && s.verifyCertification(primary)
            && (best == null || s.getCreationTime().after(best.getCreationTime()))) {
          best = s;
        }
      } catch (PGPException | RuntimeException e) {
        // not valid
      }
    }
    return best;
  }

  private static PGPSignature latestBinding(PGPPublicKey primary, PGPPublicKey sub) {
    PGPSignature best = null;
    for (Iterator<PGPSignature> it = sub.getSignaturesOfType(PGPSignature.SUBKEY_BINDING); it.hasNext(); ) {
      PGPSignature s = it.next();
      if (s.getKeyID() != primary.getKeyID()) {
        continue;
      }
      try {
        s.init(VERIFIERS, primary);
        if (s.verifyCertification(primary, sub) && (best == null || s.getCreationTime().after(best.getCreationTime()))) {
          best = s;
        }
      } catch (PGPException | RuntimeException e) {
        // not valid
      }
    }
    return best;
  }

  /** A signing subkey must sign its primary back (0x19 embedded in the binding), as gpg requires. */
  private static boolean crossCertified(PGPPublicKey primary, PGPPublicKey sub, PGPSignature binding) {
    for (PGPSignatureSubpacketVector v : new PGPSignatureSubpacketVector[] {binding.getHashedSubPackets(),
        binding.getUnhashedSubPackets()}) {
      if (v == null) {
        continue;
      }
      try {
        for (PGPSignature back : v.getEmbeddedSignatures()) {
          if (back.getSignatureType() != PGPSignature.PRIMARYKEY_BINDING) {
            continue;
          }
          back.init(VERIFIERS, sub);
          if (back.verifyCertification(primary, sub)) {
            return true;
          }
        }
      } catch (PGPException | RuntimeException e) {
        // unreadable or invalid: not cross-certified
      }
    }
    return false;
  }

  private static Instant expiry(PGPPublicKey key, PGPSignature selfOrBinding) {
    PGPSignatureSubpacketVector h = selfOrBinding.getHashedSubPackets();
    long secs = h == null ? 0 : h.getKeyExpirationTime();
    if (secs <= 0) {
      return null;
    }
    return key.getCreationTime().toInstant().plusSeconds(secs);
  }

  private static Instant sigExpiry(PGPSignature s) {
    PGPSignatureSubpacketVector h = s.getHashedSubPackets();
    long secs = h == null ? 0 : h.getSignatureExpirationTime();
    if (secs <= 0 || s.getCreationTime() == null) {
      return null;
    }
    return s.getCreationTime().toInstant().plusSeconds(secs);
  }

  private static byte[] issuerFingerprint(PGPSignature s) {
    PGPSignatureSubpacketVector h = s.getHashedSubPackets();
    if (h != null && h.getIssuerFingerprint() != null) {
      return h.getIssuerFingerprint().getFingerprint();
    }
    PGPSignatureSubpacketVector u = s.getUnhashedSubPackets();
    if (u != null && u.getIssuerFingerprint() != null) {
      return u.getIssuerFingerprint().getFingerprint();
    }
    return null;
  }

  private static PGPPublicKey findByFingerprint(PGPPublicKeyRing ring, byte[] fpr) {
    for (Iterator<PGPPublicKey> it = ring.getPublicKeys(); it.hasNext(); ) {
      PGPPublicKey k = it.next();
      if (java.util.Arrays.equals(k.getFingerprint(), fpr)) {
        return k;
      }
    }
    return null;
  }

  /** apt's default public-key policy: RSA ≥ 2048, EdDSA, ECDSA; no DSA or ElGamal. */
  static String weakKey(PGPPublicKey key) {
    int alg = key.getAlgorithm();
    return switch (alg) {
      case PublicKeyAlgorithmTags.RSA_GENERAL, PublicKeyAlgorithmTags.RSA_SIGN ->
          key.getBitStrength() < 2048 ? "RSA-" + key.getBitStrength() + " is below 2048 bits" : null;
      case PublicKeyAlgorithmTags.EDDSA_LEGACY, PublicKeyAlgorithmTags.Ed25519, PublicKeyAlgorithmTags.Ed448,
          PublicKeyAlgorithmTags.ECDSA -> null;
      default -> algorithmName(alg) + " keys are not accepted";
    };
  }

  static String algorithmName(int alg) {
    return switch (alg) {
      case PublicKeyAlgorithmTags.RSA_GENERAL, PublicKeyAlgorithmTags.RSA_SIGN -> "RSA";
      case PublicKeyAlgorithmTags.DSA -> "DSA";
      case PublicKeyAlgorithmTags.ECDSA -> "ECDSA";
      case PublicKeyAlgorithmTags.EDDSA_LEGACY -> "EdDSA (legacy Ed25519)";
      case PublicKeyAlgorithmTags.Ed25519 -> "Ed25519";
      case PublicKeyAlgorithmTags.Ed448 -> "Ed448";
      default -> "algorithm " + alg;
    };
  }

  static String hashName(int alg) {
    return switch (alg) {
      case HashAlgorithmTags.MD5 -> "MD5";
      case HashAlgorithmTags.SHA1 -> "SHA1";
      case HashAlgorithmTags.RIPEMD160 -> "RIPEMD160";
      case HashAlgorithmTags.SHA224 -> "SHA224";
      case HashAlgorithmTags.SHA256 -> "SHA256";
      case HashAlgorithmTags.SHA384 -> "SHA384";
      case HashAlgorithmTags.SHA512 -> "SHA512";
      default -> "hash " + alg;
    };
  }
}
