package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bitproof.apko.Arch;
import dev.bitproof.compress.CompressCode;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The bar of the byte-exact compressor: apko's TestBuild inputs (apko.yaml, lock file, the APKs and keys in
 * shared data) rebuild the golden compressed layers, manifests and index byte for byte, with no published blob
 * used. The published layout is read only to compare.
 */
class BitIdenticalRebuildTest {
  @Test
  void goldenIndexFromInputsAloneWithApkoCompression() throws IOException {
    Path cli = GoldenRebuildTest.cliDir();
    BuildResult r = Rebuild.run(GoldenRebuildTest.request(cli).withLockFile(cli.resolve("testdata/apko.lock.json")));
    for (BuildResult.ArchImage img : r.images()) {
      String[] g = GoldenRebuildTest.GOLDEN.get(img.arch());
      BuildResult.Layer layer = img.layers().get(0);
      assertEquals("pgzip-klauspost-5", layer.compressor());
      byte[] published = GoldenRebuildTest.goldenBlob(cli, g[2]);
      assertEquals(published.length, layer.blob().length, img.arch() + " compressed layer size");
      assertArrayEquals(published, layer.blob(), img.arch() + " compressed layer bytes");
      assertEquals(g[2], layer.descriptor().digest().toString(), img.arch() + " layer digest");
      assertEquals(new String(GoldenRebuildTest.goldenBlob(cli, g[3])), new String(img.manifest().bytes()),
          img.arch() + " manifest JSON");
      assertEquals(g[3], img.manifest().digest().toString(), img.arch() + " manifest digest");
    }
    assertEquals(new String(Files.readAllBytes(cli.resolve("testdata/golden/index.json"))),
        new String(r.index().bytes()), "index JSON");
    assertEquals(GoldenRebuildTest.INDEX, r.index().digest(), "golden index digest");
  }

  /** On the demo's inputs (testdata/demo): another compressor moves the layer blobs, never the diff_ids. */
  @Test
  void javaCompressionKeepsDiffIdsButNotLayerDigests() throws IOException {
    Path demo = dev.bitproof.testing.SharedData.testdata("demo");
    BuildRequest req = BuildRequest.of(demo.resolve("apko.yaml"), demo).withLockFile(demo.resolve("apko.lock.json"));
    BuildResult apko = Rebuild.run(req);
    BuildResult r = Rebuild.run(req.withCompressor(LayerCompressor.named("java")));
    for (Arch arch : java.util.List.of(Arch.AMD64, Arch.ARM64)) {
      BuildResult.Layer ours = apko.image(arch).orElseThrow().layers().get(0);
      BuildResult.Layer layer = r.image(arch).orElseThrow().layers().get(0);
      assertEquals("pgzip-klauspost-5", ours.compressor());
      assertEquals(ours.diffId(), layer.diffId(), arch + ": diff_id does not depend on the compressor");
      assertArrayEquals(ours.tar(), layer.tar(), arch + ": the same tar");
      assertEquals(false, ours.descriptor().digest().equals(layer.descriptor().digest()), arch + ": zlib bytes differ from apko's");
      try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(layer.blob()))) {
        assertArrayEquals(layer.tar(), in.readAllBytes(), "java gzip is still valid gzip of the tar");
      }
    }
  }

  @Test
  void unknownCompressionNameIsAUsageError() {
    CheckException e = assertThrows(CheckException.class, () -> LayerCompressor.named("zstd"));
    assertEquals(CompressCode.COMPRESSION_UNKNOWN, e.code());
    assertEquals(CheckException.Kind.USAGE, e.kind());
    assertEquals("pgzip-klauspost-5", LayerCompressor.named("apko").name());
    assertEquals("pgzip-klauspost-5-pre-1.18.2", LayerCompressor.named("apko-legacy").name());
  }
}
