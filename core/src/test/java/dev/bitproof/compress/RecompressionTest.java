package dev.bitproof.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.io.IoCode;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** "Is this published layer exactly what apko's compressor makes from its content?", on blobs built here and hostile ones. */
class RecompressionTest {
  private static Recompression.Result run(byte[] blob, ByteArrayOutputStream copy) throws IOException {
    return Recompression.recompress(new ByteArrayInputStream(blob), "layer", 2, copy);
  }

  /**
   * A layer made here by apko's compressor (pgzip framing, several 1 MiB blocks) is reproduced, our bytes are handed
   * out, and the finding carries the blob's digest, diffId and size. That apko's own published golden layers come
   * back byte for byte is ApkoGzipGoldenTest's claim.
   */
  @Test
  void apkoCompressedLayerIsReproduced() throws IOException {
    byte[] tar = Inputs.make(Inputs.Kind.TAR, 7, 2_500_000);
    byte[] blob = ApkoGzip.compress(tar, 2);
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    Recompression.Result r = run(blob, copy);
    assertTrue(r.reproduced());
    assertEquals(java.util.Optional.of(FlateVersion.APKO_CURRENT), r.reproducedBy());
    assertTrue(r.pgzipHeader());
    assertArrayEquals(blob, copy.toByteArray(), "our bytes are handed out too");
    Finding f = Recompression.finding(r, "x86_64 layer 0", Severity.FAIL);
    assertEquals(CompressCode.LAYER_COMPRESSION_REPRODUCED, f.code());
    assertEquals(Severity.OK, f.severity());
    assertEquals(Digest.sha256(blob).toString(), f.evidence().get("digest"));
    assertEquals(Digest.sha256(tar).toString(), f.evidence().get("diffId"));
    assertEquals(String.valueOf(blob.length), f.evidence().get("size"));
    assertEquals(String.valueOf(tar.length), f.evidence().get("tarSize"));

    // the older klauspost generation's bytes are reproduced too, and the finding says which one made them
    byte[] old = ApkoGzip.compress(tar, 2, FlateVersion.V1_15_10_TO_1_18_1);
    Recompression.Result ro = run(old, null);
    assertTrue(ro.reproduced());
    assertEquals(Digest.sha256(tar), ro.diffId());
    assertEquals(java.util.Optional.of(Arrays.equals(old, blob) ? FlateVersion.APKO_CURRENT : FlateVersion.V1_15_10_TO_1_18_1),
        ro.reproducedBy());
  }

  @Test
  void zlibCompressedLayerIsSameContentOtherBytes() throws IOException {
    byte[] tar = Inputs.make(Inputs.Kind.TAR, 1, 300_000);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
      z.write(tar);
    }
    Recompression.Result r = run(gz.toByteArray(), null);
    assertFalse(r.reproduced());
    assertFalse(r.pgzipHeader());
    assertEquals(Digest.sha256(tar), r.diffId());
    assertEquals(Digest.sha256(ApkoGzip.compress(tar)), r.recompressed());
    Finding f = Recompression.finding(r, "layer", Severity.WARN);
    assertEquals(CompressCode.LAYER_COMPRESSION_NOT_REPRODUCED, f.code());
    assertEquals(Severity.WARN, f.severity());
    assertTrue(f.message().contains("not a pgzip header"), f.message());
    assertEquals("1f8b08000000000000ff", f.evidence().get("gzipHeader"));
  }

  @Test
  void bytesAfterTheGzipMemberCountAsPublished() throws IOException {
    byte[] tar = Inputs.make(Inputs.Kind.TEXT, 2, 5000);
    byte[] exact = ApkoGzip.compress(tar);
    byte[] padded = Arrays.copyOf(exact, exact.length + 7);
    Recompression.Result r = run(padded, null);
    assertEquals(padded.length, r.publishedSize());
    assertEquals(Digest.sha256(padded), r.published());
    assertFalse(r.reproduced(), "trailing bytes change the blob");
    assertEquals(Digest.sha256(exact), r.recompressed());
  }

  @Test
  void notGzipCannotBeChecked() {
    CheckException e = assertThrows(CheckException.class, () -> run("plain tar, not gzip".getBytes(), null));
    assertEquals(IoCode.LAYER_NOT_GZIP, e.code());
    assertEquals(CheckException.Kind.CANNOT_CHECK, e.kind());
  }

  @Test
  void truncatedGzipIsAnIntegrityError() {
    byte[] gz = ApkoGzip.compress(Inputs.make(Inputs.Kind.STRUCTURED, 3, 200_000));
    CheckException e = assertThrows(CheckException.class, () -> run(Arrays.copyOf(gz, gz.length / 2), null));
    assertEquals(IoCode.COMPRESSED_TRUNCATED, e.code());
    assertEquals(CheckException.Kind.INTEGRITY, e.kind());
  }

  @Test
  void corruptDeflateIsAnIntegrityError() {
    byte[] gz = ApkoGzip.compress(Inputs.make(Inputs.Kind.TEXT, 4, 200_000));
    for (int i = 20; i < 60; i++) {
      gz[i] = (byte) 0xff;
    }
    CheckException e = assertThrows(CheckException.class, () -> run(gz, null));
    assertEquals(IoCode.COMPRESSED_CORRUPT, e.code());
  }

  @Test
  void decompressionBombIsStopped() {
    byte[] bomb = ApkoGzip.compress(new byte[20 << 20]);
    CheckException e = assertThrows(CheckException.class,
        () -> Recompression.recompress(new ByteArrayInputStream(bomb), "layer", 1, null, 1L << 40, 100));
    assertEquals(IoCode.DECOMPRESSION_BOMB, e.code());
    CheckException e2 = assertThrows(CheckException.class,
        () -> Recompression.recompress(new ByteArrayInputStream(bomb), "layer", 1, null, 1 << 20, 1_000_000));
    assertEquals(IoCode.DECOMPRESSION_BOMB, e2.code());
  }
}
