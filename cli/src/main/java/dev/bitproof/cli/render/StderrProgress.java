package dev.bitproof.cli.render;

import dev.bitproof.report.Progress;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@link Progress} on stderr. On a terminal: one line redrawn in place (at most every {@link #TTY_EVERY_NANOS}),
 * finished with a newline when the task ends. Otherwise (a CI log, a file): a plain line every
 * {@link #PLAIN_EVERY_NANOS} while a task runs and one when it ends, never a line per item. A task done within
 * {@link #SUMMARY_AFTER_NANOS} leaves nothing (verify runs dozens of short steps). Items, bytes, rate and
 * ETA (when a total is known). The clock is a parameter, so the tests step it by hand.
 *
 * <p>Hand-written rather than me.tongfei:progressbar: that library is not among the vetted dependencies, draws from a
 * timer thread of its own (no injected clock, so no deterministic test) and brings jline; this is one small class.
 * Cost per {@link Task#add}: two atomic adds and a clock read; drawing happens only when the interval has passed.
 */
public final class StderrProgress implements Progress {
  public static final long TTY_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  public static final long PLAIN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);
  /** A task shorter than this leaves no line behind (a terminal's line is cleared): short work is not news. */
  public static final long SUMMARY_AFTER_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final PrintWriter err;
  private final boolean tty;
  private final LongSupplier nanos;
  private final Object lock = new Object();

  public StderrProgress(PrintWriter err, boolean tty, LongSupplier nanos) {
    this.err = err;
    this.tty = tty;
    this.nanos = nanos;
  }

  @Override
  public Task start(String what, long items, long bytes) {
    return new Line(what, items, bytes, nanos.getAsLong());
  }

  private final class Line implements Task {
    private final String what;
    private final long started;
    private final AtomicLong items = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong totalItems;
    private final AtomicLong totalBytes;
    private volatile long nextDraw;
    private volatile boolean closed;

    Line(String what, long totalItems, long totalBytes, long now) {
      this.what = what;
      this.started = now;
      this.totalItems = new AtomicLong(Math.max(0, totalItems));
      this.totalBytes = new AtomicLong(Math.max(0, totalBytes));
      this.nextDraw = now + (tty ? TTY_EVERY_NANOS : PLAIN_EVERY_NANOS);
    }

    @Override
    public void add(long i, long b) {
      if (i != 0) {
        items.addAndGet(i);
      }
      if (b != 0) {
        bytes.addAndGet(b);
      }
      long now = nanos.getAsLong();
      if (now - nextDraw >= 0) {
        draw(now, false);
      }
    }

    @Override
    public void grow(long i, long b) {
      totalItems.addAndGet(i);
      totalBytes.addAndGet(b);
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        draw(nanos.getAsLong(), true);
      }
    }

    private boolean drawn;

    private void draw(long now, boolean last) {
      synchronized (lock) {
        if (!last && (closed || now - nextDraw < 0)) {
          return;
        }
        nextDraw = now + (tty ? TTY_EVERY_NANOS : PLAIN_EVERY_NANOS);
        boolean nothing = items.get() == 0 && bytes.get() == 0;
        if (last && (nothing || now - started < SUMMARY_AFTER_NANOS) && !(drawn && !tty)) {
          // short or empty: no summary; a terminal line this task drew is wiped
          if (tty && drawn) {
            err.print("\r\033[K");
            err.flush();
          }
          return;
        }
        drawn = true;
        String line = text(now, last);
        if (tty) {
          err.print("\r" + line + "\033[K");
          if (last) {
            err.print("\n");
          }
        } else {
          err.println("bitproof: " + line);
        }
        err.flush();
      }
    }

    String text(long now, boolean last) {
      double secs = Math.max(0, now - started) / 1e9;
      long i = items.get();
      long b = bytes.get();
      long ti = totalItems.get();
      long tb = totalBytes.get();
      StringBuilder sb = new StringBuilder(what).append(last ? ": done, " : ": ");
      sb.append(i);
      if (ti > 0 && !last) {
        sb.append('/').append(ti);
      }
      sb.append(i == 1 && (ti <= 1 || last) ? " item" : " items");
      if (b > 0 || tb > 0) {
        sb.append(", ").append(human(b));
        if (tb > 0 && !last) {
          sb.append(" / ").append(human(tb));
        }
      }
      if (secs > 0 && b > 0) {
        sb.append(", ").append(human((long) (b / secs))).append("/s");
      } else if (secs > 0 && i > 0) {
        sb.append(String.format(Locale.ROOT, ", %.1f items/s", i / secs));
      }
      if (last) {
        sb.append(String.format(Locale.ROOT, " in %.1f s", secs));
      } else {
        double left = -1;
        if (tb > 0 && b > 0 && b < tb) {
          left = secs * (tb - b) / b;
        } else if (ti > 0 && i > 0 && i < ti) {
          left = secs * (ti - i) / i;
        }
        if (left >= 0) {
          sb.append(", ETA ").append(duration((long) Math.ceil(left)));
        }
      }
      return sb.toString();
    }
  }

  /** {@code 1.5 MiB}, {@code 12 B}: binary units, one decimal. */
  public static String human(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  static String duration(long seconds) {
    return seconds >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }
}
