package dev.bitproof.apk;

import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns what a package or index holds into findings: signatures against a keyring, datahash against the data
 * stream, per-file checksums, and an index stanza against the package it names.
 *
 * <p>Secure defaults: unsigned, untrusted key and invalid signature all FAIL; any one signature by a trusted key that
 * verifies is enough (as in apk-tools and apko).
 */
public final class ApkVerifier {
  private ApkVerifier() {}

  /** Signature, datahash and per-file checksum findings for one package. */
  public static List<Finding> verify(ApkPackage pkg, ApkKeyring keyring, String subject) {
    List<Finding> out = new ArrayList<>();
    out.add(packageSignature(pkg, keyring, subject));
    out.add(datahash(pkg, subject));
    out.addAll(files(pkg, subject));
    return out;
  }

  /** The signature finding for a package ({@code APK_SIGNATURE_OK} or why not). */
  public static Finding packageSignature(ApkPackage pkg, ApkKeyring keyring, String subject) {
    return signature(Signed.PACKAGE, pkg.signatures(), pkg.controlBytes(), keyring, subject, pkg.signed(), "");
  }

  /** The signature finding for an index. */
  public static Finding verify(ApkIndex index, ApkKeyring keyring, String subject) {
    String note = index.signed() || index.signatures().isEmpty() ? "" : " (signature is not in a stream of its own, so it signs nothing)";
    return signature(Signed.INDEX, index.signatures(), index.signedBytes(), keyring, subject,
        index.signed() || !index.signatures().isEmpty(), note)
        .with("packages", index.packages().size());
  }

  /** Why a signature did not verify, most telling first. */
  private enum Outcome { INVALID, KEY_INVALID, UNTRUSTED, UNSUPPORTED }

  private record Attempt(SignatureEntry sig, Outcome outcome, String detail) {}

  /** What is signed (a package's control stream or an index) and the codes its check yields. */
  enum Signed {
    PACKAGE("package", ApkCode.APK_UNSIGNED, ApkCode.APK_SIGNATURE_OK, ApkCode.APK_SIGNATURE_INVALID,
        ApkCode.APK_SIGNATURE_KEY_INVALID, ApkCode.APK_SIGNATURE_UNTRUSTED_KEY, ApkCode.APK_SIGNATURE_UNSUPPORTED),
    INDEX("index", ApkCode.APKINDEX_UNSIGNED, ApkCode.APKINDEX_SIGNATURE_OK, ApkCode.APKINDEX_SIGNATURE_INVALID,
        ApkCode.APKINDEX_SIGNATURE_KEY_INVALID, ApkCode.APKINDEX_SIGNATURE_UNTRUSTED_KEY,
        ApkCode.APKINDEX_SIGNATURE_UNSUPPORTED);

    private final String noun;
    private final ApkCode unsigned;
    private final ApkCode ok;
    private final ApkCode invalid;
    private final ApkCode keyInvalid;
    private final ApkCode untrusted;
    private final ApkCode unsupported;

    Signed(String noun, ApkCode unsigned, ApkCode ok, ApkCode invalid, ApkCode keyInvalid, ApkCode untrusted,
        ApkCode unsupported) {
      this.noun = noun;
      this.unsigned = unsigned;
      this.ok = ok;
      this.invalid = invalid;
      this.keyInvalid = keyInvalid;
      this.untrusted = untrusted;
      this.unsupported = unsupported;
    }

    ApkCode failure(Outcome o) {
      return switch (o) {
        case INVALID -> invalid;
        case KEY_INVALID -> keyInvalid;
        case UNTRUSTED -> untrusted;
        case UNSUPPORTED -> unsupported;
      };
    }
  }

  /** Checks signatures over {@code signed}; the codes are {@code what}'s. */
  static Finding signature(Signed what, List<SignatureEntry> sigs, byte[] signed, ApkKeyring keyring, String subject,
      boolean hasSignatureStream, String note) {
    if (!hasSignatureStream || sigs.isEmpty()) {
      return Finding.fail(what.unsigned, subject, what.noun + " carries no signature");
    }
    List<Attempt> attempts = new ArrayList<>();
    for (SignatureEntry s : sigs) {
      String alg = s.jcaAlgorithm();
      if (alg == null) {
        attempts.add(new Attempt(s, Outcome.UNSUPPORTED, s.algorithm() + " signatures are obsolete and not checked"));
        continue;
      }
      Optional<ApkKeyring.Key> key = keyring.find(s.keyName());
      if (key.isEmpty()) {
        attempts.add(new Attempt(s, Outcome.UNTRUSTED, "no key named " + s.keyName() + " in the keyring"));
        continue;
      }
      if (key.get().key().isEmpty()) {
        attempts.add(new Attempt(s, Outcome.KEY_INVALID, "key file " + key.get().name() + ": " + key.get().problem()));
        continue;
      }
      boolean ok;
      try {
        Signature v = Signature.getInstance(alg);
        v.initVerify(key.get().key().get());
        v.update(signed);
        ok = signed.length > 0 && v.verify(s.signature());
      } catch (java.security.GeneralSecurityException e) {
        ok = false;
      }
      if (ok) {
        return new Finding(what.ok, Severity.OK, subject,
            "signed by " + key.get().name() + " (" + s.algorithm() + ", " + hashName(s.algorithm()) + ")", null)
            .with("key", key.get().name())
            .with("algorithm", s.algorithm())
            .with("keyBits", key.get().bits())
            .with("signedBytes", signed.length);
      }
      attempts.add(new Attempt(s, Outcome.INVALID, "signature by " + key.get().name() + " does not verify" + note));
    }
    // no signature verified: report the most telling failure (a bad signature by a trusted key beats an unknown key)
    Attempt worst = attempts.stream().min(java.util.Comparator.comparing(Attempt::outcome)).orElseThrow();
    Finding f = Finding.fail(what.failure(worst.outcome()), subject, worst.detail())
        .with("key", worst.sig().keyName())
        .with("algorithm", worst.sig().algorithm());
    if (attempts.size() > 1) {
      f = f.with("signatures", attempts.size());
    }
    return f;
  }

  private static String hashName(String alg) {
    return switch (alg) {
      case "RSA" -> "SHA-1";
      case "RSA256" -> "SHA-256";
      case "RSA512" -> "SHA-512";
      default -> alg;
    };
  }

  public static Finding datahash(ApkPackage pkg, String subject) {
    Optional<String> expected = pkg.pkgInfo().datahash();
    if (expected.isEmpty()) {
      return Finding.fail(ApkCode.APK_DATAHASH_ABSENT, subject, ".PKGINFO has no datahash, so the data stream is not bound to the control stream")
          .with("actual", pkg.dataSha256Hex());
    }
    if (pkg.datahashMatches().orElse(false)) {
      return Finding.ok(ApkCode.APK_DATAHASH_OK, subject, "data stream matches .PKGINFO datahash").with("datahash", expected.get());
    }
    return Finding.fail(ApkCode.APK_DATAHASH_MISMATCH, subject, "data stream does not match .PKGINFO datahash")
        .with("expected", expected.get())
        .with("actual", pkg.dataSha256Hex())
        .with("dataOffset", pkg.data().offset())
        .with("dataLength", pkg.data().length());
  }

  public static List<Finding> files(ApkPackage pkg, String subject) {
    List<Finding> out = new ArrayList<>();
    int shown = 0;
    for (ApkPackage.FileMismatch m : pkg.fileChecksumMismatches()) {
      if (shown++ >= 20) {
        break;
      }
      out.add(Finding.fail(ApkCode.APK_FILE_CHECKSUM_MISMATCH, subject + "!" + m.path(), "file content does not match its recorded SHA-1")
          .with("expected", m.expected())
          .with("actual", m.actual()));
    }
    if (pkg.fileChecksumMismatches().size() > shown) {
      out.add(Finding.fail(ApkCode.APK_FILE_CHECKSUM_MISMATCH, subject,
          (pkg.fileChecksumMismatches().size() - shown) + " more files do not match their recorded SHA-1"));
    }
    return out;
  }

  /**
   * Cross-checks an index stanza against the package it names: {@code C:} against the Q1 checksum, {@code S:}
   * against the file size, {@code P:}, {@code V:} and {@code A:} against {@code .PKGINFO}.
   */
  public static List<Finding> crossCheck(IndexEntry entry, ApkPackage pkg, String subject) {
    List<Finding> out = new ArrayList<>();
    if (!entry.checksum().equals(pkg.checksum())) {
      out.add(Finding.fail(ApkCode.APKINDEX_PACKAGE_CHECKSUM_MISMATCH, subject, "index C: does not match the package's control stream")
          .with("expected", entry.checksum()).with("actual", pkg.checksum()));
    }
    if (entry.size() != 0 && entry.size() != pkg.size()) {
      out.add(Finding.fail(ApkCode.APKINDEX_PACKAGE_SIZE_MISMATCH, subject, "index S: does not match the package file size")
          .with("expected", entry.size()).with("actual", pkg.size()));
    }
    if (!entry.name().equals(pkg.name()) || !entry.version().equals(pkg.version())) {
      out.add(Finding.fail(ApkCode.APKINDEX_PACKAGE_VERSION_MISMATCH, subject, "index P:/V: does not match .PKGINFO")
          .with("expected", entry.id()).with("actual", pkg.id()));
    }
    if (!entry.arch().isEmpty() && !entry.arch().equals(pkg.pkgInfo().arch())) {
      out.add(Finding.fail(ApkCode.APKINDEX_PACKAGE_ARCH_MISMATCH, subject, "index A: does not match .PKGINFO arch")
          .with("expected", entry.arch()).with("actual", pkg.pkgInfo().arch()));
    }
    if (out.isEmpty()) {
      out.add(Finding.ok(ApkCode.APKINDEX_PACKAGE_OK, subject, "index entry matches the package").with("checksum", pkg.checksum()));
    }
    return out;
  }
}
