package dev.bitproof.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.Json;
import dev.bitproof.report.CheckException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A manifest or index exactly as fetched: bytes, the media type it was served or described with, and the
 * digest of those bytes. Everything else about it is derived from the bytes.
 */
public final class RawManifest {
  /** Registries refuse manifests over 4 MiB; so do we. */
  public static final int MAX_SIZE = 4 * 1024 * 1024;

  private final MediaType mediaType;
  private final byte[] bytes;
  private final Digest digest;

  private RawManifest(MediaType mediaType, byte[] bytes, Digest digest) {
    this.mediaType = mediaType;
    this.bytes = bytes;
    this.digest = digest;
  }

  /**
   * Wraps bytes, taking the media type from the {@code hint} (Content-Type or descriptor) or, when absent,
   * from the document's own {@code mediaType} field.
   */
  public static RawManifest of(byte[] bytes, MediaType hint, String subject) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length > MAX_SIZE) {
      throw new CheckException(OciCode.MANIFEST_TOO_LARGE, subject, "manifest is " + bytes.length + " bytes, over the 4 MiB limit");
    }
    JsonNode n = Json.parseObject(bytes, subject);
    MediaType declared = Json.text(n, "mediaType").map(MediaType::of).orElse(null);
    MediaType mt = hint != null && hint.isManifestOrIndex() ? hint : declared;
    if (mt == null) {
      // OCI allows mediaType to be absent; infer from shape.
      mt = n.has("manifests") ? MediaType.OCI_INDEX : MediaType.OCI_MANIFEST;
    }
    if (!mt.isManifestOrIndex()) {
      throw new CheckException(OciCode.MEDIA_TYPE_UNSUPPORTED, subject, "not a manifest or index media type: " + mt);
    }
    if (declared != null && !declared.equals(mt)) {
      throw new CheckException(OciCode.MEDIA_TYPE_MISMATCH, subject,
          "document says mediaType " + declared + " but was served/described as " + mt);
    }
    return new RawManifest(mt, bytes.clone(), Digest.sha256(bytes));
  }

  /** Wraps bytes that must hash to {@code expected}; {@code MANIFEST_DIGEST_MISMATCH} otherwise. */
  public static RawManifest verified(byte[] bytes, MediaType hint, Digest expected, String subject) {
    if (bytes.length > MAX_SIZE) {
      throw new CheckException(OciCode.MANIFEST_TOO_LARGE, subject, "manifest is " + bytes.length + " bytes, over the 4 MiB limit");
    }
    if (!expected.matches(bytes)) {
      throw CheckException.integrity(OciCode.MANIFEST_DIGEST_MISMATCH, subject,
          "manifest bytes hash to " + Digest.sha256(bytes) + ", expected " + expected);
    }
    return of(bytes, hint, subject);
  }

  public MediaType mediaType() {
    return mediaType;
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  public int size() {
    return bytes.length;
  }

  public Digest digest() {
    return digest;
  }

  /** The bytes as the JSON object of a schema 2 manifest or index; {@code MANIFEST_INVALID} otherwise. */
  JsonNode schema2Json(String subject) {
    JsonNode n = Json.parseObject(bytes, subject);
    JsonNode sv = n.get("schemaVersion");
    if (sv == null || !sv.isInt() || sv.asInt() != 2) {
      throw new CheckException(OciCode.MANIFEST_INVALID, subject, "schemaVersion must be 2");
    }
    return n;
  }

  public boolean isIndex() {
    return mediaType.isIndex();
  }

  public ImageIndex asIndex() {
    if (!isIndex()) {
      throw new CheckException(OciCode.MEDIA_TYPE_MISMATCH, digest.toString(), "expected an index, found " + mediaType);
    }
    return ImageIndex.parse(this);
  }

  public ImageManifest asImage() {
    if (isIndex()) {
      throw new CheckException(OciCode.MEDIA_TYPE_MISMATCH, digest.toString(), "expected an image manifest, found " + mediaType);
    }
    return ImageManifest.parse(this);
  }

  /** The descriptor that points at these bytes. */
  public Descriptor descriptor() {
    return Descriptor.of(mediaType, digest, bytes.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawManifest r && r.mediaType.equals(mediaType) && Arrays.equals(r.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return digest.hashCode();
  }

  @Override
  public String toString() {
    return mediaType + " " + digest;
  }
}
