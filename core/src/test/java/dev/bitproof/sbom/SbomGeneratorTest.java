package dev.bitproof.sbom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.testing.DistrolessLayer;
import dev.bitproof.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.cyclonedx.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generated SBOMs: schema-valid, deterministic, and they round-trip through the check. */
class SbomGeneratorTest {
  static final LayerSbom.Options OPTS = new LayerSbom.Options("test", "golden:latest", Optional.empty(), true);

  /** The demo's published image (testdata/demo), 0 amd64, 1 arm64: generating an SBOM needs no ../shared. */
  static LoadedImage golden(int i) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + golden), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      return LoadedImage.load(src, tree, tree.images().get(i));
    }
  }

  static LoadedImage layout(Path dir) throws Exception {
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + dir), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      return LoadedImage.load(src, tree, tree.images().get(0));
    }
  }

  static Set<Code> failing(List<Finding> fs) {
    return fs.stream().filter(Finding::fails).map(Finding::code).collect(Collectors.toSet());
  }

  static List<Finding> roundTrip(LoadedImage img, byte[] sbom) {
    return SbomCheck.compare(img.contents(), SbomReader.read(sbom, "generated"), img.identity(), "generated");
  }

  @Test
  void cycloneDxOfTheGoldenImageValidatesIsDeterministicAndRoundTrips() throws Exception {
    LoadedImage img = golden(0);
    byte[] a = LayerSbom.cycloneDxJson(LayerSbom.cycloneDx(img, OPTS));
    byte[] b = LayerSbom.cycloneDxJson(LayerSbom.cycloneDx(golden(0), OPTS));
    assertArrayEquals(a, b, "same image, same bytes");
    assertEquals(List.of(), SbomValidator.cycloneDx(a, Version.VERSION_16));
    JsonNode doc = Json.parse(a, "cdx");
    assertEquals("1.6", doc.path("specVersion").asText());
    assertFalse(doc.path("metadata").has("timestamp"), "no clock unless asked");
    assertTrue(doc.path("serialNumber").asText().startsWith("urn:uuid:"));
    List<Finding> fs = roundTrip(img, a);
    assertEquals(Set.of(), failing(fs), fs.toString());
    assertTrue(fs.stream().anyMatch(f -> f.code().equals(SbomCode.SBOM_SUBJECT_MATCHES)), fs.toString());
    Finding ok = fs.stream().filter(f -> f.code().equals(SbomCode.SBOM_MATCHES_IMAGE)).findFirst().orElseThrow();
    assertTrue(ok.message().contains("2 OS packages and 3 file checksums"), ok.message());
    // the other architecture's SBOM does not pass for this image
    byte[] arm = LayerSbom.cycloneDxJson(LayerSbom.cycloneDx(golden(1), OPTS));
    assertTrue(failing(roundTrip(img, arm)).containsAll(Set.of(SbomCode.SBOM_SUBJECT_MISMATCH, SbomCode.SBOM_ARCH_MISMATCH)));
    // a timestamp only when asked
    byte[] stamped = LayerSbom.cycloneDxJson(LayerSbom.cycloneDx(img,
        new LayerSbom.Options("test", "", Optional.of(Instant.parse("2026-01-02T03:04:05Z")), true)));
    assertEquals("2026-01-02T03:04:05Z", Json.parse(stamped, "s").path("metadata").path("timestamp").asText());
  }

  @Test
  void completeSpdxOfTheGoldenImageValidatesAndRoundTrips() throws Exception {
    LoadedImage img = golden(0);
    byte[] spdx = ApkoSpdx.render(LayerSbom.spdx(img, OPTS));
    assertEquals(List.of(), SbomValidator.spdx23(spdx));
    assertArrayEquals(spdx, ApkoSpdx.render(LayerSbom.spdx(golden(0), OPTS)));
    List<Finding> fs = roundTrip(img, spdx);
    assertEquals(Set.of(), failing(fs), fs.toString());
    assertEquals(3, SbomReader.read(spdx, "s").files().size());
  }

  @Test
  void apkoFormIsWhatApkoWritesIncludingItsSchemaQuirk() throws Exception {
    LoadedImage img = golden(0);
    byte[] apko = ApkoSpdx.render(SbomGenerator.apkoSpdx(img, ApkoSpdx.Options.defaults("test")));
    List<String> errors = SbomValidator.spdx23(apko);
    // apko writes primaryPackagePurpose OPERATING_SYSTEM where the SPDX 2.3 schema spells OPERATING-SYSTEM
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(errors.get(0).contains("primaryPackagePurpose"), errors.toString());
    List<Finding> fs = roundTrip(img, apko);
    assertEquals(Set.of(), failing(fs), fs.toString());
  }

  /** Fidelity: apko's own golden file has the same single schema error, on the same property. */
  @Test
  void apkosGoldenSbomHasTheSameSingleSchemaError() throws Exception {
    byte[] golden = Files.readAllBytes(SharedData.apkoTestdata().resolve("golden/sboms/sbom-x86_64.spdx.json"));
    List<String> errors = SbomValidator.spdx23(golden);
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(errors.get(0).contains("primaryPackagePurpose"), errors.toString());
  }

  @Test
  void schemaValidationCatchesBrokenDocuments() throws Exception {
    ObjectNode spdx = (ObjectNode) Json.parse(ApkoSpdx.render(LayerSbom.spdx(golden(0), OPTS)), "s");
    ((ObjectNode) spdx.path("files").get(0).path("checksums").get(0)).put("algorithm", "CRC32");
    spdx.remove("documentNamespace");
    List<String> errors = SbomValidator.spdx23(spdx.toString().getBytes(StandardCharsets.UTF_8));
    assertEquals(2, errors.size(), errors.toString());
    ObjectNode cdx = (ObjectNode) Json.parse(LayerSbom.cycloneDxJson(LayerSbom.cycloneDx(golden(0), OPTS)), "c");
    ((ObjectNode) cdx.path("components").get(1)).put("type", "not-a-type");
    assertFalse(SbomValidator.cycloneDx(cdx.toString().getBytes(StandardCharsets.UTF_8), Version.VERSION_16).isEmpty());
  }

  /** A distroless-style Debian layer the test builds (status.d database, os-release a symlink, Debian 12). */
  @Test
  void debianLayerSbomsValidateAndRoundTrip(@TempDir Path tmp) throws Exception {
    LoadedImage img = layout(TestLayers.ociLayout(tmp.resolve("distroless"), DistrolessLayer.tar()));
    byte[] cdx = LayerSbom.cycloneDxJson(LayerSbom.cycloneDx(img, OPTS));
    assertEquals(List.of(), SbomValidator.cycloneDx(cdx, Version.VERSION_16));
    List<Finding> fs = roundTrip(img, cdx);
    assertEquals(Set.of(), failing(fs), fs.toString());
    String counted = DistrolessLayer.PACKAGES.size() + " OS packages and " + DistrolessLayer.checksums() + " file checksums";
    assertTrue(fs.stream().anyMatch(f -> f.code().equals(SbomCode.SBOM_MATCHES_IMAGE) && f.message().contains(counted)), fs.toString());
    JsonNode libc = null;
    for (JsonNode c : Json.parse(cdx, "c").path("components")) {
      if (c.path("name").asText().equals("libc6")) {
        libc = c;
      }
    }
    assertEquals("pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12", libc.path("purl").asText());

    byte[] spdx = ApkoSpdx.render(LayerSbom.spdx(img, OPTS));
    assertEquals(List.of(), SbomValidator.spdx23(spdx));
    assertEquals(Set.of(), failing(roundTrip(img, spdx)));
  }

  @Test
  void cycloneDxXmlRoundTripsAndTamperingIsCaught() throws Exception {
    LoadedImage img = golden(0);
    String xml = org.cyclonedx.generators.BomGeneratorFactory.createXml(Version.VERSION_16, LayerSbom.cycloneDx(img, OPTS))
        .toXmlString();
    assertTrue(xml.startsWith("<?xml"), xml.substring(0, 40));
    assertEquals(List.of(), new org.cyclonedx.parsers.XmlParser().validate(xml.getBytes(StandardCharsets.UTF_8), Version.VERSION_16)
        .stream().map(Object::toString).toList());
    SbomDocument doc = SbomReader.read(xml.getBytes(StandardCharsets.UTF_8), "xml");
    assertEquals(SbomFormat.CYCLONEDX_XML, doc.format());
    assertEquals(3, doc.files().size());
    List<Finding> ok = SbomCheck.compare(img.contents(), doc, img.identity(), "xml");
    assertEquals(Set.of(), failing(ok), ok.toString());
    assertTrue(ok.stream().anyMatch(f -> f.code().equals(SbomCode.SBOM_SUBJECT_MATCHES)), ok.toString());
    String tampered = xml.replace("<version>1.0.0-r0</version>", "<version>1.0.0-r1</version>")
        .replace("demo-hello@1.0.0-r0", "demo-hello@1.0.0-r1");
    List<Finding> bad = SbomCheck.compare(img.contents(), SbomReader.read(tampered.getBytes(StandardCharsets.UTF_8), "x"),
        img.identity(), "x");
    // both packages' <version> changed, only demo-hello's purl: one version mismatch, one purl contradicting itself
    assertEquals(Set.of(SbomCode.SBOM_VERSION_MISMATCH, SbomCode.SBOM_PURL_MISMATCH), failing(bad), bad.toString());
    assertTrue(bad.stream().anyMatch(f -> f.code().equals(SbomCode.SBOM_PURL_MISMATCH) && f.subject().equals("demo-baselayout")));
  }
}
