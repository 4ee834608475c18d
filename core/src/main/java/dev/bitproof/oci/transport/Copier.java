package dev.bitproof.oci.transport;

import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageIndex;
import dev.bitproof.oci.ImageManifest;
import dev.bitproof.oci.OciCode;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Copies an image or index between any two transports byte for byte: blobs first (each verified while it
 * streams), then manifests children-first, then the root under the destination's tag. Nothing is re-serialized,
 * so every digest is the same on both sides. Blobs the destination already has are skipped.
 */
public final class Copier {
  /** Told about each step, for progress on stderr. */
  public interface Listener {
    void blob(Descriptor d, boolean skipped);

    void manifest(RawManifest m);

    /** Called every {@link #PROGRESS_STEP} bytes while a large blob streams. */
    default void bytes(Descriptor d, long done) {}

    Listener NONE = new Listener() {
      @Override
      public void blob(Descriptor d, boolean skipped) {}

      @Override
      public void manifest(RawManifest m) {}
    };
  }

  /**
   * What was copied.
   *
   * @param root the root manifest or index as written (same bytes, same digest as read)
   * @param manifests manifests and indexes written
   * @param blobsCopied blobs transferred
   * @param blobsSkipped blobs the destination already had
   * @param bytes bytes of blobs transferred
   */
  public record Result(RawManifest root, int manifests, int blobsCopied, int blobsSkipped, long bytes) {}

  /** How often {@link Listener#bytes} is told about a streaming blob. */
  public static final long PROGRESS_STEP = 64L * 1024 * 1024;

  private final ImageSource src;
  private final ImageDestination dst;
  private final Listener listener;
  private Progress.Task task = Progress.NONE.start("", 0, 0);
  private final Set<Digest> done = new HashSet<>();
  private int manifests;
  private int copied;
  private int skipped;
  private long bytes;

  private Copier(ImageSource src, ImageDestination dst, Listener listener) {
    this.src = src;
    this.dst = dst;
    this.listener = listener;
  }

  /**
   * Copies {@code src}'s root to {@code dst}. With {@code platform}, an index root is narrowed to the one image for
   * that platform (needed for a docker-archive, which holds no index).
   */
  public static Result copy(ImageSource src, ImageDestination dst, Optional<Platform> platform, Listener listener)
      throws IOException {
    return copy(src, dst, platform, listener, Progress.NONE);
  }

  /** {@link #copy}, reporting blobs and bytes to {@code progress} ("copying blobs"; totals grow per image read). */
  public static Result copy(ImageSource src, ImageDestination dst, Optional<Platform> platform, Listener listener,
      Progress progress) throws IOException {
    try (Progress.Task t = progress.start("copying blobs", 0, 0)) {
      Copier c = new Copier(src, dst, listener);
      c.task = t;
      return c.run(platform);
    }
  }

  private Result run(Optional<Platform> platform) throws IOException {
    Copier c = this;
    RawManifest root = src.root();
    Listener listener = this.listener;
    if (platform.isPresent() && root.isIndex()) {
      root = select(src, root, platform.get(), 0);
    }
    if (dst.reference().digest().isPresent() && !dst.reference().digest().get().equals(root.digest())) {
      throw CheckException.usage(TransportCode.DESTINATION_DIGEST_MISMATCH, dst.reference() + " names digest "
          + dst.reference().digest().get() + " but the image to copy is " + root.digest());
    }
    if (root.isIndex() && !dst.supportsIndex()) {
      throw CheckException.usage(TransportCode.ARCHIVE_SINGLE_IMAGE, dst.reference() + " holds one image but "
          + src.reference() + " is an index; choose one with --platform os/arch");
    }
    c.copyTree(root, new HashSet<>(), 0);
    dst.putManifest(root, dst.reference().tag());
    c.manifests++;
    listener.manifest(root);
    dst.commit();
    return new Result(root, c.manifests, c.copied, c.skipped, c.bytes);
  }

  private static RawManifest select(ImageSource src, RawManifest index, Platform p, int depth) throws IOException {
    if (depth > ImageIndex.MAX_DEPTH) {
      throw new CheckException(TransportCode.INDEX_TOO_DEEP, index.digest().toString(), "indexes nested deeper than " + ImageIndex.MAX_DEPTH);
    }
    for (Descriptor d : index.asIndex().manifests()) {
      if (d.platform().isPresent() && d.platform().get().matches(p)) {
        RawManifest m = src.manifest(d);
        return m.isIndex() ? select(src, m, p, depth + 1) : m;
      }
    }
    throw new CheckException(TransportCode.PLATFORM_NOT_FOUND, index.digest().toString(), "no image for platform " + p + " in the index");
  }

  /** Copies everything {@code m} refers to, and {@code m}'s children (not {@code m} itself). */
  private void copyTree(RawManifest m, Set<Digest> path, int depth) throws IOException {
    if (!path.add(m.digest())) {
      throw new CheckException(OciCode.INDEX_CYCLE, m.digest().toString(), "index refers back to itself");
    }
    if (m.isIndex()) {
      if (depth >= ImageIndex.MAX_DEPTH) {
        throw new CheckException(TransportCode.INDEX_TOO_DEEP, m.digest().toString(), "indexes nested deeper than " + ImageIndex.MAX_DEPTH);
      }
      for (Descriptor d : m.asIndex().manifests()) {
        if (d.mediaType().isManifestOrIndex()) {
          RawManifest child = src.manifest(d);
          copyTree(child, path, depth + 1);
          if (done.add(child.digest())) {
            dst.putManifest(child, Optional.empty());
            manifests++;
            listener.manifest(child);
          }
        } else {
          copyBlob(d);
        }
      }
    } else {
      ImageManifest im = m.asImage();
      task.grow(1 + im.layers().size(), im.config().size() + im.layers().stream().mapToLong(Descriptor::size).sum());
      copyBlob(im.config());
      for (Descriptor l : im.layers()) {
        copyBlob(l);
      }
    }
    path.remove(m.digest());
  }

  private void copyBlob(Descriptor d) throws IOException {
    if (!done.add(d.digest())) {
      task.add(1, d.size());
      return;
    }
    if (dst.hasBlob(d.digest())) {
      task.add(1, d.size());
      skipped++;
      listener.blob(d, true);
      return;
    }
    InputStream in;
    try {
      in = src.blob(d);
    } catch (CheckException e) {
      if (e.code() == TransportCode.BLOB_NOT_FOUND && !d.urls().isEmpty()) {
        // non-distributable ("foreign") layer: the manifest points elsewhere for it; copy the manifest as is
        listener.blob(d, true);
        task.add(1, d.size());
        return;
      }
      throw e;
    }
    try (InputStream counted = task.counting(new Counting(in, d, listener))) {
      dst.putBlob(d, counted);
    }
    task.item();
    copied++;
    bytes += d.size();
    listener.blob(d, false);
  }

  /** Tells the listener how far a blob has come, every {@link #PROGRESS_STEP} bytes. */
  private static final class Counting extends java.io.FilterInputStream {
    private final Descriptor d;
    private final Listener listener;
    private long done;
    private long next = PROGRESS_STEP;

    Counting(InputStream in, Descriptor d, Listener listener) {
      super(in);
      this.d = d;
      this.listener = listener;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) {
      done += n;
      if (done >= next) {
        next = done + PROGRESS_STEP;
        listener.bytes(d, done);
      }
    }
  }
}
