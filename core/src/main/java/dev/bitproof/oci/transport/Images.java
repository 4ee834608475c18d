package dev.bitproof.oci.transport;

import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageConfig;
import dev.bitproof.oci.ImageIndex;
import dev.bitproof.oci.ImageManifest;
import dev.bitproof.oci.OciCode;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Walks from a root manifest or index to every image in it, fetching manifests and configs, never layers. */
public final class Images {
  private Images() {}

  /**
   * One image reachable from the root.
   *
   * @param path the index entries leading to it (empty when the root is the image manifest)
   */
  public record Resolved(List<Descriptor> path, ImageManifest manifest, ImageConfig config) {
    public Optional<Descriptor> indexEntry() {
      return path.isEmpty() ? Optional.empty() : Optional.of(path.get(path.size() - 1));
    }
  }

  /**
   * The tree under the root: the root itself and, for an index, its images in index order.
   *
   * @param other index entries that are not image manifests or indexes (attestations, SBOM artifacts, and any
   *     media type bitproof does not know): not walked, but never forgotten — a verifier must account for each
   */
  public record Tree(RawManifest root, Optional<ImageIndex> index, List<Resolved> images, List<Descriptor> other) {
    public Tree {
      images = List.copyOf(images);
      other = List.copyOf(other);
    }

    public Tree(RawManifest root, Optional<ImageIndex> index, List<Resolved> images) {
      this(root, index, images, List.of());
    }
  }

  public static Tree walk(ImageSource source) throws IOException {
    RawManifest root = source.root();
    List<Resolved> out = new ArrayList<>();
    List<Descriptor> other = new ArrayList<>();
    collect(source, root, new ArrayList<>(), new HashSet<>(), out, other, 0);
    return new Tree(root, root.isIndex() ? Optional.of(root.asIndex()) : Optional.empty(), out, other);
  }

  private static void collect(ImageSource source, RawManifest m, List<Descriptor> path, Set<Digest> seen,
      List<Resolved> out, List<Descriptor> other, int depth) throws IOException {
    if (!seen.add(m.digest())) {
      throw new CheckException(OciCode.INDEX_CYCLE, m.digest().toString(), "index refers back to itself");
    }
    if (m.isIndex()) {
      if (depth >= ImageIndex.MAX_DEPTH) {
        throw new CheckException(TransportCode.INDEX_TOO_DEEP, m.digest().toString(), "indexes nested deeper than " + ImageIndex.MAX_DEPTH);
      }
      for (Descriptor d : m.asIndex().manifests()) {
        if (!d.mediaType().isManifestOrIndex()) {
          other.add(d); // attestations, SBOM artifacts etc. listed in an index are not images
          continue;
        }
        List<Descriptor> p = new ArrayList<>(path);
        p.add(d);
        collect(source, source.manifest(d), p, seen, out, other, depth + 1);
      }
    } else {
      ImageManifest im = m.asImage();
      byte[] cfg = source.blobBytes(im.config(), ImageConfig.MAX_SIZE);
      out.add(new Resolved(List.copyOf(path), im, ImageConfig.parse(cfg)));
    }
    seen.remove(m.digest());
  }
}
