package dev.bitproof.tar;

import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Streams the entries of an uncompressed tar once, hashing every regular file (SHA-256, SHA-1, MD5: what image
 * digests, apk {@code Z:} checksums and dpkg md5sums need) and keeping the bytes of the files the caller asks
 * for. Bounded in entry count and kept bytes.
 */
public final class TarReader {
  /** Which files to keep in memory, by normalized path and size. */
  public interface KeepPredicate {
    boolean keep(String path, long size);
  }

  /** What is done with each entry. */
  public interface Visitor {
    void entry(TarEntryInfo e) throws IOException;
  }

  /**
   * @param maxEntries more entries than this is {@code TAR_TOO_MANY_ENTRIES}
   * @param maxKeptBytes total bytes kept in memory across entries
   */
  public record Limits(long maxEntries, long maxKeptBytes, long maxKeptFile) {
    public static Limits defaults() {
      return new Limits(2_000_000, 256L * 1024 * 1024, 64L * 1024 * 1024);
    }
  }

  private TarReader() {}

  public static void read(InputStream tar, String subject, KeepPredicate keep, Limits limits, Visitor visitor)
      throws IOException {
    long kept = 0;
    int index = 0;
    byte[] buf = new byte[65536];
    // not closed here: the caller owns the stream and drains it (so digest checks at its end still run)
    TarArchiveInputStream in = new TarArchiveInputStream(tar, true);
    {
      TarArchiveEntry e;
      while ((e = nextEntry(in, subject)) != null) {
        if (index >= limits.maxEntries()) {
          throw new CheckException(TarCode.TAR_TOO_MANY_ENTRIES, subject, "more than " + limits.maxEntries() + " entries");
        }
        String path = TarPaths.normalize(e.getName(), subject + ": " + e.getName());
        TarEntryInfo.Type type = typeOf(e);
        Optional<Digest> sha256 = Optional.empty();
        Optional<String> sha1 = Optional.empty();
        Optional<String> md5 = Optional.empty();
        Optional<byte[]> content = Optional.empty();
        if (type == TarEntryInfo.Type.FILE) {
          MessageDigest s256 = Digest.newSha256();
          MessageDigest s1 = md("SHA-1");
          MessageDigest m5 = md("MD5");
          boolean keepIt = keep != null && keep.keep(path, e.getSize()) && e.getSize() <= limits.maxKeptFile();
          if (keepIt && kept + e.getSize() > limits.maxKeptBytes()) {
            throw new CheckException(TarCode.TAR_TOO_LARGE, subject, "kept file contents exceed " + limits.maxKeptBytes() + " bytes");
          }
          java.io.ByteArrayOutputStream bos = keepIt ? new java.io.ByteArrayOutputStream((int) e.getSize()) : null;
          long total = 0;
          int n;
          while ((n = readEntry(in, buf, subject)) > 0) {
            s256.update(buf, 0, n);
            s1.update(buf, 0, n);
            m5.update(buf, 0, n);
            if (bos != null) {
              bos.write(buf, 0, n);
            }
            total += n;
          }
          if (total != e.getSize()) {
            throw CheckException.integrity(TarCode.TAR_TRUNCATED, subject, "entry " + path + " ends after " + total + " of " + e.getSize() + " bytes");
          }
          sha256 = Optional.of(Digest.sha256(s256));
          sha1 = Optional.of(HexFormat.of().formatHex(s1.digest()));
          md5 = Optional.of(HexFormat.of().formatHex(m5.digest()));
          if (bos != null) {
            content = Optional.of(bos.toByteArray());
            kept += e.getSize();
          }
        }
        Map<String, String> pax = e.getExtraPaxHeaders();
        visitor.entry(new TarEntryInfo(index++, path, e.getName(), type, e.getMode(), e.getLongUserId(),
            e.getLongGroupId(), e.getUserName(), e.getGroupName(), type == TarEntryInfo.Type.FILE ? e.getSize() : 0,
            e.getLastModifiedTime() == null ? 0 : e.getLastModifiedTime().toInstant().getEpochSecond(),
            e.getLinkName(), e.getDevMajor(), e.getDevMinor(), pax, sha256, sha1, md5, content));
      }
    }
  }

  /** Reads and counts only: a layer's entries without keeping anything. */
  public static void read(InputStream tar, String subject, Visitor visitor) throws IOException {
    read(tar, subject, null, Limits.defaults(), visitor);
  }

  private static TarArchiveEntry nextEntry(TarArchiveInputStream in, String subject) {
    try {
      return in.getNextEntry();
    } catch (IOException | IllegalArgumentException e) {
      if (e instanceof CheckException ce) {
        throw ce;
      }
      throw CheckException.integrity(TarCode.TAR_CORRUPT, subject, "not a valid tar: " + e.getMessage());
    }
  }

  private static int readEntry(TarArchiveInputStream in, byte[] buf, String subject) {
    try {
      return in.read(buf);
    } catch (IOException e) {
      if (e.getCause() instanceof CheckException ce) {
        throw ce;
      }
      throw CheckException.integrity(TarCode.TAR_TRUNCATED, subject, "tar ends inside an entry: " + e.getMessage());
    }
  }

  /** The kind of an entry: symlink and hard link are tested before directory and file, whose flags overlap. */
  public static TarEntryInfo.Type typeOf(TarArchiveEntry e) {
    if (e.isSymbolicLink()) {
      return TarEntryInfo.Type.SYMLINK;
    }
    if (e.isLink()) {
      return TarEntryInfo.Type.HARDLINK;
    }
    if (e.isDirectory()) {
      return TarEntryInfo.Type.DIRECTORY;
    }
    if (e.isCharacterDevice()) {
      return TarEntryInfo.Type.CHAR_DEVICE;
    }
    if (e.isBlockDevice()) {
      return TarEntryInfo.Type.BLOCK_DEVICE;
    }
    if (e.isFIFO()) {
      return TarEntryInfo.Type.FIFO;
    }
    if (e.isFile()) {
      return TarEntryInfo.Type.FILE;
    }
    return TarEntryInfo.Type.OTHER;
  }

  private static MessageDigest md(String alg) {
    try {
      return MessageDigest.getInstance(alg);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
