package dev.bitproof.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whatever the input, zlib (java.util.zip) inflates our output back to it, and the framing is pgzip's. The
 * sizes sit on the edges where the encoder changes behaviour: the 13-, 32- and 128-byte special cases, the
 * 65535-byte window, the 1 MiB block and its 16 KiB dictionary tail.
 */
class PgzipRoundTripTest {
  private static final int W = Deflate.MAX_STORE_BLOCK_SIZE;
  private static final int B = PgzipOutputStream.BLOCK_SIZE;
  private static final int T = PgzipOutputStream.TAIL_SIZE;

  static Stream<Arguments> edgeCases() {
    int[] sizes = {0, 1, 2, 11, 12, 13, 14, 31, 32, 33, 127, 128, 129, 1024, 1025, W - 1, W, W + 1, W + 13, W + 33,
        W + 129, 16 * W, 16 * W + 15, B - 1, B, B + 1, B + 13, B + 33, B + 129, B + T - 1, B + T, B + T + 1, 2 * B,
        2 * B + T + 1};
    return Arrays.stream(Inputs.Kind.values())
        .flatMap(kind -> Arrays.stream(sizes).mapToObj(size -> Arguments.of(kind, size)));
  }

  @ParameterizedTest(name = "{0} {1} bytes")
  @MethodSource("edgeCases")
  void gzipInflatesBackToTheInput(Inputs.Kind kind, int size) throws IOException {
    byte[] data = Inputs.make(kind, size * 7L + kind.ordinal(), size);
    byte[] gz = ApkoGzip.compress(data, 2);
    assertArrayEquals(Arrays.copyOf(PgzipOutputStream.HEADER, 10), Arrays.copyOf(gz, 10), "pgzip header");
    assertTrailer(data, gz);
    byte[] back = gunzip(gz);
    assertEquals(data.length, back.length, "inflated length");
    assertArrayEquals(data, back, "inflated bytes");
  }

  @Test
  void randomSizesAndContentsRoundTrip() throws Exception {
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 40; i++) {
      int size = r.nextInt(4) == 0 ? r.nextInt(3 * B) : r.nextInt(70_000);
      Inputs.Kind kind = Inputs.Kind.values()[r.nextInt(Inputs.Kind.values().length)];
      byte[] data = Inputs.make(kind, r.nextLong(), size);
      FlateVersion v = FlateVersion.values()[i % 2];
      assertArrayEquals(data, gunzip(ApkoGzip.compress(data, 1 + r.nextInt(3), v)), v + " " + kind + " " + size);
      assertArrayEquals(data, inflateRaw(ApkoGzip.deflate(data, v), size), "raw deflate " + v + " " + kind + " " + size);
    }
  }

  @Test
  void bytesDoNotDependOnParallelismOrWriteSizes() throws IOException {
    byte[] data = Inputs.make(Inputs.Kind.TAR, 99, 3 * B + 4321);
    byte[] one = ApkoGzip.compress(data, 1);
    assertArrayEquals(one, ApkoGzip.compress(data, 2));
    assertArrayEquals(one, ApkoGzip.compress(data, 5));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    SplittableRandom r = new SplittableRandom(3);
    try (PgzipOutputStream z = new PgzipOutputStream(bytes, 3)) {
      int off = 0;
      while (off < data.length) {
        int n = Math.min(data.length - off, r.nextInt(3) == 0 ? 1 : r.nextInt(200_000));
        if (n == 1) {
          z.write(data[off]);
        } else {
          z.write(data, off, n);
        }
        off += n;
      }
    }
    assertArrayEquals(one, bytes.toByteArray());
  }

  @Test
  void emptyAndOneByteStreamsAreExactlyPgzips() {
    // Reference bytes from klauspost/pgzip (Go) for "" and "a": header, [stored "a"], the sync flush
    // (3 zero bits padded, 00 00 ff ff), the empty fixed final block 03 00, CRC-32, size.
    assertEquals("1f8b080000096e8800ff" + "000000ffff" + "0300" + "00000000" + "00000000",
        HexFormat.of().formatHex(ApkoGzip.compress(new byte[0], 1)));
    assertEquals("1f8b080000096e8800ff0001" + "00feff61" + "000000ffff0300" + "43beb7e8" + "01000000",
        HexFormat.of().formatHex(ApkoGzip.compress(new byte[] {'a'}, 1)));
  }

  @Test
  void streamFormEqualsArrayForm() throws IOException {
    byte[] data = Inputs.make(Inputs.Kind.TEXT, 5, 1_500_000);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ApkoGzip.compress(new ByteArrayInputStream(data), out);
    assertArrayEquals(ApkoGzip.compress(data, 1), out.toByteArray());
  }

  @Test
  void writeAfterCloseIsAnError() throws IOException {
    PgzipOutputStream z = new PgzipOutputStream(new ByteArrayOutputStream(), 2);
    z.close();
    org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> z.write(1));
    z.close();
  }

  private static void assertTrailer(byte[] data, byte[] gz) {
    CRC32 crc = new CRC32();
    crc.update(data);
    long c = crc.getValue();
    int n = gz.length;
    long gotCrc = (gz[n - 8] & 0xFFL) | (gz[n - 7] & 0xFFL) << 8 | (gz[n - 6] & 0xFFL) << 16 | (gz[n - 5] & 0xFFL) << 24;
    long gotSize = (gz[n - 4] & 0xFFL) | (gz[n - 3] & 0xFFL) << 8 | (gz[n - 2] & 0xFFL) << 16 | (gz[n - 1] & 0xFFL) << 24;
    assertEquals(c, gotCrc, "CRC-32 trailer");
    assertEquals(data.length & 0xFFFF_FFFFL, gotSize, "ISIZE trailer");
  }

  static byte[] gunzip(byte[] gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz), 1 << 16)) {
      return in.readAllBytes();
    }
  }

  static byte[] inflateRaw(byte[] deflate, int size) throws DataFormatException {
    Inflater inf = new Inflater(true);
    try {
      inf.setInput(deflate);
      byte[] out = new byte[size + 1];
      int n = 0;
      while (!inf.finished() && n < out.length) {
        int k = inf.inflate(out, n, out.length - n);
        if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
          break;
        }
        n += k;
      }
      assertEquals(true, inf.finished(), "deflate stream has a final block");
      return Arrays.copyOf(out, n);
    } finally {
      inf.end();
    }
  }
}
