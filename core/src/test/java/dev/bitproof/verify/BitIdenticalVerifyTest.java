package dev.bitproof.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bitproof.rebuild.BuildRequest;
import dev.bitproof.rebuild.BuildResult;
import dev.bitproof.rebuild.LayerCompressor;
import dev.bitproof.rebuild.Rebuild;
import dev.bitproof.compare.CompareOptions;
import dev.bitproof.compare.Comparison;
import dev.bitproof.compare.ImageComparator;
import dev.bitproof.compare.Verdict;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.OciLayout;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.testing.SharedData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bar on the demo (testdata/demo: inputs and the image our build published from them): with apko's exact
 * compressor the rebuild compares BIT_IDENTICAL to the published image, where java.util.zip only reaches
 * CONTENT_IDENTICAL. On apko's own golden the same bar is {@code GoldenVerifyTest}'s (verify, BIT_IDENTICAL) and
 * {@code dev.bitproof.rebuild.BitIdenticalRebuildTest}'s (every blob byte for byte).
 */
class BitIdenticalVerifyTest {
  static ImageReference write(BuildResult r, Path dir) throws IOException {
    ImageReference ref = ImageReference.parse("oci:" + dir);
    try (ImageDestination d = OciLayout.destination(ref)) {
      r.writeTo(d, Optional.empty());
    }
    return ref;
  }

  /** On the demo (testdata/demo: inputs and the image our build published from them): the compressor is all that moves. */
  @Test
  void javaCompressionOnlyReachesContentIdentical(@TempDir Path tmp) throws IOException {
    Path demo = SharedData.testdata("demo");
    BuildRequest req = BuildRequest.of(demo.resolve("apko.yaml"), demo).withLockFile(demo.resolve("apko.lock.json"))
        .withAnnotations(Map.of("org.opencontainers.image.vendor", "bitproof", "org.opencontainers.image.title", "bitproof demo"));
    Comparison same;
    Comparison java;
    try (ImageSource a = OciLayout.source(ImageReference.parse("oci:" + demo.resolve("published")));
        ImageSource b = OciLayout.source(write(Rebuild.run(req), tmp.resolve("apko")));
        ImageSource c = OciLayout.source(write(Rebuild.run(req.withCompressor(LayerCompressor.named("java"))), tmp.resolve("java")))) {
      same = ImageComparator.compare(a, b, CompareOptions.strict());
      java = ImageComparator.compare(a, c, CompareOptions.strict());
    }
    assertEquals(Verdict.BIT_IDENTICAL, same.verdict(), () -> same.toString());
    assertEquals(Verdict.CONTENT_IDENTICAL, java.verdict(), () -> java.toString());
  }

  /**
   * On the demo (testdata/demo): the real verify rebuild (signatures checked separately), with the build's default
   * compressor, apko's, meets a BIT_IDENTICAL requirement. That apko's own golden passes verify bit-identical is
   * {@code GoldenVerifyTest}'s claim.
   */
  @Test
  void verifyPipelineReportsBitIdentical(@TempDir Path tmp) throws IOException {
    Path demo = SharedData.testdata("demo");
    Rebuilder rebuilder = new ApkoRebuilder(demo);
    Verifier.Request req = new Verifier.Request(demo.resolve("apko.yaml"),
        Optional.of(demo.resolve("apko.lock.json")), Optional.empty(), OptionalLong.empty(),
        "oci:" + demo.resolve("published"), tmp, CompareOptions.strict(), Verdict.BIT_IDENTICAL,
        TransportOptions.defaults());
    try (ImageSource published = OciLayout.source(ImageReference.parse("oci:" + demo.resolve("published")))) {
      Report report = Verifier.run(req, rebuilder, published);
      assertEquals(Verdict.BIT_IDENTICAL, report.verdict().orElseThrow(), () -> ReportText.render(report, false));
      assertEquals(true, report.passed(), () -> ReportText.render(report, false));
    }
  }
}
