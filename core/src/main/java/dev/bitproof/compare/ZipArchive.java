package dev.bitproof.compare;

import dev.bitproof.report.CheckException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A bounded reader of a zip (jar, war, Android apk, wheel) held in memory, for explaining two versions field by
 * field: the end-of-central-directory record (zip64 too), every central-directory record in its order, and each
 * entry's local header, all with their raw fields (the DOS time as stored, not converted in this JVM's time zone;
 * extra fields by id, central and local apart). Nothing read from the file is trusted: every offset, size and count
 * is checked against the file and against each other (the central directory must lie inside the file and hold as
 * many records as the end record claims, no two entries' local headers and data may overlap, a declared size is
 * checked against what the data inflates to, and its CRC). A violation is {@code NESTED_CORRUPT}; more entries than
 * {@link NestedLimits#maxEntries()} {@code NESTED_TOO_LARGE}; an entry over the ratio {@code
 * NESTED_DECOMPRESSION_BOMB}.
 *
 * <p>Written here rather than over commons-compress's {@code ZipFile}: that one converts the DOS time in the default
 * time zone and lets an extended-timestamp field replace it (the very fields this explains), does not detect
 * overlapping entries, and reads only a file or channel.
 *
 * <p>The zip is a {@link Source}: bytes held in memory, or a spilled file read at positions (only the end records,
 * the central directory and local headers are read up front; entry data is read when two entries' stored bytes are
 * compared, and inflated one entry at a time).
 */
final class ZipArchive {
  static final int LOCAL = 0x04034b50;
  static final int CENTRAL = 0x02014b50;
  static final int END = 0x06054b50;
  static final int END64 = 0x06064b50;
  static final int END64_LOCATOR = 0x07064b50;
  /** Inflated bytes above which the ratio is checked (as {@code Decompress}'s guard). */
  private static final long RATIO_SLACK = 1024 * 1024;

  /** One entry: its central-directory record, and its local header. */
  record Entry(int index, String name, int versionMadeBy, int versionNeeded, int flags, int method, long dosTime,
      long crc, long compressedSize, long size, int internalAttributes, long externalAttributes,
      Map<Integer, byte[]> extra, String comment, long localOffset, int localVersionNeeded, int localFlags,
      int localMethod, long localDosTime, Map<Integer, byte[]> localExtra, long dataOffset) {
    long dataEnd() {
      return dataOffset + compressedSize;
    }

    boolean encrypted() {
      return (flags & 1) != 0;
    }
  }

  /**
   * A whole archive: entries in central-directory order, the archive comment, and the bytes outside every entry
   * (before the first local header, and between the last entry's data and the central directory: an Android
   * signing block lives there).
   */
  record Archive(Source source, List<Entry> entries, String comment, long outsideBefore, long outsideFrom,
      long cdOffset) {}

  /**
   * The bytes of a zip, read at positions: held in memory, or a file read through its channel (a differing file
   * too large to hold, spilled while its layer streamed), so a large jar is explained with bounded memory.
   */
  interface Source extends java.io.Closeable {
    long size();

    /** Exactly {@code len} bytes at {@code pos}; past the end is an error the caller has ruled out. */
    void read(long pos, byte[] dst, int off, int len) throws IOException;

    default byte[] read(long pos, int len) throws IOException {
      byte[] b = new byte[len];
      read(pos, b, 0, len);
      return b;
    }

    @Override
    default void close() throws IOException {}

    static Source of(byte[] z) {
      return new Source() {
        @Override
        public long size() {
          return z.length;
        }

        @Override
        public void read(long pos, byte[] dst, int off, int len) {
          System.arraycopy(z, Math.toIntExact(pos), dst, off, len);
        }
      };
    }

    /** A file opened for positional reads (nothing is mapped or held). */
    static Source open(Path file) throws IOException {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
      long size;
      try {
        size = ch.size();
      } catch (IOException e) {
        ch.close();
        throw e;
      }
      return new Source() {
        @Override
        public long size() {
          return size;
        }

        @Override
        public void read(long pos, byte[] dst, int off, int len) throws IOException {
          ByteBuffer bb = ByteBuffer.wrap(dst, off, len);
          long p = pos;
          while (bb.hasRemaining()) {
            int n = ch.read(bb, p);
            if (n < 0) {
              throw new EOFException("the file ends at " + p + ", " + bb.remaining() + " bytes early");
            }
            p += n;
          }
        }

        @Override
        public void close() throws IOException {
          ch.close();
        }
      };
    }
  }

  private ZipArchive() {}

  /** A zip by its first bytes: a local header, or the end record of an empty zip. */
  static boolean isZip(byte[] h) {
    return h.length >= 4 && (le32(h, 0) == LOCAL || h.length >= 22 && le32(h, 0) == END);
  }

  /**
   * A zip by its name and end record, when its first bytes are something else: a jar with a launch script
   * prepended ({@code java -jar} and {@code unzip} read those).
   */
  static boolean isZipByName(String path, byte[] z) {
    return named(path) && endAt(z) >= 0;
  }

  static boolean isZipByName(String path, Source z) throws IOException {
    return named(path) && endAt(tail(z)) >= 0;
  }

  private static boolean named(String path) {
    String n = path.toLowerCase(java.util.Locale.ROOT);
    boolean named = false;
    for (String s : List.of(".zip", ".jar", ".war", ".ear", ".aar", ".apk", ".whl")) {
      named |= n.endsWith(s);
    }
    return named;
  }

  /** The last bytes, where the end record and its longest comment (and zip64's locator before it) must be. */
  private static byte[] tail(Source z) throws IOException {
    int n = (int) Math.min(z.size(), 22 + 65535 + 20);
    return z.read(z.size() - n, n);
  }

  static Archive read(byte[] z, String subject, int maxEntries) {
    try {
      return read(Source.of(z), subject, maxEntries, Integer.MAX_VALUE);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // not from bytes in memory
    }
  }

  /**
   * Reads the end records, the central directory (at most {@code maxCentral} bytes, held while reading) and every
   * local header: nothing else is read, the entries' data stays in the source.
   */
  static Archive read(Source src, String subject, int maxEntries, long maxCentral) throws IOException {
    long length = src.size();
    byte[] t = tail(src);
    long base = length - t.length; // t[i] is the file's byte base + i
    int endInTail = endAt(t);
    if (endInTail < 0) {
      throw corrupt(subject, "no end-of-central-directory record (truncated, or not a zip)");
    }
    int end = endInTail;
    int disk = le16(t, end + 4);
    int cdDisk = le16(t, end + 6);
    long count = le16(t, end + 10);
    long cdSize = le32u(t, end + 12);
    long cdOffset = le32u(t, end + 16);
    int commentLength = le16(t, end + 20);
    String comment = new String(t, end + 22, commentLength, StandardCharsets.UTF_8);
    long cdEnd = base + end; // where the central directory must stop: the end record, or zip64's records before it
    if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
      int loc = end - 20;
      if (loc >= 0 && le32(t, loc) == END64_LOCATOR) {
        long at = le64(t, loc + 8);
        if (at < 0 || at > base + loc - 56) {
          throw corrupt(subject, "the zip64 end record is said to be at " + at + ", outside the file");
        }
        byte[] e64 = src.read(at, 56);
        if (le32(e64, 0) != END64) {
          throw corrupt(subject, "no zip64 end record at " + at);
        }
        disk = (int) le32u(e64, 16);
        cdDisk = (int) le32u(e64, 20);
        count = le64(e64, 32);
        cdSize = le64(e64, 40);
        cdOffset = le64(e64, 48);
        cdEnd = at;
      }
    }
    if (disk != 0 || cdDisk != 0) {
      throw corrupt(subject, "a multi-disk zip (disk " + disk + ")");
    }
    if (count < 0 || count > maxEntries) {
      throw new CheckException(CompareCode.NESTED_TOO_LARGE, subject, "the zip claims " + count + " entries (more than "
          + maxEntries + "): not explained further");
    }
    if (cdSize < 0 || cdOffset < 0 || cdOffset > cdEnd || cdSize > cdEnd - cdOffset) {
      throw corrupt(subject, "the central directory (offset " + cdOffset + ", " + cdSize + " bytes) lies outside the "
          + length + "-byte file");
    }
    // a zip with bytes prepended (a self-extracting or "fully executable" jar) keeps offsets relative to the zip
    // part: as java.util.zip does, the central directory is then found right before the end records
    long shift = 0;
    long expected = cdEnd - cdSize;
    if (expected > cdOffset && sig(src, cdOffset) != CENTRAL && sig(src, expected) == CENTRAL) {
      shift = expected - cdOffset;
      cdOffset = expected;
    }
    if (count * 46 > cdSize) {
      throw corrupt(subject, "the zip claims " + count + " entries, more than its " + cdSize
          + "-byte central directory can hold");
    }
    if (cdSize > maxCentral) {
      throw new CheckException(CompareCode.NESTED_TOO_LARGE, subject, "a " + cdSize + "-byte central directory (more "
          + "than " + maxCentral + "): not explained further");
    }
    byte[] cd = src.read(cdOffset, (int) cdSize);
    List<Entry> entries = new ArrayList<>();
    int p = 0;
    int stop = cd.length;
    while (p < stop) {
      if (entries.size() >= count) {
        throw corrupt(subject, "the central directory holds more than the " + count + " entries the zip claims");
      }
      entries.add(central(src, cd, p, stop, cdOffset, entries.size(), shift, subject));
      p += 46 + le16(cd, p + 28) + le16(cd, p + 30) + le16(cd, p + 32);
    }
    if (entries.size() != count) {
      throw corrupt(subject, "the zip claims " + count + " entries, its central directory holds " + entries.size());
    }
    // entries must not overlap each other or the central directory (overlapping entries are a zip bomb's trick)
    List<Entry> physical = new ArrayList<>(entries);
    physical.sort(Comparator.comparingLong(Entry::localOffset));
    long prevEnd = -1;
    String prevName = null;
    for (Entry e : physical) {
      if (e.localOffset() < prevEnd) {
        throw corrupt(subject, "entries " + prevName + " and " + e.name() + " overlap (a zip bomb's trick)");
      }
      if (e.dataEnd() > cdOffset) {
        throw corrupt(subject, "entry " + e.name() + "'s data runs into the central directory");
      }
      prevEnd = e.dataEnd();
      prevName = e.name();
    }
    long before = physical.isEmpty() ? cdOffset : physical.get(0).localOffset();
    long from = physical.isEmpty() ? cdOffset : afterDescriptor(src, physical.get(physical.size() - 1), cdOffset);
    return new Archive(src, List.copyOf(entries), comment, before, from, cdOffset);
  }

  /** The four bytes at {@code at} as a signature; 0 when they are not in the file. */
  private static int sig(Source src, long at) throws IOException {
    return at < 0 || at > src.size() - 4 ? 0 : le32(src.read(at, 4), 0);
  }

  /** Where the last entry ends, past its data descriptor (CRC and sizes written after the data) if it has one. */
  private static long afterDescriptor(Source src, Entry last, long cdOffset) throws IOException {
    long p = last.dataEnd();
    if ((last.flags() & 8) != 0) {
      p += sig(src, p) == 0x08074b50 ? 16 : 12;
    }
    return Math.min(p, cdOffset);
  }

  private static int endAt(byte[] z) {
    for (int i = z.length - 22; i >= 0 && i >= z.length - 22 - 65535; i--) {
      if (le32(z, i) == END && i + 22 + le16(z, i + 20) == z.length) {
        return i;
      }
    }
    return -1;
  }

  /** Central-directory record at {@code p} of {@code z} (the directory, at {@code cdOffset} in the file). */
  private static Entry central(Source src, byte[] z, int p, int stop, long cdOffset, int index, long shift,
      String subject) throws IOException {
    if (p + 46 > stop || le32(z, p) != CENTRAL) {
      throw corrupt(subject, "no central-directory record at offset " + (cdOffset + p));
    }
    int n = le16(z, p + 28);
    int m = le16(z, p + 30);
    int k = le16(z, p + 32);
    if ((long) p + 46 + n + m + k > stop) {
      throw corrupt(subject, "central-directory record " + index + " runs past the central directory");
    }
    String name = new String(z, p + 46, n, StandardCharsets.UTF_8);
    Map<Integer, byte[]> extra = extra(z, p + 46 + n, m, subject, name);
    long compressed = le32u(z, p + 20);
    long size = le32u(z, p + 24);
    long local = le32u(z, p + 42);
    byte[] z64 = extra.get(0x0001);
    if (z64 != null) { // only the fields whose 32-bit value is all ones are there, in this order
      int q = 0;
      if (size == 0xffffffffL && q + 8 <= z64.length) {
        size = le64(z64, q);
        q += 8;
      }
      if (compressed == 0xffffffffL && q + 8 <= z64.length) {
        compressed = le64(z64, q);
        q += 8;
      }
      if (local == 0xffffffffL && q + 8 <= z64.length) {
        local = le64(z64, q);
      }
    }
    local = local < 0 || local > Long.MAX_VALUE - shift ? -1 : local + shift;
    if (le16(z, p + 34) != 0) {
      throw corrupt(subject, "entry " + name + " is on another disk");
    }
    long length = src.size();
    if (local < 0 || local > length - 30) {
      throw corrupt(subject, "entry " + name + "'s local header (offset " + local + ") is not in the file");
    }
    byte[] h = src.read(local, 30);
    if (le32(h, 0) != LOCAL) {
      throw corrupt(subject, "entry " + name + "'s local header (offset " + local + ") is not in the file");
    }
    int ln = le16(h, 26);
    int lm = le16(h, 28);
    long data = local + 30 + ln + lm;
    if (compressed < 0 || size < 0 || data > length || compressed > length - data) {
      throw corrupt(subject, "entry " + name + "'s data (" + compressed + " bytes at " + data
          + ") runs past the end of the file");
    }
    byte[] localExtra = src.read(local + 30 + ln, lm);
    return new Entry(index, name, le16(z, p + 4), le16(z, p + 6), le16(z, p + 8), le16(z, p + 10),
        le32u(z, p + 12), le32u(z, p + 16), compressed, size, le16(z, p + 36), le32u(z, p + 38), extra,
        new String(z, p + 46 + n + m, k, StandardCharsets.UTF_8), local, le16(h, 4), le16(h, 6),
        le16(h, 8), le32u(h, 10), extra(localExtra, 0, lm, subject, name), data);
  }

  /** Extra fields by id (a repeated id keeps its first); a field that runs past its block is corrupt. */
  private static Map<Integer, byte[]> extra(byte[] z, int at, int len, String subject, String name) {
    Map<Integer, byte[]> out = new LinkedHashMap<>();
    int p = at;
    int end = at + len;
    while (p + 4 <= end) {
      int id = le16(z, p);
      int n = le16(z, p + 2);
      if (p + 4 + n > end) {
        // zipalign and some writers pad with bytes that are not a field: kept as what they are
        out.putIfAbsent(-1, Arrays.copyOfRange(z, p, end));
        return out;
      }
      out.putIfAbsent(id, Arrays.copyOfRange(z, p + 4, p + 4 + n));
      p += 4 + n;
    }
    if (p < end) {
      out.putIfAbsent(-1, Arrays.copyOfRange(z, p, end));
    }
    return out;
  }

  /** Whether two entries' stored bytes (compressed data and method) are the same, so their contents are. */
  static boolean sameData(Archive a, Entry x, Archive b, Entry y) throws IOException {
    if (x.method() != y.method() || x.compressedSize() != y.compressedSize()) {
      return false;
    }
    byte[] ba = new byte[CHUNK];
    byte[] bb = new byte[CHUNK];
    for (long done = 0; done < x.compressedSize(); ) {
      int n = (int) Math.min(CHUNK, x.compressedSize() - done);
      a.source().read(x.dataOffset() + done, ba, 0, n);
      b.source().read(y.dataOffset() + done, bb, 0, n);
      if (!Arrays.equals(ba, 0, n, bb, 0, n)) {
        return false;
      }
      done += n;
    }
    return true;
  }

  /**
   * An entry's content: stored or deflated, within {@code room} bytes and the ratio; checked against its declared
   * size and CRC. Other methods and encrypted entries: their stored bytes as they are ({@code raw[0]} says so),
   * within {@code room} too.
   */
  static byte[] content(Archive a, Entry e, long room, long maxRatio, String subject, boolean[] raw)
      throws IOException {
    Source z = a.source();
    long len = e.compressedSize();
    if (e.encrypted() || e.method() != 0 && e.method() != 8) {
      raw[0] = true;
      if (len > room) {
        throw new CheckException(CompareCode.NESTED_TOO_LARGE, subject, "entry " + ArchiveDiff.shown(e.name())
            + " stores " + len + " bytes, more than the " + room + " left to read while explaining this file");
      }
      return z.read(e.dataOffset(), (int) len);
    }
    raw[0] = false;
    if (e.size() > room) {
      throw new CheckException(CompareCode.NESTED_TOO_LARGE, subject, "entry " + ArchiveDiff.shown(e.name()) + " declares " + e.size()
          + " bytes, more than the " + room + " left to decompress while explaining this file");
    }
    if (e.size() > RATIO_SLACK && e.size() > maxRatio * Math.max(1, len)) {
      throw new CheckException(CompareCode.NESTED_DECOMPRESSION_BOMB, subject, "entry " + ArchiveDiff.shown(e.name())
          + " declares "
          + e.size() + " bytes from " + len + " (ratio over " + maxRatio + ":1)");
    }
    byte[] out;
    if (e.method() == 0) {
      if (e.size() != len) {
        throw corrupt(subject, "stored entry " + e.name() + " declares " + e.size() + " bytes but holds " + len);
      }
      out = z.read(e.dataOffset(), (int) len);
    } else {
      out = inflate(z, e, subject);
    }
    CRC32 crc = new CRC32();
    crc.update(out);
    if (crc.getValue() != e.crc()) {
      throw corrupt(subject, "entry " + e.name() + "'s CRC is " + Long.toHexString(e.crc()) + ", its content's "
          + Long.toHexString(crc.getValue()));
    }
    return out;
  }

  private static final int CHUNK = 1 << 16;

  /**
   * Raw deflate, its input read from the source a chunk at a time, never past the declared size (so never past the
   * room and ratio checked against it).
   */
  private static byte[] inflate(Source z, Entry e, String subject) throws IOException {
    Inflater inf = new Inflater(true);
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(e.size(), CHUNK));
      byte[] buf = new byte[CHUNK];
      byte[] in = new byte[(int) Math.min(CHUNK, Math.max(1, e.compressedSize()))];
      long read = 0;
      boolean padded = false;
      while (!inf.finished()) {
        if (inf.needsInput() && read < e.compressedSize()) {
          int n = (int) Math.min(in.length, e.compressedSize() - read);
          z.read(e.dataOffset() + read, in, 0, n);
          read += n;
          inf.setInput(in, 0, n);
        }
        int n = inf.inflate(buf);
        if (n == 0) {
          if (inf.needsInput() && read < e.compressedSize()) {
            continue;
          }
          if (inf.needsInput() && !padded) {
            inf.setInput(new byte[1]); // raw inflate may want one byte past the data to finish
            padded = true;
            continue;
          }
          if (inf.needsInput() || inf.needsDictionary()) {
            throw corrupt(subject, "entry " + e.name() + "'s deflate data ends early");
          }
        }
        if (out.size() + (long) n > e.size()) {
          throw corrupt(subject, "entry " + e.name() + " inflates to more than its declared " + e.size() + " bytes");
        }
        out.write(buf, 0, n);
      }
      if (out.size() != e.size()) {
        throw corrupt(subject, "entry " + e.name() + " inflates to " + out.size() + " bytes, not its declared "
            + e.size());
      }
      return out.toByteArray();
    } catch (DataFormatException ex) {
      throw corrupt(subject, "entry " + e.name() + "'s deflate data is corrupt: " + ex.getMessage());
    } finally {
      inf.end();
    }
  }

  private static CheckException corrupt(String subject, String message) {
    return CheckException.integrity(CompareCode.NESTED_CORRUPT, subject, ArchiveDiff.shown(message));
  }

  static int le16(byte[] b, int i) {
    if (i < 0 || i + 2 > b.length) {
      throw new IndexOutOfBoundsException("offset " + i);
    }
    return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
  }

  static int le32(byte[] b, int i) {
    if (i < 0 || i + 4 > b.length) {
      return 0;
    }
    return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
  }

  static long le32u(byte[] b, int i) {
    if (i < 0 || i + 4 > b.length) {
      throw new IndexOutOfBoundsException("offset " + i);
    }
    return le32(b, i) & 0xffffffffL;
  }

  /** A 64-bit field; negative when its top bit is set (callers reject negatives as out of the file). */
  static long le64(byte[] b, int i) {
    return le32u(b, i) | le32u(b, i + 4) << 32;
  }
}
