package dev.bitproof.io;

import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Fails with {@code code} once more than {@code limit} bytes are read: the guard against bombs and floods. */
public final class LimitedInputStream extends FilterInputStream {
  private final long limit;
  private final Code code;
  private final String subject;
  private long count;

  public LimitedInputStream(InputStream in, long limit, Code code, String subject) {
    super(in);
    this.limit = limit;
    this.code = code;
    this.subject = subject;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      add(1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0) {
      add(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long s = super.skip(n);
    add(s);
    return s;
  }

  private void add(long n) {
    count += n;
    if (count > limit) {
      throw new CheckException(code, subject, "more than " + limit + " bytes");
    }
  }

  public long count() {
    return count;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  /** Reads all of {@code in}, failing past {@code limit} bytes. */
  public static byte[] readAll(InputStream in, long limit, Code code, String subject) throws IOException {
    return new LimitedInputStream(in, limit, code, subject).readAllBytes();
  }
}
