package dev.bitproof.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.luben.zstd.ZstdOutputStream;
import dev.bitproof.oci.MediaType;
import dev.bitproof.report.CheckException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** The one bomb guard behind layers, deb members, Packages indexes and rootfs tars. */
class DecompressTest {
  interface Wrap {
    OutputStream wrap(OutputStream out) throws IOException;
  }

  static byte[] compress(byte[] data, Wrap w) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream o = w.wrap(bos)) {
      o.write(data);
    }
    return bos.toByteArray();
  }

  static byte[] xz(byte[] data) throws IOException {
    return compress(data, o -> new XZOutputStream(o, new LZMA2Options(1)));
  }

  static byte[] read(byte[] compressed, long maxOut) throws Exception {
    try (InputStream in = Decompress.sniff(new ByteArrayInputStream(compressed), maxOut, 1000, "t")) {
      return in.readAllBytes();
    }
  }

  @Test
  void sniffsEveryFormatAndRoundTrips() throws Exception {
    byte[] text = "Package: x\nVersion: 1\n".repeat(100).getBytes(StandardCharsets.UTF_8);
    byte[][] forms = {text, xz(text), compress(text, GZIPOutputStream::new), compress(text, o -> new ZstdOutputStream(o, 3)),
        compress(text, BZip2CompressorOutputStream::new)};
    Decompress.Format[] sniffed = {Decompress.Format.NONE, Decompress.Format.XZ, Decompress.Format.GZIP,
        Decompress.Format.ZSTD, Decompress.Format.BZIP2};
    for (int i = 0; i < forms.length; i++) {
      assertEquals(sniffed[i], Decompress.Format.byMagic(Arrays.copyOf(forms[i], 6)));
      assertArrayEquals(text, read(forms[i], 1 << 20), sniffed[i].toString());
    }
    assertEquals(Decompress.Format.XZ, Decompress.Format.bySuffix("Packages.xz"));
    assertEquals(Decompress.Format.BZIP2, Decompress.Format.bySuffix("data.tar.bz2"));
    assertEquals(Decompress.Format.NONE, Decompress.Format.bySuffix("Packages"));
  }

  @Test
  void corruptTruncatedAndOversizedStreams() throws Exception {
    byte[] text = "x".repeat(100_000).getBytes(StandardCharsets.UTF_8);
    byte[] xz = xz(text);
    byte[] corrupt = xz.clone();
    corrupt[xz.length / 2] ^= 0x55;
    CheckException e = assertThrows(CheckException.class, () -> read(corrupt, 1 << 20));
    assertEquals(IoCode.COMPRESSED_CORRUPT, e.code());
    assertEquals(CheckException.Kind.INTEGRITY, e.kind());
    e = assertThrows(CheckException.class, () -> read(Arrays.copyOf(xz, xz.length - 20), 1 << 20));
    assertEquals(IoCode.COMPRESSED_TRUNCATED, e.code(), e.toString());
    assertEquals(CheckException.Kind.INTEGRITY, e.kind());
    // absolute output limit, independent of the ratio
    e = assertThrows(CheckException.class, () -> read(xz, 50_000));
    assertEquals(IoCode.DECOMPRESSION_BOMB, e.code());
    // and for plain data, which has no ratio
    e = assertThrows(CheckException.class, () -> read(text, 50_000));
    assertEquals(IoCode.DECOMPRESSION_BOMB, e.code());
  }

  @Test
  void ratioGuardTripsForEveryFormat() throws Exception {
    byte[] zeros = new byte[8 << 20];
    Wrap[] wraps = {GZIPOutputStream::new, o -> new XZOutputStream(o, new LZMA2Options(1)),
        o -> new ZstdOutputStream(o, 3), BZip2CompressorOutputStream::new};
    for (Wrap w : wraps) {
      byte[] bomb = compress(zeros, w);
      CheckException e = assertThrows(CheckException.class, () -> {
        try (InputStream in = Decompress.sniff(new ByteArrayInputStream(bomb), 1L << 40, 100, "bomb")) {
          in.readAllBytes();
        }
      });
      assertEquals(IoCode.DECOMPRESSION_BOMB, e.code(), e.toString());
      assertEquals(CheckException.Kind.CANNOT_CHECK, e.kind());
    }
  }

  /** skip() decompresses too, so it cannot step around the limits. */
  @Test
  void skippingCountsTowardsTheLimits() throws Exception {
    byte[] gz = compress(new byte[4 << 20], GZIPOutputStream::new);
    CheckException e = assertThrows(CheckException.class, () -> {
      try (InputStream in = Decompress.gzip(new ByteArrayInputStream(gz), 1 << 20, 1_000_000, "skip")) {
        while (in.skip(1 << 16) > 0) {
          // skipping through the stream
        }
      }
    });
    assertEquals(IoCode.DECOMPRESSION_BOMB, e.code());
  }

  /** A failing source (network, disk) is not bad data: its own exception comes through, not an integrity code. */
  @Test
  void aFailingSourceIsNotCorruptData() throws Exception {
    byte[] gz = compress(new byte[1 << 20], GZIPOutputStream::new);
    IOException broken = new IOException("connection reset");
    InputStream failing = new InputStream() {
      int left = 100;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (left == 0) {
          throw broken;
        }
        int n = Math.min(len, left);
        System.arraycopy(gz, 100 - left, b, off, n);
        left -= n;
        return n;
      }
    };
    InputStream in = Decompress.open(Decompress.Format.GZIP, failing, 1 << 30, 1000, "s");
    assertSame(broken, assertThrows(IOException.class, in::readAllBytes));
  }

  @Test
  void layerMediaTypesKeepTheirOwnCodes() throws Exception {
    CheckException e = assertThrows(CheckException.class, () -> Decompress.layer(
        MediaType.of("application/vnd.oci.image.layer.v1.tar+gzip"), new ByteArrayInputStream(new byte[64]), "l"));
    assertEquals(IoCode.LAYER_NOT_GZIP, e.code());
    assertEquals(CheckException.Kind.CANNOT_CHECK, e.kind());
    e = assertThrows(CheckException.class, () -> Decompress.open(Decompress.Format.GZIP,
        new ByteArrayInputStream(new byte[64]), 1 << 20, 1000, "member"));
    assertEquals(IoCode.COMPRESSED_CORRUPT, e.code(), "outside a layer, a bad header is bad data");
    e = assertThrows(CheckException.class, () -> {
      try (InputStream in = Decompress.open(MediaType.Compression.NONE, new ByteArrayInputStream(new byte[2048]),
          1024, 1000, "plain")) {
        in.readAllBytes();
      }
    });
    assertEquals(IoCode.LAYER_TOO_LARGE, e.code());
  }
}
