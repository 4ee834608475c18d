package dev.bitproof.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A filter that must see every byte: single-byte reads and skips both go through
 * {@link #read(byte[], int, int)}, which the subclass overrides to hash, count, limit or capture, so it cannot be
 * stepped around ({@link FilterInputStream#skip} would skip in the underlying stream, unseen).
 */
public abstract class ReadThroughInputStream extends FilterInputStream {
  protected ReadThroughInputStream(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n;
    do {
      n = read(one, 0, 1);
    } while (n == 0);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  /** Reads and discards: skipped bytes are hashed, counted and limited like read ones. */
  @Override
  public long skip(long n) throws IOException {
    byte[] buf = new byte[(int) Math.min(8192, Math.max(n, 1))];
    long total = 0;
    while (total < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - total));
      if (r < 0) {
        break;
      }
      total += r;
    }
    return total;
  }

  /** mark/reset would let bytes be read twice past the filter's accounting. */
  @Override
  public boolean markSupported() {
    return false;
  }
}
