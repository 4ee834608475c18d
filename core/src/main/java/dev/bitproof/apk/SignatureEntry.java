package dev.bitproof.apk;

import dev.bitproof.report.CheckException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code .SIGN.<ALG>.<keyname>} tar entry: which key (by file name) signed with which algorithm.
 *
 * @param entryName the tar entry name as written
 * @param algorithm {@code RSA} (PKCS#1 v1.5 SHA-1), {@code RSA256} (SHA-256), {@code RSA512} (SHA-512) or
 *     {@code DSA} (obsolete, never verified)
 * @param keyName the key file name the signer names, e.g. {@code alpine-devel@lists.alpinelinux.org-616ae350.rsa.pub}
 * @param signature the raw signature bytes
 */
public record SignatureEntry(String entryName, String algorithm, String keyName, byte[] signature) {
  private static final Pattern NAME = Pattern.compile("^\\.SIGN\\.(DSA|RSA|RSA256|RSA512)\\.(.+)$");

  public SignatureEntry {
    signature = signature.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  public static SignatureEntry parse(String entryName, byte[] content, String subject) {
    Matcher m = NAME.matcher(entryName);
    if (!m.matches() || m.group(2).contains("/")) {
      throw CheckException.integrity(ApkCode.APK_SIGNATURE_ENTRY_INVALID, subject,
          "signature stream holds '" + entryName + "', not a .SIGN.<RSA|RSA256|RSA512|DSA>.<key> entry");
    }
    return new SignatureEntry(entryName, m.group(1), m.group(2), content);
  }

  /** The JCA algorithm for this signature, or null when it is not verified (DSA). */
  public String jcaAlgorithm() {
    return switch (algorithm) {
      case "RSA" -> "SHA1withRSA";
      case "RSA256" -> "SHA256withRSA";
      case "RSA512" -> "SHA512withRSA";
      default -> null;
    };
  }
}
