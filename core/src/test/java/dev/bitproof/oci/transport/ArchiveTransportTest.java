package dev.bitproof.oci.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.io.IoCode;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageManifest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.report.CheckException;
import dev.bitproof.testing.LocalRegistry;
import dev.bitproof.testing.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** oci-archive: and docker-archive: read and write, against apko's golden layout and skopeo's own archives. */
class ArchiveTransportTest {
  static final String GOLDEN_INDEX = "sha256:7c08727a4cc2346501dce66540aff115783a9235af93e196d99978087a9b2f59";
  static final String AMD64_MANIFEST = "sha256:0cf9fc5c8ec35b55dcd61ad37bd78e4272e4c5efed5379a2e35b1c1b34247458";
  static final String AMD64_CONFIG = "sha256:eb6cb7f4652a78750496da686534e21578b437d6f4a9764b5a43ff9bf5fbc3eb";

  static Copier.Result copy(String from, String to, Optional<Platform> platform) throws Exception {
    TransportOptions o = TransportOptions.defaults();
    try (ImageSource s = Transports.source(ImageReference.parse(from), o);
        ImageDestination d = Transports.destination(ImageReference.parse(to), o)) {
      return Copier.copy(s, d, platform);
    }
  }

  @Test
  void ociArchiveRoundTripKeepsEveryByte(@TempDir Path tmp) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    Path tar = tmp.resolve("golden.tar");
    assertEquals(GOLDEN_INDEX, copy("oci:" + golden, "oci-archive:" + tar, Optional.empty()).root().digest().toString());
    try (ImageSource s = Transports.source(ImageReference.parse("oci-archive:" + tar), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(s);
      assertEquals(GOLDEN_INDEX, tree.root().digest().toString());
      assertEquals(AMD64_MANIFEST, tree.images().get(0).manifest().digest().toString());
    }
    Path back = tmp.resolve("back");
    copy("oci-archive:" + tar, "oci:" + back, Optional.empty());
    assertArrayEquals(Files.readAllBytes(golden.resolve("index.json")), Files.readAllBytes(back.resolve("index.json")));
    // the archive is reproducible: the same copy twice gives the same tar bytes
    Path again = tmp.resolve("again.tar");
    copy("oci:" + golden, "oci-archive:" + again, Optional.empty());
    assertArrayEquals(Files.readAllBytes(tar), Files.readAllBytes(again));
    assertNoLeftovers(tmp);
  }

  @Test
  void tamperedSourceLeavesNoArchiveBehind(@TempDir Path tmp) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    Path copy = tmp.resolve("src");
    copy("oci:" + golden, "oci:" + copy, Optional.empty());
    Path layer = copy.resolve("blobs/sha256/2ee914966bc3ef22ba7ee0c0d39963e222cbadaa4d8d394be6b5ca82f4c3772f");
    byte[] b = Files.readAllBytes(layer);
    b[b.length / 2] ^= 1;
    Files.write(layer, b);
    Path out = tmp.resolve("out");
    Files.createDirectories(out);
    for (String dst : List.of("oci-archive:" + out.resolve("a.tar"), "docker-archive:" + out.resolve("d.tar") + ":x:y")) {
      CheckException e = assertThrows(CheckException.class, () -> copy("oci:" + copy, dst,
          dst.startsWith("docker") ? Optional.of(Platform.parse("linux/amd64")) : Optional.empty()), dst);
      assertEquals(IoCode.BLOB_DIGEST_MISMATCH, e.code(), dst);
    }
    try (var s = Files.list(out)) {
      assertEquals(0, s.count(), "no archive and no .partial file left");
    }
  }

  @Test
  void taggedOciArchiveIsReadBySkopeo(@TempDir Path tmp) throws Exception {
    String skopeo = LocalRegistry.skopeo().toString();
    Path golden = SharedData.testdata("demo/published");
    Path tar = tmp.resolve("tagged.tar");
    copy("oci:" + golden, "oci-archive:" + tar + ":v1", Optional.empty());
    byte[] raw = LocalRegistry.execBytes(List.of(skopeo, "inspect", "--raw", "oci-archive:" + tar + ":v1"));
    assertEquals(GOLDEN_INDEX, Digest.sha256(raw).toString());
  }

  @Test
  void dockerArchiveOfOnePlatformKeepsConfigAndLayerDigests(@TempDir Path tmp) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    Path tar = tmp.resolve("amd64.tar");
    CheckException noPlatform = assertThrows(CheckException.class,
        () -> copy("oci:" + golden, "docker-archive:" + tar + ":test/golden:v1", Optional.empty()));
    assertEquals(TransportCode.ARCHIVE_SINGLE_IMAGE, noPlatform.code());
    assertFalse(Files.exists(tar));

    Copier.Result r = copy("oci:" + golden, "docker-archive:" + tar + ":test/golden:v1", Optional.of(Platform.parse("linux/amd64")));
    assertEquals(AMD64_MANIFEST, r.root().digest().toString());
    ImageManifest original = r.root().asImage();

    try (ImageSource s = Transports.source(ImageReference.parse("docker-archive:" + tar), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(s);
      ImageManifest read = tree.images().get(0).manifest();
      assertEquals(MediaType.DOCKER_MANIFEST, read.mediaType());
      assertEquals(AMD64_CONFIG, read.config().digest().toString());
      assertEquals(original.layers().get(0).digest(), read.layers().get(0).digest());
      assertEquals(MediaType.DOCKER_LAYER_GZIP, read.layers().get(0).mediaType(), "gzip sniffed from the bytes");
      try (var in = s.blob(read.layers().get(0))) {
        in.transferTo(OutputStream.nullOutputStream());
      }
    }
    // our docker-archive is also an OCI archive: the exact manifest survives there
    try (ImageSource s = Transports.source(ImageReference.parse("oci-archive:" + tar), TransportOptions.defaults())) {
      assertEquals(AMD64_MANIFEST, s.manifest(s.root().asIndex().manifests().get(0)).digest().toString());
    }
    // skopeo reads it as docker save output
    String skopeo = LocalRegistry.skopeo().toString();
    String cfg = LocalRegistry.exec(List.of(skopeo, "inspect", "--config", "--raw", "docker-archive:" + tar));
    assertEquals(AMD64_CONFIG, Digest.sha256(cfg.getBytes(StandardCharsets.UTF_8)).toString());
  }

  @Test
  void skopeosDockerArchiveReadsWithItsDiffIdsAndSymlinkedLayers(@TempDir Path tmp) throws Exception {
    String skopeo = LocalRegistry.skopeo().toString();
    Path golden = SharedData.testdata("demo/published");
    Path layout = LocalRegistry.indexAsTaggedLayout(golden, "v1", tmp.resolve("layout"));
    Path tar = tmp.resolve("skopeo.tar");
    LocalRegistry.exec(List.of(skopeo, "copy", "--override-arch", "amd64", "oci:" + layout + ":v1",
        "docker-archive:" + tar + ":test/golden:v1"));
    byte[] skopeoManifest = LocalRegistry.execBytes(List.of(skopeo, "inspect", "--raw", "docker-archive:" + tar));
    ImageManifest theirs = RawManifest.of(skopeoManifest, null, "skopeo").asImage();
    try (ImageSource s = Transports.source(ImageReference.parse("docker-archive:" + tar + ":test/golden:v1"), TransportOptions.defaults())) {
      Images.Resolved img = Images.walk(s).images().get(0);
      assertEquals(theirs.config().digest(), img.manifest().config().digest());
      assertEquals(AMD64_CONFIG, img.config().digest().toString());
      Descriptor layer = img.manifest().layers().get(0);
      assertEquals(theirs.layers().get(0).digest(), layer.digest());
      assertEquals(img.config().diffIds().get(0), layer.digest(), "skopeo stores the layer uncompressed: digest = diff_id");
      assertEquals(MediaType.DOCKER_LAYER, layer.mediaType());
      try (var in = s.blob(layer)) {
        assertEquals(layer.size(), in.transferTo(OutputStream.nullOutputStream()));
      }
    }
  }

  @Test
  void dockerArchivePathsThatEscapeAreRefused(@TempDir Path tmp) throws Exception {
    for (String bad : List.of("../etc/passwd", "/etc/passwd", "layers/../../x.tar")) {
      Path tar = tmp.resolve("bad" + Math.abs(bad.hashCode()) + ".tar");
      byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
          .getBytes(StandardCharsets.UTF_8);
      writeTar(tar, List.of(
          new Member("manifest.json", ("[{\"Config\":\"config.json\",\"RepoTags\":[],\"Layers\":[\"" + bad + "\"]}]").getBytes(StandardCharsets.UTF_8)),
          new Member("config.json", config)));
      try (ImageSource s = Transports.source(ImageReference.parse("docker-archive:" + tar), TransportOptions.defaults())) {
        CheckException e = assertThrows(CheckException.class, s::root, bad);
        assertEquals(TransportCode.ARCHIVE_PATH_INVALID, e.code(), bad);
        assertEquals(CheckException.Kind.INTEGRITY, e.kind());
      }
      Path tar2 = tmp.resolve("badcfg" + Math.abs(bad.hashCode()) + ".tar");
      writeTar(tar2, List.of(new Member("manifest.json",
          ("[{\"Config\":\"" + bad + "\",\"RepoTags\":[],\"Layers\":[]}]").getBytes(StandardCharsets.UTF_8))));
      try (ImageSource s = Transports.source(ImageReference.parse("docker-archive:" + tar2), TransportOptions.defaults())) {
        assertEquals(TransportCode.ARCHIVE_PATH_INVALID, assertThrows(CheckException.class, s::root, bad).code());
      }
    }
  }

  @Test
  void dockerArchiveWithATamperedLayerFailsWhileStreaming(@TempDir Path tmp) throws Exception {
    byte[] layer = new byte[1024];
    layer[0] = 'x';
    Digest diffId = Digest.sha256(layer);
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}")
        .getBytes(StandardCharsets.UTF_8);
    byte[] tampered = layer.clone();
    tampered[1] = 'y';
    Path tar = tmp.resolve("tampered.tar");
    writeTar(tar, List.of(
        new Member("manifest.json", "[{\"Config\":\"c.json\",\"RepoTags\":[\"t:1\"],\"Layers\":[\"l/layer.tar\"]}]".getBytes(StandardCharsets.UTF_8)),
        new Member("c.json", config), new Member("l/layer.tar", tampered)));
    try (ImageSource s = Transports.source(ImageReference.parse("docker-archive:" + tar), TransportOptions.defaults())) {
      Descriptor l = s.root().asImage().layers().get(0);
      assertEquals(diffId, l.digest());
      CheckException e = assertThrows(CheckException.class, () -> s.blob(l).transferTo(OutputStream.nullOutputStream()));
      assertEquals(IoCode.BLOB_DIGEST_MISMATCH, e.code());
    }
  }

  @Test
  void dockerArchiveWithTwoImagesNeedsAName(@TempDir Path tmp) throws Exception {
    byte[] l1 = "layer one".getBytes(StandardCharsets.UTF_8);
    byte[] l2 = "layer two".getBytes(StandardCharsets.UTF_8);
    String c1 = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Digest.sha256(l1) + "\"]}}";
    String c2 = "{\"architecture\":\"arm64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Digest.sha256(l2) + "\"]}}";
    Path tar = tmp.resolve("two.tar");
    writeTar(tar, List.of(
        new Member("manifest.json", ("[{\"Config\":\"c1.json\",\"RepoTags\":[\"docker.io/library/one:1\"],\"Layers\":[\"1.tar\"]},"
            + "{\"Config\":\"c2.json\",\"RepoTags\":[\"two:2\"],\"Layers\":[\"2.tar\"]}]").getBytes(StandardCharsets.UTF_8)),
        new Member("c1.json", c1.getBytes(StandardCharsets.UTF_8)), new Member("c2.json", c2.getBytes(StandardCharsets.UTF_8)),
        new Member("1.tar", l1), new Member("2.tar", l2)));
    try (ImageSource s = Transports.source(ImageReference.parse("docker-archive:" + tar), TransportOptions.defaults())) {
      CheckException e = assertThrows(CheckException.class, s::root);
      assertEquals(TransportCode.ARCHIVE_AMBIGUOUS, e.code());
      assertEquals(CheckException.Kind.USAGE, e.kind());
    }
    try (ImageSource s = Transports.source(ImageReference.parse("docker-archive:" + tar + ":one:1"), TransportOptions.defaults())) {
      assertEquals("amd64", Images.walk(s).images().get(0).config().architecture());
    }
    try (ImageSource s = Transports.source(ImageReference.parse("docker-archive:" + tar + ":two:2"), TransportOptions.defaults())) {
      Images.Resolved img = Images.walk(s).images().get(0);
      assertEquals("arm64", img.config().architecture());
      assertArrayEquals(l2, s.blobBytes(img.manifest().layers().get(0), 100));
    }
    try (ImageSource s = Transports.source(ImageReference.parse("docker-archive:" + tar + ":three:3"), TransportOptions.defaults())) {
      assertEquals(TransportCode.IMAGE_NOT_FOUND, assertThrows(CheckException.class, s::root).code());
    }
  }

  @Test
  void ociArchiveWithoutIndexJsonIsLayoutInvalid(@TempDir Path tmp) throws Exception {
    Path tar = tmp.resolve("noindex.tar");
    writeTar(tar, List.of(new Member("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8))));
    try (ImageSource s = Transports.source(ImageReference.parse("oci-archive:" + tar), TransportOptions.defaults())) {
      assertEquals(TransportCode.LAYOUT_INVALID, assertThrows(CheckException.class, s::root).code());
    }
    CheckException missing = assertThrows(CheckException.class,
        () -> Transports.source(ImageReference.parse("oci-archive:" + tmp.resolve("absent.tar")), TransportOptions.defaults()));
    assertEquals(TransportCode.ARCHIVE_NOT_FOUND, missing.code());
    Path junk = tmp.resolve("junk.tar");
    Files.write(junk, "this is not a tar archive at all, just text that goes on".repeat(20).getBytes(StandardCharsets.UTF_8));
    CheckException notTar = assertThrows(CheckException.class, () -> {
      try (ImageSource s = Transports.source(ImageReference.parse("oci-archive:" + junk), TransportOptions.defaults())) {
        s.root();
      }
    });
    assertTrue(notTar.code().equals(TransportCode.ARCHIVE_INVALID) || notTar.code().equals(TransportCode.LAYOUT_INVALID), String.valueOf(notTar.code()));
  }

  record Member(String name, byte[] content) {}

  static void writeTar(Path file, List<Member> members) throws Exception {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bos)) {
      for (Member m : members) {
        TarArchiveEntry e = new TarArchiveEntry(m.name());
        e.setSize(m.content().length);
        out.putArchiveEntry(e);
        out.write(m.content());
        out.closeArchiveEntry();
      }
    }
    Files.write(file, bos.toByteArray());
  }

  static void assertNoLeftovers(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".partial")), "no staging left behind in " + dir);
    }
  }
}
