package dev.bitproof.oci.transport;

import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.RawManifest;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * Where an image is read from. Lazy: {@link #root()} and {@link #manifest} never touch a layer. Every byte
 * handed out is checked against its digest; a stream from {@link #blob} throws at its end when the bytes do
 * not match, so callers keep nothing before reading to the end.
 */
public interface ImageSource extends Closeable {
  ImageReference reference();

  /** The manifest or index the reference names, with its raw bytes. */
  RawManifest root() throws IOException;

  /** A manifest or index by descriptor, digest-checked and at most {@link RawManifest#MAX_SIZE}. */
  RawManifest manifest(Descriptor descriptor) throws IOException;

  /** The blob's bytes as a stream that verifies size and digest while it is read (see {@code VerifyingInputStream}). */
  InputStream blob(Descriptor descriptor) throws IOException;

  /**
   * The OCI 1.1 referrers of {@code subject} (manifests whose {@code subject} is it), of {@code artifactType} when
   * given. Lazy: a listing only; fetch each with {@link Referrers#manifest}, which checks the subject. A registry
   * asks its referrers API and falls back to the referrers tag scheme; a layout reads its {@code index.json}.
   * Transports without referrers list none.
   */
  default Referrers referrers(dev.bitproof.oci.Digest subject, java.util.Optional<String> artifactType) throws IOException {
    return Referrers.none(subject);
  }

  /** Reads a small blob (config, SBOM) whole; {@code BLOB_TOO_LARGE} past {@code limit}. */
  default byte[] blobBytes(Descriptor descriptor, long limit) throws IOException {
    if (descriptor.size() > limit) {
      throw new dev.bitproof.report.CheckException(TransportCode.BLOB_TOO_LARGE, descriptor.digest().toString(),
          "blob of " + descriptor.size() + " bytes is over the " + limit + "-byte limit");
    }
    try (InputStream in = blob(descriptor)) {
      return LimitedInputStream.readAll(in, limit, TransportCode.BLOB_TOO_LARGE, descriptor.digest().toString());
    }
  }
}
