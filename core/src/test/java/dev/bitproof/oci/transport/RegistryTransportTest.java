package dev.bitproof.oci.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.io.IoCode;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.report.CheckException;
import dev.bitproof.testing.LocalRegistry;
import dev.bitproof.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker:// against a real registry (Debian's docker-registry), with skopeo as the independent peer. */
class RegistryTransportTest {
  static final String GOLDEN_INDEX = "sha256:7c08727a4cc2346501dce66540aff115783a9235af93e196d99978087a9b2f59";
  static final TransportOptions INSECURE = TransportOptions.defaults().withInsecure(true);

  static Copier.Result copy(String from, String to, TransportOptions opts) throws Exception {
    try (ImageSource s = Transports.source(ImageReference.parse(from), opts);
        ImageDestination d = Transports.destination(ImageReference.parse(to), opts)) {
      return Copier.copy(s, d, Optional.empty());
    }
  }

  @Test
  void goldenLayoutGoesToTheRegistryAndBackWithTheSameIndexDigest(@TempDir Path tmp) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    String ref = "docker://" + LocalRegistry.plain() + "/" + LocalRegistry.uniqueRepository("golden") + ":v1";

    Copier.Result up = copy("oci:" + golden, ref, INSECURE);
    assertEquals(GOLDEN_INDEX, up.root().digest().toString());
    assertEquals(3, up.manifests(), "index + 2 image manifests");
    assertEquals(4, up.blobsCopied(), "2 configs + 2 layers");

    // skopeo, an independent client, sees exactly our bytes under the tag
    byte[] raw = LocalRegistry.execBytes(List.of(LocalRegistry.skopeo().toString(), "inspect", "--raw", "--tls-verify=false", ref));
    assertEquals(GOLDEN_INDEX, Digest.sha256(raw).toString());
    assertArrayEquals(Files.readAllBytes(golden.resolve("index.json")), raw);

    // a second copy finds every blob there already
    assertEquals(4, copy("oci:" + golden, ref, INSECURE).blobsSkipped());

    Path back = tmp.resolve("back");
    Copier.Result down = copy(ref, "oci:" + back, INSECURE);
    assertEquals(GOLDEN_INDEX, down.root().digest().toString());
    assertArrayEquals(Files.readAllBytes(golden.resolve("index.json")), Files.readAllBytes(back.resolve("index.json")));
    try (var list = Files.list(golden.resolve("blobs/sha256"))) {
      for (Path b : (Iterable<Path>) list::iterator) {
        assertArrayEquals(Files.readAllBytes(b), Files.readAllBytes(back.resolve("blobs/sha256").resolve(b.getFileName())),
            "blob " + b.getFileName());
      }
    }

    // pulling by digest gives the same bytes
    try (ImageSource s = Transports.source(ImageReference.parse(ref.replace(":v1", "@" + GOLDEN_INDEX)), INSECURE)) {
      assertEquals(GOLDEN_INDEX, s.root().digest().toString());
      assertEquals(2, Images.walk(s).images().size());
    }
  }

  /** Needs no shared data: runs on a fresh clone wherever docker-registry is installed. */
  @Test
  void imageMadeInTheTestRoundTripsThroughTheRegistry(@TempDir Path tmp) throws Exception {
    byte[] layer = new byte[300_000];
    new java.util.Random(7).nextBytes(layer);
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
        + Digest.sha256(layer) + "\"]}}").getBytes(StandardCharsets.UTF_8);
    // pretty-printed, with annotations and a zstd media type: things a re-serializing client would lose
    byte[] manifest = ("{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
        + "  \"config\": {\"mediaType\": \"application/vnd.oci.image.config.v1+json\", \"digest\": \"" + Digest.sha256(config)
        + "\", \"size\": " + config.length + "},\n  \"layers\": [{\"mediaType\": \"application/vnd.oci.image.layer.v1.tar+zstd\", "
        + "\"digest\": \"" + Digest.sha256(layer) + "\", \"size\": " + layer.length + "}],\n"
        + "  \"annotations\": {\"dev.bitproof.test\": \"kept\"}\n}\n").getBytes(StandardCharsets.UTF_8);
    Path src = tmp.resolve("src");
    try (ImageDestination d = OciLayout.destination(ImageReference.oci(src.toString(), "v1"))) {
      d.putBlob(dev.bitproof.oci.Descriptor.ofBytes(MediaType.OCI_CONFIG, config), new java.io.ByteArrayInputStream(config));
      d.putBlob(dev.bitproof.oci.Descriptor.ofBytes(MediaType.OCI_LAYER_ZSTD, layer), new java.io.ByteArrayInputStream(layer));
      d.putManifest(RawManifest.of(manifest, MediaType.OCI_MANIFEST, "test"), Optional.of("v1"));
      d.commit();
    }
    String ref = "docker://" + LocalRegistry.plain() + "/" + LocalRegistry.uniqueRepository("made") + ":v1";
    assertEquals(Digest.sha256(manifest), copy("oci:" + src + ":v1", ref, INSECURE).root().digest());
    try (ImageSource s = Transports.source(ImageReference.parse(ref), INSECURE)) {
      RawManifest root = s.root();
      assertArrayEquals(manifest, root.bytes());
      assertEquals("kept", root.asImage().annotations().get("dev.bitproof.test"));
      assertArrayEquals(layer, s.blobBytes(root.asImage().layers().get(0), 1 << 20));
    }
    Path back = tmp.resolve("back");
    copy(ref, "oci:" + back + ":v1", INSECURE);
    assertArrayEquals(manifest, Files.readAllBytes(back.resolve("blobs/sha256/" + Digest.sha256(manifest).hex())));
  }

  /** A lying source pushed to a real registry: the upload fails and the registry keeps neither blob nor tag. */
  @Test
  void tamperedBlobNeverLandsInTheRegistry() throws Exception {
    byte[] layer = new byte[100_000];
    new java.util.Random(3).nextBytes(layer);
    byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    try (dev.bitproof.testing.FakeRegistry liar = new dev.bitproof.testing.FakeRegistry()) {
      String layerDigest = liar.putBlob(layer);
      liar.putBlob(config);
      byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
          + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":" + config.length
          + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layerDigest
          + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
      liar.putManifest("v1", MediaType.OCI_MANIFEST.value(), manifest);
      byte[] evil = layer.clone();
      evil[evil.length - 1] ^= 1;
      liar.override(ex -> {
        if (ex.getRequestURI().getPath().endsWith(layerDigest)) {
          dev.bitproof.testing.FakeRegistry.send(ex, 200, "application/octet-stream", evil);
          return true;
        }
        return false;
      });
      String ref = "docker://" + LocalRegistry.plain() + "/" + LocalRegistry.uniqueRepository("tampered") + ":v1";
      CheckException e = assertThrows(CheckException.class, () -> copy("docker://" + liar.hostPort() + "/x/y:v1", ref, INSECURE));
      assertEquals(IoCode.BLOB_DIGEST_MISMATCH, e.code(), e.toString());
      try (ImageDestination d = Transports.destination(ImageReference.parse(ref), INSECURE)) {
        // blobs move in parallel: the honest config may or may not have landed before the layer failed (a verified
        // blob in the registry is harmless); the tampered one must not have
        assertFalse(d.hasBlob(Digest.parse(layerDigest)), "the tampered layer was not kept");
      }
      try (ImageSource s = Transports.source(ImageReference.parse(ref), INSECURE)) {
        assertEquals(TransportCode.MANIFEST_NOT_FOUND, assertThrows(CheckException.class, s::root).code(), "no tag was written");
      }
    }
  }

  @Test
  void imagePushedBySkopeoReadsWithSkopeosDigest(@TempDir Path tmp) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    Path layout = LocalRegistry.indexAsTaggedLayout(golden, "v1", tmp.resolve("layout"));
    String ref = "docker://" + LocalRegistry.plain() + "/" + LocalRegistry.uniqueRepository("by-skopeo") + ":v1";
    String skopeo = LocalRegistry.skopeo().toString();
    // skopeo 1.9 re-serializes the index (its digest changes); whatever it wrote, we must read the same digest
    LocalRegistry.exec(List.of(skopeo, "copy", "--all", "--dest-tls-verify=false", "oci:" + layout + ":v1", ref));
    byte[] raw = LocalRegistry.execBytes(List.of(skopeo, "inspect", "--raw", "--tls-verify=false", ref));
    try (ImageSource s = Transports.source(ImageReference.parse(ref), INSECURE)) {
      RawManifest root = s.root();
      assertEquals(Digest.sha256(raw), root.digest());
      Images.Tree tree = Images.walk(s);
      assertEquals("sha256:0cf9fc5c8ec35b55dcd61ad37bd78e4272e4c5efed5379a2e35b1c1b34247458",
          tree.images().get(0).manifest().digest().toString());
    }
  }

  @Test
  void plainHttpNeedsInsecure() {
    String ref = "docker://" + LocalRegistry.plain() + "/" + LocalRegistry.uniqueRepository("secure") + ":v1";
    CheckException e = assertThrows(CheckException.class, () -> {
      try (ImageSource s = Transports.source(ImageReference.parse(ref), TransportOptions.defaults())) {
        s.root();
      }
    });
    assertEquals(TransportCode.REGISTRY_UNREACHABLE, e.code());
    assertTrue(e.getMessage().contains("--insecure"), e.getMessage());
  }

  @Test
  void missingTagIsManifestNotFound() {
    String ref = "docker://" + LocalRegistry.plain() + "/" + LocalRegistry.uniqueRepository("nothing") + ":v1";
    CheckException e = assertThrows(CheckException.class, () -> {
      try (ImageSource s = Transports.source(ImageReference.parse(ref), INSECURE)) {
        s.root();
      }
    });
    assertEquals(TransportCode.MANIFEST_NOT_FOUND, e.code());
  }

  @Test
  void basicAuthOverTlsWithFlagsAndWithDockerConfig(@TempDir Path tmp) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    LocalRegistry.Endpoint ep = LocalRegistry.basicTls();
    String ref = ep.ref(LocalRegistry.uniqueRepository("basic"), "v1");

    CheckException anon = assertThrows(CheckException.class, () -> copy("oci:" + golden, ref, INSECURE));
    assertEquals(TransportCode.REGISTRY_UNAUTHORIZED, anon.code());

    TransportOptions wrong = new TransportOptions(Optional.of(LocalRegistry.USERNAME), Optional.of("wrong"), true, Optional.empty());
    assertEquals(TransportCode.REGISTRY_UNAUTHORIZED, assertThrows(CheckException.class, () -> copy("oci:" + golden, ref, wrong)).code());

    TransportOptions flags = new TransportOptions(ep.username(), ep.password(), true, Optional.empty());
    assertEquals(GOLDEN_INDEX, copy("oci:" + golden, ref, flags).root().digest().toString());

    Path config = tmp.resolve("config.json");
    String auth = java.util.Base64.getEncoder().encodeToString(
        (LocalRegistry.USERNAME + ":" + LocalRegistry.PASSWORD).getBytes(StandardCharsets.UTF_8));
    Files.writeString(config, "{\"auths\":{\"" + ep.hostPort() + "\":{\"auth\":\"" + auth + "\"}}}");
    TransportOptions fromConfig = new TransportOptions(Optional.empty(), Optional.empty(), true, Optional.of(config));
    try (ImageSource s = Transports.source(ImageReference.parse(ref), fromConfig)) {
      assertEquals(GOLDEN_INDEX, s.root().digest().toString());
      assertEquals(2, Images.walk(s).images().size());
    }
  }

  @Test
  void tlsWithoutInsecureRefusesTheSelfSignedCertificate() {
    LocalRegistry.Endpoint ep = LocalRegistry.basicTls();
    String ref = ep.ref(LocalRegistry.uniqueRepository("tls"), "v1");
    TransportOptions secure = new TransportOptions(ep.username(), ep.password(), false, Optional.empty());
    CheckException e = assertThrows(CheckException.class, () -> {
      try (ImageSource s = Transports.source(ImageReference.parse(ref), secure)) {
        s.root();
      }
    });
    assertEquals(TransportCode.REGISTRY_UNREACHABLE, e.code());
  }

  @Test
  void bearerTokenPushNeedsCredentialsAnonymousPullWorks() throws Exception {
    Path golden = SharedData.testdata("demo/published");
    LocalRegistry.Endpoint ep = LocalRegistry.token();
    String ref = ep.ref(LocalRegistry.uniqueRepository("token"), "v1");

    CheckException anon = assertThrows(CheckException.class, () -> copy("oci:" + golden, ref, INSECURE));
    assertTrue(anon.code().equals(TransportCode.REGISTRY_UNAUTHORIZED) || anon.code().equals(TransportCode.REGISTRY_DENIED), String.valueOf(anon.code()));

    TransportOptions creds = new TransportOptions(ep.username(), ep.password(), true, Optional.empty());
    assertEquals(GOLDEN_INDEX, copy("oci:" + golden, ref, creds).root().digest().toString());

    try (ImageSource s = Transports.source(ImageReference.parse(ref), INSECURE)) {
      assertEquals(GOLDEN_INDEX, s.root().digest().toString());
      assertEquals(2, Images.walk(s).images().size());
    }
  }
}
