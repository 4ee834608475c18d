package dev.bitproof.deb;

import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The common ar format of {@code deb(5)}: {@code !<arch>\n}, then 60-byte headers (name 16, mtime 12, uid 6,
 * gid 6, mode 8 octal, size 10, {@code `\n}) each followed by the member and a pad byte to an even offset. GNU
 * and BSD long-name extensions are not part of the deb format and are refused.
 */
public final class ArArchive {
  public static final byte[] MAGIC = "!<arch>\n".getBytes(StandardCharsets.US_ASCII);
  /** A deb has 3 members plus a few signatures; more than this is refused. */
  public static final int MAX_MEMBERS = 64;

  /** One member: where its content lies in the file, and its header fields. */
  public record Member(String name, long offset, long size, long mtime, long uid, long gid, int mode) {}

  private ArArchive() {}

  /** Reads the member table; the channel is not closed. */
  public static List<Member> index(SeekableByteChannel ch, String subject) throws IOException {
    long fileSize = ch.size();
    ch.position(0);
    byte[] magic = readFully(ch, MAGIC.length, subject, "the ar magic");
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw CheckException.integrity(DebCode.DEB_NOT_AR, subject, "not an ar archive (no !<arch> magic)");
    }
    List<Member> out = new ArrayList<>();
    long pos = MAGIC.length;
    while (pos < fileSize) {
      if (out.size() >= MAX_MEMBERS) {
        throw CheckException.integrity(DebCode.DEB_AR_MALFORMED, subject, "more than " + MAX_MEMBERS + " ar members");
      }
      ch.position(pos);
      if (fileSize - pos == 1 && (pos & 1) == 1) {
        break; // a final pad byte
      }
      byte[] h = readFully(ch, 60, subject, "an ar header at offset " + pos);
      String header = new String(h, StandardCharsets.ISO_8859_1);
      if (h[58] != '`' || h[59] != '\n') {
        throw CheckException.integrity(DebCode.DEB_AR_MALFORMED, subject, "bad ar header terminator at offset " + pos);
      }
      String rawName = header.substring(0, 16).stripTrailing();
      String name = rawName.endsWith("/") ? rawName.substring(0, rawName.length() - 1) : rawName;
      if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..") || name.contains("..")
          || name.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        throw CheckException.integrity(DebCode.DEB_AR_MEMBER_NAME_INVALID, subject,
            "ar member name '" + rawName + "' at offset " + pos + " is not a plain file name");
      }
      long mtime = number(header.substring(16, 28), 10, subject, "mtime");
      long uid = number(header.substring(28, 34), 10, subject, "uid");
      long gid = number(header.substring(34, 40), 10, subject, "gid");
      int mode = (int) number(header.substring(40, 48), 8, subject, "mode");
      long size = number(header.substring(48, 58), 10, subject, "size");
      long start = pos + 60;
      if (start + size > fileSize) {
        throw CheckException.integrity(DebCode.DEB_AR_TRUNCATED, subject,
            "member " + name + " needs " + size + " bytes but the file ends after " + (fileSize - start));
      }
      out.add(new Member(name, start, size, mtime, uid, gid, mode));
      pos = start + size + (size & 1);
    }
    return out;
  }

  /** The bytes of one member, streamed from the channel (each stream keeps its own position). */
  public static InputStream open(SeekableByteChannel ch, Member m) {
    return new InputStream() {
      private long pos = m.offset();
      private final long end = m.offset() + m.size();

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (pos >= end) {
          return -1;
        }
        ch.position(pos);
        int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - pos)));
        if (n < 0) {
          throw CheckException.integrity(DebCode.DEB_AR_TRUNCATED, m.name(), "the file ends inside member " + m.name());
        }
        pos += n;
        return n;
      }

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        while ((n = read(one, 0, 1)) == 0) {
          // retry
        }
        return n < 0 ? -1 : one[0] & 0xff;
      }
    };
  }

  private static long number(String field, int radix, String subject, String what) {
    String s = field.strip();
    if (s.isEmpty()) {
      return 0;
    }
    try {
      long v = Long.parseLong(s, radix);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw CheckException.integrity(DebCode.DEB_AR_MALFORMED, subject, "ar header " + what + " '" + s + "' is not a number");
    }
  }

  private static byte[] readFully(SeekableByteChannel ch, int n, String subject, String what) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw CheckException.integrity(DebCode.DEB_AR_TRUNCATED, subject, "the file ends inside " + what);
      }
    }
    return b.array();
  }
}
