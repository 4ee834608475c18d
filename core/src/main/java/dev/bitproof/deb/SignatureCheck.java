package dev.bitproof.deb;

import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.time.Instant;
import java.util.Objects;

/**
 * The verdict on one OpenPGP signature, with gpg's vocabulary where it has one.
 *
 * @param keyId the issuer key ID (16 hex)
 * @param signingKey fingerprint of the (sub)key that made it, "" when unknown
 * @param primaryKey fingerprint of its certificate's primary key, "" when unknown
 * @param userId the certificate's first user ID, "" when unknown
 */
public record SignatureCheck(Status status, String keyId, String signingKey, String primaryKey, String userId,
    String publicKeyAlgorithm, String hashAlgorithm, Instant created, String detail) {

  /** How one signature counts under apt's rule (good from a trusted key, none bad). */
  public enum Status {
    /** Cryptographically valid, by a valid key of the keyring (gpg GOODSIG + VALIDSIG). */
    GOOD(DebCode.PGP_SIGNATURE_GOOD, Severity.OK),
    /** The key is in the keyring and the signature does not verify (gpg BADSIG): fails the file. */
    BAD(DebCode.PGP_SIGNATURE_BAD, Severity.FAIL),
    /** No key in the keyring (gpg NO_PUBKEY): tolerated next to a good one, as apt does. */
    NO_PUBKEY(DebCode.PGP_SIGNATURE_UNKNOWN_KEY, Severity.INFO),
    /** MD5, SHA-1 or RIPEMD-160 digest: worthless (apt). */
    WEAK_DIGEST(DebCode.PGP_SIGNATURE_WEAK_DIGEST, Severity.WARN),
    /** RSA under 2048 bits, DSA, or an unknown public-key algorithm: worthless (apt's ASSERT_PUBKEY_ALGO). */
    WEAK_KEY(DebCode.PGP_SIGNATURE_WEAK_KEY, Severity.WARN),
    /** The signing key (or its primary) had expired at signing time or has expired now (gpg EXPKEYSIG). */
    KEY_EXPIRED(DebCode.PGP_KEY_EXPIRED, Severity.WARN),
    /** The signing key or its primary key is revoked (gpg REVKEYSIG). */
    KEY_REVOKED(DebCode.PGP_KEY_REVOKED, Severity.WARN),
    /** The signature itself has expired (gpg EXPSIG). */
    SIG_EXPIRED(DebCode.PGP_SIGNATURE_EXPIRED, Severity.WARN),
    /** Made after "now" (clock skew or a forged time). */
    SIG_FUTURE(DebCode.PGP_SIGNATURE_FROM_FUTURE, Severity.WARN),
    /** The subkey has no valid binding signature, is not signing-capable, or the certificate has no valid self-signature. */
    KEY_INVALID(DebCode.PGP_KEY_NOT_VALID, Severity.WARN),
    /** Not a document signature (type 0x00 or 0x01), or a version we do not verify. */
    WRONG_TYPE(DebCode.PGP_SIGNATURE_WRONG_TYPE, Severity.WARN);

    private final Code code;
    private final Severity severity;

    Status(Code code, Severity severity) {
      this.code = code;
      this.severity = severity;
    }

    public Code code() {
      return code;
    }

    public Severity severity() {
      return severity;
    }
  }

  public SignatureCheck {
    Objects.requireNonNull(status, "status");
    signingKey = signingKey == null ? "" : signingKey;
    primaryKey = primaryKey == null ? "" : primaryKey;
    userId = userId == null ? "" : userId;
    detail = detail == null ? "" : detail;
  }

  public boolean good() {
    return status == Status.GOOD;
  }

  /** As a finding about {@code subject}, with the key named. */
  public Finding toFinding(String subject) {
    String who = userId.isEmpty() ? "key " + keyId : "\"" + userId + "\"";
    String message = switch (status) {
      case GOOD -> "good signature by " + who;
      case BAD -> "BAD signature by " + who + (detail.isEmpty() ? "" : ": " + detail);
      case NO_PUBKEY -> "signature by key " + keyId + ", which is not in the keyring (ignored)";
      default -> "signature by " + who + " does not count: " + detail;
    };
    Finding f = new Finding(status.code(), status.severity(), subject, message, null)
        .with("keyId", keyId);
    if (!signingKey.isEmpty()) {
      f = f.with("signingKey", signingKey);
    }
    if (!primaryKey.isEmpty()) {
      f = f.with("primaryKey", primaryKey);
    }
    f = f.with("publicKeyAlgorithm", publicKeyAlgorithm).with("hashAlgorithm", hashAlgorithm);
    if (created != null) {
      f = f.with("created", created);
    }
    return f;
  }
}
