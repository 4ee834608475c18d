package dev.bitproof.io;

import com.github.luben.zstd.ZstdInputStream;
import dev.bitproof.oci.MediaType;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.tukaani.xz.MemoryLimitException;
import org.tukaani.xz.XZInputStream;

/**
 * Opens compressed streams (image layers, deb members, Packages indexes, rootfs tars) behind one bomb guard: an
 * absolute limit on the output and a limit on the ratio of output to input, either of which trips
 * {@code DECOMPRESSION_BOMB}. Bad data from the decompressor is an integrity error: {@code COMPRESSED_CORRUPT},
 * or {@code COMPRESSED_TRUNCATED} when the stream ends early. A failure of the compressed source itself (a network
 * or disk error) passes through unchanged: it says nothing about the data.
 */
public final class Decompress {
  /** Defaults generous enough for real images (largest real layers are a few GiB, ratios rarely above 100). */
  public static final long DEFAULT_MAX_OUTPUT = 16L * 1024 * 1024 * 1024;
  public static final long DEFAULT_MAX_RATIO = 1000;

  /** xz's memory limit (KiB): xz -9 needs 64 MiB of dictionary; more is refused as a bomb. */
  static final int XZ_MEMORY_LIMIT_KIB = 256 * 1024;

  /** A compression, as a file name or magic bytes say. */
  public enum Format {
    NONE(""), GZIP(".gz"), XZ(".xz"), ZSTD(".zst"), BZIP2(".bz2");

    private final String suffix;

    Format(String suffix) {
      this.suffix = suffix;
    }

    public String suffix() {
      return suffix;
    }

    /** By file-name suffix ({@code data.tar.xz}, {@code Packages.gz}); {@link #NONE} for any other name. */
    public static Format bySuffix(String name) {
      for (Format f : values()) {
        if (f != NONE && name.endsWith(f.suffix)) {
          return f;
        }
      }
      return NONE;
    }

    /** By magic bytes at the start of {@code head}; {@link #NONE} when none matches. */
    public static Format byMagic(byte[] head) {
      if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
        return GZIP;
      }
      if (head.length >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X'
          && head[4] == 'Z' && head[5] == 0) {
        return XZ;
      }
      if (head.length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
          && (head[3] & 0xff) == 0xfd) {
        return ZSTD;
      }
      if (head.length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
        return BZIP2;
      }
      return NONE;
    }

    static Format of(MediaType.Compression c) {
      return switch (c) {
        case NONE -> NONE;
        case GZIP -> GZIP;
        case ZSTD -> ZSTD;
      };
    }
  }

  private Decompress() {}

  /**
   * Opens a layer blob per its media type's compression. A blob whose first bytes are another format than the
   * media type names (gzip bytes labelled zstd or uncompressed, zstd labelled gzip) is
   * {@code LAYER_MEDIA_TYPE_MISMATCH}, an integrity failure: the descriptor was read and proved wrong. (A gzip
   * label on bytes of no known format stays {@code LAYER_NOT_GZIP}.) Only the magic bytes are read ahead.
   */
  public static InputStream layer(MediaType mt, InputStream compressed, String subject) throws IOException {
    java.io.PushbackInputStream pb = new java.io.PushbackInputStream(compressed, 8);
    byte[] head = pb.readNBytes(6);
    pb.unread(head);
    Format said = Format.of(mt.layerCompression());
    Format is = Format.byMagic(head);
    if (head.length > 0 && said != is && !(said == Format.GZIP && is == Format.NONE)) {
      throw CheckException.integrity(IoCode.LAYER_MEDIA_TYPE_MISMATCH, subject, "media type " + mt + " says "
          + said.name().toLowerCase(java.util.Locale.ROOT) + " but the blob's bytes are "
          + (is == Format.NONE ? "not compressed" : is.name().toLowerCase(java.util.Locale.ROOT)));
    }
    return open(mt.layerCompression(), pb, DEFAULT_MAX_OUTPUT, DEFAULT_MAX_RATIO, subject);
  }

  /**
   * A layer blob: an uncompressed one over {@code maxOutput} is {@code LAYER_TOO_LARGE}, a gzip one without a
   * gzip header {@code LAYER_NOT_GZIP} (the media type lied; nothing was checked).
   */
  public static InputStream open(MediaType.Compression c, InputStream compressed, long maxOutput, long maxRatio,
      String subject) throws IOException {
    if (c == MediaType.Compression.NONE) {
      return new LimitedInputStream(compressed, maxOutput, IoCode.LAYER_TOO_LARGE, subject);
    }
    return open(Format.of(c), compressed, maxOutput, maxRatio, subject, IoCode.LAYER_NOT_GZIP);
  }

  /** Gzip with the same guards. */
  public static InputStream gzip(InputStream compressed, long maxOutput, long maxRatio, String subject) throws IOException {
    return open(MediaType.Compression.GZIP, compressed, maxOutput, maxRatio, subject);
  }

  /**
   * Any {@link Format}; {@link Format#NONE} passes the bytes through under the output limit only. A header that
   * is not of the format is {@code COMPRESSED_CORRUPT}.
   */
  public static InputStream open(Format format, InputStream compressed, long maxOutput, long maxRatio, String subject)
      throws IOException {
    return open(format, compressed, maxOutput, maxRatio, subject, null);
  }

  /** Opens {@code in} as the format its first bytes name. */
  public static InputStream sniff(InputStream in, long maxOutput, long maxRatio, String subject) throws IOException {
    BufferedInputStream b = new BufferedInputStream(in, 1 << 16);
    b.mark(8);
    byte[] head = b.readNBytes(6);
    b.reset();
    return open(Format.byMagic(head), b, maxOutput, maxRatio, subject);
  }

  private static InputStream open(Format format, InputStream compressed, long maxOutput, long maxRatio,
      String subject, Code notGzipCode) throws IOException {
    // xz and bzip2 read their input a byte at a time; the others read blocks and must not read ahead of the
    // caller, who may digest the rest of the blob after the compressed stream ends
    boolean byteWise = format == Format.XZ || format == Format.BZIP2;
    CountingInputStream counted = new CountingInputStream(
        byteWise && !(compressed instanceof BufferedInputStream) ? new BufferedInputStream(compressed, 1 << 16)
            : compressed);
    InputStream raw;
    try {
      raw = switch (format) {
        case NONE -> counted;
        case GZIP -> new GZIPInputStream(counted, 1 << 16);
        case XZ -> new XZInputStream(counted, XZ_MEMORY_LIMIT_KIB);
        case ZSTD -> new ZstdInputStream(counted);
        case BZIP2 -> new BZip2CompressorInputStream(counted);
      };
    } catch (ZipException e) {
      if (notGzipCode != null) {
        throw new CheckException(notGzipCode, subject, "layer is not gzip data: " + e.getMessage(), e);
      }
      throw CheckException.integrity(IoCode.COMPRESSED_CORRUPT, subject, "not " + format + " data: " + e.getMessage());
    } catch (IOException e) {
      throw translate(e, counted, subject, "not " + format + " data: ");
    }
    return new RatioGuard(raw, counted, maxOutput, format == Format.NONE ? Long.MAX_VALUE : maxRatio, subject);
  }

  /** What an exception out of a decompressor means: a bomb, bad data, or the source's own failure. */
  private static IOException translate(IOException e, CountingInputStream counted, String subject, String prefix) {
    if (e == counted.failure()) {
      return e;
    }
    if (e.getCause() instanceof CheckException ce) {
      throw ce;
    }
    if (e instanceof MemoryLimitException m) {
      throw new CheckException(IoCode.DECOMPRESSION_BOMB, subject, "xz stream needs " + m.getMemoryNeeded()
          + " KiB of memory (limit " + XZ_MEMORY_LIMIT_KIB + ")", e);
    }
    if (e instanceof EOFException) {
      throw CheckException.integrity(IoCode.COMPRESSED_TRUNCATED, subject, "compressed stream ends early");
    }
    throw CheckException.integrity(IoCode.COMPRESSED_CORRUPT, subject, prefix + e.getMessage());
  }

  /** Counts bytes read from the compressed side, and remembers the source's own failure. */
  public static final class CountingInputStream extends FilterInputStream {
    private long count;
    private IOException failure;

    public CountingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b;
      try {
        b = super.read();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = super.read(b, off, len);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
      if (n > 0) {
        count += n;
      }
      return n;
    }

    public long count() {
      return count;
    }

    IOException failure() {
      return failure;
    }
  }

  private static final class RatioGuard extends ReadThroughInputStream {
    private static final long SLACK = 1024 * 1024;
    private final CountingInputStream compressed;
    private final long maxOutput;
    private final long maxRatio;
    private final String subject;
    private long out;

    RatioGuard(InputStream in, CountingInputStream compressed, long maxOutput, long maxRatio, String subject) {
      super(in);
      this.compressed = compressed;
      this.maxOutput = maxOutput;
      this.maxRatio = maxRatio;
      this.subject = subject;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = super.read(b, off, len);
      } catch (CheckException e) {
        throw e;
      } catch (IOException e) {
        throw translate(e, compressed, subject, "corrupt compressed data: ");
      } catch (RuntimeException e) {
        // zstd-jni reports some corrupt frames as RuntimeException subclasses
        throw CheckException.integrity(IoCode.COMPRESSED_CORRUPT, subject, "corrupt compressed data: " + e.getMessage());
      }
      if (n > 0) {
        check(n);
      }
      return n;
    }

    private void check(long n) {
      out += n;
      if (out > maxOutput) {
        throw new CheckException(IoCode.DECOMPRESSION_BOMB, subject, "decompresses to more than " + maxOutput + " bytes");
      }
      long in = Math.max(1, compressed.count());
      long limit = in > Long.MAX_VALUE / Math.max(1, maxRatio) ? Long.MAX_VALUE : maxRatio * in; // no overflow
      if (out > SLACK && out > limit) {
        throw new CheckException(IoCode.DECOMPRESSION_BOMB, subject,
            "decompression ratio over " + maxRatio + ":1 (" + compressed.count() + " bytes in, " + out + " out)");
      }
    }
  }
}
