package dev.bitproof.oci;

import dev.bitproof.report.CheckException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A content digest as the OCI image spec defines it: {@code algorithm ":" encoded}. Only registered algorithms
 * with lowercase hex of the right length are accepted, so two equal digests are equal as values.
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {
  private static final Pattern HEX = Pattern.compile("[0-9a-f]+");

  public Digest {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(hex, "hex");
    int len = switch (algorithm) {
      case "sha256" -> 64;
      case "sha512" -> 128;
      default -> throw new CheckException(OciCode.DIGEST_INVALID, algorithm + ":" + hex,
          "unsupported digest algorithm '" + algorithm + "' (sha256 and sha512 are supported)");
    };
    if (hex.length() != len || !HEX.matcher(hex).matches()) {
      throw new CheckException(OciCode.DIGEST_INVALID, algorithm + ":" + hex,
          "digest must be " + len + " lowercase hex characters");
    }
  }

  /** Parses {@code sha256:<64 hex>}; throws {@link CheckException} {@code DIGEST_INVALID} otherwise. */
  public static Digest parse(String s) {
    Objects.requireNonNull(s, "digest");
    int colon = s.indexOf(':');
    if (colon <= 0) {
      throw new CheckException(OciCode.DIGEST_INVALID, s, "digest must look like sha256:<hex>");
    }
    return new Digest(s.substring(0, colon), s.substring(colon + 1));
  }

  public static Digest sha256(byte[] bytes) {
    return new Digest("sha256", HexFormat.of().formatHex(newSha256().digest(bytes)));
  }

  public static Digest sha256(MessageDigest finished) {
    return new Digest("sha256", HexFormat.of().formatHex(finished.digest()));
  }

  /** Hex bytes of an already-computed SHA-256. */
  public static Digest sha256Of(byte[] rawDigest) {
    return new Digest("sha256", HexFormat.of().formatHex(rawDigest));
  }

  /** A fresh {@link MessageDigest} for this digest's algorithm (SUN provider: uses SHA-NI intrinsics). */
  public MessageDigest newMessageDigest() {
    return messageDigest(algorithm);
  }

  public static MessageDigest newSha256() {
    return messageDigest("sha256");
  }

  private static MessageDigest messageDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Does {@code bytes} hash to this digest? */
  public boolean matches(byte[] bytes) {
    return MessageDigest.isEqual(HexFormat.of().parseHex(hex), messageDigest(algorithm).digest(bytes));
  }

  /** First 12 hex characters, for people. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  /** {@code sha256:hex}: also how a digest is written in every JSON document. */
  @com.fasterxml.jackson.annotation.JsonValue
  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }

  @Override
  public int compareTo(Digest o) {
    return toString().compareTo(o.toString());
  }
}
