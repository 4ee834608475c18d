package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import dev.bitproof.testing.ApkFixtures;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --reuse-layers-from}: the published layer is streamed and proven by its diff_id, or refused. */
class LayerReuseTest {
  static BuildResult build(TestRepo t, Path cfg) throws Exception {
    return Rebuild.run(t.request(cfg));
  }

  static Path write(BuildResult r, Path out) throws Exception {
    try (ImageDestination d = Transports.destination(ImageReference.parse("oci:" + out), TransportOptions.defaults())) {
      r.writeTo(d, Optional.empty());
    }
    return out;
  }

  static ImageSource open(Path layout) throws Exception {
    return Transports.source(ImageReference.parse("oci:" + layout), TransportOptions.defaults());
  }

  @Test
  void reusesAPublishedLayerThatDecompressesToTheRebuiltTar(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp);
    t.packages(t.apk("a", "a").file("doc.txt", "hello\n".repeat(5000)));
    BuildResult ours = build(t, t.config("", "a"));
    // published with another compressor: other blob bytes, same tar
    Path published = write(Rebuild.run(t.request(t.config("", "a")).withCompressor(LayerCompressor.javaGzip())),
        tmp.resolve("published"));
    try (ImageSource s = open(published)) {
      BuildResult reused = LayerReuse.reuse(ours, s);
      BuildResult.Layer l = reused.images().get(0).layers().get(0);
      assertEquals(ours.images().get(0).layers().get(0).diffId(), l.diffId());
      assertTrue(l.compressor().startsWith("reused:"), l.compressor());
      assertEquals(l.descriptor().digest(), l.data().digest(), "the blob kept is the published one");
    }
  }

  @Test
  void refusesAPublishedLayerWithOtherFilesNamingTheEntry(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp);
    t.packages(t.apk("a", "a").file("doc.txt", "hello\n"));
    BuildResult ours = build(t, t.config("", "a"));
    TestRepo other = new TestRepo(tmp.resolve("other"));
    other.packages(other.apk("a", "a").file("doc.txt", "hullo\n"));
    Path published = write(build(other, other.config("", "a")), tmp.resolve("published"));
    try (ImageSource s = open(published)) {
      CheckException e = assertThrows(CheckException.class, () -> LayerReuse.reuse(ours, s));
      assertEquals(RebuildCode.LAYER_REUSE_MISMATCH, e.code());
      // a small tar: the message names the first entry that differs (TarDiff), not only the two diff_ids
      assertTrue(e.getMessage().contains("does not decompress to the rebuilt tar"), e.getMessage());
      assertTrue(!e.getMessage().contains("the rebuilt tar is sha256:"), e.getMessage());
    }
  }
}
