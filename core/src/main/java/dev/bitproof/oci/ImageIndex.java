package dev.bitproof.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.Json;
import dev.bitproof.report.CheckException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A parsed OCI image index or Docker manifest list; {@link #raw()} keeps the bytes. */
public record ImageIndex(RawManifest raw, List<Descriptor> manifests, Map<String, String> annotations,
    Optional<Descriptor> subject, Optional<String> artifactType, JsonNode json) {

  /** Indexes nest (an index may point at an index); deeper than this is refused. */
  public static final int MAX_DEPTH = 4;
  public static final int MAX_MANIFESTS = 10_000;

  public ImageIndex {
    manifests = List.copyOf(manifests);
    annotations = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(annotations));
  }

  public static ImageIndex parse(RawManifest raw) {
    String subj = "index " + raw.digest();
    JsonNode n = raw.schema2Json(subj);
    JsonNode ms = n.get("manifests");
    if (ms == null || !ms.isArray()) {
      throw new CheckException(OciCode.MANIFEST_INVALID, subj, "manifests must be an array");
    }
    if (ms.size() > MAX_MANIFESTS) {
      throw new CheckException(OciCode.MANIFEST_INVALID, subj, "more than " + MAX_MANIFESTS + " manifests");
    }
    List<Descriptor> out = new ArrayList<>();
    int i = 0;
    for (JsonNode m : ms) {
      Descriptor d = Descriptor.fromJson(m, subj + " manifests[" + i++ + "]");
      if (d.digest().equals(raw.digest())) {
        throw new CheckException(OciCode.INDEX_CYCLE, subj, "index lists itself");
      }
      out.add(d);
    }
    return new ImageIndex(raw, out, Json.stringMap(n, "annotations"),
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
