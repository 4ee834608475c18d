package dev.bitproof.oci;

import java.util.Objects;

/** A media type string as it appears in OCI and Docker documents; known ones are constants. */
public record MediaType(String value) {
  public static final MediaType OCI_INDEX = new MediaType("application/vnd.oci.image.index.v1+json");
  public static final MediaType OCI_MANIFEST = new MediaType("application/vnd.oci.image.manifest.v1+json");
  public static final MediaType OCI_CONFIG = new MediaType("application/vnd.oci.image.config.v1+json");
  public static final MediaType OCI_LAYER = new MediaType("application/vnd.oci.image.layer.v1.tar");
  public static final MediaType OCI_LAYER_GZIP = new MediaType("application/vnd.oci.image.layer.v1.tar+gzip");
  public static final MediaType OCI_LAYER_ZSTD = new MediaType("application/vnd.oci.image.layer.v1.tar+zstd");
  public static final MediaType OCI_EMPTY = new MediaType("application/vnd.oci.empty.v1+json");
  public static final MediaType DOCKER_MANIFEST = new MediaType("application/vnd.docker.distribution.manifest.v2+json");
  public static final MediaType DOCKER_MANIFEST_LIST =
      new MediaType("application/vnd.docker.distribution.manifest.list.v2+json");
  public static final MediaType DOCKER_CONFIG = new MediaType("application/vnd.docker.container.image.v1+json");
  public static final MediaType DOCKER_LAYER_GZIP = new MediaType("application/vnd.docker.image.rootfs.diff.tar.gzip");
  public static final MediaType DOCKER_LAYER = new MediaType("application/vnd.docker.image.rootfs.diff.tar");
  public static final MediaType SPDX_JSON = new MediaType("text/spdx+json");
  public static final MediaType IN_TOTO = new MediaType("application/vnd.in-toto+json");
  public static final MediaType DSSE = new MediaType("application/vnd.dsse.envelope.v1+json");
  public static final MediaType SIGSTORE_BUNDLE_V03 = new MediaType("application/vnd.dev.sigstore.bundle.v0.3+json");

  public MediaType {
    Objects.requireNonNull(value, "media type");
  }

  public static MediaType of(String value) {
    return new MediaType(value);
  }

  public boolean isIndex() {
    return equals(OCI_INDEX) || equals(DOCKER_MANIFEST_LIST);
  }

  public boolean isImageManifest() {
    return equals(OCI_MANIFEST) || equals(DOCKER_MANIFEST);
  }

  public boolean isManifestOrIndex() {
    return isIndex() || isImageManifest();
  }

  /** Layer media types whose blob is a tar, possibly compressed. */
  public boolean isLayer() {
    return value.startsWith("application/vnd.oci.image.layer.") || value.startsWith("application/vnd.docker.image.rootfs.");
  }

  public Compression layerCompression() {
    if (value.endsWith("+gzip") || value.endsWith(".tar.gzip") || value.endsWith("tar.gzip")) {
      return Compression.GZIP;
    }
    if (value.endsWith("+zstd") || value.endsWith(".zstd")) {
      return Compression.ZSTD;
    }
    return Compression.NONE;
  }

  /** How a layer blob is compressed. */
  public enum Compression { NONE, GZIP, ZSTD }

  @Override
  public String toString() {
    return value;
  }
}
