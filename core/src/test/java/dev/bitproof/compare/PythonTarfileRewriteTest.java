package dev.bitproof.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.Finding;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestLayouts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The case: apko's golden layer rewritten entry by entry by Python's {@code tarfile} (another writer, same
 * files). The comparison explains each entry by the header fields that writer encodes differently (a trailing '/'
 * on directory names, devmajor/devminor as NULs), and {@code --ignore-tar-format} accepts it.
 */
class PythonTarfileRewriteTest {
  static final String REWRITE = "import sys, tarfile\n"
      + "with tarfile.open(sys.argv[1]) as tin, tarfile.open(sys.argv[2], 'w', format=tarfile.PAX_FORMAT) as tout:\n"
      + "    for ti in tin:\n"
      + "        tout.addfile(ti, tin.extractfile(ti) if ti.isreg() else None)\n";

  static Path python() {
    Path p = Path.of("/usr/bin/python3");
    if (!Files.isExecutable(p)) {
      if (System.getenv("BITPROOF_REQUIRE_PEERS") != null) {
        throw new AssertionError("python3 is required (BITPROOF_REQUIRE_PEERS is set) but is missing");
      }
      Assumptions.assumeTrue(false, "skipped: python3 is not installed");
    }
    return p;
  }

  static byte[] rewrite(Path tmp, byte[] tar) {
    try {
      Path in = Files.createTempFile(tmp, "in", ".tar");
      Path out = tmp.resolve(in.getFileName() + ".py.tar");
      Files.write(in, tar);
      Process p = new ProcessBuilder(python().toString(), "-c", REWRITE, in.toString(), out.toString())
          .redirectErrorStream(true).redirectOutput(tmp.resolve("python.log").toFile()).start();
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new AssertionError("python3 tarfile rewrite failed: " + Files.readString(tmp.resolve("python.log")));
      }
      return Files.readAllBytes(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void tarfileRewriteIsExplainedByFieldNotHeaderDigest(@TempDir Path tmp) throws Exception {
    python();
    // the demo's published image (testdata/demo, made by our build in apko's tar format)
    Path golden = SharedData.testdata("demo/published");
    Path t = TestLayouts.rewrite(golden, tmp.resolve("py"), (arch, tar) -> rewrite(tmp, tar), null, false);
    Comparison c = ImageComparatorTest.compare(golden, t, CompareOptions.strict().withPlatform(dev.bitproof.oci.Platform.parse("linux/amd64")));
    assertEquals(Verdict.DIFFERENT, c.verdict());
    List<Finding> changed = ImageComparatorTest.failures(c, CompareCode.FILE_CHANGED);
    assertTrue(changed.size() > 10, changed.toString());
    assertTrue(changed.stream().noneMatch(f -> f.evidence().containsKey("header.a")), "a bare header digest: " + changed);
    Finding etc = changed.stream().filter(f -> f.subject().equals("linux/amd64 layer 0 etc")).findFirst().orElseThrow();
    assertEquals("\"etc\\0×97\"", etc.evidence().get("header.name.a"));
    assertEquals("\"etc/\\0×96\"", etc.evidence().get("header.name.b"));
    assertEquals("\"0000000\\0\"", etc.evidence().get("header.devmajor.a"));
    assertEquals("\"\\0×8\"", etc.evidence().get("header.devmajor.b"));

    Comparison loose = ImageComparatorTest.compare(golden, t, CompareOptions.strict()
        .withPlatform(dev.bitproof.oci.Platform.parse("linux/amd64")).withAlsoIgnored(false, false, false, true, false, false));
    assertEquals(Verdict.SEMANTICALLY_IDENTICAL, loose.verdict(), loose.failures().toString());
  }
}
