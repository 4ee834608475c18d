package dev.bitproof.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.io.IoCode;
import dev.bitproof.json.JsonCode;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.tar.TarCode;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestLayouts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The comparison engine on the demo's published image ({@code testdata/demo}) and on tampered copies of it built here. */
class ImageComparatorTest {
  static final String GOLDEN_INDEX = "sha256:7c08727a4cc2346501dce66540aff115783a9235af93e196d99978087a9b2f59";

  static Path golden() {
    return SharedData.testdata("demo/published");
  }

  static ImageSource open(Path layout) throws IOException {
    return Transports.source(ImageReference.parse("oci:" + layout), TransportOptions.defaults());
  }

  static Comparison compare(Path a, Path b, CompareOptions o) throws IOException {
    try (ImageSource sa = open(a); ImageSource sb = open(b)) {
      return ImageComparator.compare(sa, sb, o);
    }
  }

  static List<Finding> failures(Comparison c, Code code) {
    return c.allFindings().stream().filter(f -> f.fails() && f.code().equals(code)).toList();
  }

  @Test
  void sameImageIsBitIdenticalWithoutReadingALayer() throws Exception {
    AtomicInteger layerReads = new AtomicInteger();
    try (ImageSource a = counting(open(golden()), layerReads); ImageSource b = counting(open(golden()), layerReads)) {
      Comparison c = ImageComparator.compare(a, b, CompareOptions.strict());
      assertEquals(Verdict.BIT_IDENTICAL, c.verdict());
      assertEquals(GOLDEN_INDEX, c.rootA().toString());
      assertEquals(2, c.images().size());
      assertEquals("linux/amd64", c.images().get(0).platform());
      assertEquals("sha256:0cf9fc5c8ec35b55dcd61ad37bd78e4272e4c5efed5379a2e35b1c1b34247458",
          c.images().get(0).manifestB().orElseThrow().toString());
      assertEquals("sha256:186210a0e657db3a672cc4ec4d0b6ff92b36271f504cd028b908135223345a72",
          c.images().get(0).layers().get(0).diffIdA().orElseThrow().toString());
      assertTrue(c.failures().isEmpty());
    }
    assertEquals(0, layerReads.get(), "equal digests must stop the descent before any layer is read");
  }

  @Test
  void recompressedLayersAreContentIdentical(@TempDir Path tmp) throws Exception {
    Path re = TestLayouts.rewrite(golden(), tmp.resolve("re"), null, null, true);
    Comparison c = compare(golden(), re, CompareOptions.strict());
    assertEquals(Verdict.CONTENT_IDENTICAL, c.verdict(), () -> c.allFindings().toString());
    for (ImageComparison i : c.images()) {
      assertEquals(Verdict.CONTENT_IDENTICAL, i.verdict());
      assertEquals(i.configA(), i.configB(), "config untouched");
      LayerComparison l = i.layers().get(0);
      assertEquals(Verdict.CONTENT_IDENTICAL, l.verdict());
      assertFalse(l.a().orElseThrow().digest().equals(l.b().orElseThrow().digest()));
      assertEquals(l.diffIdA(), l.diffIdB());
      assertEquals(CompareCode.LAYER_CONTENT_IDENTICAL, l.findings().get(0).code());
    }
    assertTrue(c.failures().isEmpty(), () -> c.failures().toString());
  }

  @Test
  void oneChangedByteIsNamedWithAUnifiedDiff(@TempDir Path tmp) throws Exception {
    Path t = TestLayouts.rewrite(golden(), tmp.resolve("t"),
        (arch, tar) -> arch.equals("amd64") ? TestLayouts.flipByte(tar, "etc/os-release") : null, null, false);
    Comparison c = compare(golden(), t, CompareOptions.strict());
    assertEquals(Verdict.DIFFERENT, c.verdict());
    ImageComparison amd = c.images().get(0);
    assertEquals(Verdict.DIFFERENT, amd.verdict());
    assertEquals(Verdict.BIT_IDENTICAL, c.images().get(1).verdict(), "arm64 untouched");
    List<Finding> changed = failures(c, CompareCode.FILE_CHANGED);
    assertEquals(1, changed.size(), () -> c.allFindings().toString());
    Finding f = changed.get(0);
    assertEquals("linux/amd64 layer 0 etc/os-release", f.subject());
    assertEquals("content differs", f.message());
    assertFalse(f.evidence().containsKey("size.a"), "size unchanged, so not reported");
    String diff = f.evidence().get("diff");
    assertTrue(diff.startsWith("--- a/etc/os-release\n+++ b/etc/os-release\n@@ "), diff);
    assertEquals(1, diff.lines().filter(l -> l.startsWith("-") && !l.startsWith("---")).count(), diff);
    assertEquals(1, diff.lines().filter(l -> l.startsWith("+") && !l.startsWith("+++")).count(), diff);
    // the config's rootfs.diff_ids moved with the layer: reported as the config field it is
    assertEquals(1, failures(c, CompareCode.CONFIG_FIELD_DIFFERS).size());
    assertEquals("linux/amd64 config rootfs.diff_ids[0]", failures(c, CompareCode.CONFIG_FIELD_DIFFERS).get(0).subject());
  }

  @Test
  void binaryChangeGivesSizesAndHashes(@TempDir Path tmp) throws Exception {
    Path t = TestLayouts.rewrite(golden(), tmp.resolve("t"),
        (arch, tar) -> arch.equals("arm64") ? TestLayouts.flipByte(tar, "usr/lib/apk/db/scripts.tar") : null, null, false);
    Comparison c = compare(golden(), t, CompareOptions.strict());
    Finding f = failures(c, CompareCode.FILE_CHANGED).get(0);
    assertEquals("linux/arm64 layer 0 usr/lib/apk/db/scripts.tar", f.subject());
    assertTrue(f.message().contains("binary"), f.message());
    assertFalse(f.evidence().containsKey("diff"));
    assertTrue(f.evidence().get("sha256.a").startsWith("sha256:"));
    assertFalse(f.evidence().get("sha256.a").equals(f.evidence().get("sha256.b")));
  }

  @Test
  void extraFileIsAddedAndNothingElse(@TempDir Path tmp) throws Exception {
    Path t = TestLayouts.rewrite(golden(), tmp.resolve("t"), (arch, tar) -> {
      try {
        return TestLayouts.insertFile(tar, TestLayouts.endOfEntries(tar), "usr/bin/backdoor", "#!/bin/sh\nid\n".getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, null, false);
    Comparison c = compare(golden(), t, CompareOptions.strict());
    assertEquals(Verdict.DIFFERENT, c.verdict());
    List<Finding> added = failures(c, CompareCode.FILE_ADDED);
    assertEquals(2, added.size(), () -> c.allFindings().toString());
    assertEquals("linux/amd64 layer 0 usr/bin/backdoor", added.get(0).subject());
    assertEquals("13", added.get(0).evidence().get("size"));
    assertTrue(failures(c, CompareCode.FILE_CHANGED).isEmpty(), () -> failures(c, CompareCode.FILE_CHANGED).toString());
    assertTrue(failures(c, CompareCode.FILE_REMOVED).isEmpty());
  }

  @Test
  void extraFileInTheMiddleDoesNotShiftEveryEntry(@TempDir Path tmp) throws Exception {
    Path t = TestLayouts.rewrite(golden(), tmp.resolve("t"), (arch, tar) -> {
      try {
        int at = TestLayouts.entries(tar).stream().filter(e -> e.name().replaceAll("/$", "").equals("opt")).findFirst().orElseThrow().headerOffset();
        return TestLayouts.insertFile(tar, at, "lib/extra.so", new byte[] {0, 1, 2});
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, null, false);
    Comparison c = compare(golden(), t, CompareOptions.strict());
    assertEquals(2, failures(c, CompareCode.FILE_ADDED).size());
    assertTrue(failures(c, CompareCode.FILE_CHANGED).isEmpty(), () -> failures(c, CompareCode.FILE_CHANGED).toString());
  }

  @Test
  void changedEnvVarIsNamedAndLayersAreNotRead(@TempDir Path tmp) throws Exception {
    Path t = TestLayouts.rewrite(golden(), tmp.resolve("t"), null, cfg -> {
      ArrayNode env = (ArrayNode) cfg.get("config").get("Env");
      env.set(2, env.textNode("SSL_CERT_FILE=/tmp/evil.crt")); // GREETING, PATH, SSL_CERT_FILE
    }, false);
    AtomicInteger layerReads = new AtomicInteger();
    Comparison c;
    try (ImageSource a = counting(open(golden()), layerReads); ImageSource b = counting(open(t), layerReads)) {
      c = ImageComparator.compare(a, b, CompareOptions.strict());
    }
    assertEquals(Verdict.DIFFERENT, c.verdict());
    assertEquals(0, layerReads.get());
    List<Finding> cfg = failures(c, CompareCode.CONFIG_FIELD_DIFFERS);
    assertEquals(2, cfg.size());
    assertEquals("linux/amd64 config config.Env SSL_CERT_FILE", cfg.get(0).subject());
    assertEquals("SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt", cfg.get(0).evidence().get("a"));
    assertEquals("SSL_CERT_FILE=/tmp/evil.crt", cfg.get(0).evidence().get("b"));
    assertEquals(Verdict.BIT_IDENTICAL, c.images().get(0).layers().get(0).verdict());
  }

  @Test
  void timestampsCountWhenStrictAndNotWhenSemantic(@TempDir Path tmp) throws Exception {
    Path t = TestLayouts.rewrite(golden(), tmp.resolve("t"),
        (arch, tar) -> TestLayouts.setMtime(tar, "etc/passwd", 1704067200L), cfg -> {
          cfg.put("created", "2024-01-01T00:00:00Z");
          ((ObjectNode) cfg.get("history").get(0)).put("created", "2024-01-01T00:00:00Z");
        }, false);
    TestLayouts.editIndex(t, idx -> ((ObjectNode) idx.get("annotations")).put("org.opencontainers.image.created", "2024-01-01T00:00:00Z"));
    Comparison strict = compare(golden(), t, CompareOptions.strict());
    assertEquals(Verdict.DIFFERENT, strict.verdict());
    Finding f = failures(strict, CompareCode.FILE_CHANGED).get(0);
    assertEquals("linux/amd64 layer 0 etc/passwd", f.subject());
    assertEquals("0", f.evidence().get("mtime.a"));
    assertEquals("1704067200", f.evidence().get("mtime.b"));
    assertEquals(1, failures(strict, CompareCode.INDEX_ANNOTATION_DIFFERS).size());

    Comparison semantic = compare(golden(), t, CompareOptions.semantic());
    assertEquals(Verdict.SEMANTICALLY_IDENTICAL, semantic.verdict(), () -> semantic.failures().toString());
    assertTrue(semantic.failures().isEmpty());
    assertTrue(semantic.allFindings().stream().anyMatch(x -> x.code().equals(CompareCode.LAYER_IGNORED_DIFFERENCES)
        && "1 entries".equals(x.evidence().get("mtime"))));
    assertEquals(List.of("timestamps", "history", "file-order", "tar-format", "image-name", "layering",
        "file-mode-redundant-bits"), semantic.ignoreSet());
  }

  @Test
  void entryOrderCountsOnlyWhenStrict(@TempDir Path tmp) throws Exception {
    byte[] a = TestLayouts.tar(0, "a", "1\n", "b", "2\n", "c", "3\n");
    byte[] b = TestLayouts.tar(0, "a", "1\n", "c", "3\n", "b", "2\n");
    Path la = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of("X=1"), a);
    Path lb = TestLayouts.singleImage(tmp.resolve("b"), "amd64", List.of("X=1"), b);
    Comparison strict = compare(la, lb, CompareOptions.strict());
    List<Finding> moved = failures(strict, CompareCode.FILE_CHANGED);
    assertEquals(1, moved.size(), () -> strict.allFindings().toString());
    assertEquals("position differs", moved.get(0).message());
    assertEquals(Verdict.SEMANTICALLY_IDENTICAL, compare(la, lb, CompareOptions.semantic()).verdict());
  }

  @Test
  void tarFormatDifferenceIsExplainedAsFormat(@TempDir Path tmp) throws Exception {
    byte[] a = TestLayouts.tar(0, "etc/motd", "hi\n");
    java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream();
    try (var t = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(bos)) {
      var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("etc/motd");
      e.setSize(3);
      e.setMode(0100644);
      e.setModTime(0);
      e.addPaxHeader("comment", "rebuilt elsewhere");
      t.putArchiveEntry(e);
      t.write("hi\n".getBytes(StandardCharsets.UTF_8));
      t.closeArchiveEntry();
    }
    Path la = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), a);
    Path lb = TestLayouts.singleImage(tmp.resolve("b"), "amd64", List.of(), bos.toByteArray());
    Comparison c = compare(la, lb, CompareOptions.strict());
    Finding f = failures(c, CompareCode.FILE_CHANGED).get(0);
    assertEquals("ustar", f.evidence().get("format.a"));
    assertEquals("pax", f.evidence().get("format.b"));
    assertEquals("{comment=rebuilt elsewhere}", f.evidence().get("pax.b"));
    assertEquals(Verdict.SEMANTICALLY_IDENTICAL, compare(la, lb, CompareOptions.semantic()).verdict());
  }

  @Test
  void manyReorderedEntriesStopTheExplanationNotTheVerdict(@TempDir Path tmp) throws Exception {
    String[] fwd = new String[2 * 3000];
    String[] rev = new String[2 * 3000];
    for (int i = 0; i < 3000; i++) {
      fwd[2 * i] = "f/" + i;
      fwd[2 * i + 1] = "x";
      rev[2 * (2999 - i)] = "f/" + i;
      rev[2 * (2999 - i) + 1] = "x";
    }
    Path la = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), TestLayouts.tar(0, fwd));
    Path lb = TestLayouts.singleImage(tmp.resolve("b"), "amd64", List.of(), TestLayouts.tar(0, rev));
    Comparison c = compare(la, lb, CompareOptions.strict().withLimits(500, 50));
    assertEquals(Verdict.DIFFERENT, c.verdict());
    LayerComparison l = c.images().get(0).layers().get(0);
    assertFalse(l.explained());
    assertTrue(l.findings().stream().anyMatch(f -> f.code().equals(CompareCode.LAYER_EXPLANATION_TRUNCATED)));
    assertTrue(l.findings().size() <= 60, "findings stay bounded: " + l.findings().size());
  }

  @Test
  void manyFindingsAreCountedNotListed(@TempDir Path tmp) throws Exception {
    String[] a = new String[2 * 500];
    String[] b = new String[2 * 500];
    for (int i = 0; i < 500; i++) {
      a[2 * i] = "f/" + i;
      a[2 * i + 1] = "old " + i + "\n";
      b[2 * i] = "f/" + i;
      b[2 * i + 1] = "new " + i + "\n";
    }
    Path la = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), TestLayouts.tar(0, a));
    Path lb = TestLayouts.singleImage(tmp.resolve("b"), "amd64", List.of(), TestLayouts.tar(0, b));
    Comparison c = compare(la, lb, CompareOptions.strict().withLimits(1000, 100));
    LayerComparison l = c.images().get(0).layers().get(0);
    assertEquals(100, l.findings().stream().filter(f -> f.code().equals(CompareCode.FILE_CHANGED)).count());
    Finding t = l.findings().stream().filter(f -> f.code().equals(CompareCode.LAYER_EXPLANATION_TRUNCATED)).findFirst().orElseThrow();
    assertEquals("400", t.evidence().get("suppressed"));
    assertTrue(l.findings().get(0).message().contains("500 entries"), l.findings().get(0).message());
  }

  @Test
  void platformFilterAndMissingPlatform(@TempDir Path tmp) throws Exception {
    Comparison c = compare(golden(), golden(), CompareOptions.strict().withPlatform(Platform.parse("linux/arm64")));
    assertEquals(1, c.images().size());
    assertEquals("linux/arm64", c.images().get(0).platform());
    CheckException e = assertThrows(CheckException.class,
        () -> compare(golden(), golden(), CompareOptions.strict().withPlatform(Platform.parse("linux/s390x"))));
    assertEquals(TransportCode.PLATFORM_NOT_FOUND, e.code());

    Path one = TestLayouts.rewrite(golden(), tmp.resolve("one"), null, null, false);
    TestLayouts.editIndex(one, idx -> ((ArrayNode) idx.get("manifests")).remove(1));
    Comparison m = compare(golden(), one, CompareOptions.strict());
    assertEquals(Verdict.DIFFERENT, m.verdict());
    Finding f = failures(m, CompareCode.PLATFORM_MISSING).get(0);
    assertEquals("linux/arm64", f.subject());
    assertEquals(Verdict.BIT_IDENTICAL, m.images().get(0).verdict());
  }

  @Test
  void indexWithDuplicatePlatformsCannotBeCompared(@TempDir Path tmp) throws Exception {
    Path dup = TestLayouts.rewrite(golden(), tmp.resolve("dup"), null, null, false);
    TestLayouts.editIndex(dup, idx -> ((ObjectNode) idx.get("manifests").get(1).get("platform")).put("architecture", "amd64"));
    CheckException e = assertThrows(CheckException.class, () -> compare(golden(), dup, CompareOptions.strict()));
    assertEquals(CompareCode.INDEX_DUPLICATE_PLATFORM, e.code());
  }

  @Test
  void configThatIsNotJsonCannotBeCompared(@TempDir Path tmp) throws Exception {
    Path bad = TestLayouts.singleImage(tmp.resolve("bad"), "amd64", List.of(), TestLayouts.tar(0, "a", "1"));
    // point the manifest's config at a blob that is not JSON
    ObjectNode idx = dev.bitproof.json.Json.parseObject(java.nio.file.Files.readAllBytes(bad.resolve("index.json")), "i");
    String md = idx.get("manifests").get(0).get("digest").asText();
    ObjectNode m = dev.bitproof.json.Json.parseObject(TestLayouts.blob(bad, md), "m");
    byte[] junk = "this is not json".getBytes(StandardCharsets.UTF_8);
    ((ObjectNode) m.get("config")).put("digest", TestLayouts.put(bad, junk).toString()).put("size", junk.length);
    byte[] mb = dev.bitproof.json.Json.mapper().writeValueAsBytes(m);
    TestLayouts.editIndex(bad, i -> ((ObjectNode) i.get("manifests").get(0)).put("digest", sha(mb)).put("size", mb.length));
    TestLayouts.put(bad, mb);
    // a layout of our own as the other side, so this runs without ../shared too
    Path good = TestLayouts.singleImage(tmp.resolve("good"), "amd64", List.of(), TestLayouts.tar(0, "a", "1"));
    CheckException e = assertThrows(CheckException.class, () -> compare(good, bad, CompareOptions.strict()));
    assertEquals(JsonCode.JSON_INVALID, e.code());
  }

  @Test
  void layerThatIsNotATarIsRefused(@TempDir Path tmp) throws Exception {
    byte[] notTar = new byte[4096];
    new java.util.Random(7).nextBytes(notTar);
    Path a = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), TestLayouts.tar(0, "a", "1"));
    Path b = TestLayouts.singleImage(tmp.resolve("b"), "amd64", List.of(), notTar);
    CheckException e = assertThrows(CheckException.class, () -> compare(a, b, CompareOptions.strict()));
    assertEquals(TarCode.TAR_CORRUPT, e.code());
    assertEquals(CheckException.Kind.INTEGRITY, e.kind());
  }

  @Test
  void gzipBombLayerIsStopped(@TempDir Path tmp) throws Exception {
    // a valid tar (one file) followed by 64 MiB of zeros: compresses over 1000:1
    byte[] head = TestLayouts.tar(0, "a", "1");
    Path b = tmp.resolve("b");
    Path a = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), head);
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (var out = new java.util.zip.GZIPOutputStream(gz)) {
      out.write(head);
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 64; i++) {
        out.write(zeros);
      }
    }
    TestLayouts.singleImage(b, "amd64", List.of(), head);
    // swap B's layer blob for the bomb, keeping its claimed diff_id
    ObjectNode idx = dev.bitproof.json.Json.parseObject(java.nio.file.Files.readAllBytes(b.resolve("index.json")), "i");
    ObjectNode m = dev.bitproof.json.Json.parseObject(TestLayouts.blob(b, idx.get("manifests").get(0).get("digest").asText()), "m");
    ((ObjectNode) m.get("layers").get(0)).put("digest", TestLayouts.put(b, gz.toByteArray()).toString()).put("size", gz.size());
    byte[] mb = dev.bitproof.json.Json.mapper().writeValueAsBytes(m);
    TestLayouts.put(b, mb);
    TestLayouts.editIndex(b, i -> ((ObjectNode) i.get("manifests").get(0)).put("digest", sha(mb)).put("size", mb.length));
    CheckException e = assertThrows(CheckException.class, () -> compare(a, b, CompareOptions.strict()));
    assertEquals(IoCode.DECOMPRESSION_BOMB, e.code());
  }

  @Test
  void indexAgainstASingleManifestComparesThePlatformItHas(@TempDir Path tmp) throws Exception {
    Path tagged = UmociCrossCheckTest.copyTagged(golden(), tmp.resolve("tagged"));
    try (ImageSource a = open(golden());
        ImageSource b = Transports.source(ImageReference.parse("oci:" + tagged + ":amd64"), TransportOptions.defaults())) {
      Comparison c = ImageComparator.compare(a, b, CompareOptions.strict());
      assertEquals(Verdict.DIFFERENT, c.verdict());
      assertEquals(1, failures(c, CompareCode.ROOT_KIND_DIFFERS).size());
      assertEquals(Verdict.BIT_IDENTICAL, c.images().get(0).verdict(), "the amd64 image is the same");
      assertEquals("linux/arm64", failures(c, CompareCode.PLATFORM_MISSING).get(0).subject());
    }
  }

  @Test
  void trailingBytesAfterTheArchiveAreUnexplainedUnlessSemantic(@TempDir Path tmp) throws Exception {
    byte[] a = TestLayouts.tar(0, "a", "1\n");
    byte[] b = java.util.Arrays.copyOf(a, a.length + 10240); // one more block of zeros after the end marker
    Path la = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), a);
    Path lb = TestLayouts.singleImage(tmp.resolve("b"), "amd64", List.of(), b);
    Comparison strict = compare(la, lb, CompareOptions.strict());
    assertEquals(Verdict.DIFFERENT, strict.verdict());
    assertEquals(1, failures(strict, CompareCode.LAYER_BYTES_DIFFER_UNEXPLAINED).size());
    assertTrue(failures(strict, CompareCode.FILE_CHANGED).isEmpty());
    Comparison semantic = compare(la, lb, CompareOptions.semantic());
    assertEquals(Verdict.SEMANTICALLY_IDENTICAL, semantic.verdict(), () -> semantic.allFindings().toString());
    assertTrue(semantic.allFindings().stream().anyMatch(f -> f.code().equals(CompareCode.LAYER_TAR_ENCODING_DIFFERS)));
  }

  @Test
  void configClaimingAnotherDiffIdIsCaught(@TempDir Path tmp) throws Exception {
    Path liar = TestLayouts.rewrite(golden(), tmp.resolve("liar"), null, cfg -> ((ArrayNode) cfg.get("rootfs").get("diff_ids"))
        .set(0, cfg.textNode("sha256:" + "0".repeat(64))), true);
    Comparison c = compare(golden(), liar, CompareOptions.strict());
    assertEquals(Verdict.DIFFERENT, c.verdict());
    List<Finding> lies = failures(c, CompareCode.LAYER_DIFF_ID_MISMATCH);
    assertEquals(2, lies.size(), "both arches");
    assertEquals("B", lies.get(0).evidence().get("side"));
    assertEquals("sha256:" + "0".repeat(64), lies.get(0).evidence().get("claimed"));
    assertEquals("sha256:186210a0e657db3a672cc4ec4d0b6ff92b36271f504cd028b908135223345a72", lies.get(0).evidence().get("actual"));
  }

  @Test
  void tooManyEntriesInALayerIsRefused(@TempDir Path tmp) throws Exception {
    String[] many = new String[2 * 101];
    for (int i = 0; i < 101; i++) {
      many[2 * i] = "f/" + i;
      many[2 * i + 1] = "";
    }
    Path la = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), TestLayouts.tar(0, "f/0", ""));
    Path lb = TestLayouts.singleImage(tmp.resolve("b"), "amd64", List.of(), TestLayouts.tar(0, many));
    CheckException e = assertThrows(CheckException.class, () -> compare(la, lb, CompareOptions.strict().withMaxEntries(100)));
    assertEquals(TarCode.TAR_TOO_MANY_ENTRIES, e.code());
    assertEquals(Verdict.DIFFERENT, compare(la, lb, CompareOptions.strict().withMaxEntries(101)).verdict());
  }

  static String sha(byte[] b) {
    return dev.bitproof.oci.Digest.sha256(b).toString();
  }

  /** Counts layer blob reads, to prove laziness. */
  static ImageSource counting(ImageSource s, AtomicInteger layers) {
    return new ImageSource() {
      @Override
      public ImageReference reference() {
        return s.reference();
      }

      @Override
      public RawManifest root() throws IOException {
        return s.root();
      }

      @Override
      public RawManifest manifest(Descriptor d) throws IOException {
        return s.manifest(d);
      }

      @Override
      public InputStream blob(Descriptor d) throws IOException {
        if (d.mediaType().isLayer()) {
          layers.incrementAndGet();
        }
        return s.blob(d);
      }

      @Override
      public void close() throws IOException {
        s.close();
      }
    };
  }
}
