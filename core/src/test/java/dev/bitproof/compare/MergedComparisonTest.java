package dev.bitproof.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.rebuild.BuildRequest;
import dev.bitproof.rebuild.BuildResult;
import dev.bitproof.rebuild.Rebuild;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.OciLayout;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.tar.TarCode;
import dev.bitproof.testing.ReportSchema;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestImages;
import dev.bitproof.testing.TestImages.Entry;
import dev.bitproof.testing.TestLayouts;
import dev.bitproof.verify.Report;
import dev.bitproof.verify.ReportJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images whose layers are split differently (other counts, or files moved between layers) are compared by their
 * merged filesystems (whiteouts applied).
 */
class MergedComparisonTest {
  private static final String OS_RELEASE = "ID=alpine\nVERSION_ID=3.20.0\nPRETTY_NAME=\"Alpine Linux\"\n";

  private static Path write(Path dir, TestImages img) throws IOException {
    img.writeTo(dir);
    return dir;
  }

  private static Set<Code> codes(Comparison c, boolean failing) {
    Set<Code> s = new TreeSet<>(java.util.Comparator.comparing(Code::name));
    c.allFindings().stream().filter(f -> f.fails() == failing).forEach(f -> s.add(f.code()));
    return s;
  }

  private static List<Finding> files(Comparison c) {
    return c.allFindings().stream().filter(f -> java.util.EnumSet.of(CompareCode.FILE_ADDED, CompareCode.FILE_REMOVED, CompareCode.FILE_CHANGED).contains(f.code())).toList();
  }

  private static void assertSchemaValid(Comparison c) {
    ObjectNode json = ReportJson.toJson(Report.ofComparison("compare", c, "a", "b", Verdict.CONTENT_IDENTICAL,
        Map.of(), List.of()), "test");
    assertEquals(List.of(), ReportSchema.validate(json));
  }

  /** A: everything in one layer. */
  private static Path oneLayer(Path dir) throws IOException {
    return write(dir, new TestImages().layer(Entry.dir("etc", 0755), Entry.file("etc/os-release", 0644, OS_RELEASE),
        Entry.dir("usr", 0755), Entry.dir("usr/bin", 0755), Entry.file("usr/bin/tool", 0755, "#!/bin/sh\necho hi\n")));
  }

  @Test
  void sameFilesInOneAndInTwoLayers(@TempDir Path tmp) throws Exception {
    Path a = oneLayer(tmp.resolve("a"));
    Path b = write(tmp.resolve("b"), new TestImages()
        .layer(Entry.dir("etc", 0755), Entry.file("etc/os-release", 0644, OS_RELEASE))
        .layer(Entry.dir("usr", 0755), Entry.dir("usr/bin", 0755), Entry.file("usr/bin/tool", 0755, "#!/bin/sh\necho hi\n")));

    Comparison strict = ImageComparatorTest.compare(a, b, CompareOptions.strict());
    assertEquals(Verdict.DIFFERENT, strict.verdict(), "the digests differ, so strict is DIFFERENT");
    assertEquals(List.of(), files(strict), "no file differs in the merged trees");
    assertEquals(Set.of(CompareCode.CONFIG_FIELD_DIFFERS, CompareCode.IMAGE_DIFFERENT, CompareCode.LAYER_ADDED, CompareCode.LAYER_COUNT_DIFFERS),
        codes(strict, true), () -> strict.allFindings().toString());
    Finding same = strict.allFindings().stream().filter(f -> f.code().equals(CompareCode.LAYERING_DIFFERS_CONTENT_SAME))
        .findFirst().orElseThrow(() -> new AssertionError(strict.allFindings().toString()));
    assertEquals("linux/amd64 merged", same.subject());
    assertEquals("1", same.evidence().get("layers.a"));
    assertEquals("2", same.evidence().get("layers.b"));
    assertEquals("5", same.evidence().get("entries"));
    ImageComparison img = strict.images().get(0);
    assertEquals(2, img.layers().size());
    assertTrue(img.layers().get(0).diffIdA().isPresent() && img.layers().get(1).diffIdB().isPresent(),
        "every layer's diff_id is computed on the way");
    assertSchemaValid(strict);

    Comparison semantic = ImageComparatorTest.compare(a, b, CompareOptions.semantic());
    assertEquals(Verdict.SEMANTICALLY_IDENTICAL, semantic.verdict(), () -> semantic.failures().toString());
    assertEquals(Set.of(), codes(semantic, true));
    assertTrue(semantic.allFindings().stream().anyMatch(f -> f.code().equals(CompareCode.LAYER_COUNT_DIFFERS)
        && "layering".equals(f.evidence().get("ignored"))));
    assertSchemaValid(semantic);
  }

  @Test
  void whiteoutsInTheUpperLayerAreApplied(@TempDir Path tmp) throws Exception {
    Path a = write(tmp.resolve("a"), new TestImages().layer(Entry.dir("etc", 0755),
        Entry.file("etc/keep", 0644, "kept\n"), Entry.dir("tmp", 01777)));
    List<Entry> lower = List.of(Entry.dir("etc", 0755), Entry.file("etc/keep", 0644, "kept\n"),
        Entry.file("etc/secret", 0600, "token\n"), Entry.dir("tmp", 01777), Entry.file("tmp/x", 0644, "x"),
        Entry.dir("tmp/y", 0755), Entry.file("tmp/y/z", 0644, "z"));
    Path b = write(tmp.resolve("b"), new TestImages().layer(lower)
        .layer(Entry.file("etc/.wh.secret", 0644, ""), Entry.file("tmp/.wh..wh..opq", 0644, "")));

    Comparison c = ImageComparatorTest.compare(a, b, CompareOptions.semantic());
    assertEquals(Verdict.SEMANTICALLY_IDENTICAL, c.verdict(), () -> c.failures().toString());
    assertEquals(List.of(), files(c), "the whiteout hides etc/secret, the opaque tmp hides tmp/x and tmp/y");

    // without the whiteouts, what they would have hidden is named
    Path leaky = write(tmp.resolve("leaky"), new TestImages().layer(lower).layer(Entry.dir("etc", 0755)));
    Comparison l = ImageComparatorTest.compare(a, leaky, CompareOptions.semantic());
    assertEquals(Verdict.DIFFERENT, l.verdict());
    assertEquals(List.of("FILE_ADDED linux/amd64 merged etc/secret", "FILE_ADDED linux/amd64 merged tmp/x",
        "FILE_ADDED linux/amd64 merged tmp/y", "FILE_ADDED linux/amd64 merged tmp/y/z"),
        files(l).stream().map(f -> f.code() + " " + f.subject()).toList());
    assertTrue(l.allFindings().stream().anyMatch(f -> f.code().equals(CompareCode.MERGED_FILESYSTEM_DIFFERENT)
        && f.message().contains("4 entries")), () -> l.allFindings().toString());
  }

  @Test
  void aWhiteoutHidesOnlyWhatLowerLayersHad(@TempDir Path tmp) throws Exception {
    // the same layer whites out and re-adds the path: the file stays (OCI: whiteouts apply to lower layers)
    Path a = write(tmp.resolve("a"), new TestImages().layer(Entry.file("f", 0644, "new\n")));
    Path b = write(tmp.resolve("b"), new TestImages().layer(Entry.file("f", 0644, "old\n"))
        .layer(Entry.file("f", 0644, "new\n"), Entry.file(".wh.f", 0644, "")));
    Comparison c = ImageComparatorTest.compare(a, b, CompareOptions.semantic());
    assertEquals(Verdict.SEMANTICALLY_IDENTICAL, c.verdict(), () -> c.failures().toString());
  }

  @Test
  void aFileChangedInTheUpperLayerIsNamedWithItsDiff(@TempDir Path tmp) throws Exception {
    Path a = oneLayer(tmp.resolve("a"));
    Path b = write(tmp.resolve("b"), new TestImages()
        .layer(Entry.dir("etc", 0755), Entry.file("etc/os-release", 0644, OS_RELEASE), Entry.dir("usr", 0755),
            Entry.dir("usr/bin", 0755), Entry.file("usr/bin/tool", 0755, "#!/bin/sh\necho hi\n"))
        .layer(Entry.file("etc/os-release", 0644, OS_RELEASE.replace("3.20.0", "3.20.1"))));

    for (CompareOptions o : List.of(CompareOptions.strict(), CompareOptions.semantic())) {
      Comparison c = ImageComparatorTest.compare(a, b, o);
      assertEquals(Verdict.DIFFERENT, c.verdict());
      List<Finding> fs = files(c);
      assertEquals(1, fs.size(), fs::toString);
      Finding f = fs.get(0);
      assertEquals(CompareCode.FILE_CHANGED, f.code());
      assertEquals("linux/amd64 merged etc/os-release", f.subject());
      String diff = f.evidence().get("diff");
      assertTrue(diff.contains("-VERSION_ID=3.20.0\n") && diff.contains("+VERSION_ID=3.20.1\n"), diff);
      assertEquals(1, diff.lines().filter(s -> s.startsWith("-") && !s.startsWith("---")).count(), diff);
      assertTrue(c.allFindings().stream().noneMatch(x -> x.code().equals(CompareCode.LAYERING_DIFFERS_CONTENT_SAME)));
      assertSchemaValid(c);
    }
  }

  @Test
  void filesMovedBetweenTwoLayersOnEachSide(@TempDir Path tmp) throws Exception {
    Path a = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), TestLayouts.tar(0, "a", "1", "b", "2"),
        TestLayouts.tar(0, "c", "3"));
    Path b = TestLayouts.singleImage(tmp.resolve("b"), "amd64", List.of(), TestLayouts.tar(0, "a", "1"),
        TestLayouts.tar(0, "b", "2", "c", "3"));

    Comparison strict = ImageComparatorTest.compare(a, b, CompareOptions.strict());
    assertEquals(Verdict.DIFFERENT, strict.verdict());
    assertEquals(List.of("FILE_REMOVED linux/amd64 layer 0 b", "FILE_ADDED linux/amd64 layer 1 b"),
        files(strict).stream().map(f -> f.code() + " " + f.subject()).toList(), "strict keeps the per-layer story");
    assertTrue(strict.allFindings().stream().anyMatch(f -> f.code().equals(CompareCode.LAYERING_DIFFERS_CONTENT_SAME)),
        () -> strict.allFindings().toString());

    Comparison semantic = ImageComparatorTest.compare(a, b, CompareOptions.semantic());
    assertEquals(Verdict.SEMANTICALLY_IDENTICAL, semantic.verdict(), () -> semantic.failures().toString());
    assertTrue(semantic.allFindings().stream().anyMatch(f -> f.code().equals(CompareCode.LAYER_BOUNDARIES_DIFFER)
        && "layering".equals(f.evidence().get("ignored"))));
    assertSchemaValid(semantic);

    // moved and changed: the merged trees differ, so the per-layer explanation stays and the verdict is DIFFERENT
    Path changed = TestLayouts.singleImage(tmp.resolve("changed"), "amd64", List.of(), TestLayouts.tar(0, "a", "1"),
        TestLayouts.tar(0, "b", "2", "c", "4"));
    Comparison c = ImageComparatorTest.compare(a, changed, CompareOptions.semantic());
    assertEquals(Verdict.DIFFERENT, c.verdict());
    assertEquals(List.of("FILE_REMOVED linux/amd64 layer 0 b", "FILE_CHANGED linux/amd64 layer 1 c",
        "FILE_ADDED linux/amd64 layer 1 b"), files(c).stream().map(f -> f.code() + " " + f.subject()).toList());
    assertTrue(c.allFindings().stream().noneMatch(f -> f.code() == CompareCode.LAYER_BOUNDARIES_DIFFER
        || f.code().equals(CompareCode.LAYERING_DIFFERS_CONTENT_SAME)));
  }

  @Test
  void contentsAreHeldOnlyWithinTheBudget(@TempDir Path tmp) throws Exception {
    Path a = oneLayer(tmp.resolve("a"));
    Path b = write(tmp.resolve("b"), new TestImages().layer(Entry.dir("etc", 0755), Entry.dir("usr", 0755),
        Entry.dir("usr/bin", 0755), Entry.file("usr/bin/tool", 0755, "#!/bin/sh\necho hi\n"))
        .layer(Entry.file("etc/os-release", 0644, OS_RELEASE.replace("3.20.0", "3.20.1"))));
    CompareOptions noRoom = new CompareOptions(false, false, false, false, false, false, Optional.empty(), 50_000, 200,
        64 * 1024, 0, 2_000_000);
    Comparison c = ImageComparatorTest.compare(a, b, noRoom);
    Finding f = files(c).get(0);
    assertEquals("linux/amd64 merged etc/os-release", f.subject());
    assertEquals(null, f.evidence().get("diff"), "no content was held, so no diff");
    assertTrue(f.message().contains("binary or large"), f.message());
    assertEquals(Verdict.DIFFERENT, c.verdict(), "the verdict comes from the digests, not from the held bytes");
  }

  @Test
  void aMergedTreeOverTheEntryBoundIsRefused(@TempDir Path tmp) throws Exception {
    Path a = write(tmp.resolve("a"), new TestImages().layer(Entry.file("a", 0644, "1"), Entry.file("b", 0644, "2"),
        Entry.file("c", 0644, "3")));
    Path b = write(tmp.resolve("b"), new TestImages().layer(Entry.file("a", 0644, "1"), Entry.file("b", 0644, "2"))
        .layer(Entry.file("c", 0644, "3"), Entry.file("d", 0644, "4")));
    CheckException e = assertThrows(CheckException.class,
        () -> ImageComparatorTest.compare(a, b, CompareOptions.strict().withMaxEntries(3)));
    assertEquals(TarCode.TAR_TOO_MANY_ENTRIES, e.code());
    assertTrue(e.getMessage().contains("merged filesystem"), e.getMessage());
  }

  @Test
  void aCorruptUpperLayerIsRefused(@TempDir Path tmp) throws Exception {
    byte[] notTar = new byte[4096];
    new java.util.Random(7).nextBytes(notTar);
    Path a = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), TestLayouts.tar(0, "a", "1"));
    Path b = TestLayouts.singleImage(tmp.resolve("b"), "amd64", List.of(), TestLayouts.tar(0, "a", "1"), notTar);
    CheckException e = assertThrows(CheckException.class, () -> ImageComparatorTest.compare(a, b, CompareOptions.semantic()));
    assertEquals(TarCode.TAR_CORRUPT, e.code());
    assertEquals(CheckException.Kind.INTEGRITY, e.kind());
  }

  @Test
  void aConfigClaimingAnotherDiffIdIsCaughtInMergedMode(@TempDir Path tmp) throws Exception {
    Path a = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), TestLayouts.tar(0, "a", "1", "b", "2"));
    Path two = TestLayouts.singleImage(tmp.resolve("two"), "amd64", List.of(), TestLayouts.tar(0, "a", "1"),
        TestLayouts.tar(0, "b", "2"));
    Path liar = TestLayouts.rewrite(two, tmp.resolve("liar"), null, cfg -> ((ArrayNode) cfg.get("rootfs").get("diff_ids"))
        .set(1, cfg.textNode("sha256:" + "0".repeat(64))), false);
    Comparison c = ImageComparatorTest.compare(a, liar, CompareOptions.semantic());
    assertEquals(Verdict.DIFFERENT, c.verdict());
    List<Finding> lies = ImageComparatorTest.failures(c, CompareCode.LAYER_DIFF_ID_MISMATCH);
    assertEquals(1, lies.size(), () -> c.allFindings().toString());
    assertEquals("linux/amd64 layer 1", lies.get(0).subject());
    assertEquals("B", lies.get(0).evidence().get("side"));
    assertEquals(List.of(), files(c), "the files themselves are the same");
    assertEquals(Verdict.SEMANTICALLY_IDENTICAL, ImageComparatorTest.compare(a, two, CompareOptions.semantic()).verdict());
  }

  /**
   * The real case: an apko config with origin layering (budget 2: its two origins get a layer each, then the top layer) against the same config
   * without it (one layer), on the apko-style repository the tests build ({@code TestApkoImage}). The merged
   * filesystems differ only where apko records its own configuration ({@code etc/apko.json}); everything else is the
   * same file for file.
   */
  @Test
  void layeringYamlAgainstTheSameConfigInOneLayer(@TempDir Path tmp) throws Exception {
    dev.bitproof.testing.TestApkoImage.Built fx = dev.bitproof.testing.TestApkoImage.build(tmp.resolve("fixture"));
    String yaml = Files.readString(fx.config(), StandardCharsets.UTF_8);
    Path layeredYaml = Files.writeString(fx.dir().resolve("layering.yaml"), yaml + "\nlayering:\n  strategy: origin\n  budget: 2\n");
    Path layered = build(BuildRequest.of(layeredYaml, fx.dir()), tmp.resolve("layered"));
    Path flat = build(BuildRequest.of(fx.config(), fx.dir()), tmp.resolve("flat"));

    Comparison strict = ImageComparatorTest.compare(layered, flat, CompareOptions.strict());
    Comparison c = ImageComparatorTest.compare(layered, flat, CompareOptions.semantic());
    assertEquals(Verdict.DIFFERENT, strict.verdict());
    assertEquals(Verdict.DIFFERENT, c.verdict(), "etc/apko.json records the layering, so the content differs");
    assertEquals(2, c.images().size());
    for (Comparison cmp : List.of(strict, c)) {
      for (ImageComparison img : cmp.images()) {
        // two origins: one layer each, then the top layer
        assertEquals(3, img.layers().stream().filter(l -> l.a().isPresent()).count(), img.platform());
        assertEquals(1, img.layers().stream().filter(l -> l.b().isPresent()).count(), img.platform());
        List<Finding> fs = files(cmp).stream().filter(f -> f.subject().startsWith(img.platform() + " ")).toList();
        assertEquals(List.of("FILE_CHANGED " + img.platform() + " merged etc/apko.json"),
            fs.stream().map(f -> f.code() + " " + f.subject()).toList(), fs::toString);
        String diff = fs.get(0).evidence().get("diff");
        List<String> minus = diff.lines().filter(l -> l.startsWith("-") && !l.startsWith("---")).toList();
        List<String> plus = diff.lines().filter(l -> l.startsWith("+") && !l.startsWith("+++")).toList();
        assertEquals(1, minus.size(), diff);
        assertEquals(1, plus.size(), diff);
        assertTrue(minus.get(0).endsWith(",\"layering\":{\"strategy\":\"origin\",\"budget\":2}}"), diff);
        assertEquals(minus.get(0).substring(1).replace(",\"layering\":{\"strategy\":\"origin\",\"budget\":2}", ""),
            plus.get(0).substring(1), "the only change in apko.json is the layering block");
        Finding merged = img.findings().stream().filter(f -> f.code().equals(CompareCode.MERGED_FILESYSTEM_DIFFERENT))
            .findFirst().orElseThrow();
        assertEquals(merged.evidence().get("entries.a"), merged.evidence().get("entries.b"), merged.toString());
      }
      assertSchemaValid(cmp);
    }
    assertEquals(Set.of(), codes(c, true).stream().filter(x -> x.name().startsWith("CONFIG") || x.name().startsWith("LAYER"))
        .collect(java.util.stream.Collectors.toSet()), "config and layering differences are ignored semantically");
  }

  private static Path build(BuildRequest req, Path out) throws IOException {
    BuildResult r = Rebuild.run(req.withArchs(List.of("x86_64", "aarch64")));
    try (ImageDestination d = OciLayout.destination(ImageReference.oci(out.toString(), "latest"))) {
      r.writeTo(d, Optional.of("latest"));
    }
    return out;
  }
}
