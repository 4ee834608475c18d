package dev.bitproof.apk;

import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Splits concatenated gzip members exactly at their boundaries, streaming. APK v2 packages and APKINDEX files are
 * such concatenations, and every hash that matters (Q1, datahash, signatures) is over the <em>compressed</em> bytes
 * of one member, so a member's start and end must be known to the byte.
 *
 * <p>{@link #next} returns an {@link InputStream} over one member's decompressed content. The caller reads it (or
 * not); {@link Member#finish()} drains the rest, checks the CRC-32 and ISIZE trailer and returns where the member
 * lay, its compressed digests and optionally its raw bytes. Each member is bounded in output size and in ratio.
 */
public final class GzipMembers {
  /** Decompressed output below this many bytes never trips the ratio guard (tiny members compress oddly). */
  private static final long RATIO_SLACK = 1024 * 1024;
  private static final int MAX_HEADER_FIELD = 64 * 1024;

  private final InputStream in;
  private final String subject;
  private final byte[] buf = new byte[64 * 1024];
  private int pos;
  private int lim;
  private long bufStart;
  private boolean eof;
  private Member open;
  /** One inflater for every member: a many-member input must not allocate native state per member. */
  private final Inflater inflater = new Inflater(true);

  public GzipMembers(InputStream in, String subject) {
    this.in = in;
    this.subject = subject;
  }

  /** Where a member lay in the file and what its compressed bytes hash to. */
  public record Section(long offset, long length, byte[] sha1, byte[] sha256, long uncompressedSize, byte[] raw) {
    /** The raw compressed bytes, when they were kept (else empty). */
    public byte[] raw() {
      return raw == null ? new byte[0] : raw.clone();
    }

    public long end() {
      return offset + length;
    }
  }

  /** Limits for one member. */
  public record MemberLimits(long maxOutput, long maxRatio, long maxKeptRaw, Code bombCode, Code tooLargeCode) {}

  /** Offset in the whole input of the next unread byte. */
  public long position() {
    return bufStart + pos;
  }

  /** True when no byte follows (the previous member must be finished). */
  public boolean atEnd() throws IOException {
    if (open != null && !open.finished) {
      throw new IllegalStateException("previous member not finished");
    }
    return !fill();
  }

  /**
   * Starts the next member. {@code keepRaw} keeps its compressed bytes (up to {@code limits.maxKeptRaw}).
   *
   * @throws CheckException {@code notGzipCode} when the bytes are not a gzip member header
   */
  public Member next(MemberLimits limits, boolean keepRaw, Code notGzipCode) throws IOException {
    if (open != null && !open.finished) {
      throw new IllegalStateException("previous member not finished");
    }
    open = new Member(limits, keepRaw, notGzipCode, null);
    open.readHeader();
    return open;
  }

  /**
   * Reads every member from here to the end of the input as <em>one</em> stream, as apk-tools and apko read an APK's
   * data section (apko's gzip reader is in multistream mode for it; apk-tools hashes from the control boundary to the
   * end). Real packages carry data sections of several members. The output limit and ratio apply to the members
   * together; more than {@code maxMembers} members is {@code tooManyCode}.
   */
  public Rest rest(MemberLimits limits, long maxMembers, Code notGzipCode, Code tooManyCode) throws IOException {
    if (open != null && !open.finished) {
      throw new IllegalStateException("previous member not finished");
    }
    return new Rest(limits, maxMembers, notGzipCode, tooManyCode);
  }

  /** Consecutive members up to the end of the input, read as one stream; {@link #finish()} gives their section. */
  public final class Rest extends InputStream {
    private final MemberLimits limits;
    private final long maxMembers;
    private final Code notGzipCode;
    private final Code tooManyCode;
    private final MessageDigest[] digests = {md("SHA-1"), md("SHA-256")};
    private final long offset = position();
    private long members;
    private long out;
    private Member current;
    private boolean done;
    private Section section;

    private Rest(MemberLimits limits, long maxMembers, Code notGzipCode, Code tooManyCode) throws IOException {
      this.limits = limits;
      this.maxMembers = maxMembers;
      this.notGzipCode = notGzipCode;
      this.tooManyCode = tooManyCode;
      startMember();
    }

    private void startMember() throws IOException {
      if (++members > maxMembers) {
        throw CheckException.integrity(tooManyCode, subject, "more than " + maxMembers + " gzip members from offset "
            + offset + " (the data section reads as one stream of concatenated members)");
      }
      // each member may use what the members before it left of the budget
      MemberLimits left = new MemberLimits(Math.max(0, limits.maxOutput() - out), limits.maxRatio(),
          limits.maxKeptRaw(), limits.bombCode(), limits.tooLargeCode());
      current = new Member(left, false, notGzipCode, digests);
      open = current;
      current.readHeader();
    }

    /** How many gzip members have been started. */
    public long members() {
      return members;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (!done) {
        int n = current.read(b, off, len);
        if (n > 0) {
          out += n;
          long compressed = position() - offset;
          if (out > RATIO_SLACK && out > limits.maxRatio() * Math.max(1, compressed)) {
            throw CheckException.integrity(limits.bombCode(), subject, "gzip members from offset " + offset
                + " have a decompression ratio over " + limits.maxRatio() + ":1 (" + compressed + " bytes in, " + out
                + " out)");
          }
          return n;
        }
        current.finish();
        if (atEnd()) {
          done = true;
        } else {
          startMember();
        }
      }
      return -1;
    }

    /** Drains what the caller did not read (every member is checked) and returns where all the members lay. */
    public Section finish() throws IOException {
      if (section == null) {
        byte[] sink = new byte[16 * 1024];
        while (read(sink, 0, sink.length) >= 0) {
          // drained
        }
        section = new Section(offset, position() - offset, digests[0].digest(), digests[1].digest(), out, null);
      }
      return section;
    }

    @Override
    public void close() {
      // ended by finish(), as a Member
    }
  }

  private boolean fill() throws IOException {
    if (pos < lim) {
      return true;
    }
    if (eof) {
      return false;
    }
    bufStart += lim;
    pos = 0;
    lim = 0;
    int n = in.read(buf, 0, buf.length);
    while (n == 0) {
      n = in.read(buf, 0, buf.length);
    }
    if (n < 0) {
      eof = true;
      return false;
    }
    lim = n;
    return true;
  }

  /** One member being read. Read it as a stream, then call {@link #finish()}. */
  public final class Member extends InputStream {
    private final MemberLimits limits;
    private final MessageDigest sha1;
    private final MessageDigest sha256;
    private final ByteArrayOutputStream raw;
    private final Code notGzipCode;
    private final MessageDigest[] outer;
    private final CRC32 crc = new CRC32();
    private final long offset;
    private long compressed;
    private long out;
    private boolean deflateDone;
    private boolean finished;
    private Section section;

    Member(MemberLimits limits, boolean keepRaw, Code notGzipCode, MessageDigest[] outer) {
      this.limits = limits;
      this.raw = keepRaw ? new ByteArrayOutputStream() : null;
      this.notGzipCode = notGzipCode;
      this.outer = outer;
      // a member of a Rest is hashed only as part of the whole (per-member digests cost more than tiny members)
      this.sha1 = outer == null ? md("SHA-1") : null;
      this.sha256 = outer == null ? md("SHA-256") : null;
      this.offset = position();
      inflater.reset();
    }

    private void consumed(int from, int n) {
      if (n <= 0) {
        return;
      }
      if (sha1 != null) {
        sha1.update(buf, from, n);
        sha256.update(buf, from, n);
      }
      if (outer != null) {
        for (MessageDigest d : outer) {
          d.update(buf, from, n);
        }
      }
      if (raw != null) {
        if (raw.size() + (long) n > limits.maxKeptRaw()) {
          throw CheckException.integrity(limits.tooLargeCode(), subject,
              "compressed stream at offset " + offset + " is larger than " + limits.maxKeptRaw() + " bytes");
        }
        raw.write(buf, from, n);
      }
      compressed += n;
    }

    private int headerByte(boolean first) throws IOException {
      if (!fill()) {
        if (first) {
          throw CheckException.integrity(notGzipCode, subject, "no gzip stream at offset " + position());
        }
        throw truncated("in a gzip header");
      }
      int b = buf[pos] & 0xff;
      consumed(pos, 1);
      pos++;
      return b;
    }

    private CheckException truncated(String where) {
      return CheckException.integrity(ApkCode.APK_TRUNCATED, subject,
          "input ends " + where + " (gzip stream starting at offset " + offset + ", " + compressed + " bytes read)");
    }

    void readHeader() throws IOException {
      int id1 = headerByte(true);
      int id2 = headerByte(false);
      int cm = headerByte(false);
      if (id1 != 0x1f || id2 != 0x8b || cm != 8) {
        throw CheckException.integrity(notGzipCode, subject, "not a gzip stream at offset " + offset);
      }
      int flg = headerByte(false);
      if ((flg & 0xe0) != 0) {
        throw CheckException.integrity(notGzipCode, subject, "gzip header at offset " + offset + " has reserved flags set");
      }
      for (int i = 0; i < 6; i++) {
        headerByte(false); // MTIME, XFL, OS
      }
      if ((flg & 4) != 0) {
        int xlen = headerByte(false) | (headerByte(false) << 8);
        for (int i = 0; i < xlen; i++) {
          headerByte(false);
        }
      }
      if ((flg & 8) != 0) {
        zeroTerminated("file name");
      }
      if ((flg & 16) != 0) {
        zeroTerminated("comment");
      }
      if ((flg & 2) != 0) {
        headerByte(false);
        headerByte(false);
      }
    }

    private void zeroTerminated(String what) throws IOException {
      for (int i = 0; headerByte(false) != 0; i++) {
        if (i > MAX_HEADER_FIELD) {
          throw CheckException.integrity(notGzipCode, subject, "gzip header " + what + " longer than " + MAX_HEADER_FIELD);
        }
      }
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (!deflateDone) {
        if (inflater.needsInput()) {
          if (!fill()) {
            throw truncated("inside compressed data");
          }
          inflater.setInput(buf, pos, lim - pos);
        }
        int before = inflater.getRemaining();
        int n;
        try {
          n = inflater.inflate(b, off, len);
        } catch (DataFormatException e) {
          throw CheckException.integrity(ApkCode.APK_CORRUPT, subject,
              "corrupt deflate data in the gzip stream at offset " + offset + ": " + e.getMessage());
        }
        int used = before - inflater.getRemaining();
        consumed(pos, used);
        pos += used;
        if (inflater.finished()) {
          deflateDone = true;
        } else if (n == 0 && inflater.needsDictionary()) {
          throw CheckException.integrity(ApkCode.APK_CORRUPT, subject, "deflate stream needs a preset dictionary");
        }
        if (n > 0) {
          crc.update(b, off, n);
          count(n);
          return n;
        }
        if (!deflateDone && used == 0 && !inflater.needsInput()) {
          throw CheckException.integrity(ApkCode.APK_CORRUPT, subject, "deflate stream makes no progress at offset " + position());
        }
      }
      return -1;
    }

    private void count(long n) {
      out += n;
      if (out > limits.maxOutput()) {
        throw CheckException.integrity(limits.bombCode(), subject,
            "gzip stream at offset " + offset + " decompresses to more than " + limits.maxOutput() + " bytes");
      }
      if (out > RATIO_SLACK && out > limits.maxRatio() * Math.max(1, compressed)) {
        throw CheckException.integrity(limits.bombCode(), subject, "gzip stream at offset " + offset
            + " has a decompression ratio over " + limits.maxRatio() + ":1 (" + compressed + " bytes in, " + out + " out)");
      }
    }

    /** Drains what the caller did not read, checks the trailer and returns the member's section. */
    public Section finish() throws IOException {
      if (finished) {
        return section;
      }
      byte[] sink = new byte[16 * 1024];
      while (read(sink, 0, sink.length) >= 0) {
        // drained: the whole member must be valid and inside the limits, read or not
      }
      long storedCrc = 0;
      long storedSize = 0;
      for (int i = 0; i < 4; i++) {
        storedCrc |= (long) trailerByte() << (8 * i);
      }
      for (int i = 0; i < 4; i++) {
        storedSize |= (long) trailerByte() << (8 * i);
      }
      if (storedCrc != crc.getValue()) {
        throw CheckException.integrity(ApkCode.APK_CORRUPT, subject, "CRC-32 mismatch in the gzip stream at offset " + offset);
      }
      if (storedSize != (out & 0xffffffffL)) {
        throw CheckException.integrity(ApkCode.APK_CORRUPT, subject, "ISIZE mismatch in the gzip stream at offset " + offset);
      }
      finished = true;
      section = new Section(offset, compressed, sha1 == null ? new byte[0] : sha1.digest(),
          sha256 == null ? new byte[0] : sha256.digest(), out,
          raw == null ? null : raw.toByteArray());
      return section;
    }

    private int trailerByte() throws IOException {
      if (!fill()) {
        throw truncated("in a gzip trailer");
      }
      int v = buf[pos] & 0xff;
      consumed(pos, 1);
      pos++;
      return v;
    }

    @Override
    public void close() {
      // the member's life is ended by finish(); closing a tar reader over it must not end the inflater early
    }
  }

  static MessageDigest md(String alg) {
    try {
      return MessageDigest.getInstance(alg);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
