package dev.bitproof.apk;

import dev.bitproof.apk.GzipMembers.Member;
import dev.bitproof.apk.GzipMembers.MemberLimits;
import dev.bitproof.apk.GzipMembers.Section;
import dev.bitproof.report.CheckException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * An {@code APKINDEX.tar.gz}: an optional signature gzip stream, then a stream with the {@code APKINDEX} text and
 * {@code DESCRIPTION}. The signature covers every byte after the first gzip stream, so {@link #signedBytes()} is
 * that range of the file as read.
 *
 * @param signature the signature stream when the first stream starts with a {@code .SIGN.} entry
 * @param signatures the signature entries
 * @param signedBytes the bytes a signature covers (everything after the signature stream), empty when unsigned
 * @param description the {@code DESCRIPTION} entry, "" when absent
 * @param packages the stanzas in file order
 */
public record ApkIndex(Optional<Section> signature, List<SignatureEntry> signatures, byte[] signedBytes,
    String description, List<IndexEntry> packages) {

  public ApkIndex {
    signatures = List.copyOf(signatures);
    packages = List.copyOf(packages);
  }

  @Override
  public byte[] signedBytes() {
    return signedBytes.clone();
  }

  int signedLength() {
    return signedBytes.length;
  }

  /** Limits: every size read from input is bounded. */
  public record Limits(long maxFile, long maxText, long maxRatio, int maxLine, int maxPackages) {
    public static Limits defaults() {
      return new Limits(512L * 1024 * 1024, 1024L * 1024 * 1024, 1000, 1024 * 1024, 2_000_000);
    }
  }

  public boolean signed() {
    return signature.isPresent();
  }

  public static ApkIndex read(Path file) throws IOException {
    Limits l = Limits.defaults();
    if (Files.size(file) > l.maxFile()) {
      throw CheckException.integrity(ApkCode.APKINDEX_TOO_LARGE, file.toString(), "index file is larger than " + l.maxFile() + " bytes");
    }
    return read(Files.readAllBytes(file), file.toString(), l);
  }

  public static ApkIndex read(byte[] file, String subject) throws IOException {
    return read(file, subject, Limits.defaults());
  }

  /** Parses an {@code APKINDEX.tar.gz} held in memory (indexes are small; the signed range must be kept anyway). */
  public static ApkIndex read(byte[] file, String subject, Limits limits) throws IOException {
    if (file.length > limits.maxFile()) {
      throw CheckException.integrity(ApkCode.APKINDEX_TOO_LARGE, subject, "index file is larger than " + limits.maxFile() + " bytes");
    }
    GzipMembers members = new GzipMembers(new ByteArrayInputStream(file), subject);
    MemberLimits ml = new MemberLimits(limits.maxText(), limits.maxRatio(), 0, ApkCode.APKINDEX_DECOMPRESSION_BOMB, ApkCode.APKINDEX_TOO_LARGE);
    List<SignatureEntry> sigs = new ArrayList<>();
    Optional<Section> sigSection = Optional.empty();
    String apkindex = null;
    String description = "";
    boolean firstStream = true;
    while (!members.atEnd()) {
      Member m = members.next(ml, false, ApkCode.APKINDEX_NOT_GZIP);
      TarArchiveInputStream tar = new TarArchiveInputStream(m, true);
      TarArchiveEntry e;
      boolean sawSig = false;
      boolean sawOther = false;
      while ((e = Tars.next(tar, subject, ApkCode.APKINDEX_TAR_CORRUPT)) != null) {
        String name = e.getName();
        if (name.startsWith("/") || name.contains("..")) {
          throw CheckException.integrity(ApkCode.APKINDEX_TAR_PATH_INVALID, subject, "index tar entry '" + name + "' is not a plain name");
        }
        if (!e.isFile()) {
          continue;
        }
        if (name.startsWith(".SIGN.")) {
          sawSig = true;
          sigs.add(SignatureEntry.parse(name, Tars.readEntry(tar, e, 64 * 1024, subject, name, ApkCode.APKINDEX_SIGNATURE_TOO_LARGE), subject));
          continue;
        }
        sawOther = true;
        if (name.equals("APKINDEX")) {
          if (apkindex != null) {
            throw CheckException.integrity(ApkCode.APKINDEX_LAYOUT_INVALID, subject, "two APKINDEX entries");
          }
          apkindex = new String(Tars.readEntry(tar, e, limits.maxText(), subject, name, ApkCode.APKINDEX_TOO_LARGE), StandardCharsets.UTF_8);
        } else if (name.equals("DESCRIPTION")) {
          description = new String(Tars.readEntry(tar, e, 64 * 1024, subject, name, ApkCode.APKINDEX_TOO_LARGE), StandardCharsets.UTF_8).strip();
        }
      }
      // only a first stream of nothing but signatures signs what follows it; a .SIGN entry elsewhere signs nothing
      boolean sigStream = firstStream && sawSig && !sawOther;
      Section s = m.finish();
      if (sigStream) {
        sigSection = Optional.of(s);
      }
      firstStream = false;
      if (apkindex != null && !members.atEnd()) {
        throw CheckException.integrity(ApkCode.APKINDEX_TOO_MANY_STREAMS, subject,
            "bytes follow the index stream at offset " + members.position());
      }
    }
    if (apkindex == null) {
      throw CheckException.integrity(ApkCode.APKINDEX_MISSING, subject, "no APKINDEX entry in the index file");
    }
    byte[] signed = sigSection.isPresent()
        ? java.util.Arrays.copyOfRange(file, (int) sigSection.get().end(), file.length)
        : new byte[0];
    return new ApkIndex(sigSection, sigs, signed, description, parseText(apkindex, subject, limits));
  }

  /** Parses APKINDEX text: stanzas of {@code X:value} lines separated by blank lines. */
  public static List<IndexEntry> parseText(String text, String subject, Limits limits) {
    List<IndexEntry> out = new ArrayList<>();
    List<IndexEntry.Field> cur = new ArrayList<>();
    int lineNo = 0;
    int start = 0;
    int len = text.length();
    while (start <= len) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? len : nl;
      lineNo++;
      if (end - start > limits.maxLine()) {
        throw CheckException.integrity(ApkCode.APKINDEX_LINE_TOO_LONG, subject, "line " + lineNo + " is longer than " + limits.maxLine());
      }
      String line = text.substring(start, end);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isEmpty()) {
        if (!cur.isEmpty()) {
          out.add(IndexEntry.of(cur, subject, lineNo));
          cur = new ArrayList<>();
          if (out.size() > limits.maxPackages()) {
            throw CheckException.integrity(ApkCode.APKINDEX_TOO_LARGE, subject, "more than " + limits.maxPackages() + " packages");
          }
        }
      } else {
        if (line.length() < 2 || line.charAt(1) != ':') {
          throw CheckException.integrity(ApkCode.APKINDEX_INVALID, subject, "line " + lineNo + " is not 'X:value'");
        }
        cur.add(new IndexEntry.Field(line.charAt(0), line.substring(2)));
      }
      if (nl < 0) {
        break;
      }
      start = nl + 1;
    }
    if (!cur.isEmpty()) {
      out.add(IndexEntry.of(cur, subject, lineNo));
    }
    return out;
  }

  /** The stanzas whose {@code P:} is {@code name}. */
  public List<IndexEntry> byName(String name) {
    return packages.stream().filter(p -> p.name().equals(name)).toList();
  }
}
