package dev.bitproof.sbom;

import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/** Writes a one-layer OCI layout from an uncompressed tar, for tests that need a real image around a layer. */
public final class SbomTestImages {
  private SbomTestImages() {}

  /** {@code dir} becomes an OCI layout tagged {@code latest} holding one amd64 image whose only layer is {@code tar}. */
  public static Path ociLayout(Path dir, byte[] tar) throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(tar);
    }
    byte[] layer = gz.toByteArray();
    Digest diffId = Digest.sha256(tar);
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"1970-01-01T00:00:00Z\","
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]},\"config\":{}}").getBytes(StandardCharsets.UTF_8);
    Descriptor layerDesc = Descriptor.ofBytes(MediaType.OCI_LAYER_GZIP, layer);
    Descriptor configDesc = Descriptor.ofBytes(MediaType.OCI_CONFIG, config);
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
        + MediaType.OCI_CONFIG + "\",\"digest\":\"" + configDesc.digest() + "\",\"size\":" + config.length + "},"
        + "\"layers\":[{\"mediaType\":\"" + MediaType.OCI_LAYER_GZIP + "\",\"digest\":\"" + layerDesc.digest() + "\",\"size\":"
        + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
    try (ImageDestination d = Transports.destination(ImageReference.parse("oci:" + dir + ":latest"), TransportOptions.defaults())) {
      d.putBlob(layerDesc, new ByteArrayInputStream(layer));
      d.putBlob(configDesc, new ByteArrayInputStream(config));
      d.putManifest(RawManifest.of(manifest, MediaType.OCI_MANIFEST, "test manifest"), Optional.of("latest"));
      d.commit();
    }
    return dir;
  }

  static Platform amd64() {
    return Platform.of("linux", "amd64", "");
  }
}
