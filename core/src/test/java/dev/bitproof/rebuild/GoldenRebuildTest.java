package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.apko.Arch;
import dev.bitproof.oci.Digest;
import dev.bitproof.testing.SharedData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/**
 * apko's TestBuild golden (reference apko.md §5.1): the same inputs must give the golden diff_ids, installed
 * DB, config digests, and, with the published layer blobs reused, the golden manifest and index digests. On a
 * mismatch the message names the tar entry or JSON that differs.
 */
class GoldenRebuildTest {
  static final Map<String, String> ANNOTATIONS = Map.of("org.opencontainers.image.vendor", "Vendor",
      "org.opencontainers.image.title", "Title");
  static final Digest INDEX = Digest.parse("sha256:b5f05e6fc882c97d61c1daee566954ae6fc09924f8e152293e2b97a06092069f");
  static final Map<Arch, String[]> GOLDEN = Map.of(
      Arch.AMD64, new String[] {
          "sha256:20f698463c2755b6dc42b7d07e959ed7455a06e7367d507e829a315898f21a01",
          "sha256:6c815259150f37d000417f9a93f41bddf74dff905c745986069d4b03e954ac1d",
          "sha256:c7557730da0e2d7fb242d8d1ac6dcf7e3a2439732aa5981270b4f3a02454b738",
          "sha256:69f0237c7f8cf0b8a329d1bf1d6870c870c4ec323e39d3a6da59596632d0f2f4"},
      Arch.ARM64, new String[] {
          "sha256:ca5e16c7c944d764863cb1a4286e668e72d6d87ef9ddd82337b19d87715bae7e",
          "sha256:fbb854f9d5a601a36c4dc8cc82e5b21e91b11cdd4aab5035340e4f517c5a8eb1",
          "sha256:7e0f9d62f6cab4785e18a55f17d03f20ffb776881f1f46258efd9458f7cdaf08",
          "sha256:124c885f834cfaf1329987457a9651a68c4fb9733d4462ae6288b98011277858"});

  static Path cliDir() {
    return SharedData.require("apk/apko/internal/cli");
  }

  static BuildRequest request(Path cli) {
    return BuildRequest.of(cli.resolve("testdata/apko.yaml"), cli).withArchs(List.of("x86_64", "aarch64"))
        .withAnnotations(ANNOTATIONS);
  }

  static byte[] goldenBlob(Path cli, String digest) throws IOException {
    return Files.readAllBytes(cli.resolve("testdata/golden/blobs/sha256").resolve(Digest.parse(digest).hex()));
  }

  static byte[] gunzip(byte[] b) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
      return in.readAllBytes();
    }
  }

  static byte[] tarEntry(byte[] tar, String name) throws IOException {
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (e.getName().equals(name)) {
          return in.readAllBytes();
        }
      }
    }
    throw new AssertionError(name + " not in tar");
  }

  static void assertGoldenLayersAndConfigs(Path cli, BuildResult r) throws IOException {
    assertEquals(2, r.images().size(), "two arches");
    for (BuildResult.ArchImage img : r.images()) {
      String[] g = GOLDEN.get(img.arch());
      byte[] goldenTar = gunzip(goldenBlob(cli, g[2]));
      byte[] ours = img.layers().get(0).tar();
      assertEquals(Optional.empty(), TarDiff.firstDifference(goldenTar, ours), img.arch() + " layer tar");
      assertEquals(g[0], img.layers().get(0).diffId().toString(), img.arch() + " diff_id");
      assertEquals(new String(tarEntry(goldenTar, "usr/lib/apk/db/installed")), new String(img.installedDb()),
          img.arch() + " installed DB");
      byte[] goldenConfig = goldenBlob(cli, g[1]);
      assertEquals(new String(goldenConfig), new String(img.config()), img.arch() + " config JSON");
      assertEquals(g[1], img.configDescriptor().digest().toString(), img.arch() + " config digest");
    }
  }

  @Test
  void lockFileBuildGivesGoldenLayersConfigsAndInstalledDb() throws IOException {
    Path cli = cliDir();
    BuildResult r = Rebuild.run(request(cli).withLockFile(cli.resolve("testdata/apko.lock.json")));
    assertGoldenLayersAndConfigs(cli, r);
    assertTrue(r.steps().containsKey("install packages"), "timings per step: " + r.steps());
  }

  /** apko's TestLock: {@code lock} alone (no image) writes testdata/apko.lock.json byte for byte. */
  @Test
  void lockAloneIsApkosLockFile() throws IOException {
    Path cli = cliDir();
    assertEquals(new String(Files.readAllBytes(cli.resolve("testdata/apko.lock.json"))),
        new String(Rebuild.lock(request(cli)).toBytes()));
  }

  /** The TestBuild inputs exactly: no lock, no SOURCE_DATE_EPOCH; resolution against the signed indexes. */
  @Test
  void resolvedBuildGivesGoldenAndEmitsApkosLockFileByteForByte() throws IOException {
    Path cli = cliDir();
    BuildResult r = Rebuild.run(request(cli));
    assertGoldenLayersAndConfigs(cli, r);
    assertEquals(new String(Files.readAllBytes(cli.resolve("testdata/apko.lock.json"))), new String(r.lock().toBytes()),
        "emitted lock file");
    assertEquals(List.of("pretend-baselayout", "replayout"),
        r.image(Arch.AMD64).orElseThrow().packages().stream().map(BuildResult.InstalledPackage::name).toList(),
        "install order: dependency first");
  }

  /** On the demo's inputs (testdata/demo, two arches): one worker or two, the same index bytes. */
  @Test
  void buildIsDeterministicSequentialOrParallel() throws IOException {
    Path demo = SharedData.testdata("demo");
    BuildRequest req = BuildRequest.of(demo.resolve("apko.yaml"), demo).withLockFile(demo.resolve("apko.lock.json"));
    BuildResult a = Rebuild.run(req.withParallelism(1));
    BuildResult b = Rebuild.run(req.withParallelism(2));
    assertEquals(2, a.images().size());
    assertEquals(a.index().digest(), b.index().digest());
    assertEquals(new String(a.index().bytes()), new String(b.index().bytes()));
    for (int i = 0; i < 2; i++) {
      assertEquals(a.images().get(i).layers().get(0).descriptor().digest(), b.images().get(i).layers().get(0).descriptor().digest());
    }
  }

  /**
   * On the demo's inputs (testdata/demo) built with java.util.zip, whose layer blobs are not the published ones:
   * reusing the published layers gives the published manifests and index byte for byte.
   */
  @Test
  void reusingPublishedLayersGivesThePublishedManifestsAndIndex() throws IOException {
    Path demo = SharedData.testdata("demo");
    Path published = demo.resolve("published");
    BuildResult built = Rebuild.run(BuildRequest.of(demo.resolve("apko.yaml"), demo)
        .withLockFile(demo.resolve("apko.lock.json")).withCompressor(LayerCompressor.named("java"))
        .withAnnotations(Map.of("org.opencontainers.image.vendor", "bitproof", "org.opencontainers.image.title", "bitproof demo")));
    byte[] publishedIndex = Files.readAllBytes(published.resolve("index.json"));
    assertFalse(Digest.sha256(publishedIndex).equals(built.index().digest()), "java gzip alone gives another index");
    BuildResult r = LayerReuse.reuse(built, dev.bitproof.oci.transport.OciLayout.source(
        dev.bitproof.oci.ImageReference.parse("oci:" + published)));
    assertEquals(2, r.images().size());
    for (BuildResult.ArchImage img : r.images()) {
      BuildResult.ArchImage ours = built.image(img.arch()).orElseThrow();
      assertEquals(ours.layers().get(0).diffId(), img.layers().get(0).diffId(), img.arch() + " diff_id");
      assertFalse(ours.layers().get(0).descriptor().digest().equals(img.layers().get(0).descriptor().digest()),
          img.arch() + ": the published blob replaced ours");
      assertEquals(new String(Files.readAllBytes(published.resolve("blobs/sha256").resolve(img.manifest().digest().hex()))),
          new String(img.manifest().bytes()), img.arch() + " manifest JSON is a published blob");
    }
    assertEquals(new String(publishedIndex), new String(r.index().bytes()), "index JSON");
    assertEquals(Digest.sha256(publishedIndex), r.index().digest());
  }
}
