package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.oci.Digest;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build whose files are larger than its heap: ~100 MiB of package files rebuilt by a child JVM limited to
 * {@code -Xmx64m}. Package contents go to the spill and the layer blob to a file, so it succeeds; the layer it
 * wrote decompresses to a tar of more than the heap whose digest is the diff_id it reported. Not timed.
 */
class LargerThanHeapTest {
  static final int HEAP_MB = 64;

  @Test
  void buildsAnImageLargerThanTheHeap(@TempDir Path tmp) throws Exception {
    Path cfg = RepoGen.write(tmp.resolve("repo"), 100);
    Path blob = tmp.resolve("layer.blob");
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(javaBin.toString(), "-Xmx" + HEAP_MB + "m", "-cp",
        System.getProperty("java.class.path"), Main.class.getName(), cfg.toString(), blob.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "child build did not end");
    assertEquals(0, p.exitValue(), "the build ran out of its " + HEAP_MB + " MiB heap or failed:\n" + out);
    List<String> lines = out.lines().filter(l -> l.startsWith("layer ")).toList();
    assertEquals(1, lines.size(), out);
    String[] f = lines.get(0).split(" ");
    Digest diffId = Digest.parse(f[1]);
    long tarSize = Long.parseLong(f[2]);
    assertTrue(tarSize > (HEAP_MB + 16L) << 20, "tar of " + tarSize + " bytes is not larger than the heap");
    MessageDigest sha = Digest.newSha256();
    long n = 0;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(blob), 65536)) {
      byte[] buf = new byte[65536];
      for (int r; (r = in.read(buf)) > 0; ) {
        sha.update(buf, 0, r);
        n += r;
      }
    }
    assertEquals(tarSize, n, "decompressed layer size");
    assertEquals(diffId, Digest.sha256(sha), "the layer decompresses to the diff_id the build reported");
  }

  /** The child: builds CONFIG, writes its one layer's blob to BLOB, prints {@code layer DIFF_ID TAR_SIZE}. */
  public static final class Main {
    public static void main(String[] args) throws Exception {
      Path cfg = Path.of(args[0]);
      BuildResult r = Rebuild.run(BuildRequest.of(cfg, cfg.getParent()).withSourceDateEpoch(0));
      BuildResult.Layer l = r.images().get(0).layers().get(0);
      try (InputStream in = l.data().open()) {
        Files.copy(in, Path.of(args[1]));
      }
      System.out.println("layer " + l.diffId() + " " + l.tarSize());
    }
  }
}
