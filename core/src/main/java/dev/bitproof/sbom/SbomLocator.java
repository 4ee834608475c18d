package dev.bitproof.sbom;

import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageIndex;
import dev.bitproof.oci.ImageManifest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the SBOMs published with an image: OCI referrers / artifacts listed in the root index whose artifact or
 * layer type is an SBOM (SPDX, CycloneDX, or an in-toto attestation carrying one), and cosign's tag scheme
 * ({@code sha256-<hex>.sbom}). Fetching only: what the bytes say is {@link SbomReader}'s business.
 */
public final class SbomLocator {
  /** An SBOM found beside an image. @param subject the image it is attached to, when the registry says */
  public record Located(String name, String source, byte[] bytes, Optional<Digest> subject) {}

  /** A published SBOM larger than this is not fetched. */
  public static final long MAX_SBOM_BYTES = 256L * 1024 * 1024;

  private SbomLocator() {}

  static boolean sbomType(String type) {
    String t = type.toLowerCase(Locale.ROOT);
    return t.contains("spdx") || t.contains("cyclonedx") || t.contains("in-toto") || t.contains("dsse")
        || t.equals("application/vnd.dev.cosign.artifact.sbom.v1+json");
  }

  /** Artifacts in the root index (an OCI layout's index.json, or a referrers-style index) that carry an SBOM. */
  public static List<Located> attached(ImageSource source, Images.Tree tree) throws IOException {
    List<Located> out = new ArrayList<>();
    if (tree.index().isEmpty()) {
      return out;
    }
    ImageIndex idx = tree.index().get();
    for (Descriptor d : idx.manifests()) {
      boolean named = d.annotations().getOrDefault("org.opencontainers.image.ref.name", "").endsWith(".sbom");
      boolean typed = d.artifactType().map(SbomLocator::sbomType).orElse(false);
      if (!d.mediaType().isImageManifest() || !(named || typed)) {
        continue;
      }
      collect(source, source.manifest(d), (named ? "cosign tag " : "referrer ") + d.digest(), out);
    }
    return out;
  }

  /**
   * Everything published beside the images of {@code tree}: cosign {@code .sbom} tags for each image (and the
   * index), and, for an OCI layout, the SBOM artifacts its {@code index.json} lists whose subject is one of them.
   */
  public static List<Located> find(ImageReference ref, Images.Tree tree, TransportOptions options) throws IOException {
    List<Digest> digests = new ArrayList<>();
    digests.add(tree.root().digest());
    tree.images().forEach(r -> {
      if (!digests.contains(r.manifest().digest())) {
        digests.add(r.manifest().digest());
      }
    });
    List<Located> out = new ArrayList<>();
    for (Digest d : digests) {
      out.addAll(cosignTag(ref, d, options));
    }
    if (ref.transport() == ImageReference.Transport.OCI) {
      ImageReference layout = new ImageReference(ref.transport(), ref.path(), "", "", Optional.empty(), Optional.empty());
      try (ImageSource src = Transports.source(layout, options)) {
        RawManifest root = src.root();
        if (root.isIndex()) {
          for (Descriptor d : root.asIndex().manifests()) {
            boolean named = d.annotations().getOrDefault("org.opencontainers.image.ref.name", "").endsWith(".sbom");
            if (named || !d.mediaType().isImageManifest()) {
              continue; // cosign tags were read above
            }
            RawManifest m = src.manifest(d);
            ImageManifest im = m.asImage();
            Optional<Digest> subject = im.subject().map(Descriptor::digest);
            boolean typed = d.artifactType().or(im::artifactType).map(SbomLocator::sbomType).orElse(false);
            if (typed && subject.isPresent() && digests.contains(subject.get())) {
              collect(src, m, "referrer " + d.digest(), out);
            }
          }
        }
      }
    }
    return out;
  }

  /** cosign's {@code <repo>:sha256-<hex>.sbom} tag, for transports that can name a tag. */
  public static List<Located> cosignTag(ImageReference ref, Digest image, TransportOptions options) throws IOException {
    String tag = image.algorithm() + "-" + image.hex() + ".sbom";
    ImageReference sbomRef = switch (ref.transport()) {
      case DOCKER -> new ImageReference(ref.transport(), "", ref.registry(), ref.repository(), Optional.of(tag), Optional.empty());
      case OCI -> new ImageReference(ref.transport(), ref.path(), "", "", Optional.of(tag), Optional.empty());
      default -> null;
    };
    List<Located> out = new ArrayList<>();
    if (sbomRef == null) {
      return out;
    }
    try (ImageSource src = Transports.source(sbomRef, options)) {
      RawManifest m = src.root();
      if (!m.isIndex()) {
        collect(src, m, "cosign tag " + sbomRef, out);
      }
    } catch (CheckException e) {
      if (!e.code().equals("IMAGE_NOT_FOUND") && !e.code().equals("MANIFEST_UNKNOWN") && !e.code().equals("NOT_FOUND")
          && !e.code().equals("TRANSPORT_UNSUPPORTED")) {
        throw e;
      }
    }
    return out;
  }

  private static void collect(ImageSource source, RawManifest raw, String where, List<Located> out) throws IOException {
    ImageManifest m = raw.asImage();
    boolean artifactIsSbom = m.artifactType().map(SbomLocator::sbomType).orElse(false)
        || sbomType(m.config().mediaType().value());
    for (Descriptor layer : m.layers()) {
      if (!artifactIsSbom && !sbomType(layer.mediaType().value())) {
        continue;
      }
      byte[] bytes = source.blobBytes(layer, MAX_SBOM_BYTES);
      out.add(new Located(where + " layer " + layer.digest().shortHex(), where, bytes, m.subject().map(Descriptor::digest)));
    }
  }
}
