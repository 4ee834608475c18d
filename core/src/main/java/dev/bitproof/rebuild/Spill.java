package dev.bitproof.rebuild;

import dev.bitproof.io.IoCode;
import dev.bitproof.report.CheckException;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where a build keeps package file contents off the heap: one append-only temporary file per arch, written once as
 * each verified package is read, read back when the layer tar is written (and by the few steps that parse a file,
 * one file at a time). The heap then holds metadata only, so memory no longer grows with the image. The file is
 * deleted when the spill is closed (and, should the JVM die first, by the OS's temp cleaning: it lives in
 * {@code java.io.tmpdir}).
 *
 * <p>Files are streamed in ({@link #writer}), so no single file has to fit the heap either, and a file already in
 * the spill (same SHA-1 and size, as verified when it was read) is stored once ({@link #known}, {@link #remember}):
 * licences, duplicated libraries and a package installed for two archs take their space once.
 */
final class Spill implements Closeable {
  /** Files smaller than this stay on the heap: a spilled one costs a reference and a read call. */
  static final int MIN_SPILL = 1024;

  private final Path file;
  private final FileChannel channel;
  private long end;
  private final java.util.concurrent.ConcurrentHashMap<String, MemFs.Content> bySha1 =
      new java.util.concurrent.ConcurrentHashMap<>();

  private Spill(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  static Spill create() throws IOException {
    Path f = Files.createTempFile("bitproof-spill-", ".bin");
    try {
      return new Spill(f, FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE,
          StandardOpenOption.DELETE_ON_CLOSE));
    } catch (IOException e) {
      Files.deleteIfExists(f);
      throw e;
    }
  }

  /** Appends {@code data}; the returned content reads it back. Safe from the parallel package fetches. */
  MemFs.Content put(byte[] data) {
    long at;
    synchronized (this) {
      at = end;
      end += data.length;
    }
    try {
      ByteBuffer b = ByteBuffer.wrap(data);
      long pos = at;
      while (b.hasRemaining()) {
        pos += channel.write(b, pos);
      }
    } catch (IOException e) {
      throw new CheckException(IoCode.IO_ERROR, file.toString(), "cannot write the build's spill file: " + e.getMessage(), e);
    }
    return new Spilled(this, at, data.length);
  }

  /**
   * A stream for a file of exactly {@code size} bytes, written straight to its reserved place in the spill (safe
   * from the parallel package fetches); {@link Writer#content()} reads it back once closed.
   */
  Writer writer(long size) {
    long at;
    synchronized (this) {
      at = end;
      end += size;
    }
    return new Writer(at, size);
  }

  /** Bytes written or reserved so far. */
  synchronized long size() {
    return end;
  }

  /** The content of a file already spilled whose bytes have this SHA-1 (lowercase hex) and size. */
  java.util.Optional<MemFs.Content> known(String sha1Hex, long size) {
    return java.util.Optional.ofNullable(bySha1.get(sha1Hex + ":" + size));
  }

  /** Records {@code c} as the spilled bytes whose SHA-1 (computed over them as they were read) is {@code sha1Hex}. */
  void remember(String sha1Hex, MemFs.Content c) {
    bySha1.putIfAbsent(sha1Hex + ":" + c.size(), c);
  }

  /** Streams one file into its reserved region. */
  final class Writer extends OutputStream {
    private final long at;
    private final long size;
    private long pos;

    private Writer(long at, long size) {
      this.at = at;
      this.size = size;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (pos + len > size) {
        throw new IOException("more than the " + size + " bytes reserved in the spill");
      }
      ByteBuffer buf = ByteBuffer.wrap(b, off, len);
      while (buf.hasRemaining()) {
        pos += channel.write(buf, at + pos);
      }
    }

    /** The bytes written (all {@code size} of them when the file was read whole). */
    MemFs.Content content() {
      return new Spilled(Spill.this, at, pos);
    }
  }

  private void read(long at, ByteBuffer into) {
    try {
      long pos = at;
      while (into.hasRemaining()) {
        int n = channel.read(into, pos);
        if (n < 0) {
          throw new IOException("spill file ends early");
        }
        pos += n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the build's spill file " + file, e);
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
    Files.deleteIfExists(file);
  }

  /** A file's bytes in the spill. */
  private record Spilled(Spill spill, long offset, long length) implements MemFs.Content {
    @Override
    public long size() {
      return length;
    }

    @Override
    public byte[] bytes() {
      if (length > Integer.MAX_VALUE - 16) {
        throw new UncheckedIOException(new IOException("a file of " + length + " bytes does not fit an array"));
      }
      byte[] b = new byte[(int) length];
      spill.read(offset, ByteBuffer.wrap(b));
      return b;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
      byte[] buf = new byte[(int) Math.min(length, 64 * 1024)];
      for (long done = 0; done < length; ) {
        int n = (int) Math.min(buf.length, length - done);
        ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
        spill.read(offset + done, b);
        out.write(buf, 0, n);
        done += n;
      }
    }
  }
}
