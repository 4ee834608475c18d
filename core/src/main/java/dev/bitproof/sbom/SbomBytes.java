package dev.bitproof.sbom;

import dev.bitproof.io.Decompress;
import dev.bitproof.report.CheckException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * An SBOM file as given: gzip, xz or zstd compressed SBOMs (cdxgen's {@code .cdx.json.gz}, archives of SBOMs)
 * are recognised by their magic bytes, never by name, and decompressed under the SBOM size limit and a ratio
 * guard, so a bomb stops early with a stable code.
 */
public final class SbomBytes {
  /** Compressed input may expand at most this many times (real SBOMs compress 10-40x). */
  static final long MAX_RATIO = 1000;

  private SbomBytes() {}

  /** The document's bytes: decompressed when {@code bytes} start with a gzip, xz or zstd magic, else as given. */
  public static byte[] decompress(byte[] bytes, String subject, SbomReader.Limits limits) {
    Decompress.Format f = Decompress.Format.byMagic(bytes.length > 8 ? java.util.Arrays.copyOf(bytes, 8) : bytes);
    if (f != Decompress.Format.GZIP && f != Decompress.Format.XZ && f != Decompress.Format.ZSTD) {
      return bytes;
    }
    try (InputStream in = Decompress.open(f, new ByteArrayInputStream(bytes), limits.maxBytes(), MAX_RATIO, subject)) {
      byte[] out = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxBytes() + 1));
      if (out.length > limits.maxBytes()) {
        throw new CheckException(SbomCode.SBOM_TOO_LARGE, subject, "SBOM decompresses to over the "
            + limits.maxBytes() + "-byte limit");
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
