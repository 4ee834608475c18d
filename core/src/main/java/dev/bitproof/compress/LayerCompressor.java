package dev.bitproof.compress;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Turns an uncompressed layer tar into its compressed blob. The rebuild picks one: {@link #apko()} makes the
 * bytes apko publishes (so the rebuilt digests equal the published ones); {@link #zlib(int)} is the faster
 * java.util.zip path whose bytes differ, leaving only the uncompressed content (diff_id) comparable.
 */
public interface LayerCompressor {
  /** Stable name, as given to {@code --compression}: {@code apko} or {@code java}. */
  String name();

  /** A stream that compresses what is written to it into {@code target}; closing it closes {@code target}. */
  OutputStream open(OutputStream target) throws IOException;

  /** Compresses all of {@code tar} into {@code target} and closes neither. */
  default void compress(InputStream tar, OutputStream target) throws IOException {
    OutputStream shield = new java.io.FilterOutputStream(target) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        out.flush();
      }
    };
    try (OutputStream z = open(shield)) {
      tar.transferTo(z);
    }
  }

  /** apko's compressor: pgzip framing over klauspost deflate level 5, on all processors. */
  static LayerCompressor apko() {
    return apko(Runtime.getRuntime().availableProcessors());
  }

  /** apko's compressor on {@code parallelism} threads (the bytes do not depend on it). */
  static LayerCompressor apko(int parallelism) {
    return new LayerCompressor() {
      @Override
      public String name() {
        return "apko";
      }

      @Override
      public OutputStream open(OutputStream target) {
        return new PgzipOutputStream(target, parallelism);
      }
    };
  }

  /** java.util.zip gzip at {@code level} (0–9, or -1 for zlib's default 6). */
  static LayerCompressor zlib(int level) {
    return new LayerCompressor() {
      @Override
      public String name() {
        return "java";
      }

      @Override
      public OutputStream open(OutputStream target) throws IOException {
        return new GZIPOutputStream(target, 65536) {
          {
            def.setLevel(level);
          }
        };
      }
    };
  }

  /** {@code apko} or {@code java} (zlib default level); anything else is an IllegalArgumentException. */
  static LayerCompressor named(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "apko", "pgzip" -> apko();
      case "java", "zlib" -> zlib(Deflater.DEFAULT_COMPRESSION);
      default -> throw new IllegalArgumentException("unknown compression '" + name + "': expected apko or java");
    };
  }
}
