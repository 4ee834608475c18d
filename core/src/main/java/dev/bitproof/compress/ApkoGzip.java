package dev.bitproof.compress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/** One-call forms of apko's layer compression ({@link PgzipOutputStream} over {@link Deflate}). */
public final class ApkoGzip {
  private ApkoGzip() {}

  /** Compresses all of {@code in} into {@code out} (neither is closed), on all processors. */
  public static void compress(InputStream in, OutputStream out) throws IOException {
    PgzipOutputStream z = new PgzipOutputStream(out);
    in.transferTo(z);
    z.finish();
  }

  /** The gzip apko would write for {@code data}, compressed on {@code parallelism} threads. */
  public static byte[] compress(byte[] data, int parallelism) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(data.length / 3 + 64);
    try (PgzipOutputStream z = new PgzipOutputStream(bytes, parallelism)) {
      z.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The gzip apko would write for {@code data}. */
  public static byte[] compress(byte[] data) {
    return compress(data, Math.min(Runtime.getRuntime().availableProcessors(), 1 + data.length / PgzipOutputStream.BLOCK_SIZE));
  }

  /** Raw deflate of one stream with klauspost level 5, ended by a final block (no gzip framing, no blocks). */
  public static byte[] deflate(byte[] data) {
    ByteSink sink = new ByteSink(data.length / 2 + 64);
    Deflate d = new Deflate(sink);
    d.write(data, 0, data.length);
    d.finish();
    return sink.toByteArray();
  }
}
