package dev.bitproof.apk;

import dev.bitproof.apk.GzipMembers.Member;
import dev.bitproof.apk.GzipMembers.MemberLimits;
import dev.bitproof.apk.GzipMembers.Section;
import dev.bitproof.report.CheckException;
import dev.bitproof.tar.TarEntryInfo;
import dev.bitproof.tar.TarPaths;
import dev.bitproof.tar.TarReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * An APK v2 package read once, streaming: the optional signature gzip stream, the control stream (with
 * {@code .PKGINFO}) and the data stream, each located to the byte.
 *
 * <p>The data section is every gzip member after the control stream, read as one stream (as apk-tools and apko
 * do); its section, and so the datahash, spans all of them.
 *
 * <p>Structural problems (not gzip, truncated, too many data members, no {@code .PKGINFO}, a path escaping the root, a
 * bomb) are {@link CheckException}s of kind INTEGRITY with an {@code APK_*} code. Checks whose outcome is a verdict
 * (datahash, per-file checksums, signatures) are exposed as values and turned into findings by
 * {@link ApkVerifier}.
 *
 * @param signature the signature stream, absent for an unsigned package
 * @param signatures the {@code .SIGN.*} entries of the signature stream
 * @param control the control stream (its raw bytes are kept: they are what signatures sign)
 * @param controlEntries the control tar entries with their contents ({@code .PKGINFO}, scripts ...)
 * @param data the data section: one or more gzip members to the end of the file (raw bytes not kept; slice the
 *     file with its offset and length)
 * @param pkgInfo the parsed {@code .PKGINFO}
 * @param dataFiles how many regular files the data tar holds
 * @param fileChecksumMismatches data files whose content does not match their PAX checksum
 * @param filesWithoutChecksum data files that carry no PAX checksum
 * @param size the package file's size in bytes
 */
public record ApkPackage(Optional<Section> signature, List<SignatureEntry> signatures, Section control,
    List<TarEntryInfo> controlEntries, Section data, PkgInfo pkgInfo, long dataFiles,
    List<FileMismatch> fileChecksumMismatches, long filesWithoutChecksum, long size) {

  public ApkPackage {
    signatures = List.copyOf(signatures);
    controlEntries = List.copyOf(controlEntries);
    fileChecksumMismatches = List.copyOf(fileChecksumMismatches);
  }

  /** A data file whose content hash differs from the checksum its tar header records. */
  public record FileMismatch(String path, String expected, String actual) {}

  /** Limits for reading one package; every size read from input is bounded. */
  public record Limits(long maxSignatureStream, long maxControlStream, long maxPkgInfo, long maxDataOutput,
      long maxRatio, long maxEntries, long maxDataMembers) {
    public Limits(long maxSignatureStream, long maxControlStream, long maxPkgInfo, long maxDataOutput, long maxRatio,
        long maxEntries) {
      this(maxSignatureStream, maxControlStream, maxPkgInfo, maxDataOutput, maxRatio, maxEntries, 1 << 17);
    }

    public static Limits defaults() {
      return new Limits(1024 * 1024, 16L * 1024 * 1024, 1024 * 1024, 8L * 1024 * 1024 * 1024, 1000, 1_000_000);
    }

    public Limits withMaxDataMembers(long n) {
      return new Limits(maxSignatureStream, maxControlStream, maxPkgInfo, maxDataOutput, maxRatio, maxEntries, n);
    }
  }

  /** Sees each data tar entry once, while the package is read (content kept when {@code keep} said so). */
  public interface DataVisitor {
    /** Whether to keep this file's bytes in {@link TarEntryInfo#content()}. */
    default boolean keep(String path, long size) {
      return false;
    }

    /**
     * Where to stream this file's bytes as they are read, instead of keeping them in {@link TarEntryInfo#content()}
     * (null: {@link #keep} decides). The stream is closed after the last byte, before {@link #entry} is called, so
     * no file has to fit the heap. {@code recordedSha1} is the lowercase hex SHA-1 the package's tar header
     * records for the file, when it records one; the bytes are checked against it only after they were streamed.
     */
    default java.io.OutputStream stream(String path, long size, Optional<String> recordedSha1) throws IOException {
      return null;
    }

    void entry(TarEntryInfo entry) throws IOException;
  }

  /** The apk-tools identity of the package: {@code "Q1" + base64(sha1(control stream))}. */
  public String checksum() {
    return q1(control.sha1());
  }

  /** Lowercase hex SHA-256 of the data stream's compressed bytes (what {@code datahash} should say). */
  public String dataSha256Hex() {
    return HexFormat.of().formatHex(data.sha256());
  }

  /** True/false when {@code .PKGINFO} has a datahash, empty when it has none. */
  public Optional<Boolean> datahashMatches() {
    return pkgInfo.datahash().map(h -> h.equalsIgnoreCase(dataSha256Hex()));
  }

  /** The raw control stream: the bytes package signatures sign. */
  public byte[] controlBytes() {
    return control.raw();
  }

  public boolean signed() {
    return signature.isPresent();
  }

  public String name() {
    return pkgInfo.name();
  }

  public String version() {
    return pkgInfo.version();
  }

  /** {@code name-version}. */
  public String id() {
    return name() + "-" + version();
  }

  public static String q1(byte[] sha1) {
    return "Q1" + Base64.getEncoder().encodeToString(sha1);
  }

  /** Reads a package file with default limits. */
  public static ApkPackage read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString(), Limits.defaults(), null);
    }
  }

  public static ApkPackage read(byte[] bytes, String subject) throws IOException {
    return read(new ByteArrayInputStream(bytes), subject, Limits.defaults(), null);
  }

  /**
   * Reads a package from a stream (not closed). {@code visitor} sees each data entry (may be null).
   */
  public static ApkPackage read(InputStream in, String subject, Limits limits, DataVisitor visitor) throws IOException {
    GzipMembers members = new GzipMembers(in, subject);
    MemberLimits first = new MemberLimits(limits.maxControlStream(), limits.maxRatio(), limits.maxControlStream(),
        ApkCode.APK_DECOMPRESSION_BOMB, ApkCode.APK_CONTROL_TOO_LARGE);
    Member m1 = members.next(first, true, ApkCode.APK_NOT_GZIP);
    List<TarEntryInfo> firstEntries = smallTar(m1, subject, limits.maxControlStream(), limits);
    Section s1 = m1.finish();

    Optional<Section> sigSection = Optional.empty();
    List<SignatureEntry> sigs = new ArrayList<>();
    Section control;
    List<TarEntryInfo> controlEntries;
    if (!firstEntries.isEmpty() && firstEntries.get(0).rawName().startsWith(".SIGN.")) {
      if (s1.length() > limits.maxSignatureStream() || s1.uncompressedSize() > limits.maxSignatureStream()) {
        throw CheckException.integrity(ApkCode.APK_SIGNATURE_TOO_LARGE, subject,
            "signature stream is larger than " + limits.maxSignatureStream() + " bytes");
      }
      for (TarEntryInfo e : firstEntries) {
        sigs.add(SignatureEntry.parse(e.rawName(), e.content().orElse(new byte[0]), subject));
      }
      sigSection = Optional.of(s1);
      if (members.atEnd()) {
        throw CheckException.integrity(ApkCode.APK_TRUNCATED, subject, "package ends after the signature stream (no control stream)");
      }
      Member m2 = members.next(first, true, ApkCode.APK_NOT_GZIP);
      controlEntries = smallTar(m2, subject, limits.maxControlStream(), limits);
      control = m2.finish();
    } else {
      control = s1;
      controlEntries = firstEntries;
    }
    PkgInfo info = null;
    for (TarEntryInfo e : controlEntries) {
      String base = e.path();
      if (base.contains("/") || !base.startsWith(".")) {
        throw CheckException.integrity(ApkCode.APK_LAYOUT_INVALID, subject,
            "control stream holds '" + e.rawName() + "' (only top-level dot files such as .PKGINFO belong there)");
      }
      if (base.startsWith(".SIGN.")) {
        throw CheckException.integrity(ApkCode.APK_LAYOUT_INVALID, subject, "signature entry '" + e.rawName() + "' in the control stream");
      }
      if (base.equals(".PKGINFO")) {
        if (e.size() > limits.maxPkgInfo()) {
          throw CheckException.integrity(ApkCode.APK_PKGINFO_TOO_LARGE, subject,
              ".PKGINFO is " + e.size() + " bytes, more than " + limits.maxPkgInfo());
        }
        if (info != null) {
          throw CheckException.integrity(ApkCode.APK_PKGINFO_INVALID, subject, "two .PKGINFO entries");
        }
        if (e.content().isEmpty()) {
          // a directory, link or device named .PKGINFO carries no content (found by the apk-members fuzzer)
          throw CheckException.integrity(ApkCode.APK_PKGINFO_INVALID, subject, ".PKGINFO is not a regular file ("
              + e.type() + ")");
        }
        info = PkgInfo.parse(e.content().get(), subject);
      }
    }
    if (info == null) {
      throw CheckException.integrity(ApkCode.APK_NO_PKGINFO, subject, "control stream has no .PKGINFO");
    }
    if (members.atEnd()) {
      throw CheckException.integrity(ApkCode.APK_TRUNCATED, subject, "package ends after the control stream (no data stream)");
    }
    MemberLimits dataLimits = new MemberLimits(limits.maxDataOutput(), limits.maxRatio(), 0,
        ApkCode.APK_DECOMPRESSION_BOMB, ApkCode.APK_DATA_TOO_LARGE);
    // the data section runs to the end of the file and may be several gzip members, read as one tar stream
    GzipMembers.Rest m3 = members.rest(dataLimits, limits.maxDataMembers(), ApkCode.APK_NOT_GZIP, ApkCode.APK_TOO_MANY_STREAMS);
    DataResult dr = dataTar(m3, subject, limits, visitor);
    Section data = m3.finish();
    return new ApkPackage(sigSection, sigs, control, controlEntries, data, info, dr.files, dr.mismatches,
        dr.noChecksum, members.position());
  }

  private record DataResult(long files, List<FileMismatch> mismatches, long noChecksum) {}

  /** Reads a small tar (signature or control) keeping every file's content, bounded. */
  private static List<TarEntryInfo> smallTar(InputStream member, String subject, long maxKept, Limits limits) throws IOException {
    List<TarEntryInfo> out = new ArrayList<>();
    TarArchiveInputStream tar = new TarArchiveInputStream(member, true);
    long kept = 0;
    TarArchiveEntry e;
    int index = 0;
    while ((e = Tars.next(tar, subject, ApkCode.APK_TAR_CORRUPT)) != null) {
      if (index >= limits.maxEntries()) {
        throw CheckException.integrity(ApkCode.APK_TOO_MANY_ENTRIES, subject, "more than " + limits.maxEntries() + " tar entries");
      }
      String path = checkedPath(e.getName(), subject);
      Optional<byte[]> content = Optional.empty();
      String sha1 = null;
      if (TarReader.typeOf(e) == TarEntryInfo.Type.FILE) {
        byte[] b = Tars.readEntry(tar, e, maxKept - kept, subject, path,
            path.equals(".PKGINFO") ? ApkCode.APK_PKGINFO_TOO_LARGE : ApkCode.APK_CONTROL_TOO_LARGE);
        kept += b.length;
        content = Optional.of(b);
        sha1 = HexFormat.of().formatHex(GzipMembers.md("SHA-1").digest(b));
      }
      out.add(info(index++, path, e, Optional.ofNullable(sha1), content));
    }
    return out;
  }

  private static DataResult dataTar(InputStream member, String subject, Limits limits, DataVisitor visitor) throws IOException {
    TarArchiveInputStream tar = new TarArchiveInputStream(member, true);
    List<FileMismatch> mismatches = new ArrayList<>();
    long files = 0;
    long noChecksum = 0;
    byte[] buf = new byte[64 * 1024];
    TarArchiveEntry e;
    int index = 0;
    while ((e = Tars.next(tar, subject, ApkCode.APK_TAR_CORRUPT)) != null) {
      if (index >= limits.maxEntries()) {
        throw CheckException.integrity(ApkCode.APK_TOO_MANY_ENTRIES, subject, "more than " + limits.maxEntries() + " tar entries");
      }
      String path = checkedPath(e.getName(), subject);
      Optional<String> sha1Hex = Optional.empty();
      Optional<byte[]> content = Optional.empty();
      TarEntryInfo.Type type = TarReader.typeOf(e);
      if (type == TarEntryInfo.Type.SYMLINK) {
        // apk-tools records a symlink's checksum over its target text
        String hex = HexFormat.of().formatHex(GzipMembers.md("SHA-1").digest(e.getLinkName().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        recordedChecksum(e).filter(r -> !matches(r, hex)).ifPresent(r -> mismatches.add(new FileMismatch(path, r, hex)));
      } else if (type == TarEntryInfo.Type.FILE) {
        files++;
        java.io.OutputStream sink = visitor == null ? null
            : visitor.stream(path, e.getSize(), recordedChecksum(e).flatMap(ApkPackage::sha1Hex));
        boolean keep = sink == null && visitor != null && visitor.keep(path, e.getSize())
            && e.getSize() <= Integer.MAX_VALUE - 16;
        MessageDigest sha1 = GzipMembers.md("SHA-1");
        ByteArrayOutputStream bos = keep ? new ByteArrayOutputStream((int) Math.min(e.getSize(), 1 << 20)) : null;
        long total = 0;
        int n;
        while ((n = Tars.read(tar, buf, subject, path)) > 0) {
          sha1.update(buf, 0, n);
          if (bos != null) {
            bos.write(buf, 0, n);
          } else if (sink != null) {
            sink.write(buf, 0, n);
          }
          total += n;
        }
        if (sink != null) {
          sink.close();
        }
        if (total != e.getSize()) {
          throw CheckException.integrity(ApkCode.APK_TRUNCATED, subject, "data entry " + path + " ends after " + total + " of " + e.getSize() + " bytes");
        }
        byte[] digest = sha1.digest();
        String hex = HexFormat.of().formatHex(digest);
        sha1Hex = Optional.of(hex);
        content = bos == null ? Optional.empty() : Optional.of(bos.toByteArray());
        Optional<String> recorded = recordedChecksum(e);
        if (recorded.isEmpty()) {
          noChecksum++;
        } else if (!matches(recorded.get(), hex)) {
          mismatches.add(new FileMismatch(path, recorded.get(), hex));
        }
      }
      TarEntryInfo ti = info(index++, path, e, sha1Hex, content);
      if (visitor != null) {
        visitor.entry(ti);
      }
    }
    return new DataResult(files, mismatches, noChecksum);
  }

  /** The checksum abuild/melange record for a data entry (PAX {@code APK-TOOLS.checksum.SHA1}). */
  private static Optional<String> recordedChecksum(TarArchiveEntry e) {
    return Optional.ofNullable(e.getExtraPaxHeaders().get("APK-TOOLS.checksum.SHA1"));
  }

  /** A recorded checksum as lowercase hex SHA-1 (empty when it is neither hex nor {@code Q1<base64>} of 20 bytes). */
  private static Optional<String> sha1Hex(String recorded) {
    try {
      byte[] b = recorded.startsWith("Q1") ? Base64.getDecoder().decode(recorded.substring(2))
          : HexFormat.of().parseHex(recorded);
      return b.length == 20 ? Optional.of(HexFormat.of().formatHex(b)) : Optional.empty();
    } catch (IllegalArgumentException ex) {
      return Optional.empty();
    }
  }

  /** A recorded checksum is hex SHA-1, or {@code Q1<base64>} as older melange wrote it. */
  private static boolean matches(String recorded, String sha1Hex) {
    if (!recorded.startsWith("Q1")) {
      return recorded.equalsIgnoreCase(sha1Hex);
    }
    try {
      return HexFormat.of().formatHex(Base64.getDecoder().decode(recorded.substring(2))).equals(sha1Hex);
    } catch (IllegalArgumentException ex) {
      return false;
    }
  }

  private static TarEntryInfo info(int index, String path, TarArchiveEntry e, Optional<String> sha1, Optional<byte[]> content) {
    Map<String, String> pax = e.getExtraPaxHeaders();
    return new TarEntryInfo(index, path, e.getName(), TarReader.typeOf(e), e.getMode(), e.getLongUserId(), e.getLongGroupId(),
        e.getUserName(), e.getGroupName(), TarReader.typeOf(e) == TarEntryInfo.Type.FILE ? e.getSize() : 0,
        e.getLastModifiedTime() == null ? 0 : e.getLastModifiedTime().toInstant().getEpochSecond(), e.getLinkName(),
        e.getDevMajor(), e.getDevMinor(), pax, Optional.empty(), sha1, Optional.empty(), content);
  }

  /** Entry names are untrusted: absolute names and {@code ..} are refused before anything uses them. */
  static String checkedPath(String name, String subject) {
    if (name.startsWith("/")) {
      throw CheckException.integrity(ApkCode.APK_TAR_PATH_ABSOLUTE, subject, "tar entry '" + name + "' is an absolute path");
    }
    try {
      return TarPaths.normalize(name, subject);
    } catch (CheckException ce) {
      throw CheckException.integrity(ApkCode.APK_TAR_PATH_ESCAPE, subject, "tar entry '" + name + "' escapes the root");
    }
  }
}
