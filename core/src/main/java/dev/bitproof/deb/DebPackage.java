package dev.bitproof.deb;

import dev.bitproof.io.Decompress;
import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.tar.TarCode;
import dev.bitproof.tar.TarEntryInfo;
import dev.bitproof.tar.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code .deb} read as dpkg-deb reads it ({@code deb(5)}): {@code debian-binary} ("2.x"), then
 * {@code control.tar[.gz|.xz|.zst]}, then {@code data.tar[.gz|.xz|.zst|.bz2]}, optional {@code _}-prefixed
 * members before control and anything after data (where debsigs puts {@code _gpgorigin}).
 *
 * <p>Reading checks what can be checked from the package alone, as findings: the data tar's paths (no
 * absolute names, no {@code ..}, no symlink or hardlink leaving the root) and every {@code md5sums} line against
 * the data it names. Structure that prevents reading at all is a {@link CheckException}.
 */
public final class DebPackage {
  /** Bounds: control data is small; data is streamed, bounded in size and ratio. */
  public static final long MAX_CONTROL_BYTES = 64L << 20;
  public static final long MAX_DATA_BYTES = 16L << 30;
  public static final long MAX_RATIO = 1000;

  /** One entry of the data tar, as installed (absolute path). */
  public record DataEntry(String path, TarEntryInfo.Type type, long size, String md5, String linkTarget, int mode) {}

  private final Path file;
  private final String subject;
  private final Digest sha256;
  private final long size;
  private final List<ArArchive.Member> members;
  private final ControlParagraph control;
  private final Map<String, byte[]> controlFiles;
  private final List<DpkgDatabase.Md5Entry> md5sums;
  private final List<String> conffiles;
  private final List<DataEntry> data;
  private final List<Finding> findings;

  private DebPackage(Path file, String subject, Digest sha256, long size, List<ArArchive.Member> members,
      ControlParagraph control, Map<String, byte[]> controlFiles, List<DpkgDatabase.Md5Entry> md5sums,
      List<String> conffiles, List<DataEntry> data, List<Finding> findings) {
    this.file = file;
    this.subject = subject;
    this.sha256 = sha256;
    this.size = size;
    this.members = List.copyOf(members);
    this.control = control;
    this.controlFiles = Collections.unmodifiableMap(controlFiles);
    this.md5sums = List.copyOf(md5sums);
    this.conffiles = List.copyOf(conffiles);
    this.data = List.copyOf(data);
    this.findings = List.copyOf(findings);
  }

  public static DebPackage read(Path file) throws IOException {
    String subject = file.getFileName().toString();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      MessageDigest md = Digest.newSha256();
      long size = ch.size();
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 16);
      ch.position(0);
      while (ch.read(buf) > 0) {
        buf.flip();
        md.update(buf);
        buf.clear();
      }
      Digest sha = Digest.sha256(md);
      ch.position(0);
      List<ArArchive.Member> members = ArArchive.index(ch, subject);
      Layout l = layout(members, subject);
      byte[] version = LimitedInputStream.readAll(ArArchive.open(ch, l.debianBinary), 64, DebCode.DEB_STRUCTURE_INVALID, subject);
      String v = new String(version, StandardCharsets.US_ASCII);
      if (!v.startsWith("2.") || !v.endsWith("\n")) {
        throw CheckException.integrity(DebCode.DEB_FORMAT_UNSUPPORTED, subject, "debian-binary is '" + v.strip() + "', not 2.x");
      }
      List<Finding> findings = new ArrayList<>();
      Map<String, byte[]> controlFiles = new LinkedHashMap<>();
      try (InputStream c = Decompress.open(kindOf(l.control, subject), ArArchive.open(ch, l.control),
          MAX_CONTROL_BYTES, MAX_RATIO, subject + " " + l.control.name())) {
        TarReader.read(c, subject + " " + l.control.name(), (p, s) -> true,
            new TarReader.Limits(10_000, MAX_CONTROL_BYTES, MAX_CONTROL_BYTES), e -> {
              if (e.type() == TarEntryInfo.Type.FILE && !e.path().contains("/")) {
                controlFiles.put(e.path(), e.content().orElseThrow());
              }
            });
      }
      byte[] controlBytes = controlFiles.get("control");
      if (controlBytes == null) {
        throw CheckException.integrity(DebCode.DEB_CONTROL_MISSING, subject, "control.tar has no ./control file");
      }
      ControlParagraph control = Deb822.parseOne(new String(controlBytes, StandardCharsets.UTF_8), subject + " control");
      List<DpkgDatabase.Md5Entry> md5sums = controlFiles.containsKey("md5sums")
          ? DpkgDatabase.parseMd5sums(controlFiles.get("md5sums"), subject + " md5sums") : List.of();
      List<String> conffiles = controlFiles.containsKey("conffiles")
          ? DpkgDatabase.parseList(controlFiles.get("conffiles")).stream().map(String::strip).toList() : List.of();
      List<DataEntry> data = new ArrayList<>();
      String dataSubject = subject + " " + l.data.name();
      try (InputStream d = Decompress.open(kindOf(l.data, subject), ArArchive.open(ch, l.data), MAX_DATA_BYTES,
          MAX_RATIO, dataSubject)) {
        TarReader.read(d, dataSubject, null, TarReader.Limits.defaults(), e -> {
          checkPath(e, dataSubject, findings);
          data.add(new DataEntry("/" + e.path(), e.type(), e.size(), e.md5Hex().orElse(""), e.linkTarget(), e.mode()));
        });
      } catch (CheckException e) {
        if (e.code() != TarCode.TAR_PATH_ESCAPE && e.code() != TarCode.TAR_PATH_INVALID) {
          throw e;
        }
        findings.add(new Finding(DebCode.DEB_DATA_PATH_ESCAPE, Severity.FAIL, dataSubject,
            "a data.tar entry leaves the installation root: " + e.getMessage(), null));
      }
      findings.addAll(checkMd5sums(subject, md5sums, data));
      return new DebPackage(file, subject, sha, size, members, control, controlFiles, md5sums, conffiles, data, findings);
    }
  }

  private record Layout(ArArchive.Member debianBinary, ArArchive.Member control, ArArchive.Member data) {}

  /** deb(5) order: debian-binary, then _-members, control.tar*, _-members, data.tar*, anything. */
  private static Layout layout(List<ArArchive.Member> members, String subject) {
    if (members.isEmpty() || !members.get(0).name().equals("debian-binary")) {
      throw CheckException.integrity(DebCode.DEB_STRUCTURE_INVALID, subject, "the first ar member is not debian-binary");
    }
    ArArchive.Member control = null;
    ArArchive.Member data = null;
    for (int i = 1; i < members.size() && data == null; i++) {
      ArArchive.Member m = members.get(i);
      if (m.name().startsWith("_")) {
        continue;
      }
      if (control == null) {
        if (!m.name().equals("control.tar") && !m.name().startsWith("control.tar.")) {
          throw CheckException.integrity(DebCode.DEB_STRUCTURE_INVALID, subject,
              "member " + (i + 1) + " is '" + m.name() + "', expected control.tar*");
        }
        control = m;
      } else {
        if (!m.name().equals("data.tar") && !m.name().startsWith("data.tar.")) {
          throw CheckException.integrity(DebCode.DEB_STRUCTURE_INVALID, subject,
              "member " + (i + 1) + " is '" + m.name() + "', expected data.tar*");
        }
        data = m;
      }
    }
    if (control == null || data == null) {
      throw CheckException.integrity(DebCode.DEB_STRUCTURE_INVALID, subject, "no " + (control == null ? "control" : "data") + ".tar member");
    }
    // exactly one of each, in order: a second data.tar after the first is ignored by dpkg but written over the
    // first by `ar x` and other extractors — two readers, two packages; only _-members (signatures) may follow
    java.util.Set<String> names = new java.util.HashSet<>();
    boolean afterData = false;
    for (int i = 0; i < members.size(); i++) {
      ArArchive.Member m = members.get(i);
      if (!names.add(m.name())) {
        throw CheckException.integrity(DebCode.DEB_STRUCTURE_INVALID, subject,
            "member " + (i + 1) + " '" + m.name() + "' appears twice");
      }
      if (afterData && !m.name().startsWith("_")) {
        throw CheckException.integrity(DebCode.DEB_STRUCTURE_INVALID, subject,
            "member " + (i + 1) + " '" + m.name() + "' follows data.tar (only _-prefixed signature members may)");
      }
      afterData |= m == data;
    }
    return new Layout(members.get(0), control, data);
  }

  private static Decompress.Format kindOf(ArArchive.Member m, String subject) {
    String n = m.name();
    String ext = n.substring(n.indexOf(".tar") + 4);
    return switch (ext) {
      case "" -> Decompress.Format.NONE;
      case ".gz" -> Decompress.Format.GZIP;
      case ".xz" -> Decompress.Format.XZ;
      case ".zst" -> Decompress.Format.ZSTD;
      case ".bz2" -> Decompress.Format.BZIP2;
      default -> throw new CheckException(DebCode.DEB_COMPRESSION_UNSUPPORTED, subject, "member " + n + " uses an unsupported compression");
    };
  }

  private static void checkPath(TarEntryInfo e, String subject, List<Finding> findings) {
    if (e.rawName().startsWith("/")) {
      findings.add(new Finding(DebCode.DEB_DATA_ABSOLUTE_PATH, Severity.FAIL, subject,
          "data.tar entry has an absolute name (dpkg-deb builds ./relative names)", null).with("entry", e.rawName()));
    }
    if (e.type() == TarEntryInfo.Type.SYMLINK && !e.linkTarget().startsWith("/") && escapes(e.path(), e.linkTarget())) {
      findings.add(new Finding(DebCode.DEB_DATA_SYMLINK_ESCAPE, Severity.FAIL, subject,
          "symlink points above the installation root", null).with("entry", e.path()).with("target", e.linkTarget()));
    }
    if (e.type() == TarEntryInfo.Type.HARDLINK && escapes("x", e.linkTarget())) {
      findings.add(new Finding(DebCode.DEB_DATA_HARDLINK_ESCAPE, Severity.FAIL, subject,
          "hardlink target leaves the installation root", null).with("entry", e.path()).with("target", e.linkTarget()));
    }
  }

  /** Does {@code target}, relative to the directory of {@code linkPath}, climb above the root? */
  static boolean escapes(String linkPath, String target) {
    ArrayDeque<String> dir = new ArrayDeque<>();
    String[] parts = linkPath.split("/");
    for (int i = 0; i < parts.length - 1; i++) {
      if (!parts[i].isEmpty() && !parts[i].equals(".")) {
        dir.addLast(parts[i]);
      }
    }
    for (String p : target.split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        if (dir.isEmpty()) {
          return true;
        }
        dir.removeLast();
      } else {
        dir.addLast(p);
      }
    }
    return false;
  }

  private static List<Finding> checkMd5sums(String subject, List<DpkgDatabase.Md5Entry> md5sums, List<DataEntry> data) {
    Map<String, DataEntry> files = new HashMap<>();
    for (DataEntry e : data) {
      files.put(e.path(), e);
    }
    List<Finding> out = new ArrayList<>();
    int ok = 0;
    for (DpkgDatabase.Md5Entry m : md5sums) {
      DataEntry e = files.get(m.path());
      if (e == null || e.type() != TarEntryInfo.Type.FILE) {
        out.add(new Finding(DebCode.DEB_MD5SUMS_FILE_MISSING, Severity.FAIL, subject, "md5sums names a file data.tar lacks", null)
            .with("path", m.path()));
      } else if (!e.md5().equals(m.md5())) {
        out.add(new Finding(DebCode.DEB_MD5SUMS_MISMATCH, Severity.FAIL, subject, "file content differs from md5sums", null)
            .with("path", m.path()).with("expected", m.md5()).with("actual", e.md5()));
      } else {
        ok++;
      }
    }
    if (out.isEmpty()) {
      out.add(new Finding(DebCode.DEB_MD5SUMS_OK, Severity.OK, subject, ok + " files match md5sums", null).with("files", ok));
    }
    return out;
  }

  /**
   * Verifies the embedded signatures ({@code _gpg*} members) against {@code keyring}: debsigs' binary detached
   * signature over the concatenated contents of debian-binary, control.tar* and data.tar*, or dpkg-sig's
   * clearsigned manifest of each member's md5, sha1 and size. A deb without any is {@code DEB_SIGNATURE_NONE},
   * a failure: the caller asked for embedded signatures (Debian itself signs the archive, not debs).
   */
  public List<Finding> verifyEmbeddedSignatures(PgpKeyring keyring, PgpVerifier.Policy policy) throws IOException {
    List<Finding> out = new ArrayList<>();
    Layout l = layout(members, subject);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      for (ArArchive.Member m : members) {
        if (!m.name().startsWith("_gpg")) {
          continue;
        }
        String role = m.name().substring(4);
        String sub = subject + " " + m.name();
        byte[] content = LimitedInputStream.readAll(ArArchive.open(ch, m), 1 << 20, DebCode.DEB_SIGNATURE_TOO_LARGE, sub);
        String head = new String(content, 0, Math.min(content.length, 64), StandardCharsets.ISO_8859_1);
        List<Finding> fs = new ArrayList<>();
        boolean ok;
        if (head.startsWith(ClearSigned.BEGIN)) {
          ClearSigned cs = ClearSigned.parse(content, sub);
          PgpVerifier.Verdict v = PgpVerifier.verify(cs.signatures(), cs.signedBytes(), keyring, policy);
          fs.addAll(v.findings(sub));
          ok = v.accepted();
          if (ok) {
            List<Finding> manifest = checkDpkgSigManifest(cs.content(), ch, l, sub);
            fs.addAll(manifest);
            ok = manifest.stream().noneMatch(Finding::fails);
          }
          out.addAll(fs);
          out.add(summary(ok, sub, "dpkg-sig", role));
        } else {
          List<org.bouncycastle.openpgp.PGPSignature> sigs = ClearSigned.readSignatures(content, sub);
          PgpVerifier.Verdict v = PgpVerifier.verify(sigs, () -> new SequenceInputStream(Collections.enumeration(List.of(
              ArArchive.open(ch, l.debianBinary), ArArchive.open(ch, l.control), ArArchive.open(ch, l.data)))),
              keyring, policy);
          out.addAll(v.findings(sub));
          out.add(summary(v.accepted(), sub, "debsigs", role));
        }
      }
    }
    if (out.isEmpty()) {
      // asked to verify embedded signatures (--debsig-keyring): an unsigned deb is not verified, as debsig-verify
      // refuses it (exit 10) — otherwise removing _gpgorigin would let any content through
      out.add(Finding.of(DebCode.DEB_SIGNATURE_NONE, Severity.FAIL, subject,
          "no embedded _gpg* signature, and embedded signatures were required (Debian signs its archive, not debs)"));
    }
    return out;
  }

  private static Finding summary(boolean ok, String subject, String format, String role) {
    return new Finding(ok ? DebCode.DEB_EMBEDDED_SIGNATURE_VERIFIED : DebCode.DEB_EMBEDDED_SIGNATURE_FAILED,
        ok ? Severity.OK : Severity.FAIL, subject,
        ok ? format + " " + role + " signature verifies over the package contents"
            : format + " " + role + " signature does not verify over the package contents", null)
        .with("format", format).with("role", role);
  }

  /** The dpkg-sig manifest: {@code Files:} lines {@code <md5> <sha1> <size> <member>}, all three members listed. */
  private static List<Finding> checkDpkgSigManifest(byte[] manifest, FileChannel ch, Layout l, String subject)
      throws IOException {
    ControlParagraph p;
    try {
      p = Deb822.parseOne(new String(manifest, StandardCharsets.UTF_8), subject);
    } catch (CheckException e) {
      return List.of(Finding.fail(DebCode.DEB_DPKGSIG_MANIFEST_INVALID, subject, "the signed manifest is not deb822: " + e.getMessage()));
    }
    List<Finding> out = new ArrayList<>();
    Map<String, ArArchive.Member> byName = Map.of(l.debianBinary.name(), l.debianBinary, l.control.name(), l.control,
        l.data.name(), l.data);
    java.util.Set<String> listed = new java.util.HashSet<>();
    for (String line : p.continuationLines("Files")) {
      String[] w = line.split("\\s+");
      if (w.length != 4) {
        out.add(Finding.fail(DebCode.DEB_DPKGSIG_MANIFEST_INVALID, subject, "bad Files line '" + line + "'"));
        continue;
      }
      ArArchive.Member m = byName.get(w[3]);
      if (m == null) {
        out.add(Finding.fail(DebCode.DEB_DPKGSIG_FILE_MISMATCH, subject, "manifest lists '" + w[3] + "', not a member of this deb"));
        continue;
      }
      listed.add(w[3]);
      MessageDigest md5 = md("MD5");
      MessageDigest sha1 = md("SHA-1");
      try (InputStream in = ArArchive.open(ch, m)) {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
          md5.update(buf, 0, n);
          sha1.update(buf, 0, n);
        }
      }
      String aMd5 = HexFormat.of().formatHex(md5.digest());
      String aSha1 = HexFormat.of().formatHex(sha1.digest());
      if (!aMd5.equalsIgnoreCase(w[0]) || !aSha1.equalsIgnoreCase(w[1]) || !w[2].equals(Long.toString(m.size()))) {
        out.add(new Finding(DebCode.DEB_DPKGSIG_FILE_MISMATCH, Severity.FAIL, subject, "member " + w[3] + " differs from the signed manifest", null)
            .with("member", w[3]).with("expected", w[0] + " " + w[1] + " " + w[2]).with("actual", aMd5 + " " + aSha1 + " " + m.size()));
      }
    }
    for (String need : byName.keySet()) {
      if (!listed.contains(need)) {
        out.add(Finding.fail(DebCode.DEB_DPKGSIG_FILE_MISMATCH, subject, "the signed manifest does not cover member " + need));
      }
    }
    return out;
  }

  private static MessageDigest md(String alg) {
    try {
      return MessageDigest.getInstance(alg);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public Path file() {
    return file;
  }

  public String subject() {
    return subject;
  }

  public Digest sha256() {
    return sha256;
  }

  public long size() {
    return size;
  }

  public List<ArArchive.Member> members() {
    return members;
  }

  public ControlParagraph control() {
    return control;
  }

  public String name() {
    return control.value("Package");
  }

  public String version() {
    return control.value("Version");
  }

  public String architecture() {
    return control.value("Architecture");
  }

  /** Files of control.tar by name ({@code control}, {@code md5sums}, {@code postinst} ...). */
  public Map<String, byte[]> controlFiles() {
    return controlFiles;
  }

  public Optional<byte[]> controlFile(String name) {
    return Optional.ofNullable(controlFiles.get(name));
  }

  public List<DpkgDatabase.Md5Entry> md5sums() {
    return md5sums;
  }

  public List<String> conffiles() {
    return conffiles;
  }

  public List<DataEntry> data() {
    return data;
  }

  /** What reading found: path problems in data.tar and the md5sums check. */
  public List<Finding> findings() {
    return findings;
  }
}
