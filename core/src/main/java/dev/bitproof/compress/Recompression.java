package dev.bitproof.compress;

import dev.bitproof.io.Decompress;
import dev.bitproof.io.ReadThroughInputStream;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Does apko's compressor reproduce a published gzip blob? The blob is read once: hashed as published, inflated
 * (with the bomb guards of {@link Decompress}), and the tar compressed again with {@link PgzipOutputStream}.
 * Equal bytes prove the published digest is exactly what apko makes from that content; different bytes with a
 * valid gzip mean "same content, other compressor" (another tool, or a klauspost version before v1.15.10). Both
 * {@link FlateVersion}s are tried in the same pass, so the finding also says which encoder generation made it.
 */
public final class Recompression {
  private Recompression() {}

  /**
   * @param published digest and size of the blob as read
   * @param recompressed digest and size of apko's compressor's output for the same content
   * @param diffId sha256 of the uncompressed content
   * @param header the blob's first 10 bytes (the gzip header), hex
   * @param reproducedBy the klauspost version whose output equals the blob ({@link FlateVersion#APKO_CURRENT}
   *     first), or empty
   */
  public record Result(Digest published, long publishedSize, Digest recompressed, long recompressedSize,
      Digest diffId, long tarSize, String header, Optional<FlateVersion> reproducedBy) {
    public Result {
      Objects.requireNonNull(published);
      Objects.requireNonNull(recompressed);
      Objects.requireNonNull(diffId);
      Objects.requireNonNull(header);
      Objects.requireNonNull(reproducedBy);
    }

    /** Whether some klauspost version's encoder, in pgzip framing, makes exactly the published bytes. */
    public boolean reproduced() {
      return reproducedBy.isPresent();
    }

    /** Whether the header is the one pgzip writes (zero-time MTIME 00096e88, OS ff). */
    public boolean pgzipHeader() {
      return header.equals(HexFormat.of().formatHex(PgzipOutputStream.HEADER));
    }
  }

  /**
   * Reads {@code published} to its end and recompresses its content on {@code parallelism} threads; our bytes
   * are also written to {@code copy} when it is not null.
   */
  public static Result recompress(InputStream published, String subject, int parallelism, OutputStream copy)
      throws IOException {
    return recompress(published, subject, parallelism, copy, Decompress.DEFAULT_MAX_OUTPUT, Decompress.DEFAULT_MAX_RATIO);
  }

  /** As {@link #recompress(InputStream, String, int, OutputStream)}, with explicit bomb limits. */
  public static Result recompress(InputStream published, String subject, int parallelism, OutputStream copy,
      long maxOutput, long maxRatio) throws IOException {
    MessageDigest pubSha = sha256();
    MessageDigest tarSha = sha256();
    HeaderCapture raw = new HeaderCapture(new DigestInputStream(published, pubSha));
    DigestSink ours = new DigestSink(copy);
    DigestSink legacy = new DigestSink(null);
    long tarSize = 0;
    InputStream tar = Decompress.gzip(raw, maxOutput, maxRatio, subject);
    PgzipOutputStream z = new PgzipOutputStream(ours, parallelism, FlateVersion.APKO_CURRENT);
    // The encoder before v1.18.2 too, in the same pass: older apko releases compressed with it.
    PgzipOutputStream zLegacy = new PgzipOutputStream(legacy, parallelism, FlateVersion.V1_15_10_TO_1_18_1);
    try {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = tar.read(buf)) > 0) {
        tarSha.update(buf, 0, n);
        z.write(buf, 0, n);
        zLegacy.write(buf, 0, n);
        tarSize += n;
      }
      z.finish();
      zLegacy.finish();
    } catch (IOException | RuntimeException | Error e) {
      z.abort();
      zLegacy.abort();
      throw e;
    }
    // Bytes after the gzip member (padding, a second member) are part of the published blob too.
    raw.transferTo(OutputStream.nullOutputStream());
    Digest pub = Digest.sha256(pubSha);
    Digest current = ours.digest();
    Optional<FlateVersion> by = Optional.empty();
    if (pub.equals(current) && raw.count == ours.count) {
      by = Optional.of(FlateVersion.APKO_CURRENT);
    } else if (pub.equals(legacy.digest()) && raw.count == legacy.count) {
      by = Optional.of(FlateVersion.V1_15_10_TO_1_18_1);
    }
    return new Result(pub, raw.count, current, ours.count, Digest.sha256(tarSha), tarSize,
        HexFormat.of().formatHex(raw.header, 0, (int) Math.min(raw.count, 10)), by);
  }

  /**
   * The finding for a result: {@code LAYER_COMPRESSION_REPRODUCED} (OK), or {@code LAYER_COMPRESSION_NOT_REPRODUCED}
   * with {@code ifDifferent} severity and the evidence that tells why (header, digests, sizes).
   */
  public static Finding finding(Result r, String subject, Severity ifDifferent) {
    Finding f;
    if (r.reproduced()) {
      f = Finding.ok(CompressCode.LAYER_COMPRESSION_REPRODUCED, subject,
          "apko's compressor (pgzip + klauspost deflate level 5) reproduces the published bytes")
          .with("compressor", "pgzip, " + r.reproducedBy().orElseThrow().label());
    } else {
      f = Finding.of(CompressCode.LAYER_COMPRESSION_NOT_REPRODUCED, ifDifferent, subject,
          "same content, but apko's compressor makes other bytes"
              + (r.pgzipHeader() ? " (pgzip header: another klauspost version or settings?)"
                  : " (not a pgzip header: another compressor)"))
          .with("recompressed", r.recompressed()).with("recompressedSize", r.recompressedSize());
    }
    return f.with("digest", r.published()).with("size", r.publishedSize()).with("diffId", r.diffId())
        .with("tarSize", r.tarSize()).with("gzipHeader", r.header());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Hashes and counts what is written, passing it on to {@code copy} when there is one. */
  private static final class DigestSink extends OutputStream {
    private final MessageDigest sha = sha256();
    private final OutputStream copy;
    long count;

    DigestSink(OutputStream copy) {
      this.copy = copy;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      sha.update(b, off, len);
      count += len;
      if (copy != null) {
        copy.write(b, off, len);
      }
    }

    Digest digest() {
      return Digest.sha256(sha);
    }
  }

  /** Counts the bytes read and keeps the first ten. */
  private static final class HeaderCapture extends ReadThroughInputStream {
    final byte[] header = new byte[10];
    long count;

    HeaderCapture(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        note(b, off, n);
      }
      return n;
    }

    private void note(byte[] b, int off, int n) {
      if (count < header.length) {
        int k = (int) Math.min(n, header.length - count);
        System.arraycopy(b, off, header, (int) count, k);
      }
      count += n;
    }
  }
}
