package dev.bitproof.io;

import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Streams a blob while hashing it; at end of stream the size and digest must match the descriptor, otherwise
 * it throws {@code BLOB_DIGEST_MISMATCH} / {@code BLOB_SIZE_MISMATCH} (integrity). It also refuses to read past
 * the expected size, so a server that keeps sending cannot flood the reader. Callers that keep bytes must keep
 * them only after reading to the end.
 */
public final class VerifyingInputStream extends ReadThroughInputStream {
  private final Digest expected;
  private final long expectedSize;
  private final MessageDigest md;
  private final String subject;
  private long count;
  private boolean checked;

  /** {@code expectedSize < 0} means unknown size (only the digest is checked). */
  public VerifyingInputStream(InputStream in, Digest expected, long expectedSize, String subject) {
    super(in);
    this.expected = expected;
    this.expectedSize = expectedSize;
    this.md = expected.newMessageDigest();
    this.subject = subject;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n < 0) {
      finish();
      return -1;
    }
    md.update(b, off, n);
    count += n;
    if (expectedSize >= 0 && count > expectedSize) {
      throw CheckException.integrity(IoCode.BLOB_SIZE_MISMATCH, subject,
          "more bytes than the descriptor's size " + expectedSize);
    }
    return n;
  }

  private void finish() {
    if (checked) {
      return;
    }
    checked = true;
    if (expectedSize >= 0 && count != expectedSize) {
      throw CheckException.integrity(IoCode.BLOB_SIZE_MISMATCH, subject,
          "got " + count + " bytes, descriptor says " + expectedSize + " (truncated?)");
    }
    Digest actual = new Digest(expected.algorithm(), java.util.HexFormat.of().formatHex(md.digest()));
    if (!actual.equals(expected)) {
      throw CheckException.integrity(IoCode.BLOB_DIGEST_MISMATCH, subject, "bytes hash to " + actual + ", expected " + expected);
    }
  }

  /** Reads to the end (checking), for callers that want the verdict without the bytes. */
  public void drain() throws IOException {
    byte[] buf = new byte[65536];
    while (read(buf, 0, buf.length) >= 0) {
      // hashing happens in read
    }
  }
}
