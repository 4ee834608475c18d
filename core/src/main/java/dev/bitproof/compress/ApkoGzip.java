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
    return compress(data, parallelism, FlateVersion.APKO_CURRENT);
  }

  /** The gzip an apko built with klauspost {@code version} would write for {@code data}. */
  public static byte[] compress(byte[] data, int parallelism, FlateVersion version) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(data.length / 3 + 64);
    try (PgzipOutputStream z = new PgzipOutputStream(bytes, parallelism, version)) {
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

  /**
   * Gzip as one deflate stream without pgzip's blocks and sync flushes, with pgzip's header: the framing of the
   * signature and control sections of melange-built APKs.
   */
  public static byte[] gzipSingleStream(byte[] data, FlateVersion version) {
    byte[] body = deflate(data, version);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(data);
    byte[] out = java.util.Arrays.copyOf(PgzipOutputStream.HEADER, 10 + body.length + 8);
    System.arraycopy(body, 0, out, 10, body.length);
    long c = crc.getValue();
    for (int i = 0; i < 4; i++) {
      out[10 + body.length + i] = (byte) (c >>> (8 * i));
      out[14 + body.length + i] = (byte) (data.length >>> (8 * i));
    }
    return out;
  }

  /** Raw deflate of one stream with klauspost level 5, ended by a final block (no gzip framing, no blocks). */
  public static byte[] deflate(byte[] data, FlateVersion version) {
    ByteSink sink = new ByteSink(data.length / 2 + 64);
    Deflate d = new Deflate(sink, version);
    d.write(data, 0, data.length);
    d.finish();
    return sink.toByteArray();
  }
}
