package dev.bitproof.oci.transport;

import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.report.Progress;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * A source that tells a progress task about the layer blobs read through it: their bytes as they stream (in
 * batches) and an item when a stream is closed. Manifests and configs pass through uncounted. Closing it closes
 * nothing: the caller closes the source it wrapped.
 */
public final class CountingSource implements ImageSource {
  private final ImageSource in;
  private final Progress.Task task;

  private CountingSource(ImageSource in, Progress.Task task) {
    this.in = in;
    this.task = task;
  }

  public static ImageSource of(ImageSource in, Progress.Task task) {
    return new CountingSource(in, task);
  }

  @Override
  public ImageReference reference() {
    return in.reference();
  }

  @Override
  public RawManifest root() throws IOException {
    return in.root();
  }

  @Override
  public RawManifest manifest(Descriptor d) throws IOException {
    return in.manifest(d);
  }

  @Override
  public InputStream blob(Descriptor d) throws IOException {
    InputStream s = in.blob(d);
    if (!d.mediaType().isLayer()) {
      return s;
    }
    return new FilterInputStream(task.counting(s)) {
      private boolean closed;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
      }

      @Override
      public void close() throws IOException {
        super.close();
        if (!closed) {
          closed = true; // readers close twice (a wrapper, then its owner): one item per blob
          task.item();
        }
      }
    };
  }

  @Override
  public Referrers referrers(Digest subject, Optional<String> artifactType) throws IOException {
    return in.referrers(subject, artifactType);
  }

  @Override
  public byte[] blobBytes(Descriptor d, long limit) throws IOException {
    return in.blobBytes(d, limit);
  }

  @Override
  public void close() {
    // the caller closes the source it passed in
  }
}
