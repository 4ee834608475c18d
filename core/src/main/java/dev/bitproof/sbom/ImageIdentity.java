package dev.bitproof.sbom;

import dev.bitproof.oci.Digest;
import java.util.List;
import java.util.Optional;

/**
 * The digests that name one image: what an SBOM may say it describes.
 *
 * @param manifest the image manifest's digest
 * @param index the digest of the index the image was reached through, if any
 * @param layers compressed layer digests, in order
 */
public record ImageIdentity(Optional<Digest> manifest, Optional<Digest> index, List<Digest> layers) {
  public ImageIdentity {
    layers = List.copyOf(layers);
  }

  public static ImageIdentity none() {
    return new ImageIdentity(Optional.empty(), Optional.empty(), List.of());
  }

  public boolean names(Digest d) {
    return manifest.map(d::equals).orElse(false) || index.map(d::equals).orElse(false) || layers.contains(d);
  }

  public boolean isKnown() {
    return manifest.isPresent() || index.isPresent();
  }
}
