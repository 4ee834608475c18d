package dev.bitproof.deb;

import dev.bitproof.report.CheckException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * An OpenPGP cleartext-signed document (RFC 4880 §7, Debian's {@code InRelease}), split as apt splits it and
 * canonicalised as the signature covers it.
 *
 * <p>Framing is strict, as apt's {@code SplitClearSignedFile}: nothing but whitespace before the
 * {@code BEGIN PGP SIGNED MESSAGE} line or after the {@code END PGP SIGNATURE} line, only {@code Hash:} armor
 * headers, no unescaped line starting with {@code -} in the body ({@code PGP_CLEARSIGN_MALFORMED}). Text after
 * the signature is {@code PGP_CLEARSIGN_TRAILING_DATA}: an attacker could otherwise append unsigned content.
 *
 * @param content the signed text as a file: dash-escapes removed, lines joined with LF, final LF added (equals
 *     the separately served {@code Release})
 * @param signedBytes what the signature covers: trailing spaces and tabs stripped from each line, lines joined
 *     with CRLF, no line end after the last line
 * @param hashes the {@code Hash:} header values
 */
public record ClearSigned(byte[] content, byte[] signedBytes, List<String> hashes, List<PGPSignature> signatures) {
  public static final String BEGIN = "-----BEGIN PGP SIGNED MESSAGE-----";
  public static final String SIG_BEGIN = "-----BEGIN PGP SIGNATURE-----";
  public static final String SIG_END = "-----END PGP SIGNATURE-----";
  /** At most this many signatures are examined (Debian uses 2 or 3). */
  public static final int MAX_SIGNATURES = 32;

  public ClearSigned {
    hashes = List.copyOf(hashes);
    signatures = List.copyOf(signatures);
  }

  public static ClearSigned parse(byte[] bytes, String subject) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.endsWith("\r")) {
        lines.set(i, l.substring(0, l.length() - 1));
      }
    }
    int i = 0;
    while (i < lines.size() && lines.get(i).isBlank()) {
      i++;
    }
    if (i == lines.size() || !lines.get(i).equals(BEGIN)) {
      throw malformed(subject, "does not start with '" + BEGIN + "'");
    }
    i++;
    List<String> hashes = new ArrayList<>();
    for (; i < lines.size() && !lines.get(i).isEmpty(); i++) {
      String h = lines.get(i);
      if (!h.startsWith("Hash: ")) {
        throw malformed(subject, "unexpected armor header '" + h + "' (only Hash: is allowed)");
      }
      for (String a : h.substring(6).split(",")) {
        hashes.add(a.strip());
      }
    }
    if (i == lines.size()) {
      throw malformed(subject, "no blank line after the armor headers");
    }
    i++;
    List<String> body = new ArrayList<>();
    for (; i < lines.size() && !lines.get(i).equals(SIG_BEGIN); i++) {
      String l = lines.get(i);
      if (l.startsWith("- ")) {
        body.add(l.substring(2));
      } else if (l.startsWith("-")) {
        throw malformed(subject, "line " + (i + 1) + " starts with '-' but is not dash-escaped");
      } else {
        body.add(l);
      }
    }
    if (i == lines.size()) {
      throw malformed(subject, "no '" + SIG_BEGIN + "' line");
    }
    int sigStart = i;
    for (; i < lines.size() && !lines.get(i).equals(SIG_END); i++) {
      if (lines.get(i).equals(BEGIN)) {
        throw malformed(subject, "a second signed message inside the signature block");
      }
    }
    if (i == lines.size()) {
      throw malformed(subject, "no '" + SIG_END + "' line");
    }
    int sigEnd = i;
    for (i++; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        throw CheckException.integrity(DebCode.PGP_CLEARSIGN_TRAILING_DATA, subject,
            "data after the signature at line " + (i + 1) + " (it would not be covered by the signature)");
      }
    }
    StringBuilder content = new StringBuilder();
    StringBuilder signed = new StringBuilder();
    for (int k = 0; k < body.size(); k++) {
      content.append(body.get(k)).append('\n');
      if (k > 0) {
        signed.append("\r\n");
      }
      signed.append(stripTrailingWhitespace(body.get(k)));
    }
    String armor = String.join("\n", lines.subList(sigStart, sigEnd + 1)) + "\n";
    List<PGPSignature> sigs = readSignatures(armor.getBytes(StandardCharsets.US_ASCII), true, subject);
    return new ClearSigned(content.toString().getBytes(StandardCharsets.UTF_8),
        signed.toString().getBytes(StandardCharsets.UTF_8), hashes, sigs);
  }

  /** Reads signature packets, armored or binary ({@code Release.gpg}, {@code _gpgorigin}). */
  public static List<PGPSignature> readSignatures(byte[] bytes, boolean armored, String subject) {
    List<PGPSignature> out = new ArrayList<>();
    try (InputStream in = armored ? ArmoredInputStream.builder().build(new ByteArrayInputStream(bytes))
        : new ByteArrayInputStream(bytes)) {
      BcPGPObjectFactory f = new BcPGPObjectFactory(in);
      Object o;
      while ((o = f.nextObject()) != null) {
        if (!(o instanceof PGPSignatureList list)) {
          throw CheckException.integrity(DebCode.PGP_SIGNATURE_MALFORMED, subject,
              "expected signature packets, found " + o.getClass().getSimpleName());
        }
        for (PGPSignature s : list) {
          out.add(s);
          if (out.size() > MAX_SIGNATURES) {
            throw CheckException.integrity(DebCode.PGP_SIGNATURE_MALFORMED, subject, "more than " + MAX_SIGNATURES + " signatures");
          }
        }
      }
    } catch (CheckException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw CheckException.integrity(armored ? DebCode.PGP_ARMOR_CORRUPT : DebCode.PGP_SIGNATURE_MALFORMED, subject,
          "cannot read the signature: " + e.getMessage());
    }
    if (out.isEmpty()) {
      throw CheckException.integrity(DebCode.PGP_SIGNATURE_MALFORMED, subject, "no signature packets");
    }
    return out;
  }

  /** Sniffs armor ({@code -----BEGIN}) versus binary packets. */
  public static List<PGPSignature> readSignatures(byte[] bytes, String subject) {
    String head = new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.ISO_8859_1).stripLeading();
    return readSignatures(bytes, head.startsWith("-----BEGIN PGP"), subject);
  }

  static String stripTrailingWhitespace(String s) {
    int e = s.length();
    while (e > 0 && (s.charAt(e - 1) == ' ' || s.charAt(e - 1) == '\t' || s.charAt(e - 1) == '\r')) {
      e--;
    }
    return s.substring(0, e);
  }

  private static CheckException malformed(String subject, String message) {
    return CheckException.integrity(DebCode.PGP_CLEARSIGN_MALFORMED, subject, message);
  }

}
