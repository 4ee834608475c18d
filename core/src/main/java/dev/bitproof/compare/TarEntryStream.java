package dev.bitproof.compare;

import dev.bitproof.io.ReadThroughInputStream;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import dev.bitproof.tar.TarCode;
import dev.bitproof.tar.TarEntryInfo;
import dev.bitproof.tar.TarPaths;
import dev.bitproof.tar.TarReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Pulls the entries of one uncompressed tar one at a time, so two layers can be walked in step. Besides the parsed
 * header it keeps the raw header records of each entry (PAX, GNU long-name and the ustar block): their digest tells
 * two encodings of the same fields apart, and they give the tar format and every PAX record. The SHA-256 of the
 * whole tar (the diff_id) is computed on the way.
 */
final class TarEntryStream {
  /** Raw header bytes kept per entry; longer PAX headers are still read, just not kept for the encoding check. */
  static final int MAX_HEADER_CAPTURE = 1024 * 1024;

  /** One entry: the parsed header, its encoding, and the content when it is small enough to diff. */
  record Entry(TarEntryInfo info, String format, Map<String, String> paxRecords, Optional<Digest> headerDigest,
      byte[] ustar, byte[] content, Spill.File spilled) {
    Entry(TarEntryInfo info, String format, Map<String, String> paxRecords, Optional<Digest> headerDigest,
        byte[] ustar, byte[] content) {
      this(info, format, paxRecords, headerDigest, ustar, content, null);
    }

    /** The same entry without its content (held or spilled). */
    Entry withoutContent() {
      return new Entry(info, format, paxRecords, headerDigest, ustar, null, null);
    }

    String path() {
      return info.path();
    }
  }

  private final Tee tee;
  private final TarArchiveInputStream tar;
  private final MessageDigest diffId = Digest.newSha256();
  private final String subject;
  private final long maxEntries;
  private final int keepUpTo;
  private final int keepNestedUpTo;
  private final boolean keepAny;
  /** Where zips too large to keep are written while they stream (null: never). */
  private Spill spill;
  private int index;
  private boolean done;

  TarEntryStream(InputStream uncompressed, String subject, long maxEntries, int keepUpTo) {
    this(uncompressed, subject, maxEntries, keepUpTo, keepUpTo, false);
  }

  /**
   * @param keepUpTo contents of files up to this size are kept (for text diffs)
   * @param keepNestedUpTo larger files up to this size are kept too when {@code keepAny}, or when their name or
   *     first bytes say they are a format {@link NestedExplainer} explains (tar, compressed, JSON, ELF)
   */
  TarEntryStream(InputStream uncompressed, String subject, long maxEntries, int keepUpTo, int keepNestedUpTo,
      boolean keepAny) {
    this.tee = new Tee(new java.security.DigestInputStream(uncompressed, diffId));
    this.tar = new TarArchiveInputStream(tee, true);
    this.subject = subject;
    this.maxEntries = maxEntries;
    this.keepUpTo = keepUpTo;
    this.keepNestedUpTo = Math.max(keepUpTo, keepNestedUpTo);
    this.keepAny = keepAny;
  }

  /** A stream that keeps what the comparison's options ask for: small files, nested formats, report-dir files. */
  static TarEntryStream forComparison(InputStream uncompressed, String subject, CompareOptions o) {
    int nested = o.nested().maxFileSize();
    int report = o.files().map(DifferingFiles::maxFileSize).orElse(0);
    return new TarEntryStream(uncompressed, subject, o.maxEntries(), o.maxTextFile(), Math.max(nested, report),
        report > 0);
  }

  /** As {@link #forComparison(InputStream, String, CompareOptions)}, spilling large zips/jars to {@code spill}. */
  static TarEntryStream forComparison(InputStream uncompressed, String subject, CompareOptions o, Spill spill) {
    TarEntryStream s = forComparison(uncompressed, subject, o);
    s.spill = spill;
    return s;
  }

  /** The next entry, or empty at the end of the archive (after which {@link #finish} gives the diff_id). */
  Optional<Entry> next() throws IOException {
    if (done) {
      return Optional.empty();
    }
    tee.startCapture();
    TarArchiveEntry e;
    try {
      e = tar.getNextEntry();
    } catch (IOException | IllegalArgumentException ex) {
      if (ex.getCause() instanceof CheckException ce) {
        throw ce;
      }
      throw CheckException.integrity(TarCode.TAR_CORRUPT, subject, "not a valid tar: " + ex.getMessage());
    }
    byte[] captured = tee.stopCapture();
    if (e == null) {
      done = true;
      return Optional.empty();
    }
    if (index >= maxEntries) {
      throw new CheckException(TarCode.TAR_TOO_MANY_ENTRIES, subject, "more than " + maxEntries + " entries");
    }
    String path = TarPaths.normalize(e.getName(), subject + ": " + e.getName());
    TarEntryInfo.Type type = TarReader.typeOf(e);
    Optional<Digest> sha256 = Optional.empty();
    byte[] content = null;
    Spill.File spilled = null;
    long size = 0;
    if (type == TarEntryInfo.Type.FILE) {
      MessageDigest md = Digest.newSha256();
      boolean keep = e.getSize() <= keepUpTo || InstalledDbDiff.isInstalledDb(path) && e.getSize() <= InstalledDbDiff.MAX_SIZE;
      byte[] buf = new byte[65536];
      boolean spillable = spill != null && e.getSize() > keepNestedUpTo && spill.fits(e.getSize());
      int first = e.getSize() > keepUpTo && (e.getSize() <= keepNestedUpTo || spillable) ? readFirst(buf) : -1;
      if (first >= 0 && e.getSize() <= keepNestedUpTo) {
        keep = keepAny || NestedExplainer.worthHolding(path, buf, first);
      }
      if (first >= 0 && spillable && NestedExplainer.worthSpilling(path, buf, first)) {
        spilled = spill.reserve(e.getSize());
      }
      ByteArrayOutputStream bos = keep ? new ByteArrayOutputStream((int) e.getSize()) : null;
      OutputStream file = null;
      try {
        if (spilled != null && spilled.path() != null) {
          try {
            file = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(spilled.path()), 1 << 16);
          } catch (IOException ex) {
            spilled = unspilled(spilled);
          }
        }
        if (first > 0) {
          md.update(buf, 0, first);
          if (bos != null) {
            bos.write(buf, 0, first);
          }
          if (file != null && !spillWrite(file, buf, first)) {
            file = null;
            spilled = unspilled(spilled);
          }
          size += first;
        }
        int n;
        while ((n = readEntry(buf)) > 0) {
          md.update(buf, 0, n);
          if (bos != null) {
            bos.write(buf, 0, n);
          }
          if (file != null && !spillWrite(file, buf, n)) {
            file = null;
            spilled = unspilled(spilled);
          }
          size += n;
        }
        if (file != null) {
          OutputStream f = file;
          file = null;
          try {
            f.close();
          } catch (IOException ex) {
            spilled = unspilled(spilled);
          }
        }
        if (size != e.getSize()) {
          throw CheckException.integrity(TarCode.TAR_TRUNCATED, subject, "entry " + path + " ends after " + size + " of " + e.getSize() + " bytes");
        }
      } catch (RuntimeException ex) {
        if (file != null) {
          try {
            file.close();
          } catch (IOException ignored) {
            // deleted below either way
          }
        }
        if (spilled != null) {
          spill.release(spilled); // nothing half-written left behind
        }
        throw ex;
      }
      sha256 = Optional.of(Digest.sha256(md));
      content = bos == null ? null : bos.toByteArray();
    }
    Header h = Header.parse(captured);
    TarEntryInfo info = new TarEntryInfo(index++, path, e.getName(), type, e.getMode(), e.getLongUserId(),
        e.getLongGroupId(), e.getUserName(), e.getGroupName(), size,
        e.getLastModifiedTime() == null ? 0 : e.getLastModifiedTime().toInstant().getEpochSecond(),
        e.getLinkName(), e.getDevMajor(), e.getDevMinor(), e.getExtraPaxHeaders(), sha256, Optional.empty(),
        Optional.empty(), Optional.empty());
    return Optional.of(new Entry(info, h.format, h.pax, h.digest, h.ustar, content, spilled));
  }

  /** Reads what follows the end-of-archive marker and returns the digest of every byte of the tar. */
  Digest finish() throws IOException {
    tee.transferTo(java.io.OutputStream.nullOutputStream());
    return Digest.sha256(diffId);
  }

  long bytesRead() {
    return tee.count;
  }

  /** Fills {@code buf} as far as the entry goes (the magic bytes of a nested format sit up to offset 262). */
  /** Writes to a spill file; false (the file closed) when the disk refuses: the entry is then not spilled. */
  private static boolean spillWrite(OutputStream file, byte[] buf, int n) {
    try {
      file.write(buf, 0, n);
      return true;
    } catch (IOException e) {
      try {
        file.close();
      } catch (IOException ignored) {
        // deleted by the caller
      }
      return false;
    }
  }

  /** A spill given up (a write failed): its file deleted, the entry explained by sizes and hashes. */
  private Spill.File unspilled(Spill.File f) {
    spill.release(f);
    return new Spill.File(null, f.size(), "not spilled to disk: writing the temp file failed");
  }

  private int readFirst(byte[] buf) {
    int total = 0;
    int n;
    while (total < buf.length && (n = readEntry(buf, total, buf.length - total)) > 0) {
      total += n;
    }
    return total;
  }

  private int readEntry(byte[] buf) {
    return readEntry(buf, 0, buf.length);
  }

  private int readEntry(byte[] buf, int off, int len) {
    try {
      return tar.read(buf, off, len);
    } catch (IOException e) {
      if (e.getCause() instanceof CheckException ce) {
        throw ce;
      }
      throw CheckException.integrity(TarCode.TAR_TRUNCATED, subject, "tar ends inside an entry: " + e.getMessage());
    }
  }

  /**
   * The header records of one entry as written: format, all PAX records, digest of the bytes, and the entry's own
   * 512-byte ustar block (null when not captured), whose fields {@link TarHeaderFields} names when two differ.
   */
  private record Header(String format, Map<String, String> pax, Optional<Digest> digest, byte[] ustar) {
    static Header parse(byte[] captured) {
      if (captured == null) {
        return new Header("unknown", Map.of(), Optional.empty(), null);
      }
      // the capture starts with the previous entry's padding (< 512 bytes), then whole 512-byte records
      int start = captured.length % 512;
      byte[] h = Arrays.copyOfRange(captured, start, captured.length);
      Map<String, String> pax = new TreeMap<>();
      boolean sawPax = false;
      boolean sawGnu = false;
      String magic = "v7";
      int off = 0;
      byte[] ustar = null;
      while (off + 512 <= h.length) {
        byte flag = h[off + 156];
        long size = octal(h, off + 124, 12);
        int dataBlocks = (int) Math.min((size + 511) / 512, (h.length - off) / 512);
        if (flag == 'x' || flag == 'g') {
          sawPax = true;
          int from = off + 512;
          int to = (int) Math.min((long) from + size, h.length);
          parsePax(h, from, to, pax);
          off += 512 + dataBlocks * 512;
        } else if (flag == 'L' || flag == 'K') {
          sawGnu = true;
          off += 512 + dataBlocks * 512;
        } else {
          String m = new String(h, off + 257, 6, StandardCharsets.ISO_8859_1);
          String v = new String(h, off + 263, 2, StandardCharsets.ISO_8859_1);
          if (m.equals("ustar\0") && v.equals("00")) {
            magic = "ustar";
          } else if (m.equals("ustar ") && v.equals(" \0")) {
            magic = "gnu";
          }
          ustar = Arrays.copyOfRange(h, off, off + 512);
          break;
        }
      }
      String format = sawPax ? "pax" : sawGnu || magic.equals("gnu") ? "gnu" : magic;
      return new Header(format, pax, Optional.of(Digest.sha256(h)), ustar);
    }

    private static long octal(byte[] b, int off, int len) {
      long v = 0;
      for (int i = off; i < off + len; i++) {
        int c = b[i] & 0xff;
        if (c == 0 || c == ' ') {
          if (v > 0) {
            break;
          }
          continue;
        }
        if (c < '0' || c > '7') {
          return 0; // base-256 or garbage: only used to skip PAX/long-name data, which is never that large
        }
        v = v * 8 + (c - '0');
        if (v > MAX_HEADER_CAPTURE) {
          return MAX_HEADER_CAPTURE;
        }
      }
      return v;
    }

    /** PAX records: "LEN KEY=VALUE\n" repeated. Malformed tails are ignored (commons-compress already rejected them). */
    private static void parsePax(byte[] b, int from, int to, Map<String, String> out) {
      int p = from;
      while (p < to) {
        int sp = p;
        long len = 0;
        while (sp < to && b[sp] >= '0' && b[sp] <= '9' && len < Integer.MAX_VALUE) {
          len = len * 10 + (b[sp] - '0');
          sp++;
        }
        if (sp >= to || b[sp] != ' ' || len <= 0 || p + len > to) {
          return;
        }
        String rec = new String(b, sp + 1, (int) (p + len - sp - 2), StandardCharsets.UTF_8);
        int eq = rec.indexOf('=');
        if (eq > 0) {
          out.put(rec.substring(0, eq), rec.substring(eq + 1));
        }
        p += (int) len;
      }
    }
  }

  /** Counts every byte and, between start and stop, keeps the bytes read (the header records of one entry). */
  private static final class Tee extends ReadThroughInputStream {
    private ByteArrayOutputStream capture;
    private boolean overflow;
    private long count;

    Tee(InputStream in) {
      super(in);
    }

    void startCapture() {
      capture = new ByteArrayOutputStream(1024);
      overflow = false;
    }

    byte[] stopCapture() {
      byte[] b = overflow || capture == null ? null : capture.toByteArray();
      capture = null;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
        if (capture != null && !overflow) {
          capture.write(b, off, n);
          checkOverflow();
        }
      }
      return n;
    }

    private void checkOverflow() {
      if (capture.size() > MAX_HEADER_CAPTURE + 512) {
        overflow = true;
        capture = new ByteArrayOutputStream(0);
      }
    }
  }
}
