package dev.bitproof.sbom;

import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageIndex;
import dev.bitproof.oci.ImageManifest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.Referrers;
import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the SBOMs published with an image: cosign's tags ({@code sha256-<hex>.sbom} for an attached SBOM,
 * {@code sha256-<hex>.att} for attestations, of which those with an SBOM predicate are kept) and the image's OCI 1.1
 * referrers ({@link ImageSource#referrers}: the registry's API, else the tag schema {@code sha256-<hex>}; for an OCI
 * layout the artifacts its {@code index.json} lists with the image as subject). Fetching only: what the
 * bytes say is {@link SbomReader}'s business.
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

  /** Does this in-toto statement or DSSE envelope carry an SBOM predicate? (A broken one is kept, to be reported.) */
  static boolean isSbomAttestation(byte[] bytes) {
    try {
      SbomReader.read(bytes, "attestation");
      return true;
    } catch (CheckException e) {
      return e.code() != SbomCode.SBOM_FORMAT_UNKNOWN;
    }
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
      collect(source, source.manifest(d), (named ? "cosign tag " : "referrer ") + d.digest(), out, Optional.empty());
    }
    return out;
  }

  /**
   * Everything published beside the images of {@code tree}: for each image (and the index) cosign's {@code .sbom}
   * and {@code .att} tags and its OCI 1.1 referrers ({@link #referrers}).
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
      out.addAll(referrers(ref, d, options));
    }
    // the same bytes reached two ways (a tag and the layout index) are one SBOM
    java.util.Set<Digest> seen = new java.util.HashSet<>();
    out.removeIf(l -> !seen.add(Digest.sha256(l.bytes())));
    return out;
  }

  /** cosign's {@code <repo>:sha256-<hex>.sbom} tag, for transports that can name a tag. */
  public static List<Located> cosignTag(ImageReference ref, Digest image, TransportOptions options) throws IOException {
    List<Located> out = new ArrayList<>();
    String base = image.algorithm() + "-" + image.hex();
    // cosign attach sbom: the SBOM itself as a layer
    openTag(ref, base + ".sbom", options, (src, m) -> {
      if (!m.isIndex()) {
        collect(src, m, "cosign tag " + base + ".sbom", out, Optional.of(image));
      }
    });
    // cosign attest: DSSE envelopes; those whose in-toto predicate is an SBOM
    openTag(ref, base + ".att", options, (src, m) -> {
      if (!m.isIndex()) {
        collect(src, m, "cosign attestation " + base + ".att", out, Optional.of(image));
      }
    });
    return out;
  }

  /**
   * The image's OCI 1.1 referrers that carry an SBOM: the registry's referrers API, else the referrers tag schema
   * {@code sha256-<hex>}; for a layout, its tag-schema index and the artifacts {@code index.json} lists with the image
   * as subject. Each referrer's own {@code subject} must be the image (see {@link Referrers#fetch}).
   */
  public static List<Located> referrers(ImageReference ref, Digest image, TransportOptions options) throws IOException {
    List<Located> out = new ArrayList<>();
    if (ref.transport() != ImageReference.Transport.DOCKER && ref.transport() != ImageReference.Transport.OCI) {
      return out;
    }
    try (ImageSource src = Transports.source(ref, options)) {
      Referrers listed = src.referrers(image, Optional.empty());
      String via = listed.via() == Referrers.Via.API ? "referrer (API) " : "referrer ";
      for (Descriptor d : listed.manifests()) {
        if (d.mediaType().isImageManifest() && d.artifactType().map(SbomLocator::sbomType).orElse(false)) {
          Optional<RawManifest> m = listed.fetch(src, d);
          if (m.isPresent()) {
            collect(src, m.get(), via + d.digest(), out, Optional.of(image));
          }
        }
      }
    }
    return out;
  }

  private interface TagVisitor {
    void visit(ImageSource source, RawManifest root) throws IOException;
  }

  private static void openTag(ImageReference ref, String tag, TransportOptions options, TagVisitor visitor) throws IOException {
    ImageReference tagged = switch (ref.transport()) {
      case DOCKER -> new ImageReference(ref.transport(), "", ref.registry(), ref.repository(), Optional.of(tag), Optional.empty());
      case OCI -> new ImageReference(ref.transport(), ref.path(), "", "", Optional.of(tag), Optional.empty());
      default -> null;
    };
    if (tagged == null) {
      return;
    }
    try (ImageSource src = Transports.source(tagged, options)) {
      visitor.visit(src, src.root());
    } catch (CheckException e) {
      if (!List.of(TransportCode.IMAGE_NOT_FOUND, TransportCode.MANIFEST_NOT_FOUND).contains(e.code())) {
        throw e;
      }
    }
  }

  private static void collect(ImageSource source, RawManifest raw, String where, List<Located> out) throws IOException {
    collect(source, raw, where, out, Optional.empty());
  }

  private static void collect(ImageSource source, RawManifest raw, String where, List<Located> out, Optional<Digest> subject)
      throws IOException {
    ImageManifest m = raw.asImage();
    boolean artifactIsSbom = m.artifactType().map(SbomLocator::sbomType).orElse(false)
        || sbomType(m.config().mediaType().value());
    for (Descriptor layer : m.layers()) {
      if (!artifactIsSbom && !sbomType(layer.mediaType().value())) {
        continue;
      }
      byte[] bytes = source.blobBytes(layer, MAX_SBOM_BYTES);
      String lt = layer.mediaType().value();
      if ((lt.contains("in-toto") || lt.contains("dsse")) && !isSbomAttestation(bytes)) {
        continue; // an attestation of something else (provenance, a VSA): not ours to check
      }
      out.add(new Located(where + " layer " + layer.digest().shortHex(), where, bytes,
          m.subject().map(Descriptor::digest).or(() -> subject)));
    }
  }
}
