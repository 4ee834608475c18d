package dev.bitproof.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.ZstdOutputStream;
import dev.bitproof.io.IoCode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** Strict parsing runs on every check: each schema or spec violation is caught with its own code. */
class SbomStrictTest {
  static Path layout;
  static byte[] spdx;
  static byte[] cdx;

  @BeforeAll
  static void image(@TempDir Path dir) throws Exception {
    String db = TestLayers.apkRecord("hello", "2.12-r0", "x86_64", Map.of("usr/bin/hello", "hi"));
    layout = TestLayers.ociLayout(dir, new TestLayers().file("usr/lib/apk/db/installed", db).file("usr/bin/hello", "hi")
        .file("etc/os-release", "ID=wolfi\n").tar());
    LoadedImage img = SbomGeneratorTest.layout(layout);
    LayerSbom.Options o = new LayerSbom.Options("test", "hello:latest", Optional.empty(), true);
    spdx = ApkoSpdx.render(LayerSbom.spdx(img, o));
    cdx = LayerSbom.cycloneDxJson(LayerSbom.cycloneDx(img, o));
  }

  static SbomVerification.Result check(byte[] sbom) throws Exception {
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + layout), TransportOptions.defaults())) {
      return SbomVerification.run(src, Images.walk(src), List.of(new SbomVerification.Input("t.json", sbom, Optional.empty())),
          Optional.empty());
    }
  }

  static Set<Code> failing(SbomVerification.Result r) {
    return r.findings().stream().filter(Finding::fails).map(Finding::code).collect(Collectors.toSet());
  }

  static byte[] edit(byte[] doc, Consumer<ObjectNode> change) {
    ObjectNode n = (ObjectNode) Json.parse(doc, "t");
    change.accept(n);
    return n.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void generatedDocumentsAreValidAndCheckClean() throws Exception {
    for (byte[] d : List.of(spdx, cdx)) {
      SbomVerification.Result r = check(d);
      assertEquals(Set.of(), failing(r), r.findings().toString());
      assertTrue(r.findings().stream().anyMatch(f -> f.code() == SbomCode.SBOM_SCHEMA_VALID), r.findings().toString());
    }
  }

  @Test
  void eachSpdxViolationHasItsCode() throws Exception {
    Map<Code, byte[]> cases = Map.of(
        SbomCode.SBOM_SPDX_DATA_LICENSE_INVALID, edit(spdx, n -> n.remove("dataLicense")),
        SbomCode.SBOM_SPDX_ID_INVALID, edit(spdx, n -> ((ObjectNode) n.path("packages").get(0)).put("SPDXID", "SPDXRef-bad id!")),
        SbomCode.SBOM_CREATED_INVALID, edit(spdx, n -> ((ObjectNode) n.path("creationInfo")).put("created", "yesterday")),
        SbomCode.SBOM_RELATIONSHIP_DANGLING, edit(spdx, n -> ((ArrayNode) n.path("relationships")).addObject()
            .put("spdxElementId", "SPDXRef-DOCUMENT").put("relationshipType", "DESCRIBES").put("relatedSpdxElement", "SPDXRef-Nowhere")),
        SbomCode.SBOM_SERIAL_INVALID, edit(spdx, n -> n.put("documentNamespace", "https://example.com/doc#frag")),
        SbomCode.SBOM_SCHEMA_INVALID, edit(spdx, n -> ((ObjectNode) n.path("packages").get(0)).put("filesAnalyzed", "maybe")));
    for (var c : cases.entrySet()) {
      SbomVerification.Result r = check(c.getValue());
      assertTrue(failing(r).contains(c.getKey()), c.getKey() + ": " + r.findings());
      assertTrue(r.failed());
      assertTrue(r.findings().stream().noneMatch(f -> f.code() == SbomCode.SBOM_MATCHES_IMAGE), "no 'agrees' for a malformed SBOM");
    }
    // the example: no dataLicense, a bad SPDXID and created: yesterday, all three reported
    SbomVerification.Result r = check(edit(spdx, n -> {
      n.remove("dataLicense");
      n.put("SPDXID", "DOC");
      ((ObjectNode) n.path("creationInfo")).put("created", "yesterday");
    }));
    assertTrue(failing(r).containsAll(Set.of(SbomCode.SBOM_SPDX_DATA_LICENSE_INVALID, SbomCode.SBOM_SPDX_ID_INVALID,
        SbomCode.SBOM_CREATED_INVALID)), r.findings().toString());
  }

  @Test
  void eachCycloneDxViolationHasItsCode() throws Exception {
    Map<Code, byte[]> cases = Map.of(
        SbomCode.SBOM_SERIAL_INVALID, edit(cdx, n -> n.put("serialNumber", "12345")),
        SbomCode.SBOM_RELATIONSHIP_DANGLING, edit(cdx, n -> n.putArray("dependencies").addObject().put("ref", "nowhere")),
        SbomCode.SBOM_SCHEMA_INVALID, edit(cdx, n -> ((ObjectNode) n.path("components").get(0)).put("type", "not-a-type")),
        SbomCode.SBOM_CREATED_INVALID, edit(cdx, n -> ((ObjectNode) n.path("metadata")).put("timestamp", "yesterday")));
    for (var c : cases.entrySet()) {
      SbomVerification.Result r = check(c.getValue());
      assertTrue(failing(r).contains(c.getKey()), c.getKey() + ": " + r.findings());
    }
    SbomVerification.Result r = check(edit(cdx, n -> n.put("specVersion", "1.7")));
    assertTrue(r.findings().stream().anyMatch(f -> f.code() == SbomCode.SBOM_SCHEMA_NOT_CHECKED), r.findings().toString());
  }

  static final String TAG_VALUE = """
      ## hand-written SPDX 2.3 tag-value for the test image
      SPDXVersion: SPDX-2.3
      DataLicense: CC0-1.0
      SPDXID: SPDXRef-DOCUMENT
      DocumentName: hello
      DocumentNamespace: https://example.com/spdx/hello-1
      Creator: Tool: hand
      Created: 2024-01-01T00:00:00Z

      PackageName: hello
      SPDXID: SPDXRef-Package-hello
      PackageVersion: 2.12-r0
      PackageDownloadLocation: NOASSERTION
      FilesAnalyzed: false
      PackageLicenseDeclared: MIT
      PackageCopyrightText: <text>Copyright (c)
      the hello authors</text>
      ExternalRef: PACKAGE-MANAGER purl pkg:apk/wolfi/hello@2.12-r0?arch=x86_64&distro=wolfi

      Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-hello
      """;

  @Test
  void spdxTagValueIsReadAndHeldToTheSameRules() throws Exception {
    SbomVerification.Result ok = check(TAG_VALUE.getBytes(StandardCharsets.UTF_8));
    assertEquals(Set.of(), failing(ok), ok.findings().toString());
    assertTrue(ok.findings().stream().anyMatch(f -> f.code() == SbomCode.SBOM_SCHEMA_VALID), ok.findings().toString());
    assertTrue(ok.findings().stream().anyMatch(f -> f.code() == SbomCode.SBOM_MATCHES_IMAGE), ok.findings().toString());
    Map<Code, String> cases = Map.of(
        SbomCode.SBOM_SPDX_DATA_LICENSE_INVALID, TAG_VALUE.replace("DataLicense: CC0-1.0\n", ""),
        SbomCode.SBOM_CREATED_INVALID, TAG_VALUE.replace("Created: 2024-01-01T00:00:00Z", "Created: yesterday"),
        SbomCode.SBOM_RELATIONSHIP_DANGLING, TAG_VALUE + "Relationship: SPDXRef-Package-hello DEPENDS_ON SPDXRef-Nowhere\n",
        SbomCode.SBOM_VERSION_MISMATCH, TAG_VALUE.replace("2.12-r0", "2.13-r0"),
        SbomCode.SBOM_LICENSE_MISMATCH, TAG_VALUE.replace("PackageLicenseDeclared: MIT", "PackageLicenseDeclared: GPL-2.0-only"),
        SbomCode.SBOM_SPDX_ID_INVALID, TAG_VALUE.replace("SPDXID: SPDXRef-Package-hello", "SPDXID: hello")
            .replace("DESCRIBES SPDXRef-Package-hello", "DESCRIBES hello"));
    for (var c : cases.entrySet()) {
      SbomVerification.Result r = check(c.getValue().getBytes(StandardCharsets.UTF_8));
      assertTrue(failing(r).contains(c.getKey()), c.getKey() + ": " + r.findings());
    }
  }

  @Test
  void cycloneDxXmlIsValidatedToo() throws Exception {
    LoadedImage img = SbomGeneratorTest.layout(layout);
    String xml = org.cyclonedx.generators.BomGeneratorFactory.createXml(org.cyclonedx.Version.VERSION_16,
        LayerSbom.cycloneDx(img, new LayerSbom.Options("test", "hello:latest", Optional.empty(), true))).toXmlString();
    SbomVerification.Result ok = check(xml.getBytes(StandardCharsets.UTF_8));
    assertEquals(Set.of(), failing(ok), ok.findings().toString());
    assertTrue(ok.findings().stream().anyMatch(f -> f.code() == SbomCode.SBOM_SCHEMA_VALID), ok.findings().toString());
    SbomVerification.Result serial = check(xml.replaceFirst("serialNumber=\"[^\"]*\"", "serialNumber=\"nope\"")
        .getBytes(StandardCharsets.UTF_8));
    assertTrue(failing(serial).containsAll(Set.of(SbomCode.SBOM_SERIAL_INVALID, SbomCode.SBOM_SCHEMA_INVALID)), serial.findings().toString());
    SbomVerification.Result type = check(xml.replaceFirst("type=\"library\"", "type=\"not-a-type\"").getBytes(StandardCharsets.UTF_8));
    assertTrue(failing(type).contains(SbomCode.SBOM_PARSE_ERROR), type.findings().toString()); // the XML parser refuses it first
  }

  @Test
  void compressedSbomsAreReadByTheirMagicAndBombsStop() throws Exception {
    for (var c : Map.<String, OutputStreamFactory>of("gzip", GZIPOutputStream::new,
        "xz", o -> new XZOutputStream(o, new LZMA2Options()), "zstd", ZstdOutputStream::new).entrySet()) {
      SbomVerification.Result r = check(compress(spdx, c.getValue()));
      assertEquals(Set.of(), failing(r), c.getKey() + ": " + r.findings());
      assertTrue(r.findings().stream().anyMatch(f -> f.code() == SbomCode.SBOM_MATCHES_IMAGE), c.getKey());
    }
    byte[] zeros = new byte[64 * 1024 * 1024];
    SbomVerification.Result bomb = check(compress(zeros, GZIPOutputStream::new));
    assertEquals(Set.of(IoCode.DECOMPRESSION_BOMB), failing(bomb), bomb.findings().toString());
    byte[] truncated = compress(spdx, GZIPOutputStream::new);
    SbomVerification.Result t = check(java.util.Arrays.copyOf(truncated, truncated.length / 2));
    assertEquals(Set.of(IoCode.COMPRESSED_TRUNCATED), failing(t), t.findings().toString());
  }

  interface OutputStreamFactory {
    OutputStream wrap(OutputStream o) throws java.io.IOException;
  }

  static byte[] compress(byte[] b, OutputStreamFactory f) throws Exception {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream o = f.wrap(bos)) {
      o.write(b);
    }
    return bos.toByteArray();
  }
}
