package dev.bitproof.oci.transport;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.bitproof.json.JsonBody;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.RawManifest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code inspect}: the digest tree of an image or index (index, per-platform manifests, config, layers with their
 * diff_ids), read from manifests and configs only, never a layer. The body of {@code docs/schema/inspect.json}.
 */
public record ImageInspection(String reference, Digest digest, String mediaType, long size, String kind,
    List<Manifest> manifests) implements JsonBody {

  /**
   * One image manifest.
   *
   * @param via the indexes between the root and this manifest (absent when the root names it directly)
   * @param configPlatform the platform its config declares (text only)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Manifest(String platform, Digest digest, String mediaType, long size, List<Digest> via,
      String artifactType, Blob config, List<Layer> layers, @JsonIgnore String configPlatform) {}

  /** A config blob. */
  public record Blob(Digest digest, String mediaType, long size) {}

  /**
   * A layer blob and the diff_id its config records for it (absent when the config records too few).
   *
   * @param compression gzip, zstd, tar or the media type (text only)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Layer(Digest digest, String mediaType, long size, Digest diffId, @JsonIgnore String compression) {}

  @JsonIgnore
  public boolean isIndex() {
    return kind.equals("index");
  }

  public static ImageInspection read(ImageReference reference, TransportOptions options) throws IOException {
    Images.Tree tree;
    try (ImageSource src = Transports.source(reference, options)) {
      tree = Images.walk(src);
    }
    RawManifest root = tree.root();
    List<Manifest> ms = new ArrayList<>();
    for (Images.Resolved r : tree.images()) {
      List<Layer> layers = new ArrayList<>();
      List<Digest> diffIds = r.config().diffIds();
      for (int i = 0; i < r.manifest().layers().size(); i++) {
        Descriptor l = r.manifest().layers().get(i);
        layers.add(new Layer(l.digest(), l.mediaType().value(), l.size(), i < diffIds.size() ? diffIds.get(i) : null,
            compression(l)));
      }
      Descriptor c = r.manifest().config();
      ms.add(new Manifest(r.indexEntry().flatMap(Descriptor::platform).map(Object::toString)
          .orElse(r.config().platform().toString()), r.manifest().digest(), r.manifest().mediaType().value(),
          r.manifest().raw().size(), r.path().size() > 1
              ? r.path().subList(0, r.path().size() - 1).stream().map(Descriptor::digest).toList() : null,
          r.manifest().artifactType().orElse(null), new Blob(c.digest(), c.mediaType().value(), c.size()), layers,
          r.config().platform().toString()));
    }
    return new ImageInspection(reference.toString(), root.digest(), root.mediaType().value(), root.size(),
        root.isIndex() ? "index" : "manifest", ms);
  }

  private static String compression(Descriptor l) {
    return switch (l.mediaType().layerCompression()) {
      case GZIP -> "gzip";
      case ZSTD -> "zstd";
      case NONE -> l.mediaType().isLayer() ? "tar" : l.mediaType().value();
    };
  }
}
