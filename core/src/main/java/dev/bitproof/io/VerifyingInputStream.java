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
  private java.util.function.LongConsumer progress;

  /** {@code expectedSize < 0} means unknown size (only the digest is checked). */
  public VerifyingInputStream(InputStream in, Digest expected, long expectedSize, String subject) {
    super(in);
    this.expected = expected;
    this.expectedSize = expectedSize;
    this.md = expected.newMessageDigest();
    this.subject = subject;
  }

  /**
   * {@code in} itself when it already verifies exactly this digest and size (a source's blob stream handed to a
   * destination), else {@code in} wrapped: each byte is hashed once however many layers check it.
   */
  public static VerifyingInputStream verifying(InputStream in, Digest expected, long expectedSize, String subject) {
    if (in instanceof VerifyingInputStream v && v.expected.equals(expected) && v.expectedSize == expectedSize) {
      return v;
    }
    return new VerifyingInputStream(in, expected, expectedSize, subject);
  }

  /** Told the running byte count after every read (progress display); at most one consumer. */
  public VerifyingInputStream onProgress(java.util.function.LongConsumer consumer) {
    this.progress = consumer;
    return this;
  }

  /** Bytes read so far. */
  public long count() {
    return count;
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
    if (progress != null) {
      progress.accept(count);
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

  private static final java.util.concurrent.atomic.AtomicBoolean WARMED = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Gets HotSpot to compile SHA-256 with its CPU intrinsic (SHA-NI/AVX2) before the bulk of a copy is hashed, on a
   * background thread; returns at once. Only C2 uses the intrinsic, and C2 compiles {@code MessageDigest.update} after
   * thousands of calls: with large reads a 100 MB blob is only a few hundred calls, so without this most of it was
   * hashed by the plain-Java compression loop (measured: 2-3x the CPU of the whole copy). 30,000 updates of mixed lengths
   * cost about 2 MB of hashing.
   */
  public static void warmUpSha256() {
    if (!WARMED.compareAndSet(false, true)) {
      return;
    }
    Thread t = new Thread(() -> {
      // load the digests a run loads anyway first (Files.createTempFile's SecureRandom brings SHA-1): a new
      // subclass of the JDK's DigestBase arriving later invalidates the compiled SHA-256 code (class hierarchy
      // analysis), and it was then interpreted again for most of a copy
      for (String other : new String[] {"SHA-1", "SHA-512", "MD5"}) {
        try {
          java.security.MessageDigest.getInstance(other);
        } catch (java.security.NoSuchAlgorithmException e) {
          // not in this JDK: nothing to load
        }
      }
      java.security.MessageDigest md = Digest.newSha256();
      byte[] block = new byte[4096];
      // lengths that take every branch of update (partial block buffered, whole blocks, a block plus a tail): a
      // profile that saw only one path gets the compiled code thrown away at the first real read
      // (and an update right after digest(), which resets lazily, and an empty one)
      int[] lengths = {64, 1, 63, 65, 128, 200, 0};
      for (int i = 0; i < 30_000; i++) {
        md.update(block, 0, lengths[i % lengths.length]);
        if (i % 101 == 100) {
          md.digest();
        }
      }
      md.digest();
    }, "bitproof-sha256-warmup");
    t.setDaemon(true);
    t.start();
  }

  /** Copy buffer for blob streams: large reads keep per-call overhead (hash, count, syscalls) small. */
  public static final int BUFFER = 256 * 1024;

  /**
   * Copies this stream to {@code out} and reads to its end, so the digest is checked before the caller keeps
   * anything; returns the bytes copied.
   */
  public long transferTo(java.io.OutputStream out) throws IOException {
    byte[] buf = new byte[BUFFER];
    long total = 0;
    for (int n; (n = read(buf, 0, buf.length)) >= 0; ) {
      out.write(buf, 0, n);
      total += n;
    }
    return total;
  }

  /** Reads to the end (checking), for callers that want the verdict without the bytes. */
  public void drain() throws IOException {
    byte[] buf = new byte[BUFFER];
    while (read(buf, 0, buf.length) >= 0) {
      // hashing happens in read
    }
  }
}
