package dev.bitproof.oci.transport;

import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.RawManifest;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Where an image is written. Blobs first, then manifests children-first, then the root with its tag, then
 * {@link #commit()}. Our exact bytes are written: nothing is re-serialized. A blob whose bytes do not match its
 * descriptor is never kept.
 */
public interface ImageDestination extends Closeable {
  ImageReference reference();

  boolean hasBlob(Digest digest) throws IOException;

  /** Can this destination hold an image index? (A docker-archive holds single images only.) */
  default boolean supportsIndex() {
    return true;
  }

  /**
   * Stores the blob, verifying digest and size while streaming; nothing is kept on mismatch. A {@code content} that is
   * already a {@code VerifyingInputStream} for this descriptor is not hashed a second time (see
   * {@code VerifyingInputStream.verifying}). Called from several threads at once when {@link #blobConcurrency()} &gt; 1.
   */
  void putBlob(Descriptor descriptor, InputStream content) throws IOException;

  /**
   * Told every blob the copy will put (before the first {@link #putBlob}), in order; an archive reserves each one's
   * place so they can be written at once. Blobs the destination turns out to have are still put or skipped as usual.
   */
  default void plan(java.util.List<Descriptor> blobs) throws IOException {}

  /** How many {@link #putBlob} / {@link #hasBlob} / {@link #mountBlob} calls may run at once (1: one at a time). */
  default int blobConcurrency() {
    return 1;
  }

  /**
   * Makes the blob available without transferring its bytes, when the destination can take it from {@code source}
   * itself (a registry's cross-repository mount). False when it cannot; the caller then copies the bytes.
   */
  default boolean mountBlob(Descriptor descriptor, ImageSource source) throws IOException {
    return false;
  }

  /** Stores a manifest or index; {@code tag} is given for the root only. */
  void putManifest(RawManifest manifest, Optional<String> tag) throws IOException;

  /**
   * Stores a referrer manifest (one with a {@code subject}) by digest. True when the destination indexed it as a
   * referrer itself (a registry with the OCI 1.1 referrers API says so with {@code OCI-Subject}), so no
   * referrers-tag index needs writing; false by default: the caller keeps the tag scheme.
   */
  default boolean putReferrer(RawManifest manifest) throws IOException {
    putManifest(manifest, Optional.empty());
    return false;
  }

  /** Makes the written image visible (archives are finished here). Without commit nothing half-written stays. */
  void commit() throws IOException;
}
