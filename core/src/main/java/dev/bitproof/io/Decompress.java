package dev.bitproof.io;

import com.github.luben.zstd.ZstdInputStream;
import dev.bitproof.oci.MediaType;
import dev.bitproof.report.CheckException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Opens compressed streams with bomb guards: an absolute limit on the output and a limit on the ratio of output
 * to input. Either trips {@code DECOMPRESSION_BOMB}.
 */
public final class Decompress {
  /** Defaults generous enough for real images (largest real layers are a few GiB, ratios rarely above 100). */
  public static final long DEFAULT_MAX_OUTPUT = 16L * 1024 * 1024 * 1024;
  public static final long DEFAULT_MAX_RATIO = 1000;

  private Decompress() {}

  /** Opens a layer blob per its media type's compression. */
  public static InputStream layer(MediaType mt, InputStream compressed, String subject) throws IOException {
    return open(mt.layerCompression(), compressed, DEFAULT_MAX_OUTPUT, DEFAULT_MAX_RATIO, subject);
  }

  public static InputStream open(MediaType.Compression c, InputStream compressed, long maxOutput, long maxRatio,
      String subject) throws IOException {
    CountingInputStream counted = new CountingInputStream(compressed);
    InputStream raw = switch (c) {
      case NONE -> counted;
      case GZIP -> {
        try {
          yield new GZIPInputStream(counted, 65536);
        } catch (java.util.zip.ZipException e) {
          throw new CheckException("LAYER_NOT_GZIP", subject, "layer is not gzip data: " + e.getMessage(), e);
        }
      }
      case ZSTD -> new ZstdInputStream(counted);
    };
    if (c == MediaType.Compression.NONE) {
      return new LimitedInputStream(raw, maxOutput, "LAYER_TOO_LARGE", subject);
    }
    return new RatioGuard(raw, counted, maxOutput, maxRatio, subject);
  }

  /** Gzip with the same guards. */
  public static InputStream gzip(InputStream compressed, long maxOutput, long maxRatio, String subject) throws IOException {
    return open(MediaType.Compression.GZIP, compressed, maxOutput, maxRatio, subject);
  }

  /** Counts bytes read from the compressed side. */
  public static final class CountingInputStream extends FilterInputStream {
    private long count;

    public CountingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    public long count() {
      return count;
    }
  }

  private static final class RatioGuard extends FilterInputStream {
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
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        check(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = super.read(b, off, len);
      } catch (java.io.EOFException e) {
        throw CheckException.integrity("COMPRESSED_TRUNCATED", subject, "compressed stream ends early");
      } catch (java.util.zip.ZipException e) {
        throw CheckException.integrity("COMPRESSED_CORRUPT", subject, "corrupt compressed data: " + e.getMessage());
      }
      if (n > 0) {
        check(n);
      }
      return n;
    }

    private void check(long n) {
      out += n;
      if (out > maxOutput) {
        throw new CheckException("DECOMPRESSION_BOMB", subject, "decompresses to more than " + maxOutput + " bytes");
      }
      if (out > SLACK && out > maxRatio * Math.max(1, compressed.count())) {
        throw new CheckException("DECOMPRESSION_BOMB", subject,
            "decompression ratio over " + maxRatio + ":1 (" + compressed.count() + " bytes in, " + out + " out)");
      }
    }
  }
}
