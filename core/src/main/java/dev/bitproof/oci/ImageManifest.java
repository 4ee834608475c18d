package dev.bitproof.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.Json;
import dev.bitproof.report.CheckException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A parsed OCI image manifest or Docker v2 schema 2 manifest; {@link #raw()} keeps the bytes. */
public record ImageManifest(RawManifest raw, Descriptor config, List<Descriptor> layers, Map<String, String> annotations,
    Optional<Descriptor> subject, Optional<String> artifactType, JsonNode json) {

  /** More layers than this in one manifest is refused. */
  public static final int MAX_LAYERS = 10_000;

  public ImageManifest {
    layers = List.copyOf(layers);
    annotations = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(annotations));
  }

  public static ImageManifest parse(RawManifest raw) {
    String subj = "manifest " + raw.digest();
    JsonNode n = raw.schema2Json(subj);
    JsonNode layersNode = n.get("layers");
    List<Descriptor> layers = new ArrayList<>();
    if (layersNode != null && !layersNode.isNull()) {
      if (!layersNode.isArray()) {
        throw new CheckException(OciCode.MANIFEST_INVALID, subj, "layers must be an array");
      }
      if (layersNode.size() > MAX_LAYERS) {
        throw new CheckException(OciCode.MANIFEST_INVALID, subj, "more than " + MAX_LAYERS + " layers");
      }
      int i = 0;
      for (JsonNode l : layersNode) {
        layers.add(Descriptor.fromJson(l, subj + " layers[" + i++ + "]"));
      }
    }
    return new ImageManifest(raw, Descriptor.fromJson(n.get("config"), subj + " config"), layers,
        Json.stringMap(n, "annotations"),
        Descriptor.optionalFromJson(n.get("subject"), subj + " subject"),
        Json.text(n, "artifactType"), n);
  }

  public Digest digest() {
    return raw.digest();
  }

  public MediaType mediaType() {
    return raw.mediaType();
  }
}
