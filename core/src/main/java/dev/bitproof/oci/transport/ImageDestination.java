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

  /** Stores the blob, verifying digest and size while streaming; nothing is kept on mismatch. */
  void putBlob(Descriptor descriptor, InputStream content) throws IOException;

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
