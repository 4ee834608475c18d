package dev.bitproof.oci.transport;

import dev.bitproof.io.VerifyingInputStream;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageIndex;
import dev.bitproof.oci.ImageManifest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.OciCode;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Copies an image or index between any two transports byte for byte. The manifests (small) are read first, so the
 * whole set of blobs is known; then the blobs stream straight from source to destination, each verified once while
 * it streams (the source's verifying stream is handed on, the destination does not hash again), several at a time
 * where the destination allows it ({@link ImageDestination#blobConcurrency()}); then manifests children-first, then
 * the root under the destination's tag. Nothing is re-serialized, so every digest is the same on both sides. Blobs
 * the destination already has are skipped; a registry destination mounts blobs from a source repository on the same
 * registry instead of uploading them.
 */
public final class Copier {
  /**
   * What was copied.
   *
   * @param root the root manifest or index as written (same bytes, same digest as read)
   * @param manifests manifests and indexes written
   * @param blobsCopied blobs transferred (mounted ones included)
   * @param blobsSkipped blobs the destination already had
   * @param bytes bytes of blobs transferred
   */
  public record Result(RawManifest root, int manifests, int blobsCopied, int blobsSkipped, long bytes) {
    /** The document {@code copy} prints (docs/schema/copy.json). */
    public Summary summary(ImageReference source, ImageReference destination) {
      return new Summary(source.toString(), destination.toString(), root.digest(), root.mediaType().value(), manifests,
          blobsCopied, blobsSkipped, bytes);
    }
  }

  /** What a copy did, as {@code copy}'s JSON body. */
  public record Summary(String source, String destination, Digest digest, String mediaType, int manifests,
      int blobsCopied, int blobsSkipped, long bytes) implements dev.bitproof.json.JsonBody {}

  /** Blobs moved at once at most, whatever the destination allows: enough to hide a registry's latency. */
  public static final int MAX_PARALLEL_BLOBS = 4;

  private final ImageSource src;
  private final ImageDestination dst;
  private final Progress.Task task;
  /** Blobs in the order first met (configs before layers, images in index order). */
  private final Set<Descriptor> blobs = new LinkedHashSet<>();
  private final Set<Digest> blobDigests = new HashSet<>();
  /** Child manifests, children before their parents; the root is not in it. */
  private final Map<Digest, RawManifest> children = new LinkedHashMap<>();
  private int manifests;
  private int copied;
  private int skipped;
  private long bytes;

  private Copier(ImageSource src, ImageDestination dst, Progress.Task task) {
    this.src = src;
    this.dst = dst;
    this.task = task;
  }

  /**
   * Copies {@code src}'s root to {@code dst}. With {@code platform}, an index root is narrowed to the one image for
   * that platform (needed for a docker-archive, which holds no index).
   */
  public static Result copy(ImageSource src, ImageDestination dst, Optional<Platform> platform) throws IOException {
    return copy(src, dst, platform, Progress.NONE);
  }

  /** {@link #copy}, reporting blobs and bytes to {@code progress} ("copying blobs"; totals grow per image read). */
  public static Result copy(ImageSource src, ImageDestination dst, Optional<Platform> platform, Progress progress)
      throws IOException {
    try (Progress.Task t = progress.start("copying blobs", 0, 0)) {
      return new Copier(src, dst, t).run(platform);
    }
  }

  private Result run(Optional<Platform> platform) throws IOException {
    VerifyingInputStream.warmUpSha256();
    warmUpJson();
    RawManifest root = src.root();
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
    walk(root, new HashSet<>(), 0);
    copyBlobs();
    for (RawManifest child : children.values()) {
      dst.putManifest(child, Optional.empty());
      manifests++;
    }
    dst.putManifest(root, dst.reference().tag());
    manifests++;
    dst.commit();
    return new Result(root, manifests, copied, skipped, bytes);
  }

  /**
   * Jackson's mapper takes ~40 ms of one core to set up (locale data for its date format among it); a registry source
   * spends about as long on its first requests (ping, token, manifest) before it parses anything, so the set-up runs
   * beside them on the other core. A local source parses at once and just waits for the same initialisation.
   */
  private static void warmUpJson() {
    Thread t = new Thread(() -> dev.bitproof.json.Json.mapper(), "bitproof-json-warmup");
    t.setDaemon(true);
    t.start();
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

  /** Reads the manifests under {@code m} (not {@code m} itself) and notes every blob they refer to. */
  private void walk(RawManifest m, Set<Digest> path, int depth) throws IOException {
    if (!path.add(m.digest())) {
      throw new CheckException(OciCode.INDEX_CYCLE, m.digest().toString(), "index refers back to itself");
    }
    if (m.isIndex()) {
      if (depth >= ImageIndex.MAX_DEPTH) {
        throw new CheckException(TransportCode.INDEX_TOO_DEEP, m.digest().toString(), "indexes nested deeper than " + ImageIndex.MAX_DEPTH);
      }
      for (Descriptor d : m.asIndex().manifests()) {
        if (d.mediaType().isManifestOrIndex()) {
          if (children.containsKey(d.digest())) {
            continue;
          }
          RawManifest child = src.manifest(d);
          walk(child, path, depth + 1);
          children.putIfAbsent(child.digest(), child);
        } else {
          blob(d);
        }
      }
    } else {
      ImageManifest im = m.asImage();
      blob(im.config());
      for (Descriptor l : im.layers()) {
        blob(l);
      }
    }
    path.remove(m.digest());
  }

  private void blob(Descriptor d) {
    if (blobDigests.add(d.digest())) {
      blobs.add(d);
      task.grow(1, d.size());
    }
  }

  /**
   * Moves every blob, up to {@link ImageDestination#blobConcurrency()} at once (at most {@link #MAX_PARALLEL_BLOBS}).
   * The first failure stops the others (their partial files or uploads are dropped by the destination) and is the
   * one thrown.
   */
  private void copyBlobs() throws IOException {
    // a foreign layer (with urls) may be absent from the source and then left out: it is not announced
    dst.plan(blobs.stream().filter(d -> d.urls().isEmpty()).toList());
    int threads = Math.min(Math.min(dst.blobConcurrency(), MAX_PARALLEL_BLOBS), blobs.size());
    if (threads <= 1) {
      for (Descriptor d : blobs) {
        copyBlob(d);
      }
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "bitproof-copy");
      t.setDaemon(true);
      return t;
    });
    try {
      CompletionService<Void> done = new ExecutorCompletionService<>(pool);
      for (Descriptor d : blobs) {
        done.submit(() -> {
          copyBlob(d);
          return null;
        });
      }
      for (int i = 0; i < blobs.size(); i++) {
        try {
          done.take().get();
        } catch (ExecutionException e) {
          pool.shutdownNow();
          awaitQuietly(pool);
          throw rethrow(e.getCause());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pool.shutdownNow();
      awaitQuietly(pool);
      throw new java.io.InterruptedIOException("interrupted while copying blobs");
    } finally {
      pool.shutdownNow();
    }
  }

  /** Lets the stopped transfers clean up (temp files, uploads) before the failure is reported. */
  private static void awaitQuietly(ExecutorService pool) {
    try {
      pool.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static IOException rethrow(Throwable t) {
    if (t instanceof IOException io) {
      return io;
    }
    if (t instanceof RuntimeException re) {
      throw re;
    }
    if (t instanceof Error err) {
      throw err;
    }
    return new IOException(t);
  }

  private void copyBlob(Descriptor d) throws IOException {
    if (dst.hasBlob(d.digest())) {
      tell(d, true, 0);
      return;
    }
    if (dst.mountBlob(d, src)) {
      tell(d, false, d.size());
      return;
    }
    InputStream in;
    try {
      in = src.blob(d);
    } catch (CheckException e) {
      if (e.code() == TransportCode.BLOB_NOT_FOUND && !d.urls().isEmpty()) {
        // non-distributable ("foreign") layer: the manifest points elsewhere for it; copy the manifest as is
        tell(d, true, -1);
        return;
      }
      throw e;
    }
    // one verifying stream from source to destination: the destination sees it is already checked and does not hash again
    VerifyingInputStream verified = VerifyingInputStream.verifying(in, d.digest(), d.size(), src.reference() + "@" + d.digest());
    long[] counted = {0};
    verified.onProgress(n -> {
      if (n - counted[0] >= Progress.BATCH) {
        task.add(0, n - counted[0]);
        counted[0] = n;
      }
    });
    try (InputStream body = verified) {
      dst.putBlob(d, body);
    }
    task.add(0, verified.count() - counted[0]);
    tell(d, false, d.size(), true);
  }

  /** Counts a finished blob, one thread at a time. {@code size} -1: a foreign layer left out. */
  private void tell(Descriptor d, boolean skip, long size) {
    tell(d, skip, size, false);
  }

  /** {@code streamed}: its bytes were counted into the progress as they went; any other blob counts whole. */
  private synchronized void tell(Descriptor d, boolean skip, long size, boolean streamed) {
    task.add(1, streamed ? 0 : d.size());
    if (skip && size == 0) {
      skipped++;
    } else if (!skip) {
      copied++;
      bytes += size;
    }
  }
}
