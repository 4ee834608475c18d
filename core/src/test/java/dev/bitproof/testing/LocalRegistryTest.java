package dev.bitproof.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.OciLayout;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness itself: each registry variant answers, wants what it should, and a real peer (skopeo) can use it.
 * The image is made here, so these run on a fresh clone without ../shared.
 */
class LocalRegistryTest {
  static byte[] manifest;

  /** A one-layer image in an OCI layout, tagged v1. */
  static Path tinyLayout(Path dir) throws IOException {
    byte[] layer = "not really a tar, but a blob all the same".getBytes(StandardCharsets.UTF_8);
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
        + Digest.sha256(layer) + "\"]}}").getBytes(StandardCharsets.UTF_8);
    manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
        + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":" + config.length
        + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + Digest.sha256(layer)
        + "\",\"size\":" + layer.length + "}],\"annotations\":{\"made.by\":\"LocalRegistryTest\"}}").getBytes(StandardCharsets.UTF_8);
    try (ImageDestination d = OciLayout.destination(ImageReference.oci(dir.toString(), "v1"))) {
      d.putBlob(Descriptor.ofBytes(MediaType.OCI_CONFIG, config), new ByteArrayInputStream(config));
      d.putBlob(Descriptor.ofBytes(MediaType.OCI_LAYER, layer), new ByteArrayInputStream(layer));
      d.putManifest(RawManifest.of(manifest, MediaType.OCI_MANIFEST, "tiny"), Optional.of("v1"));
      d.commit();
    }
    return dir;
  }

  @Test
  void plainRegistryTakesAnImageFromSkopeoUnchanged(@TempDir Path tmp) throws Exception {
    String skopeo = LocalRegistry.skopeo().toString();
    Path layout = tinyLayout(tmp.resolve("tiny"));
    String ref = "docker://" + LocalRegistry.plain() + "/" + LocalRegistry.uniqueRepository("harness") + ":v1";
    LocalRegistry.exec(List.of(skopeo, "copy", "--preserve-digests", "--dest-tls-verify=false", "oci:" + layout + ":v1", ref));
    byte[] raw = LocalRegistry.execBytes(List.of(skopeo, "inspect", "--raw", "--tls-verify=false", ref));
    assertArrayEquals(manifest, raw);
  }

  @Test
  void basicTlsRegistryWantsCredentials(@TempDir Path tmp) throws Exception {
    String skopeo = LocalRegistry.skopeo().toString();
    Path layout = tinyLayout(tmp.resolve("tiny"));
    LocalRegistry.Endpoint ep = LocalRegistry.basicTls();
    assertTrue(ep.tls());
    String ref = ep.ref(LocalRegistry.uniqueRepository("harness-basic"), "v1");
    assertThrows(IOException.class, () -> LocalRegistry.exec(List.of(skopeo, "copy", "--dest-tls-verify=false",
        "oci:" + layout + ":v1", ref)));
    LocalRegistry.exec(List.of(skopeo, "copy", "--preserve-digests", "--dest-tls-verify=false",
        "--dest-creds", LocalRegistry.USERNAME + ":" + LocalRegistry.PASSWORD, "oci:" + layout + ":v1", ref));
    byte[] raw = LocalRegistry.execBytes(List.of(skopeo, "inspect", "--raw", "--tls-verify=false",
        "--creds", LocalRegistry.USERNAME + ":" + LocalRegistry.PASSWORD, ref));
    assertArrayEquals(manifest, raw);
  }

  @Test
  void tokenRegistryGivesAnonymousPullOnly(@TempDir Path tmp) throws Exception {
    String skopeo = LocalRegistry.skopeo().toString();
    Path layout = tinyLayout(tmp.resolve("tiny"));
    LocalRegistry.Endpoint ep = LocalRegistry.token();
    String ref = ep.ref(LocalRegistry.uniqueRepository("harness-token"), "v1");
    assertThrows(IOException.class, () -> LocalRegistry.exec(List.of(skopeo, "copy", "--dest-tls-verify=false",
        "oci:" + layout + ":v1", ref)));
    LocalRegistry.exec(List.of(skopeo, "copy", "--preserve-digests", "--dest-tls-verify=false",
        "--dest-creds", LocalRegistry.USERNAME + ":" + LocalRegistry.PASSWORD, "oci:" + layout + ":v1", ref));
    byte[] raw = LocalRegistry.execBytes(List.of(skopeo, "inspect", "--raw", "--tls-verify=false", ref));
    assertArrayEquals(manifest, raw, "anonymous pull works and gives the pushed bytes");
  }
}
