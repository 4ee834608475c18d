package dev.bitproof.deb;

import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A Debian {@code Release} file (the body of {@code InRelease}): the suite's identity, its dates and the
 * {@code SHA256:} list of index files. {@code MD5Sum:} and {@code SHA1:} are parsed by no one: they are never
 * trusted.
 */
public final class Release {
  /** One {@code SHA256:} line: {@code <hash> <size> <path>}. */
  public record IndexFile(Digest sha256, long size, String path) {}

  private final ControlParagraph fields;
  private final List<IndexFile> sha256;

  private Release(ControlParagraph fields, List<IndexFile> sha256) {
    this.fields = fields;
    this.sha256 = List.copyOf(sha256);
  }

  public static Release parse(byte[] content, String subject) {
    ControlParagraph p = Deb822.parseOne(new String(content, java.nio.charset.StandardCharsets.UTF_8), subject);
    List<IndexFile> files = new ArrayList<>();
    for (String line : p.continuationLines("SHA256")) {
      String[] w = line.split("\\s+");
      if (w.length != 3) {
        throw CheckException.integrity(DebCode.DEB_RELEASE_SYNTAX, subject, "bad SHA256 line '" + line + "'");
      }
      try {
        files.add(new IndexFile(new Digest("sha256", w[0].toLowerCase(Locale.ROOT)), Long.parseLong(w[1]), w[2]));
      } catch (NumberFormatException | CheckException e) {
        throw CheckException.integrity(DebCode.DEB_RELEASE_SYNTAX, subject, "bad SHA256 line '" + line + "'");
      }
    }
    return new Release(p, files);
  }

  public ControlParagraph fields() {
    return fields;
  }

  public String suite() {
    return fields.value("Suite");
  }

  public String codename() {
    return fields.value("Codename");
  }

  public Optional<Instant> date() {
    return fields.get("Date").map(Release::parseDate);
  }

  public Optional<Instant> validUntil() {
    return fields.get("Valid-Until").map(Release::parseDate);
  }

  public List<IndexFile> sha256() {
    return sha256;
  }

  public Optional<IndexFile> file(String path) {
    return sha256.stream().filter(f -> f.path().equals(path)).findFirst();
  }

  /** Release dates: RFC 2822 as apt writes them ({@code Sat, 11 Jul 2026 10:16:37 UTC}). */
  static Instant parseDate(String s) {
    String v = s.strip().replaceAll("\\s+", " ");
    if (v.endsWith(" UTC") || v.endsWith(" GMT") || v.endsWith(" Z")) {
      v = v.substring(0, v.lastIndexOf(' ')) + " +0000";
    }
    try {
      return ZonedDateTime.parse(v, DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH)).toInstant();
    } catch (DateTimeParseException e) {
      throw CheckException.integrity(DebCode.DEB_RELEASE_SYNTAX, "Date", "cannot parse date '" + s + "'");
    }
  }
}
