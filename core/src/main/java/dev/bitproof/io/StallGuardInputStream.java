package dev.bitproof.io;

import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ends a read that makes no progress for {@code timeout}: a server that sends headers and then stalls the body would
 * otherwise block the reader forever (the JDK HttpClient's request timeout covers only the headers). A watchdog closes
 * the underlying stream, which unblocks the read; the reader then gets {@code code} (could not check).
 */
public final class StallGuardInputStream extends ReadThroughInputStream {
  private static final Set<StallGuardInputStream> OPEN = ConcurrentHashMap.newKeySet();
  private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bitproof-stall-watchdog");
    t.setDaemon(true);
    return t;
  });

  static {
    WATCHDOG.scheduleWithFixedDelay(StallGuardInputStream::sweep, 100, 100, TimeUnit.MILLISECONDS);
  }

  private final long timeoutNanos;
  private final Code code;
  private final String subject;
  private volatile long lastProgress = System.nanoTime();
  private volatile boolean reading;
  private volatile boolean stalled;

  public StallGuardInputStream(InputStream in, Duration timeout, Code code, String subject) {
    super(in);
    this.timeoutNanos = timeout.toNanos();
    this.code = code;
    this.subject = subject;
    OPEN.add(this);
  }

  private static void sweep() {
    long now = System.nanoTime();
    for (StallGuardInputStream s : OPEN) {
      if (s.reading && now - s.lastProgress > s.timeoutNanos) {
        s.stalled = true;
        OPEN.remove(s);
        try {
          s.in.close();
        } catch (IOException | RuntimeException ignored) {
          // closing is how the blocked read is ended; its own error is what the reader sees
        }
      }
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (stalled) {
      throw stall();
    }
    lastProgress = System.nanoTime();
    reading = true;
    try {
      int n = in.read(b, off, len);
      lastProgress = System.nanoTime();
      return n;
    } catch (IOException e) {
      if (stalled) {
        throw stall();
      }
      throw e;
    } finally {
      reading = false;
    }
  }

  private CheckException stall() {
    return new CheckException(code, subject, "no data for " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
        + " ms: the server stopped sending in the middle of the body");
  }

  @Override
  public void close() throws IOException {
    OPEN.remove(this);
    super.close();
  }
}
