package dev.bitproof.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.compare.CompareCode;
import dev.bitproof.compare.CompareOptions;
import dev.bitproof.compare.Comparison;
import dev.bitproof.compare.ImageComparator;
import dev.bitproof.compare.Verdict;
import dev.bitproof.json.Json;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.OciCode;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.Finding;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestLayouts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's accepted mutants of a published image, on the demo's own published image: an index entry bitproof
 * cannot interpret, an extra or missing platform, and layer descriptor fields (mediaType, size, urls) edited
 * while the blob stays the same. Each must fail verification (and comparison), never pass as identical.
 */
class PublishedTamperTest {
  static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  static Path demo() {
    return SharedData.testdata("demo");
  }

  /** The demo's published layout with the tampered copy's blobs added (so a modified image is at hand). */
  static Path layout(Path tmp) throws IOException {
    Path out = TestLayouts.copy(demo().resolve("published"), tmp.resolve("published"));
    try (Stream<Path> s = Files.list(demo().resolve("published-tampered/blobs/sha256"))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = out.resolve("blobs/sha256").resolve(p.getFileName());
        if (!Files.exists(t)) {
          Files.copy(p, t);
        }
      }
    }
    return out;
  }

  /** The tampered copy's amd64 index entry: a modified image with its config and layer. */
  static ObjectNode tamperedAmd64() {
    try {
      ObjectNode idx = Json.parseObject(Files.readAllBytes(demo().resolve("published-tampered/index.json")), "index");
      return (ObjectNode) idx.get("manifests").get(0).deepCopy();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Report verify(Path tmp, Path published) throws IOException {
    String ref = "oci:" + published;
    Verifier.Request req = new Verifier.Request(demo().resolve("apko.yaml"),
        Optional.of(demo().resolve("apko.lock.json")), Optional.empty(), OptionalLong.empty(), ref,
        tmp.resolve("work"), CompareOptions.strict(), Verdict.CONTENT_IDENTICAL, TransportOptions.defaults());
    try (ImageSource src = Transports.source(ImageReference.parse(ref), TransportOptions.defaults())) {
      return Verifier.run(req, new ApkoRebuilder(demo()), src);
    }
  }

  static Comparison compare(Path a, Path b) throws IOException {
    try (ImageSource x = Transports.source(ImageReference.parse("oci:" + a), TransportOptions.defaults());
        ImageSource y = Transports.source(ImageReference.parse("oci:" + b), TransportOptions.defaults())) {
      return ImageComparator.compare(x, y, CompareOptions.strict());
    }
  }

  static List<String> failing(Report r) {
    return r.checks().stream().flatMap(c -> c.findings().stream()).filter(Finding::fails).map(f -> f.code().name()).toList();
  }

  static List<String> failing(Comparison c) {
    return c.failures().stream().map(f -> f.code().name()).toList();
  }

  static void assertRefused(Report r, String code) {
    assertFalse(r.passed(), () -> ReportText.render(r, false));
    assertTrue(failing(r).contains(code), () -> code + " expected in " + failing(r) + "\n" + ReportText.render(r, false));
  }

  @Test
  void theUntamperedDemoPasses(@TempDir Path tmp) throws IOException {
    Report r = verify(tmp, layout(tmp));
    assertTrue(r.passed(), () -> ReportText.render(r, false));
  }

  @Test
  void anAmd64EntryWithASlightlyWrongMediaTypeHidingAModifiedImageFails(@TempDir Path tmp) throws IOException {
    Path p = layout(tmp);
    ObjectNode evil = tamperedAmd64().put("mediaType", "application/vnd.oci.image.manifest/v1+json");
    TestLayouts.editIndex(p, i -> ((ArrayNode) i.get("manifests")).set(0, evil));
    assertRefused(verify(tmp, p), "INDEX_ENTRY_UNKNOWN");
  }

  @Test
  void anExtraAmd64EntryWithAnUnknownMediaTypeFails(@TempDir Path tmp) throws IOException {
    Path p = layout(tmp);
    ObjectNode evil = tamperedAmd64().put("mediaType", MANIFEST + "+evil");
    TestLayouts.editIndex(p, i -> ((ArrayNode) i.get("manifests")).add(evil));
    assertRefused(verify(tmp, p), "INDEX_ENTRY_UNKNOWN");
    Comparison c = compare(demo().resolve("published"), p);
    assertEquals(Verdict.DIFFERENT, c.verdict(), c::toString);
    assertTrue(failing(c).contains("INDEX_ENTRY_UNKNOWN"), c::toString);
  }

  @Test
  void aBitFlipInAnEntrysMediaTypeFails(@TempDir Path tmp) throws IOException {
    Path p = layout(tmp);
    TestLayouts.editIndex(p, i -> ((ObjectNode) i.get("manifests").get(1)).put("mediaType",
        MANIFEST.replace("manifest", "manifdst")));
    assertRefused(verify(tmp, p), "INDEX_ENTRY_UNKNOWN");
  }

  @Test
  void aRemovedArm64EntryFailsBecauseTheConfigsArchsAreRequired(@TempDir Path tmp) throws IOException {
    Path p = layout(tmp);
    TestLayouts.editIndex(p, i -> ((ArrayNode) i.get("manifests")).remove(1));
    assertRefused(verify(tmp, p), "PLATFORM_MISSING");
  }

  /** Rewrites the amd64 manifest's first layer descriptor; the blob stays the same. */
  static Path editLayerDescriptor(Path tmp, Consumer<ObjectNode> edit) throws IOException {
    Path p = layout(tmp);
    ObjectNode index = Json.parseObject(Files.readAllBytes(p.resolve("index.json")), "index");
    ObjectNode entry = (ObjectNode) index.get("manifests").get(0);
    ObjectNode m = Json.parseObject(TestLayouts.blob(p, entry.get("digest").asText()), "manifest");
    edit.accept((ObjectNode) m.get("layers").get(0));
    byte[] mb = Json.mapper().writeValueAsBytes(m);
    entry.put("digest", TestLayouts.put(p, mb).toString());
    entry.put("size", mb.length);
    Files.write(p.resolve("index.json"), Json.mapper().writeValueAsBytes(index));
    return p;
  }

  @Test
  void aLayerMediaTypeChangedToZstdFails(@TempDir Path tmp) throws IOException {
    Path p = editLayerDescriptor(tmp, l -> l.put("mediaType", "application/vnd.oci.image.layer.v1.tar+zstd"));
    Comparison c = compare(demo().resolve("published"), p);
    assertEquals(Verdict.DIFFERENT, c.verdict(), c::toString);
    assertTrue(failing(c).contains("LAYER_MEDIA_TYPE_MISMATCH"), c::toString);
  }

  @Test
  void aLayerMediaTypeChangedToUncompressedFails(@TempDir Path tmp) throws IOException {
    Path p = editLayerDescriptor(tmp, l -> l.put("mediaType", "application/vnd.oci.image.layer.v1.tar"));
    Comparison c = compare(demo().resolve("published"), p);
    assertEquals(Verdict.DIFFERENT, c.verdict(), c::toString);
    assertTrue(failing(c).contains("LAYER_MEDIA_TYPE_MISMATCH"), c::toString);
  }

  @Test
  void aLayerSizeOffBy100Fails(@TempDir Path tmp) throws IOException {
    Path p = editLayerDescriptor(tmp, l -> l.put("size", l.get("size").asLong() + 100));
    Comparison c = compare(demo().resolve("published"), p);
    assertEquals(Verdict.DIFFERENT, c.verdict(), c::toString);
    assertTrue(failing(c).contains("LAYER_DESCRIPTOR_DIFFERS"), c::toString);
  }

  @Test
  void urlsAddedToALayerFailCompareAndVerify(@TempDir Path tmp) throws IOException {
    Path p = editLayerDescriptor(tmp, l -> l.putArray("urls").add("https://evil.example/layer.tar.gz"));
    Comparison c = compare(demo().resolve("published"), p);
    assertEquals(Verdict.DIFFERENT, c.verdict(), c::toString);
    assertTrue(failing(c).contains("LAYER_DESCRIPTOR_DIFFERS"), c::toString);
    assertRefused(verify(tmp, p), "LAYER_DESCRIPTOR_DIFFERS");
  }

  @Test
  void anUnknownFieldInTheConfigDescriptorOrManifestFails(@TempDir Path tmp) throws IOException {
    Path p = editLayerDescriptor(tmp, l -> l.put("data", "AAAA"));
    Comparison c = compare(demo().resolve("published"), p);
    assertEquals(Verdict.DIFFERENT, c.verdict(), c::toString);
    assertTrue(failing(c).contains("LAYER_DESCRIPTOR_DIFFERS"), c::toString);
  }

  @Test
  void anExtraAmd64EntryWithAValidMediaTypeIsAnIntegrityError(@TempDir Path tmp) throws IOException {
    Path p = layout(tmp);
    TestLayouts.editIndex(p, i -> ((ArrayNode) i.get("manifests")).add(tamperedAmd64()));
    dev.bitproof.report.CheckException e = org.junit.jupiter.api.Assertions.assertThrows(
        dev.bitproof.report.CheckException.class, () -> verify(tmp, p));
    assertEquals(CompareCode.INDEX_DUPLICATE_PLATFORM, e.code());
    assertEquals(dev.bitproof.report.CheckException.Kind.INTEGRITY, e.kind(), "tampered: exit 1, not 3");
  }

  @Test
  void aPlatformThatIsNotOsArchIsAnIntegrityErrorNotAUsageError(@TempDir Path tmp) throws IOException {
    Path p = layout(tmp);
    TestLayouts.editIndex(p, i -> ((ObjectNode) i.get("manifests").get(1).get("platform")).put("os", "linux/amd64"));
    dev.bitproof.report.CheckException e = org.junit.jupiter.api.Assertions.assertThrows(
        dev.bitproof.report.CheckException.class, () -> compare(demo().resolve("published"), p));
    assertEquals(OciCode.PLATFORM_INVALID, e.code());
    assertEquals(dev.bitproof.report.CheckException.Kind.INTEGRITY, e.kind());
  }
}
