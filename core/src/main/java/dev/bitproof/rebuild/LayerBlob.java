package dev.bitproof.rebuild;

import dev.bitproof.oci.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A layer's published bytes: on the heap while small, in a temporary file once over {@link #IN_MEMORY} (so a large
 * image's layers do not have to fit the heap). The file is deleted when the blob becomes unreachable, or when the
 * JVM exits, whichever is first.
 */
public final class LayerBlob {
  /** Blobs up to this size stay on the heap (apko's fixtures and small images: no temp files). */
  static final int IN_MEMORY = 4 << 20;

  private static final Cleaner CLEANER = Cleaner.create();

  private final byte[] bytes;
  private final Path file;
  private final long size;
  private final Digest digest;

  private LayerBlob(byte[] bytes, Path file, long size, Digest digest) {
    this.bytes = bytes;
    this.file = file;
    this.size = size;
    this.digest = digest;
    if (file != null) {
      CLEANER.register(this, () -> {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          // the JVM's exit hook tries again
        }
      });
    }
  }

  public static LayerBlob of(byte[] bytes) {
    return new LayerBlob(bytes, null, bytes.length, Digest.sha256(bytes));
  }

  public long size() {
    return size;
  }

  public Digest digest() {
    return digest;
  }

  /** The bytes, streamed (from the file when the blob is large). */
  public InputStream open() throws IOException {
    return bytes != null ? new ByteArrayInputStream(bytes) : Files.newInputStream(file);
  }

  /** All the bytes in one array: for small blobs and tests; a large image's layer may not fit the heap. */
  public byte[] bytes() {
    if (bytes != null) {
      return bytes;
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Collects a blob as it is written, digesting it; moves to a temp file past {@link #IN_MEMORY} bytes. */
  static final class Sink extends OutputStream {
    private final MessageDigest sha = Digest.newSha256();
    private byte[] buf = new byte[64 * 1024];
    private int len;
    private long size;
    private Path file;
    private OutputStream fileOut;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
      sha.update(b, off, n);
      size += n;
      if (fileOut != null) {
        fileOut.write(b, off, n);
        return;
      }
      if (len + n > IN_MEMORY) {
        file = Files.createTempFile("bitproof-layer-", ".blob");
        file.toFile().deleteOnExit();
        fileOut = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        fileOut.write(buf, 0, len);
        fileOut.write(b, off, n);
        buf = null;
        return;
      }
      if (len + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.min(IN_MEMORY, Math.max(buf.length * 2, len + n)));
      }
      System.arraycopy(b, off, buf, len, n);
      len += n;
    }

    @Override
    public void close() throws IOException {
      if (fileOut != null) {
        fileOut.close();
      }
    }

    /** The blob written so far (call after close). */
    LayerBlob blob() {
      Digest d = Digest.sha256(sha);
      return file == null ? new LayerBlob(Arrays.copyOf(buf, len), null, size, d) : new LayerBlob(null, file, size, d);
    }

    /** Drops a half-written blob. */
    void discard() {
      try {
        close();
        if (file != null) {
          Files.deleteIfExists(file);
        }
      } catch (IOException e) {
        // best effort: deleteOnExit remains
      }
    }
  }
}
