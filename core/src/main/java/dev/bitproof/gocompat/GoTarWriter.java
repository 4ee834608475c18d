package dev.bitproof.gocompat;

import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes a tar stream with the exact bytes of Go's {@code archive/tar} {@code Writer} used with an unspecified
 * {@code Format} (what apko does): USTAR when the header fits it, otherwise PAX; PAX records sorted by key;
 * devmajor/devminor always written; data padded to 512; {@link #close()} writes exactly two zero blocks and no
 * record padding.
 */
public final class GoTarWriter implements AutoCloseable {
  public static final int BLOCK = 512;
  private static final int NAME_SIZE = 100;
  private static final int PREFIX_SIZE = 155;

  /** Tar type flags apko writes. */
  public static final byte TYPE_REG = '0';
  public static final byte TYPE_LINK = '1';
  public static final byte TYPE_SYMLINK = '2';
  public static final byte TYPE_CHAR = '3';
  public static final byte TYPE_BLOCK = '4';
  public static final byte TYPE_DIR = '5';
  public static final byte TYPE_FIFO = '6';

  /**
   * One header as {@code tar.Header} holds it (after {@code WriteHeader}'s rounding: seconds only, no atime/ctime).
   *
   * @param mode permission bits plus 04000/02000/01000, no file-type bits
   * @param mtime seconds since the epoch; 0 for Go's zero time (both write 0)
   * @param paxRecords extra PAX records (apko: only {@code SCHILY.xattr.*}); any forces PAX
   */
  public record Header(String name, byte typeflag, long mode, long uid, long gid, String uname, String gname,
      long size, long mtime, String linkname, long devmajor, long devminor, Map<String, String> paxRecords) {
    public Header {
      Objects.requireNonNull(name, "name");
      uname = uname == null ? "" : uname;
      gname = gname == null ? "" : gname;
      linkname = linkname == null ? "" : linkname;
      paxRecords = paxRecords == null ? Map.of() : Map.copyOf(paxRecords);
    }
  }

  private final OutputStream out;
  private long remaining;
  private long pad;
  private long written;
  private boolean closed;

  public GoTarWriter(OutputStream out) {
    this.out = out;
  }

  /** Bytes written so far. */
  public long written() {
    return written;
  }

  public void writeHeader(Header h) throws IOException {
    flush();
    if (h.typeflag() == TYPE_REG && h.name().endsWith("/")) {
      throw new CheckException(GoCompatCode.TAR_HEADER_INVALID, h.name(), "filename may not have trailing slash");
    }
    // allowedFormats(): which of USTAR/PAX can hold this header, and the PAX records it needs
    boolean ustar = true;
    boolean pax = true;
    TreeMap<String, String> paxHdrs = new TreeMap<>(GoTarWriter::compareBytes);
    // verifyString
    for (String[] f : new String[][] {{h.name(), "100", "path"}, {h.linkname(), "100", "linkpath"},
        {h.uname(), "32", "uname"}, {h.gname(), "32", "gname"}}) {
      String s = f[0];
      int size = Integer.parseInt(f[1]);
      int len = utf8Length(s);
      boolean tooLong = len > size;
      if (!isAscii(s) || tooLong) {
        boolean canSplit = f[2].equals("path");
        if (!canSplit || splitUstarPath(s) == null) {
          ustar = false;
        }
        paxHdrs.put(f[2], s);
      }
    }
    // verifyNumeric: mode/devmajor/devminor have no PAX key
    if (!fitsInOctal(8, h.mode()) || !fitsInOctal(8, h.devmajor()) || !fitsInOctal(8, h.devminor())) {
      throw new CheckException(GoCompatCode.TAR_HEADER_INVALID, h.name(), "mode or device number does not fit a tar header");
    }
    if (!fitsInOctal(8, h.uid())) {
      ustar = false;
      paxHdrs.put("uid", Long.toString(h.uid()));
    }
    if (!fitsInOctal(8, h.gid())) {
      ustar = false;
      paxHdrs.put("gid", Long.toString(h.gid()));
    }
    if (!fitsInOctal(12, h.size())) {
      ustar = false;
      paxHdrs.put("size", Long.toString(h.size()));
    }
    // verifyTime: the zero time is skipped; a time outside 11 octal digits needs PAX
    if (h.mtime() != 0 && !fitsInOctal(12, h.mtime())) {
      ustar = false;
      paxHdrs.put("mtime", Long.toString(h.mtime()));
    }
    if (!h.paxRecords().isEmpty()) {
      for (Map.Entry<String, String> e : h.paxRecords().entrySet()) {
        if (!paxHdrs.containsKey(e.getKey()) && !BASIC_KEYS.contains(e.getKey())
            && !e.getKey().startsWith("GNU.sparse.")) {
          paxHdrs.put(e.getKey(), e.getValue());
        }
      }
      ustar = false;
    }
    if (ustar) {
      writeUstar(h);
    } else if (pax) {
      writePax(h, paxHdrs);
    }
  }

  private static final java.util.Set<String> BASIC_KEYS = java.util.Set.of("path", "linkpath", "size", "uid", "gid",
      "uname", "gname", "mtime", "atime", "ctime");

  /** Copies the entry's data; exactly {@code size} bytes must be written. */
  public void write(byte[] b, int off, int len) throws IOException {
    if (len > remaining) {
      throw new IllegalStateException("tar entry data longer than its header size");
    }
    out.write(b, off, len);
    remaining -= len;
    written += len;
  }

  public void write(byte[] b) throws IOException {
    write(b, 0, b.length);
  }

  private void flush() throws IOException {
    if (remaining > 0) {
      throw new IllegalStateException("tar entry data shorter than its header size: " + remaining + " missing");
    }
    if (pad > 0) {
      out.write(new byte[(int) pad]);
      written += pad;
      pad = 0;
    }
  }

  /** Finishes the archive: padding, then two zero blocks. Does not close the underlying stream. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    flush();
    out.write(new byte[2 * BLOCK]);
    written += 2 * BLOCK;
    closed = true;
  }

  private void writeUstar(Header h) throws IOException {
    String name = h.name();
    String prefix = "";
    String[] split = splitUstarPath(name);
    if (split != null) {
      prefix = split[0];
      name = split[1];
    }
    byte[] blk = template(h, name, false);
    formatString(blk, 345, 155, prefix);
    setUstarFormat(blk);
    writeRawHeader(blk, h.size(), h.typeflag());
  }

  private void writePax(Header h, TreeMap<String, String> paxHdrs) throws IOException {
    if (!paxHdrs.isEmpty()) {
      StringBuilder sb = new StringBuilder();
      for (Map.Entry<String, String> e : paxHdrs.entrySet()) {
        sb.append(formatPaxRecord(e.getKey(), e.getValue()));
      }
      byte[] data = sb.toString().getBytes(StandardCharsets.UTF_8);
      int slash = h.name().lastIndexOf('/');
      String dir = slash < 0 ? "" : h.name().substring(0, slash + 1);
      String file = h.name().substring(slash + 1);
      String xname = pathJoin(dir, "PaxHeaders.0", file);
      writeRawFile(xname, data, (byte) 'x');
    }
    byte[] blk = template(h, h.name(), true);
    setUstarFormat(blk);
    writeRawHeader(blk, h.size(), h.typeflag());
  }

  private void writeRawFile(String name, byte[] data, byte flag) throws IOException {
    byte[] blk = new byte[BLOCK];
    name = toAscii(name);
    if (name.length() > NAME_SIZE) {
      name = name.substring(0, NAME_SIZE);
    }
    name = name.replaceAll("/+$", "");
    blk[156] = flag;
    formatString(blk, 0, 100, name);
    formatOctal(blk, 100, 8, 0);
    formatOctal(blk, 108, 8, 0);
    formatOctal(blk, 116, 8, 0);
    formatOctal(blk, 124, 12, data.length);
    formatOctal(blk, 136, 12, 0);
    setUstarFormat(blk);
    writeRawHeader(blk, data.length, flag);
    write(data);
  }

  /** Go's {@code templateV7Plus}; in PAX mode strings are reduced to ASCII and truncated. */
  private static byte[] template(Header h, String name, boolean paxMode) {
    byte[] blk = new byte[BLOCK];
    blk[156] = h.typeflag();
    formatString(blk, 0, 100, paxMode ? toAscii(name) : name);
    formatString(blk, 157, 100, paxMode ? toAscii(h.linkname()) : h.linkname());
    formatOctal(blk, 100, 8, h.mode());
    formatOctal(blk, 108, 8, h.uid());
    formatOctal(blk, 116, 8, h.gid());
    formatOctal(blk, 124, 12, h.size());
    formatOctal(blk, 136, 12, h.mtime());
    formatString(blk, 265, 32, paxMode ? toAscii(h.uname()) : h.uname());
    formatString(blk, 297, 32, paxMode ? toAscii(h.gname()) : h.gname());
    formatOctal(blk, 329, 8, h.devmajor());
    formatOctal(blk, 337, 8, h.devminor());
    return blk;
  }

  private void writeRawHeader(byte[] blk, long size, byte flag) throws IOException {
    flush();
    out.write(blk);
    written += BLOCK;
    boolean headerOnly = flag == TYPE_LINK || flag == TYPE_SYMLINK || flag == TYPE_CHAR || flag == TYPE_BLOCK
        || flag == TYPE_DIR || flag == TYPE_FIFO;
    remaining = headerOnly ? 0 : size;
    pad = (BLOCK - (remaining % BLOCK)) % BLOCK;
  }

  private static void setUstarFormat(byte[] blk) {
    byte[] magic = {'u', 's', 't', 'a', 'r', 0, '0', '0'};
    System.arraycopy(magic, 0, blk, 257, 8);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (blk[i] & 0xff);
    }
    formatOctal(blk, 148, 7, sum);
    blk[155] = ' ';
  }

  private static void formatString(byte[] blk, int off, int len, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(b.length, len);
    System.arraycopy(b, 0, blk, off, n);
    if (b.length < len) {
      blk[off + b.length] = 0;
    }
    if (b.length > len && blk[off + len - 1] == '/') {
      int k = len;
      while (k > 0 && blk[off + k - 1] == '/') {
        k--;
      }
      blk[off + k] = 0;
    }
  }

  private static void formatOctal(byte[] blk, int off, int len, long x) {
    if (!fitsInOctal(len, x)) {
      x = 0;
    }
    String s = Long.toOctalString(x);
    int zeros = len - s.length() - 1;
    if (zeros > 0) {
      s = "0".repeat(zeros) + s;
    }
    formatString(blk, off, len, s);
  }

  static boolean fitsInOctal(int n, long x) {
    int octBits = (n - 1) * 3;
    return x >= 0 && (n >= 22 || x < (1L << octBits));
  }

  /** Go's {@code splitUSTARPath}: {prefix, name} or null. */
  static String[] splitUstarPath(String s) {
    int length = utf8Length(s);
    if (length <= NAME_SIZE || !isAscii(s)) {
      return null;
    } else if (length > PREFIX_SIZE + 1) {
      length = PREFIX_SIZE + 1;
    } else if (s.charAt(length - 1) == '/') {
      length--;
    }
    int i = s.substring(0, length).lastIndexOf('/');
    int nlen = s.length() - i - 1;
    int plen = i;
    if (i <= 0 || nlen > NAME_SIZE || nlen == 0 || plen > PREFIX_SIZE) {
      return null;
    }
    return new String[] {s.substring(0, i), s.substring(i + 1)};
  }

  /** Go's {@code formatPAXRecord}: the length prefix counts itself. */
  static String formatPaxRecord(String k, String v) {
    int size = utf8Length(k) + utf8Length(v) + 3;
    size += Integer.toString(size).length();
    String record = size + " " + k + "=" + v + "\n";
    if (utf8Length(record) != size) {
      size = utf8Length(record);
      record = size + " " + k + "=" + v + "\n";
    }
    return record;
  }

  private static String pathJoin(String dir, String mid, String file) {
    // path.Join cleans: dir has a trailing slash or is empty; file is non-empty for real entries
    StringBuilder sb = new StringBuilder();
    if (!dir.isEmpty()) {
      sb.append(dir.replaceAll("/+$", "")).append('/');
    }
    sb.append(mid);
    if (!file.isEmpty()) {
      sb.append('/').append(file);
    }
    return sb.toString();
  }

  static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  static String toAscii(String s) {
    if (isAscii(s)) {
      return s;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80 && c != 0) {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static int compareBytes(String a, String b) {
    return GoJson.compareUtf8(a, b);
  }
}
