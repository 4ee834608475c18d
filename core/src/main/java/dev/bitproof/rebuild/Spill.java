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
 */
final class Spill implements Closeable {
  /** Files smaller than this stay on the heap: a spilled one costs a reference and a read call. */
  static final int MIN_SPILL = 1024;

  private final Path file;
  private final FileChannel channel;
  private long end;

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
  private record Spilled(Spill spill, long offset, int length) implements MemFs.Content {
    @Override
    public long size() {
      return length;
    }

    @Override
    public byte[] bytes() {
      byte[] b = new byte[length];
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
