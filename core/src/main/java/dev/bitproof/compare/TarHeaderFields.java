package dev.bitproof.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fields of a 512-byte ustar header block (POSIX.1-1988 layout, which GNU and PAX tars share) and which of them
 * two blocks encode differently: what diffoscope shows for "the same entry, written by another tar writer"
 * (devmajor as NULs instead of octal zeros, a checksum terminated differently, a trailing '/' on a directory name).
 */
final class TarHeaderFields {
  /** A field whose bytes differ, both values shown as {@link #show} renders them. */
  record Difference(String field, String a, String b) {}

  private record Field(String name, int offset, int length) {}

  private static final List<Field> FIELDS = List.of(new Field("name", 0, 100), new Field("mode", 100, 8),
      new Field("uid", 108, 8), new Field("gid", 116, 8), new Field("size", 124, 12), new Field("mtime", 136, 12),
      new Field("typeflag", 156, 1), new Field("linkname", 157, 100), new Field("magic", 257, 6),
      new Field("version", 263, 2), new Field("uname", 265, 32), new Field("gname", 297, 32),
      new Field("devmajor", 329, 8), new Field("devminor", 337, 8), new Field("prefix", 345, 155),
      new Field("pad", 500, 12), new Field("chksum", 148, 8));

  private TarHeaderFields() {}

  /** The fields (checksum last) whose bytes differ; empty when either block is missing or they are equal. */
  static List<Difference> differences(byte[] a, byte[] b) {
    if (a == null || b == null || a.length != 512 || b.length != 512 || Arrays.equals(a, b)) {
      return List.of();
    }
    List<Difference> out = new ArrayList<>();
    for (Field f : FIELDS) {
      if (!Arrays.equals(a, f.offset, f.offset + f.length, b, f.offset, f.offset + f.length)) {
        out.add(new Difference(f.name, show(a, f.offset, f.length), show(b, f.offset, f.length)));
      }
    }
    return out;
  }

  /**
   * The field's bytes as a quoted, readable string: printable ASCII as is, {@code \0} for NUL, {@code \xNN} for any
   * other byte, a run of trailing NULs as {@code \0×N}.
   */
  static String show(byte[] h, int off, int len) {
    int end = off + len;
    int nuls = 0;
    while (end > off && h[end - 1] == 0) {
      end--;
      nuls++;
    }
    StringBuilder sb = new StringBuilder("\"");
    for (int i = off; i < end; i++) {
      int c = h[i] & 0xff;
      if (c == 0) {
        sb.append("\\0");
      } else if (c == '"' || c == '\\') {
        sb.append('\\').append((char) c);
      } else if (c >= 0x20 && c < 0x7f) {
        sb.append((char) c);
      } else {
        sb.append(String.format("\\x%02x", c));
      }
    }
    if (nuls == 1) {
      sb.append("\\0");
    } else if (nuls > 1) {
      sb.append("\\0×").append(nuls);
    }
    return sb.append('"').toString();
  }
}
