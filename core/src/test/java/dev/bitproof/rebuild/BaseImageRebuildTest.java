package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.testing.ApkFixtures;
import dev.bitproof.apko.Arch;
import dev.bitproof.apko.ConfigLoader;
import dev.bitproof.apko.LockFile;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.OciLayout;
import dev.bitproof.report.CheckException;
import dev.bitproof.testing.SharedData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base-image mode (reference apko.md §1.8). The rules (lock, layering, refusals, integrity) on a base image the
 * tests build ({@link TestBaseImage}); fidelity on apko's real base image ({@code internal/cli/testdata/base_image}:
 * pretend-baselayout, package-x, package-y, built by an older apko) with {@code replayout} from apko's test
 * packages on top, both arches, from a lock that, as apko's {@code ResolveWithBase} writes it, leaves out what
 * the base already has.
 */
public class BaseImageRebuildTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Map<Arch, String> BASE_LAYER = Map.of(
      Arch.AMD64, "sha256:bf74ddaf55d32ec9672a0a40efc6cb1bf0a167763c18fc22586c8a301167822f",
      Arch.ARM64, "sha256:583625b6164fff3b017f62b9fcd60cb53fff18a7e89ee538212134a13fc29fb1");
  static final Map<Arch, String> BASE_DIFF_ID = Map.of(
      Arch.AMD64, "sha256:783b8b05724ae7998917558527ef930f1442af2f071850913fc406992e44606c",
      Arch.ARM64, "sha256:2888aac57b90cf66093aa48092bf1f1f1b1bdb85bde8601a5f8cf0f06c814763");

  /** apko's base_image test config with replayout on top; the CLI test builds the same. */
  public static final String CONFIG = """
      contents:
        baseimage:
          image: ./testdata/base_image
          apkindex: ./testdata/base_image/metadata
        keyring:
          - ./testdata/melange.rsa.pub
        repositories:
          - ./testdata/packages
        packages:
          - replayout

      entrypoint:
        command: /bin/sh -l

      archs:
      - x86_64
      - aarch64
      """;

  /** Writes the config and its lock (upstream's apko.lock.json without the base's package, re-keyed to the config). */
  static BuildRequest request(Path cli, Path tmp, String config) throws IOException {
    Path cfg = tmp.resolve("on-top.apko.yaml");
    Files.writeString(cfg, config);
    ConfigLoader.Loaded loaded = ConfigLoader.load(cfg, cli);
    LockFile up = LockFile.parse(Files.readAllBytes(cli.resolve("testdata/apko.lock.json")), "apko.lock.json");
    List<LockFile.LockedPackage> pk = new ArrayList<>(up.packages());
    pk.removeIf(p -> p.name().equals("pretend-baselayout"));
    LockFile lock = new LockFile(up.version(), Optional.of(new LockFile.Config(loaded.name(), loaded.checksum())),
        up.keyring(), up.buildRepositories(), up.runtimeRepositories(), up.repositories(), pk);
    Path lockPath = tmp.resolve("on-top.apko.lock.json");
    Files.write(lockPath, lock.toBytes());
    return BuildRequest.of(cfg, cli).withLockFile(lockPath);
  }

  static Map<String, byte[]> files(byte[] tar) throws IOException {
    Map<String, byte[]> out = new java.util.TreeMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        out.put(e.getName(), in.readAllBytes());
      }
    }
    return out;
  }

  @Test
  void parseInstalledKeepsApkosQuirks() throws IOException {
    Path meta = SharedData.require("apk/apko/internal/cli/testdata/base_image/metadata");
    List<BaseImage.Record> rs = BaseImage.parseInstalled(Files.readAllBytes(meta.resolve("x86_64/APKINDEX")), "x");
    // the file does not end in a blank line, so Go's ParseInstalled never appends package-y
    assertEquals(List.of("pretend-baselayout", "package-x"), rs.stream().map(BaseImage.Record::name).toList());
    assertEquals("""
        P:pretend-baselayout
        V:1.0.0-r0
        A:x86_64
        L:MIT
        T:replacement baselayout
        o:pretend-baselayout
        m:
        U:
        D:
        p:
        c:
        i:[[]]
        t:0
        S:2330
        I:2899
        k:0
        C:Q1cs+Hlyu5sY+1mmwKPedcRWj8E24=
        F:etc
        R:os-release
        F:var
        F:var/lib
        F:var/lib/db
        F:var/lib/db/sbom
        R:pretend-baselayout-1.0.0-r0.spdx.json

        """, BaseImage.record(rs.get(0)), "M:/a: lost, Z: not parsed, i:[] read back as [\"[]\"]");
  }

  @Test
  void parseInstalledRefusesMalformedLinesAndEscapes() {
    CheckException e = assertThrows(CheckException.class,
        () -> BaseImage.parseInstalled("P:x\nnot a line\n\n".getBytes(StandardCharsets.UTF_8), "idx"));
    assertEquals(RebuildCode.BUILD_BASE_APKINDEX_INVALID, e.code());
    e = assertThrows(CheckException.class,
        () -> BaseImage.parseInstalled("P:x\nF:etc\nR:../../x\n\n".getBytes(StandardCharsets.UTF_8), "idx"));
    assertEquals(RebuildCode.BUILD_BASE_APKINDEX_INVALID, e.code());
    e = assertThrows(CheckException.class,
        () -> BaseImage.parseInstalled("P:x\nt:soon\n\n".getBytes(StandardCharsets.UTF_8), "idx"));
    assertEquals(RebuildCode.BUILD_BASE_APKINDEX_INVALID, e.code());
    e = assertThrows(CheckException.class,
        () -> BaseImage.parseInstalled("P:x\nF:\nM:0:0:0700\n\n".getBytes(StandardCharsets.UTF_8), "idx"));
    assertEquals(RebuildCode.BUILD_BASE_APKINDEX_INVALID, e.code());
  }

  @Test
  void buildsOnTopOfTheRealBaseImage(@TempDir Path tmp) throws IOException {
    Path cli = SharedData.require("apk/apko/internal/cli");
    Path base = cli.resolve("testdata/base_image");
    BuildResult r = Rebuild.run(request(cli, tmp, CONFIG));
    assertEquals(2, r.images().size());
    for (BuildResult.ArchImage img : r.images()) {
      String a = img.arch().apk();
      assertEquals(2, img.layers().size(), a + ": base layer + ours");
      BuildResult.Layer bl = img.layers().get(0);
      assertEquals(BASE_LAYER.get(img.arch()), bl.descriptor().digest().toString(), a + " base layer descriptor");
      assertArrayEquals(Files.readAllBytes(base.resolve("blobs/sha256").resolve(Digest.parse(BASE_LAYER.get(img.arch())).hex())),
          bl.blob(), a + ": base layer blob kept byte for byte");
      assertEquals(BASE_DIFF_ID.get(img.arch()), bl.diffId().toString());

      Map<String, byte[]> ours = files(img.layers().get(1).tar());
      assertFalse(ours.containsKey("etc/passwd"), a + ": accounts are left to the base");
      assertFalse(ours.containsKey("x/hello.txt"), a + ": base files are not copied into our layer");
      assertTrue(ours.containsKey("etc/os-release"), a + ": replayout's file is in our layer");
      assertEquals("package-x=1.0.0-r0\npretend-baselayout=1.0.0-r0\nreplayout=1.0.0-r0\n",
          new String(ours.get("etc/apk/world"), StandardCharsets.UTF_8), a + ": world = lock + base pins, sorted");
      assertEquals("./testdata/packages\n", new String(ours.get("etc/apk/repositories"), StandardCharsets.UTF_8));
      String db = new String(ours.get("usr/lib/apk/db/installed"), StandardCharsets.UTF_8);
      assertArrayEquals(img.installedDb(), ours.get("usr/lib/apk/db/installed"));
      List<String> names = db.lines().filter(l -> l.startsWith("P:")).toList();
      assertEquals(List.of("P:pretend-baselayout", "P:package-x", "P:replayout"), names, a + ": base records first");
      assertTrue(db.startsWith("P:pretend-baselayout\nV:1.0.0-r0\nA:" + a + "\n"), db);
      assertTrue(db.contains("\ni:[[]]\n"), "base records as apko writes them back");
      String apkoJson = new String(ours.get("etc/apko.json"), StandardCharsets.UTF_8);
      assertTrue(apkoJson.contains("\"packages\":[\"replayout=1.0.0-r0\"],\"baseimage\":{\"image\":\"./testdata/base_image\","
          + "\"apkindex\":\"./testdata/base_image/metadata\"}"), apkoJson);

      JsonNode cfg = JSON.readTree(img.config());
      assertEquals(2, cfg.get("history").size());
      JsonNode baseCfg = JSON.readTree(Files.readAllBytes(base.resolve("blobs/sha256").resolve(
          img.arch() == Arch.AMD64 ? "2580c204e7b254c8988c5cd1840cd58246afafb2479190b6cb3f448341003a5f"
              : "65eba664f408f8a2b2cf6b190255c8b0e8cb16a85d773089ae184ac35d782464")));
      assertEquals(baseCfg.get("history").get(0), cfg.get("history").get(0), a + ": base history kept");
      assertEquals("This is an apko single-layer image", cfg.get("history").get(1).get("comment").asText(),
          a + ": one layer added, so apko's single-layer comment");
      assertEquals(List.of(BASE_DIFF_ID.get(img.arch()), img.layers().get(1).diffId().toString()),
          List.of(cfg.get("rootfs").get("diff_ids").get(0).asText(), cfg.get("rootfs").get("diff_ids").get(1).asText()));
      assertEquals("PATH=/usr/local/sbin:/usr/local/bin:/usr/bin:/usr/sbin:/sbin:/bin",
          cfg.get("config").get("Env").get(0).asText(), a + ": Env is apko's, not the base's (old PATH order)");
      assertEquals("1970-01-01T00:00:00Z", cfg.get("config").get("Labels").get("org.opencontainers.image.created").asText());

      JsonNode m = JSON.readTree(img.manifest().bytes());
      assertEquals(BASE_LAYER.get(img.arch()), m.get("layers").get(0).get("digest").asText());
      assertEquals(img.layers().get(1).descriptor().digest().toString(), m.get("layers").get(1).get("digest").asText());
    }
    // written out, it is a layout whose every blob is present and verifies
    Path out = tmp.resolve("out");
    r.writeTo(OciLayout.destination(ImageReference.oci(out.toString(), null)), Optional.empty());
    for (BuildResult.ArchImage img : r.images()) {
      for (BuildResult.Layer l : img.layers()) {
        assertArrayEquals(l.blob(), Files.readAllBytes(out.resolve("blobs/sha256").resolve(l.descriptor().digest().hex())));
      }
    }
  }

  @Test
  void lockLeavesOutWhatTheBaseHas(@TempDir Path tmp) throws IOException {
    Path cli = SharedData.require("apk/apko/internal/cli");
    BuildRequest req = request(cli, tmp, CONFIG);
    // resolved against ./testdata/packages plus the base's APKINDEX: replayout's dependency pretend-baselayout is
    // the base's, so only replayout is locked (per arch) -- the same bytes as upstream's lock minus that package
    LockFile lock = Rebuild.lock(req);
    assertEquals(Files.readString(req.lockFile().get()), new String(lock.toBytes(), StandardCharsets.UTF_8));
    assertEquals(List.of("replayout", "replayout"), lock.packages().stream().map(LockFile.LockedPackage::name).toList());
  }

  // ---------------------------------------------------------------- on the base image the tests build

  @TempDir
  static Path fixtureDir;
  static TestBaseImage fixture;

  @BeforeAll
  static void buildFixture() throws IOException {
    fixture = TestBaseImage.build(fixtureDir);
  }

  @Test
  void buildsOnTopOfAFixtureBaseImage(@TempDir Path tmp) throws IOException {
    BuildRequest req = fixture.lockedRequest("on-top", TestBaseImage.CONFIG);
    LockFile lock = LockFile.parse(Files.readAllBytes(req.lockFile().orElseThrow()), "lock");
    assertEquals(List.of("app"), lock.packages().stream().map(LockFile.LockedPackage::name).toList(),
        "app's dependency fixture-baselayout is the base's, so only app is locked");
    assertEquals(List.of("fixture-baselayout", "package-x"),
        BaseImage.parseInstalled(Files.readAllBytes(fixture.metadata.resolve("x86_64/APKINDEX")), "x").stream()
            .map(BaseImage.Record::name).toList(), "package-y's record has no closing blank line: dropped as apko does");

    BuildResult r = Rebuild.run(req);
    assertEquals(1, r.images().size());
    BuildResult.ArchImage img = r.images().get(0);
    BuildResult.ArchImage baseImg = fixture.base.images().get(0);
    assertEquals(2, img.layers().size(), "base layer + ours");
    BuildResult.Layer bl = img.layers().get(0);
    BuildResult.Layer baseLayer = baseImg.layers().get(0);
    assertEquals(baseLayer.descriptor().digest(), bl.descriptor().digest(), "base layer descriptor");
    assertEquals(baseLayer.descriptor().size(), bl.descriptor().size());
    assertArrayEquals(Files.readAllBytes(fixture.image.resolve("blobs/sha256").resolve(baseLayer.descriptor().digest().hex())),
        bl.blob(), "base layer blob kept byte for byte");
    assertEquals(baseLayer.diffId(), bl.diffId());

    Map<String, byte[]> ours = files(img.layers().get(1).tar());
    assertTrue(ours.containsKey("usr/bin/app"), "app's file is in our layer: " + ours.keySet());
    assertFalse(ours.containsKey("x/hello.txt"), "base files are not copied into our layer");
    assertFalse(ours.containsKey("etc/os-release"), "the base's package is not installed again");
    assertEquals("app=1.0.0-r0\nfixture-baselayout=1.0.0-r0\npackage-x=1.0.0-r0\n",
        new String(ours.get("etc/apk/world"), StandardCharsets.UTF_8), "world = lock + base pins, sorted");
    String db = new String(ours.get("usr/lib/apk/db/installed"), StandardCharsets.UTF_8);
    assertArrayEquals(img.installedDb(), ours.get("usr/lib/apk/db/installed"));
    assertEquals(List.of("P:fixture-baselayout", "P:package-x", "P:app"), db.lines().filter(l -> l.startsWith("P:")).toList(),
        "base records first");

    JsonNode cfg = JSON.readTree(img.config());
    JsonNode baseCfg = JSON.readTree(baseImg.config());
    assertEquals(2, cfg.get("history").size());
    assertEquals(baseCfg.get("history").get(0), cfg.get("history").get(0), "base history kept");
    assertEquals(List.of(baseLayer.diffId().toString(), img.layers().get(1).diffId().toString()),
        List.of(cfg.get("rootfs").get("diff_ids").get(0).asText(), cfg.get("rootfs").get("diff_ids").get(1).asText()));
    JsonNode m = JSON.readTree(img.manifest().bytes());
    assertEquals(baseLayer.descriptor().digest().toString(), m.get("layers").get(0).get("digest").asText());

    // the same inputs again give the same index, sequential or parallel
    assertEquals(r.index().digest(), Rebuild.run(req.withParallelism(2)).index().digest());
    Path out = tmp.resolve("out");
    r.writeTo(OciLayout.destination(ImageReference.oci(out.toString(), null)), Optional.empty());
    for (BuildResult.Layer l : img.layers()) {
      assertEquals(l.descriptor().digest(), Digest.sha256(Files.readAllBytes(out.resolve("blobs/sha256")
          .resolve(l.descriptor().digest().hex()))), "written blob verifies");
    }
  }

  @Test
  void baseImageWithoutLockIsRefusedAsApkoDoes() throws IOException {
    Path cfg = fixture.config("no-lock", TestBaseImage.CONFIG);
    CheckException e = assertThrows(CheckException.class, () -> Rebuild.run(BuildRequest.of(cfg, fixture.dir)));
    assertEquals(RebuildCode.BUILD_BASE_IMAGE_NEEDS_LOCK, e.code());
  }

  @Test
  void missingApkindexAndLayeringAreReported() {
    CheckException e = assertThrows(CheckException.class, () -> Rebuild.run(fixture.lockedRequest("no-apkindex",
        TestBaseImage.CONFIG.replace("apkindex: ./base-metadata", "apkindex: ./nowhere"))));
    assertEquals(RebuildCode.BUILD_BASE_APKINDEX_MISSING, e.code());
    e = assertThrows(CheckException.class, () -> Rebuild.run(fixture.lockedRequest("layering",
        TestBaseImage.CONFIG + "layering:\n  strategy: origin\n  budget: 2\n")));
    assertEquals(RebuildCode.BUILD_UNSUPPORTED, e.code());
    e = assertThrows(CheckException.class, () -> Rebuild.run(fixture.lockedRequest("no-image",
        TestBaseImage.CONFIG.replace("image: ./base", "image: ./golden-nowhere"))));
    assertEquals(RebuildCode.BUILD_BASE_IMAGE_NOT_FOUND, e.code());
  }

  @Test
  void aBaseLayerThatDoesNotMatchItsDiffIdIsAnIntegrityFailure(@TempDir Path tmp) throws IOException {
    // the layer descriptor points at another well-formed gzip blob (digest and size right), so only the diff_id
    // check can notice
    byte[] other = ApkFixtures.gzip(ApkFixtures.tar(List.of(ApkFixtures.Entry.file("x/evil.txt", "not the base\n")), true));
    Path copy = fixture.withEditedManifest(tmp.resolve("base"), m -> {
      ObjectNode l = (ObjectNode) m.get("layers").get(0);
      l.put("digest", Digest.sha256(other).toString());
      l.put("size", other.length);
      return m;
    });
    Files.write(copy.resolve("blobs/sha256").resolve(Digest.sha256(other).hex()), other);
    CheckException e = assertThrows(CheckException.class, () -> BaseImage.load(copy, fixture.metadata, Arch.AMD64));
    assertEquals(RebuildCode.BUILD_BASE_LAYER_MISMATCH, e.code());
    assertEquals(CheckException.Kind.INTEGRITY, e.kind());
    e = assertThrows(CheckException.class, () -> BaseImage.load(fixture.image, fixture.metadata, Arch.ARM64));
    assertEquals(RebuildCode.BUILD_BASE_ARCH_MISSING, e.code());
    assertEquals(List.of("fixture-baselayout", "package-x"),
        BaseImage.load(fixture.image, fixture.metadata, Arch.AMD64).packages().stream().map(BaseImage.Record::name).toList(),
        "the untouched base loads");
  }

  @Test
  void baseConfigsTheRoundTripWouldRewriteAreRefused(@TempDir Path tmp) throws IOException {
    Path extra = fixture.withEditedConfig(tmp.resolve("a"), c -> replaceOnce(c, "\"config\":{", "\"config\":{\"ExposedPorts\":{\"80/tcp\":{}},"));
    CheckException e = assertThrows(CheckException.class, () -> BaseImage.load(extra, fixture.metadata, Arch.AMD64));
    assertEquals(RebuildCode.BUILD_UNSUPPORTED, e.code());
    assertTrue(e.getMessage().contains("ExposedPorts"), e.getMessage());

    Path time = fixture.withEditedConfig(tmp.resolve("b"), c -> replaceOnce(c, "\"created\":\"1970-01-01T00:00:00Z\",\"created_by\"",
        "\"created\":\"1970-01-01T00:00:00.000Z\",\"created_by\""));
    e = assertThrows(CheckException.class, () -> BaseImage.load(time, fixture.metadata, Arch.AMD64));
    assertEquals(RebuildCode.BUILD_UNSUPPORTED, e.code());

    Path ids = fixture.withEditedConfig(tmp.resolve("c"), c -> replaceOnce(c, "\"diff_ids\":[\"", "\"diff_ids\":[\""
        + BASE_DIFF_ID.get(Arch.ARM64) + "\",\""));
    e = assertThrows(CheckException.class, () -> BaseImage.load(ids, fixture.metadata, Arch.AMD64));
    assertEquals(RebuildCode.BUILD_BASE_INVALID, e.code());
    assertEquals(CheckException.Kind.INTEGRITY, e.kind());
  }

  /** {@code s} with {@code from} (which must occur) replaced once: an edit that silently did nothing would pass. */
  static String replaceOnce(String s, String from, String to) {
    int i = s.indexOf(from);
    assertTrue(i >= 0, from + " not in " + s);
    return s.substring(0, i) + to + s.substring(i + from.length());
  }

  @Test
  void anOversizedApkindexIsRefusedBeforeItIsRead(@TempDir Path tmp) throws IOException {
    Path meta = tmp.resolve("meta/x86_64");
    Files.createDirectories(meta);
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(meta.resolve("APKINDEX").toFile(), "rw")) {
      f.setLength(BaseImage.MAX_APKINDEX + 1); // sparse: nothing is written
    }
    CheckException e = assertThrows(CheckException.class, () -> BaseImage.load(fixture.image, tmp.resolve("meta"), Arch.AMD64));
    assertEquals(RebuildCode.BUILD_BASE_APKINDEX_TOO_LARGE, e.code());
  }

  @Test
  void aPackageOnlyTheBaseIndexHasCannotBeLocked() throws IOException {
    // package-y is in the base's APKINDEX, but apko's ParseInstalled drops it (no blank line after its record), so
    // it is not "in the base" and there is no .apk for it anywhere
    Path cfg = fixture.config("y", TestBaseImage.CONFIG.replace("- app", "- package-y"));
    CheckException e = assertThrows(CheckException.class, () -> Rebuild.lock(BuildRequest.of(cfg, fixture.dir)));
    assertEquals(RebuildCode.BUILD_BASE_PACKAGE_UNAVAILABLE, e.code());
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (var s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }
}
