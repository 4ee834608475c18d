package dev.bitproof.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.Json;
import dev.bitproof.report.CheckException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An OCI content descriptor. {@code json} is the descriptor object as it was read (null for descriptors made
 * in code), so fields this model does not name are never lost.
 */
public record Descriptor(MediaType mediaType, Digest digest, long size, Map<String, String> annotations,
    Optional<Platform> platform, Optional<String> artifactType, List<String> urls, JsonNode json) {

  public Descriptor {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new CheckException(OciCode.DESCRIPTOR_INVALID, digest.toString(), "negative size " + size);
    }
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    platform = platform == null ? Optional.empty() : platform;
    artifactType = artifactType == null ? Optional.empty() : artifactType;
    urls = urls == null ? List.of() : List.copyOf(urls);
  }

  public static Descriptor of(MediaType mediaType, Digest digest, long size) {
    return new Descriptor(mediaType, digest, size, Map.of(), Optional.empty(), Optional.empty(), List.of(), null);
  }

  /** The descriptor of exactly these bytes. */
  public static Descriptor ofBytes(MediaType mediaType, byte[] bytes) {
    return of(mediaType, Digest.sha256(bytes), bytes.length);
  }

  public Descriptor withPlatform(Platform p) {
    return new Descriptor(mediaType, digest, size, annotations, Optional.of(p), artifactType, urls, json);
  }

  /** An optional descriptor field ({@code subject}): absent or {@code null} is empty, anything else must parse. */
  static Optional<Descriptor> optionalFromJson(JsonNode n, String subject) {
    return n == null || n.isNull() ? Optional.empty() : Optional.of(fromJson(n, subject));
  }

  static Descriptor fromJson(JsonNode n, String subject) {
    if (n == null || !n.isObject()) {
      throw new CheckException(OciCode.DESCRIPTOR_INVALID, subject, "descriptor must be an object");
    }
    JsonNode size = n.get("size");
    if (size == null || !size.canConvertToLong() || !size.isIntegralNumber()) {
      throw new CheckException(OciCode.DESCRIPTOR_INVALID, subject, "descriptor size missing or not an integer");
    }
    JsonNode platform = n.get("platform");
    return new Descriptor(
        MediaType.of(Json.requiredText(n, "mediaType", subject)),
        Digest.parse(Json.requiredText(n, "digest", subject)),
        size.asLong(),
        Json.stringMap(n, "annotations"),
        platform == null || platform.isNull() ? Optional.empty() : Optional.of(Platform.fromJson(platform)),
        Json.text(n, "artifactType"),
        Json.stringList(n, "urls"),
        n);
  }

  @Override
  public String toString() {
    return mediaType + " " + digest + " (" + size + " B)";
  }
}
