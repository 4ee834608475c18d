package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bitproof.report.CheckException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class DebDecompressTest {
  static byte[] read(byte[] compressed, long maxOut) throws Exception {
    try (InputStream in = DebDecompress.sniff(new ByteArrayInputStream(compressed), maxOut, 1000, "t")) {
      return in.readAllBytes();
    }
  }

  @Test
  void sniffsEveryKindAndRoundTrips() throws Exception {
    byte[] text = "Package: x\nVersion: 1\n".repeat(100).getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (OutputStream g = new GZIPOutputStream(gz)) {
      g.write(text);
    }
    ByteArrayOutputStream zst = new ByteArrayOutputStream();
    try (OutputStream z = TestDebs.zstdStream(zst)) {
      z.write(text);
    }
    for (byte[] c : new byte[][] {text, TestDebs.xz(text), gz.toByteArray(), zst.toByteArray()}) {
      assertArrayEquals(text, read(c, 1 << 20));
    }
    assertEquals(DebDecompress.Kind.XZ, DebDecompress.bySuffix("Packages.xz"));
    assertEquals(DebDecompress.Kind.NONE, DebDecompress.bySuffix("Packages"));
  }

  @Test
  void corruptTruncatedAndOversizedStreams() throws Exception {
    byte[] text = "x".repeat(100_000).getBytes(StandardCharsets.UTF_8);
    byte[] xz = TestDebs.xz(text);
    byte[] corrupt = xz.clone();
    corrupt[xz.length / 2] ^= 0x55;
    CheckException e = assertThrows(CheckException.class, () -> read(corrupt, 1 << 20));
    assertEquals("COMPRESSED_CORRUPT", e.code());
    e = assertThrows(CheckException.class, () -> read(Arrays.copyOf(xz, xz.length - 20), 1 << 20));
    assertEquals("COMPRESSED_TRUNCATED", e.code(), e.toString());
    // absolute output limit, independent of the ratio
    e = assertThrows(CheckException.class, () -> read(xz, 50_000));
    assertEquals("DECOMPRESSION_BOMB", e.code());
  }
}
