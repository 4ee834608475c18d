package dev.bitproof.compress;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;

/**
 * Gzip in the exact framing of klauspost/pgzip v1.2.x over {@link Deflate}, as apko writes its layers: the
 * input is cut into 1 MiB blocks; each block is compressed on its own, primed with the last 16 KiB of the block
 * before it, and ends with a sync flush; the last block also ends with an empty final block. The bytes do not
 * depend on how many blocks are compressed in parallel.
 *
 * <p>Header: {@code 1f 8b 08 00 | 00 09 6e 88 | 00 | ff} (pgzip writes the zero {@code time.Time}'s Unix time,
 * -62135596800, truncated to 32 bits; OS 255). Trailer: CRC-32 and size mod 2^32, little-endian.
 */
public final class PgzipOutputStream extends OutputStream {
  /** pgzip's default block size. */
  public static final int BLOCK_SIZE = 1 << 20;
  /** How much of the previous block primes the next one. */
  static final int TAIL_SIZE = 16384;
  static final byte[] HEADER = {0x1f, (byte) 0x8b, 0x08, 0x00, 0x00, 0x09, 0x6e, (byte) 0x88, 0x00, (byte) 0xff};

  private final OutputStream out;
  private final FlateVersion version;
  private final ExecutorService executor;
  private final int maxInFlight;
  private final ArrayDeque<Future<byte[]>> inFlight = new ArrayDeque<>();
  private final ConcurrentLinkedQueue<Deflate> idle = new ConcurrentLinkedQueue<>();
  private final CRC32 crc = new CRC32();
  private byte[] block = new byte[BLOCK_SIZE];
  private int blockLen;
  private byte[] previous;
  private long size;
  private boolean wroteHeader;
  private boolean closed;

  /** Compresses on {@code parallelism} threads of its own (1: on the calling thread), stopped by {@link #close}. */
  public PgzipOutputStream(OutputStream out, int parallelism) {
    this(out, parallelism, FlateVersion.APKO_CURRENT);
  }

  /** As {@link #PgzipOutputStream(OutputStream, int)}, reproducing {@code version} of klauspost's encoder. */
  public PgzipOutputStream(OutputStream out, int parallelism, FlateVersion version) {
    this.out = Objects.requireNonNull(out);
    this.version = Objects.requireNonNull(version);
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
    }
    this.executor = parallelism == 1 ? null : Executors.newFixedThreadPool(parallelism, r -> {
      Thread t = new Thread(r, "pgzip-block");
      t.setDaemon(true);
      return t;
    });
    // Enough queued blocks to keep every thread busy while the head is written; memory is bounded by it.
    this.maxInFlight = parallelism * 2;
  }

  /** Compresses with one thread per available processor. */
  public PgzipOutputStream(OutputStream out) {
    this(out, Runtime.getRuntime().availableProcessors());
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (closed) {
      throw new IOException("pgzip stream is closed");
    }
    writeHeader();
    crc.update(b, off, len);
    size += len;
    while (len > 0) {
      int n = Math.min(len, BLOCK_SIZE - blockLen);
      System.arraycopy(b, off, block, blockLen, n);
      blockLen += n;
      off += n;
      len -= n;
      if (blockLen == BLOCK_SIZE) {
        submit(false);
      }
    }
  }

  private void writeHeader() throws IOException {
    if (!wroteHeader) {
      wroteHeader = true;
      out.write(HEADER);
    }
  }

  private void submit(boolean last) throws IOException {
    byte[] data = block;
    int dataLen = blockLen;
    // pgzip keeps a tail only from a block longer than the tail; only the last block can be shorter.
    byte[] dict = previous;
    previous = dataLen > TAIL_SIZE ? data : null;
    if (executor == null) {
      out.write(compressBlock(data, dataLen, dict, last));
    } else {
      while (inFlight.size() >= maxInFlight) {
        out.write(await(inFlight.removeFirst()));
      }
      inFlight.addLast(executor.submit(() -> compressBlock(data, dataLen, dict, last)));
    }
    if (!last) {
      block = new byte[BLOCK_SIZE];
      blockLen = 0;
    }
  }

  private byte[] compressBlock(byte[] data, int len, byte[] prev, boolean last) {
    Deflate d = idle.poll();
    ByteSink sink = new ByteSink(len + (len >> 4) + 64);
    if (d == null) {
      d = new Deflate(sink, version);
    }
    if (prev == null) {
      d.reset(sink, null, 0, 0);
    } else {
      d.reset(sink, prev, BLOCK_SIZE - TAIL_SIZE, TAIL_SIZE);
    }
    d.write(data, 0, len);
    d.flush();
    if (last) {
      d.finish();
    }
    idle.add(d);
    return sink.toByteArray();
  }

  private static byte[] await(Future<byte[]> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IOException("block compression failed", c);
    }
  }

  /** Compresses the last block, writes everything in order and the trailer; does not close the target. */
  public void finish() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      writeHeader();
      submit(true);
      while (!inFlight.isEmpty()) {
        out.write(await(inFlight.removeFirst()));
      }
      long c = crc.getValue();
      byte[] trailer = new byte[8];
      for (int i = 0; i < 4; i++) {
        trailer[i] = (byte) (c >>> (8 * i));
        trailer[4 + i] = (byte) (size >>> (8 * i));
      }
      out.write(trailer);
      out.flush();
    } finally {
      shutdown();
    }
  }

  /** Stops without writing anything more (after a failure upstream); the target is left open. */
  public void abort() {
    closed = true;
    shutdown();
  }

  private void shutdown() {
    if (executor != null) {
      for (Future<byte[]> f : inFlight) {
        f.cancel(true);
      }
      inFlight.clear();
      executor.shutdownNow();
    }
    block = null;
    previous = null;
  }

  @Override
  public void flush() throws IOException {
    // A pgzip Flush would cut a short block and change the bytes; only the target is flushed.
    out.flush();
  }

  @Override
  public void close() throws IOException {
    try {
      finish();
    } finally {
      out.close();
    }
  }
}
