package dev.bitproof.deb;

import com.github.luben.zstd.ZstdInputStream;
import dev.bitproof.io.Decompress;
import dev.bitproof.report.CheckException;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The compressions Debian uses (deb members, Packages indexes, rootfs tars) with bomb guards: an absolute output
 * limit and an output/input ratio limit, both {@code DECOMPRESSION_BOMB}; corrupt data is
 * {@code COMPRESSED_CORRUPT}, a stream that ends early {@code COMPRESSED_TRUNCATED}.
 */
public final class DebDecompress {
  /** What a file name or magic says. */
  public enum Kind {
    NONE(""), GZIP(".gz"), XZ(".xz"), ZSTD(".zst"), BZIP2(".bz2");

    private final String suffix;

    Kind(String suffix) {
      this.suffix = suffix;
    }

    public String suffix() {
      return suffix;
    }
  }

  /** xz's memory limit (KiB): xz -9 needs 64 MiB of dictionary; more is refused as a bomb. */
  static final int XZ_MEMORY_LIMIT_KIB = 256 * 1024;

  private DebDecompress() {}

  /** By file-name suffix ({@code data.tar.xz}, {@code Packages.gz}); {@code null} for an unknown suffix. */
  public static Kind bySuffix(String name) {
    if (name.endsWith(".gz")) {
      return Kind.GZIP;
    }
    if (name.endsWith(".xz")) {
      return Kind.XZ;
    }
    if (name.endsWith(".zst")) {
      return Kind.ZSTD;
    }
    if (name.endsWith(".bz2")) {
      return Kind.BZIP2;
    }
    return Kind.NONE;
  }

  /** By magic bytes at the start of {@code head}. */
  public static Kind byMagic(byte[] head) {
    if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return Kind.GZIP;
    }
    if (head.length >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X'
        && head[4] == 'Z' && head[5] == 0) {
      return Kind.XZ;
    }
    if (head.length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
        && (head[3] & 0xff) == 0xfd) {
      return Kind.ZSTD;
    }
    if (head.length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
      return Kind.BZIP2;
    }
    return Kind.NONE;
  }

  /** Opens {@code in} after sniffing its magic. */
  public static InputStream sniff(InputStream in, long maxOutput, long maxRatio, String subject) throws IOException {
    BufferedInputStream b = new BufferedInputStream(in, 1 << 16);
    b.mark(8);
    byte[] head = b.readNBytes(6);
    b.reset();
    return open(byMagic(head), b, maxOutput, maxRatio, subject);
  }

  public static InputStream open(Kind kind, InputStream compressed, long maxOutput, long maxRatio, String subject)
      throws IOException {
    Decompress.CountingInputStream counted = new Decompress.CountingInputStream(compressed);
    InputStream raw;
    try {
      raw = switch (kind) {
        case NONE -> counted;
        case GZIP -> new GZIPInputStream(counted, 1 << 16);
        case XZ -> new XZInputStream(counted, XZ_MEMORY_LIMIT_KIB);
        case ZSTD -> new ZstdInputStream(counted);
        case BZIP2 -> new BZip2CompressorInputStream(counted);
      };
    } catch (org.tukaani.xz.MemoryLimitException e) {
      throw new CheckException("DECOMPRESSION_BOMB", subject, "xz stream needs " + e.getMemoryNeeded()
          + " KiB of memory (limit " + XZ_MEMORY_LIMIT_KIB + ")", e);
    } catch (java.io.EOFException e) {
      throw CheckException.integrity("COMPRESSED_TRUNCATED", subject, "compressed stream ends early");
    } catch (IOException e) {
      throw CheckException.integrity("COMPRESSED_CORRUPT", subject, "not " + kind + " data: " + e.getMessage());
    }
    return new Guard(raw, counted, kind == Kind.NONE ? Long.MAX_VALUE : maxRatio, maxOutput, subject);
  }

  private static final class Guard extends FilterInputStream {
    private static final long SLACK = 1 << 20;
    private final Decompress.CountingInputStream compressed;
    private final long maxRatio;
    private final long maxOutput;
    private final String subject;
    private long out;

    Guard(InputStream in, Decompress.CountingInputStream compressed, long maxRatio, long maxOutput, String subject) {
      super(in);
      this.compressed = compressed;
      this.maxRatio = maxRatio;
      this.maxOutput = maxOutput;
      this.subject = subject;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = super.read(b, off, len);
      } catch (CheckException e) {
        throw e;
      } catch (java.io.EOFException e) {
        throw CheckException.integrity("COMPRESSED_TRUNCATED", subject, "compressed stream ends early");
      } catch (org.tukaani.xz.MemoryLimitException e) {
        throw new CheckException("DECOMPRESSION_BOMB", subject, "xz stream needs " + e.getMemoryNeeded() + " KiB", e);
      } catch (IOException e) {
        if (e.getCause() instanceof CheckException ce) {
          throw ce;
        }
        throw CheckException.integrity("COMPRESSED_CORRUPT", subject, "corrupt compressed data: " + e.getMessage());
      } catch (RuntimeException e) {
        // zstd-jni reports corrupt frames as RuntimeException subclasses
        throw CheckException.integrity("COMPRESSED_CORRUPT", subject, "corrupt compressed data: " + e.getMessage());
      }
      if (n > 0) {
        out += n;
        if (out > maxOutput) {
          throw new CheckException("DECOMPRESSION_BOMB", subject, "decompresses to more than " + maxOutput + " bytes");
        }
        if (out > SLACK && out / Math.max(1, compressed.count()) > maxRatio) {
          throw new CheckException("DECOMPRESSION_BOMB", subject, "decompression ratio over " + maxRatio + ":1 ("
              + compressed.count() + " bytes in, " + out + " out)");
        }
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] buf = new byte[(int) Math.min(n, 8192)];
      long done = 0;
      while (done < n) {
        int r = read(buf, 0, (int) Math.min(buf.length, n - done));
        if (r < 0) {
          break;
        }
        done += r;
      }
      return done;
    }
  }
}
