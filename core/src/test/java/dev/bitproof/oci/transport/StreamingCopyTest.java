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
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.report.CheckException;
import dev.bitproof.testing.Bytes;
import dev.bitproof.testing.FakeRegistry;
import dev.bitproof.testing.LocalRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming copy (blobs straight from source to destination, verified once on the way, several at a time, archives
 * written at reserved offsets) on an image built here: an index of two platforms sharing a layer, layers larger than
 * the copy buffer, a small one and an empty one. Every transport pair keeps every byte; a source serving wrong bytes
 * fails with a stable integrity code and leaves no destination behind.
 */
class StreamingCopyTest {
  static final TransportOptions OPTS = TransportOptions.defaults().withInsecure(true);
  static final Platform AMD64 = Platform.parse("linux/amd64");

  /** The test image's blobs by digest, and its index. */
  record TestImage(Path layout, Map<Digest, byte[]> blobs, RawManifest index, RawManifest amd64) {}

  static Copier.Result copy(String from, String to, Optional<Platform> platform) throws IOException {
    try (ImageSource s = Transports.source(ImageReference.parse(from), OPTS);
        ImageDestination d = Transports.destination(ImageReference.parse(to), OPTS)) {
      return Copier.copy(s, d, platform);
    }
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(b);
    }
    return out.toByteArray();
  }

  static String descriptor(String mediaType, byte[] b) {
    return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + Digest.sha256(b) + "\",\"size\":" + b.length + "}";
  }

  static TestImage image(Path dir) throws IOException {
    Random r = new Random(17);
    byte[] big = new byte[1_300_000]; // over the 256 KiB copy buffer, not a multiple of 512
    r.nextBytes(big);
    byte[] shared = new byte[700_001];
    r.nextBytes(shared);
    byte[] arm = new byte[300_000];
    r.nextBytes(arm);
    List<byte[]> amdLayers = List.of(gzip(big), shared, "small".getBytes(StandardCharsets.UTF_8), new byte[0]);
    List<byte[]> armLayers = List.of(shared, gzip(arm));
    Map<Digest, byte[]> blobs = new LinkedHashMap<>();
    List<String> manifests = new ArrayList<>();
    RawManifest amd64 = null;
    for (String arch : List.of("amd64", "arm64")) {
      List<byte[]> layers = arch.equals("amd64") ? amdLayers : armLayers;
      StringBuilder diffIds = new StringBuilder();
      StringBuilder ls = new StringBuilder();
      for (byte[] l : layers) {
        blobs.put(Digest.sha256(l), l);
        diffIds.append(diffIds.length() == 0 ? "" : ",").append('"').append(Digest.sha256(l)).append('"');
        ls.append(ls.length() == 0 ? "" : ",").append(descriptor(l.length > 2 && l[0] == 0x1f && (l[1] & 0xff) == 0x8b
            ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.oci.image.layer.v1.tar", l));
      }
      byte[] config = ("{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds
          + "]}}").getBytes(StandardCharsets.UTF_8);
      blobs.put(Digest.sha256(config), config);
      // pretty-printed with an annotation: what a re-serializing copier would change
      byte[] manifest = ("{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n  \"config\": "
          + descriptor("application/vnd.oci.image.config.v1+json", config) + ",\n  \"layers\": [" + ls
          + "],\n  \"annotations\": {\"test\": \"streaming\"}\n}\n").getBytes(StandardCharsets.UTF_8);
      blobs.put(Digest.sha256(manifest), manifest);
      manifests.add("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + Digest.sha256(manifest) + "\",\"size\":"
          + manifest.length + ",\"platform\":{\"architecture\":\"" + arch + "\",\"os\":\"linux\"}}");
      if (arch.equals("amd64")) {
        amd64 = RawManifest.of(manifest, dev.bitproof.oci.MediaType.OCI_MANIFEST, "amd64");
      }
    }
    byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
        + String.join(",", manifests) + "]}").getBytes(StandardCharsets.UTF_8);
    blobs.put(Digest.sha256(index), index);
    Files.createDirectories(dir.resolve("blobs/sha256"));
    for (Map.Entry<Digest, byte[]> e : blobs.entrySet()) {
      Files.write(dir.resolve("blobs/sha256/" + e.getKey().hex()), e.getValue());
    }
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
        + "\"digest\":\"" + Digest.sha256(index) + "\",\"size\":" + index.length + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}]}");
    return new TestImage(dir, blobs, RawManifest.of(index, dev.bitproof.oci.MediaType.OCI_INDEX, "index"), amd64);
  }

  /** Every blob {@code m} (manifest or index) reaches, read from {@code src}: must be the test image's bytes. */
  static void assertSameBlobs(TestImage img, ImageSource src, RawManifest m, String where) throws IOException {
    if (m.isIndex()) {
      for (Descriptor d : m.asIndex().manifests()) {
        RawManifest child = src.manifest(d);
        assertArrayEquals(img.blobs().get(d.digest()), child.bytes(), where + ": manifest " + d.digest());
        assertSameBlobs(img, src, child, where);
      }
      return;
    }
    ImageManifest im = m.asImage();
    List<Descriptor> all = new ArrayList<>(im.layers());
    all.add(im.config());
    for (Descriptor d : all) {
      assertArrayEquals(img.blobs().get(d.digest()), src.blobBytes(d, 10_000_000), where + ": blob " + d.digest());
    }
  }

  /** The transports a test image can be written to, as reference strings under {@code tmp} (registry if available). */
  static Map<String, String> destinations(Path tmp, String name, boolean registry) {
    Map<String, String> to = new LinkedHashMap<>();
    to.put("oci", "oci:" + tmp.resolve(name + "-layout") + ":v1");
    to.put("oci-archive", "oci-archive:" + tmp.resolve(name + ".oci.tar") + ":v1");
    to.put("docker-archive", "docker-archive:" + tmp.resolve(name + ".docker.tar") + ":test/img:v1");
    if (registry) {
      to.put("registry", "docker://" + LocalRegistry.plain() + "/" + LocalRegistry.uniqueRepository(name) + ":v1");
    }
    return to;
  }

  static boolean registryAvailable() {
    try {
      LocalRegistry.plain();
      return true;
    } catch (org.opentest4j.TestAbortedException e) {
      System.out.println("StreamingCopyTest: registry pairs not run: " + e.getMessage());
      return false;
    }
  }

  @Test
  void everyTransportPairKeepsEveryByte(@TempDir Path tmp) throws Exception {
    TestImage img = image(tmp.resolve("base"));
    String base = "oci:" + img.layout() + ":v1";
    boolean registry = registryAvailable();
    // every transport as a source, filled from the base layout
    Map<String, String> sources = destinations(tmp, "src", registry);
    for (Map.Entry<String, String> s : sources.entrySet()) {
      boolean single = s.getKey().equals("docker-archive");
      copy(base, s.getValue(), single ? Optional.of(AMD64) : Optional.empty());
      for (Map.Entry<String, String> d : destinations(tmp, s.getKey() + "-to", registry).entrySet()) {
        String pair = s.getKey() + " -> " + d.getKey();
        boolean one = single || d.getKey().equals("docker-archive");
        Copier.Result r = copy(s.getValue(), d.getValue(), one ? Optional.of(AMD64) : Optional.empty());
        try (ImageSource back = Transports.source(ImageReference.parse(d.getValue()), OPTS)) {
          RawManifest root = back.root();
          if (d.getKey().equals("docker-archive") || single) {
            // a docker-archive holds no registry manifest (reading synthesizes one): config and layers keep their bytes
            assertSameBlobs(img, back, root, pair);
            assertEquals(img.amd64().asImage().layers().size(), root.asImage().layers().size(), pair);
          } else {
            assertEquals(img.index().digest(), root.digest(), pair + ": root digest");
            assertArrayEquals(img.index().bytes(), root.bytes(), pair + ": root bytes");
            assertEquals(img.index().digest(), r.root().digest(), pair);
            assertSameBlobs(img, back, root, pair);
          }
        }
        // the docker-archive also carries the exact OCI manifest, readable as an oci-archive
        if (d.getKey().equals("docker-archive") && !single) {
          String asOci = "oci-archive:" + d.getValue().substring("docker-archive:".length(), d.getValue().lastIndexOf(".tar") + 4);
          try (ImageSource back = Transports.source(ImageReference.parse(asOci), OPTS)) {
            assertEquals(img.amd64().digest(), back.root().asIndex().manifests().get(0).digest(), pair + " read as oci-archive");
          }
        }
      }
    }
    try (Stream<Path> left = Files.walk(tmp)) {
      assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".partial")).toList(), "temp files left behind");
    }
  }

  @Test
  void archiveWrittenInParallelIsReproducibleAndReadableBySkopeo(@TempDir Path tmp) throws Exception {
    TestImage img = image(tmp.resolve("base"));
    copy("oci:" + img.layout() + ":v1", "oci-archive:" + tmp.resolve("a.tar") + ":v1", Optional.empty());
    copy("oci:" + img.layout() + ":v1", "oci-archive:" + tmp.resolve("b.tar") + ":v1", Optional.empty());
    assertArrayEquals(Files.readAllBytes(tmp.resolve("a.tar")), Files.readAllBytes(tmp.resolve("b.tar")), "same copy, same tar bytes");
    assertEquals(0, Files.size(tmp.resolve("a.tar")) % 10240, "whole tar records");
    // GNU tar reads it (members, sizes) without complaint
    Process p = new ProcessBuilder("tar", "-tvf", tmp.resolve("a.tar").toString()).redirectErrorStream(true).start();
    String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), listing);
    assertEquals(img.blobs().size() + 2, listing.strip().split("\n").length, listing); // blobs, oci-layout, index.json
    Path skopeo = Path.of("/usr/bin/skopeo");
    if (Files.isExecutable(skopeo)) {
      Process s = new ProcessBuilder(skopeo.toString(), "inspect", "--raw", "oci-archive:" + tmp.resolve("a.tar") + ":v1")
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      byte[] raw = s.getInputStream().readAllBytes();
      assertEquals(0, s.waitFor());
      assertArrayEquals(img.index().bytes(), raw, "skopeo reads our index bytes from the archive");
    }
  }

  /** One layer's bytes flipped in the source: the copy fails with BLOB_DIGEST_MISMATCH and leaves nothing. */
  @Test
  void wrongBytesFailWithAStableCodeAndLeaveNoDestination(@TempDir Path tmp) throws Exception {
    TestImage img = image(tmp.resolve("base"));
    Descriptor victim = img.amd64().asImage().layers().get(0);
    Path file = img.layout().resolve("blobs/sha256/" + victim.digest().hex());
    byte[] evil = Files.readAllBytes(file);
    evil[evil.length / 2] ^= 1;
    Files.write(file, evil);
    boolean registry = registryAvailable();
    List<String> sources = List.of("oci:" + img.layout() + ":v1");
    for (String src : sources) {
      Path out = Files.createDirectories(tmp.resolve("out"));
      for (Map.Entry<String, String> d : destinations(out, "dst", registry).entrySet()) {
        boolean one = d.getKey().equals("docker-archive");
        CheckException e = assertThrows(CheckException.class, () -> copy(src, d.getValue(), one ? Optional.of(AMD64) : Optional.empty()),
            d.getKey());
        assertEquals(IoCode.BLOB_DIGEST_MISMATCH, e.code(), d.getKey() + ": " + e);
        assertEquals(CheckException.Kind.INTEGRITY, e.kind(), d.getKey() + " (exit 1)");
        switch (d.getKey()) {
          case "oci" -> {
            Path layout = out.resolve("dst-layout");
            assertFalse(Files.exists(layout.resolve("index.json")), "no index.json: the image was never committed");
            assertFalse(Files.exists(layout.resolve("blobs/sha256/" + victim.digest().hex())), "the tampered blob was not kept");
          }
          case "registry" -> {
            try (ImageDestination back = Transports.destination(ImageReference.parse(d.getValue()), OPTS)) {
              assertFalse(back.hasBlob(victim.digest()), "the registry did not keep the tampered blob");
            }
            try (ImageSource back = Transports.source(ImageReference.parse(d.getValue()), OPTS)) {
              assertEquals(TransportCode.MANIFEST_NOT_FOUND, assertThrows(CheckException.class, back::root).code(), "no tag");
            }
          }
          default -> {
            try (Stream<Path> left = Files.list(out)) {
              assertEquals(List.of(), left.filter(p -> !Files.isDirectory(p)).toList(), d.getKey() + ": no archive and no partial file");
            }
          }
        }
      }
      try (Stream<Path> left = Files.walk(out)) {
        assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".partial")).toList(), "temp files left behind");
      }
    }
  }

  /** A byte flipped inside an oci-archive source's member (still a well-formed tar): caught while streaming, nothing kept. */
  @Test
  void tamperedMemberInAnArchiveSourceFails(@TempDir Path tmp) throws Exception {
    TestImage img = image(tmp.resolve("base"));
    Path tar = tmp.resolve("src.tar");
    copy("oci:" + img.layout() + ":v1", "oci-archive:" + tar + ":v1", Optional.empty());
    // flip one byte inside the big layer's member: the archive is still a well-formed tar
    byte[] all = Files.readAllBytes(tar);
    byte[] big = img.blobs().get(img.amd64().asImage().layers().get(0).digest());
    int at = Bytes.indexOf(all, java.util.Arrays.copyOfRange(big, 1000, 1064));
    assertTrue(at > 0);
    all[at] ^= 1;
    Files.write(tar, all);
    CheckException e = assertThrows(CheckException.class,
        () -> copy("oci-archive:" + tar + ":v1", "oci:" + tmp.resolve("out") + ":v1", Optional.empty()));
    assertEquals(IoCode.BLOB_DIGEST_MISMATCH, e.code(), e.toString());
    assertFalse(Files.exists(tmp.resolve("out/index.json")));
    e = assertThrows(CheckException.class,
        () -> copy("oci-archive:" + tar + ":v1", "docker-archive:" + tmp.resolve("d.tar"), Optional.of(AMD64)));
    assertEquals(IoCode.BLOB_DIGEST_MISMATCH, e.code(), e.toString());
    assertFalse(Files.exists(tmp.resolve("d.tar")));
  }


  /** Source and destination on one registry: each blob is mounted ({@code ?mount=&from=}), none uploaded. */
  @Test
  void sameRegistryMountsInsteadOfUploading(@TempDir Path tmp) throws Exception {
    TestImage img = image(tmp.resolve("base"));
    try (FakeRegistry fake = new FakeRegistry()) {
      RegistryClient.rememberPlainHttp(fake.hostPort());
      copy("oci:" + img.layout() + ":v1", "docker://" + fake.hostPort() + "/team/src:v1", Optional.empty());
      List<String> mounted = new java.util.concurrent.CopyOnWriteArrayList<>();
      fake.override(ex -> {
        String path = ex.getRequestURI().getPath();
        String query = String.valueOf(ex.getRequestURI().getRawQuery());
        if (path.startsWith("/v2/team/dst/blobs/sha256:") && ex.getRequestMethod().equals("HEAD")) {
          FakeRegistry.send(ex, 404, null, new byte[0]); // the fake shares one blob store; make dst look empty
          return true;
        }
        if (path.equals("/v2/team/dst/blobs/uploads/") && query.startsWith("mount=")) {
          String digest = java.net.URLDecoder.decode(query.substring(6, query.indexOf('&')), StandardCharsets.UTF_8);
          assertTrue(query.endsWith("&from=team%2Fsrc"), query);
          mounted.add(digest);
          ex.getResponseHeaders().set("Docker-Content-Digest", digest);
          FakeRegistry.send(ex, 201, null, new byte[0]);
          return true;
        }
        return false;
      });
      int before = fake.seen().size();
      Copier.Result r = copy("docker://" + fake.hostPort() + "/team/src:v1", "docker://" + fake.hostPort() + "/team/dst:v1", Optional.empty());
      long uploads = fake.seen().subList(before, fake.seen().size()).stream()
          .filter(s -> s.method().equals("PUT") && s.path().contains("/blobs/uploads/")).count();
      assertEquals(0, uploads, "no blob uploaded");
      long distinctBlobs = img.blobs().keySet().stream().filter(d -> !isManifest(img, d)).count();
      assertEquals(distinctBlobs, mounted.size(), "every blob mounted: " + mounted);
      assertEquals(distinctBlobs, r.blobsCopied());
      assertEquals(img.index().digest(), r.root().digest());
    }
  }

  /** A registry that answers a mount with 202 (no access to the other repository): the upload it opened is cancelled and the bytes go up. */
  @Test
  void refusedMountFallsBackToUpload(@TempDir Path tmp) throws Exception {
    TestImage img = image(tmp.resolve("base"));
    try (FakeRegistry fake = new FakeRegistry()) {
      RegistryClient.rememberPlainHttp(fake.hostPort());
      copy("oci:" + img.layout() + ":v1", "docker://" + fake.hostPort() + "/team/src:v1", Optional.empty());
      fake.override(ex -> {
        if (ex.getRequestURI().getPath().startsWith("/v2/team/dst/blobs/sha256:") && ex.getRequestMethod().equals("HEAD")) {
          FakeRegistry.send(ex, 404, null, new byte[0]);
          return true;
        }
        if (ex.getRequestMethod().equals("DELETE")) {
          FakeRegistry.send(ex, 204, null, new byte[0]);
          return true;
        }
        return false; // a POST with mount= gets the fake's plain 202 + Location
      });
      int before = fake.seen().size();
      Copier.Result r = copy("docker://" + fake.hostPort() + "/team/src:v1", "docker://" + fake.hostPort() + "/team/dst:v1", Optional.empty());
      List<FakeRegistry.Seen> seen = fake.seen().subList(before, fake.seen().size());
      long distinctBlobs = img.blobs().keySet().stream().filter(d -> !isManifest(img, d)).count();
      assertEquals(distinctBlobs, seen.stream().filter(s -> s.method().equals("POST") && s.path().contains("mount=")).count());
      assertEquals(distinctBlobs, seen.stream().filter(s -> s.method().equals("DELETE")).count(), "each opened upload cancelled");
      assertEquals(distinctBlobs, seen.stream().filter(s -> s.method().equals("PUT") && s.path().contains("/blobs/uploads/")).count());
      assertEquals(img.index().digest(), r.root().digest());
    }
  }

  static boolean isManifest(TestImage img, Digest d) {
    String s = new String(img.blobs().get(d), StandardCharsets.UTF_8);
    return s.contains("\"schemaVersion\"");
  }
}
