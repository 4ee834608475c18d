package dev.bitproof.report;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.FilterOutputStream;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Where long work says how far it has come: fetching, rebuilding, compressing, comparing, copying. Core only counts
 * items and bytes; how that is shown (a redrawn terminal line, a plain line every few seconds, nothing) belongs to
 * the caller, so core knows nothing of terminals or clocks. Counts arrive in batches (per item, per buffer read),
 * never per byte, and implementations are thread-safe: parallel fetches share one task.
 */
public interface Progress {
  /**
   * Starts a task. {@code what} is a present participle ({@code "fetching packages"}); the totals are what is
   * known ahead (0 when nothing is, which only means no ETA) and may {@link Task#grow} as the work is discovered.
   */
  Task start(String what, long items, long bytes);

  /** One piece of long work; {@link #close} when it ends, however it ends. */
  interface Task extends AutoCloseable {
    /** {@code items} more done and {@code bytes} more moved. */
    void add(long items, long bytes);

    /** The totals grew by this much (work discovered on the way: an index's images, a package's dependencies). */
    void grow(long items, long bytes);

    @Override
    void close();

    default void item() {
      add(1, 0);
    }

    /** Counts what is read through {@code in} into this task, a buffer at a time. */
    default InputStream counting(InputStream in) {
      return new Counting(in, this);
    }

    /** Counts what is written through {@code out} into this task, in batches. */
    default OutputStream counting(OutputStream out) {
      return new CountingOut(out, this);
    }
  }

  /** Reports nothing: the default wherever no one listens. */
  Progress NONE = (what, items, bytes) -> Silent.TASK;

  /** The task of {@link #NONE}. */
  final class Silent implements Task {
    static final Silent TASK = new Silent();

    private Silent() {}

    @Override
    public void add(long items, long bytes) {}

    @Override
    public void grow(long items, long bytes) {}

    @Override
    public void close() {}

    @Override
    public InputStream counting(InputStream in) {
      return in;
    }

    @Override
    public OutputStream counting(OutputStream out) {
      return out;
    }
  }

  /** How many bytes a counting stream gathers before it tells its task: a call per 64 KiB, not per read. */
  int BATCH = 64 * 1024;

  /** Bytes counted for a task and handed over in batches of {@link #BATCH}, the rest on {@link #flush}. */
  final class Batch {
    private final Task task;
    private long pending;

    Batch(Task task) {
      this.task = task;
    }

    void count(long n) {
      pending += n;
      if (pending >= BATCH) {
        flush();
      }
    }

    void flush() {
      if (pending > 0) {
        task.add(0, pending);
        pending = 0;
      }
    }
  }

  /** Adds bytes read to a task, in batches of {@link #BATCH} (and what is left when closed). */
  final class Counting extends FilterInputStream {
    private final Batch batch;

    Counting(InputStream in, Task task) {
      super(in);
      this.batch = new Batch(task);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        batch.count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        batch.count(n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      if (s > 0) {
        batch.count(s);
      }
      return s;
    }

    @Override
    public void close() throws IOException {
      batch.flush();
      super.close();
    }
  }

  /** Adds bytes written to a task, in batches of {@link #BATCH} (and what is left when closed). */
  final class CountingOut extends FilterOutputStream {
    private final Batch batch;

    CountingOut(OutputStream out, Task task) {
      super(out);
      this.batch = new Batch(task);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      batch.count(1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      batch.count(len);
    }

    @Override
    public void close() throws IOException {
      batch.flush();
      super.close();
    }
  }
}
