package dev.bitproof.cli;

import dev.bitproof.cli.options.ExitCodes;
import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.sbom.ApkoSpdx;
import dev.bitproof.sbom.LoadedImage;
import dev.bitproof.sbom.SbomGenerator;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestApkoImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SbomCommandTest {
  /** The demo's published image (testdata/demo), for what does not depend on apko's own SBOMs. */
  static Path demo() {
    return SharedData.testdata("demo/published");
  }

  /**
   * An apko-style image the test builds with the three apko-form documents {@code sbom generate} writes for it: exit 0,
   * 5 SBOMs (3 given, 2 shipped inside). apko's own golden SBOMs on its golden image: core's
   * SbomVerificationTest.goldenIndexWithAllThreeApkoSbomsPasses.
   */
  @Test
  void checkApkoImageWithItsApkoStyleSbomsPasses(@TempDir Path tmp) throws Exception {
    TestApkoImage.Built img = TestApkoImage.build(tmp.resolve("image"));
    Path out = tmp.resolve("sboms");
    Run gen = run("sbom", "generate", "oci:" + img.published(), "--format", "spdx", "--name", "fixture:latest",
        "--creator-tool", "Tool: apko (devel)", "--output", out.toString());
    assertEquals(ExitCodes.OK, gen.code(), gen.out() + gen.err());
    Run r = run("sbom", "check", "oci:" + img.published(), "--sbom", out.resolve("sbom-index.spdx.json").toString(),
        "--sbom", out.resolve("sbom-x86_64.spdx.json").toString(), "--sbom", out.resolve("sbom-aarch64.spdx.json").toString(),
        "--format", "json");
    assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
    JsonNode doc = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "out");
    assertEquals("PASS", doc.path("result").asText());
    assertEquals(5, doc.path("sboms").size(), doc.path("sboms").toString()); // 3 given + 2 shipped inside
  }

  @Test
  void checkWithoutSbomUsesTheOnesShippedInside(@TempDir Path tmp) throws Exception {
    // an apko-style image the test builds, whose packages ship their SBOMs in var/lib/db/sbom
    dev.bitproof.testing.TestApkoImage.Built img = dev.bitproof.testing.TestApkoImage.build(tmp);
    Run r = run("sbom", "check", "oci:" + img.published());
    assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("sbom check: PASS"), r.out());
    Run j = run("sbom", "check", "oci:" + img.published(), "--format", "json");
    assertEquals(2, Json.parse(j.out().getBytes(StandardCharsets.UTF_8), "out").path("sboms").size(), j.out());
  }

  @Test
  void checkInvalidSbomFailsWithParseError(@TempDir Path tmp) throws Exception {
    // a document cut off mid-way, as apko's own base_image x86_64 SBOM is (that one is checked in core's fidelity tests)
    byte[] whole = Json.mapper().writeValueAsBytes(demoSpdx());
    Path cut = Files.write(tmp.resolve("cut.spdx.json"), java.util.Arrays.copyOf(whole, whole.length / 2));
    Run r = run("sbom", "check", "oci:" + demo(), "--sbom", cut.toString(), "--platform", "linux/amd64");
    assertEquals(ExitCodes.FAILED, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("FAIL  SBOM_PARSE_ERROR"), r.out());
  }

  /** A complete SPDX document of the demo's amd64 image, written by {@code sbom generate}. */
  static com.fasterxml.jackson.databind.node.ObjectNode demoSpdx() {
    Run gen = run("sbom", "generate", "oci:" + demo(), "--format", "spdx", "--spdx-style", "complete", "--platform", "linux/amd64",
        "--timestamp", "2026-01-01T00:00:00Z");
    assertEquals(ExitCodes.OK, gen.code(), gen.err());
    return (com.fasterxml.jackson.databind.node.ObjectNode) Json.parse(gen.out().getBytes(StandardCharsets.UTF_8), "generated");
  }

  @Test
  void checkTamperedSbomFails(@TempDir Path tmp) throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode sbom = demoSpdx();
    int changed = 0;
    for (JsonNode p : sbom.path("packages")) {
      if (p.path("name").asText().equals("demo-hello")) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) p).put("versionInfo", "9.9.9-r0");
        for (JsonNode ref : p.path("externalRefs")) {
          ((com.fasterxml.jackson.databind.node.ObjectNode) ref).put("referenceLocator",
              ref.path("referenceLocator").asText().replace("demo-hello@1.0.0-r0", "demo-hello@9.9.9-r0"));
        }
        changed++;
      }
    }
    assertEquals(1, changed, "demo-hello is in the generated SBOM");
    Path f = tmp.resolve("t.spdx.json");
    Files.write(f, Json.mapper().writeValueAsBytes(sbom));
    Run r = run("sbom", "check", "oci:" + demo(), "--sbom", f.toString(), "--platform", "linux/amd64", "--format", "json");
    assertEquals(ExitCodes.FAILED, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("\"code\" : \"SBOM_VERSION_MISMATCH\""), r.out());
  }

  @Test
  void aGzippedSbomIsReadAndASchemaViolationFails(@TempDir Path tmp) throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode doc = demoSpdx();
    byte[] sbom = Json.mapper().writeValueAsBytes(doc);
    Path gz = tmp.resolve("sbom.spdx.json.gz");
    try (java.util.zip.GZIPOutputStream o = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      o.write(sbom);
    }
    Run ok = run("sbom", "check", "oci:" + demo(), "--sbom", gz.toString(), "--platform", "linux/amd64");
    assertEquals(ExitCodes.OK, ok.code(), ok.out() + ok.err());
    // the example: no dataLicense, a bad SPDXID, created: yesterday
    doc.remove("dataLicense");
    doc.put("SPDXID", "DOC");
    ((com.fasterxml.jackson.databind.node.ObjectNode) doc.path("creationInfo")).put("created", "yesterday");
    Path f = tmp.resolve("bad.spdx.json");
    Files.write(f, Json.mapper().writeValueAsBytes(doc));
    Run r = run("sbom", "check", "oci:" + demo(), "--sbom", f.toString(), "--platform", "linux/amd64");
    assertEquals(ExitCodes.FAILED, r.code(), r.out() + r.err());
    for (String code : new String[] {"SBOM_SPDX_DATA_LICENSE_INVALID", "SBOM_SPDX_ID_INVALID", "SBOM_CREATED_INVALID"}) {
      assertTrue(r.out().contains("FAIL  " + code), code + ": " + r.out());
    }
  }

  @Test
  void aRootfsTarIsASubject(@TempDir Path tmp) throws Exception {
    // the demo's amd64 layer as a root filesystem tar, and a CycloneDX SBOM generated from the same image
    Path layout = demo();
    JsonNode index = Json.parse(Files.readAllBytes(layout.resolve("index.json")), "index");
    JsonNode amd = null;
    for (JsonNode m : index.get("manifests")) {
      if (m.path("platform").path("architecture").asText().equals("amd64")) {
        amd = Json.parse(Files.readAllBytes(layout.resolve("blobs/sha256").resolve(m.get("digest").asText().substring(7))), "manifest");
      }
    }
    byte[] gz = Files.readAllBytes(layout.resolve("blobs/sha256").resolve(amd.get("layers").get(0).get("digest").asText().substring(7)));
    Path tar = tmp.resolve("rootfs.tar");
    try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
      Files.write(tar, in.readAllBytes());
    }
    Run gen = run("sbom", "generate", "oci:" + layout, "--format", "cyclonedx", "--platform", "linux/amd64");
    assertEquals(ExitCodes.OK, gen.code(), gen.err());
    Path sbom = Files.writeString(tmp.resolve("demo.cdx.json"), gen.out());
    Run r = run("sbom", "check", "--rootfs", tar.toString(), "--sbom", sbom.toString(), "--format", "json");
    assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
    assertEquals("PASS", Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "o").path("result").asText());
    assertEquals(ExitCodes.USAGE, run("sbom", "check", "--rootfs", tar.toString()).code(), "--rootfs needs --sbom");
    assertEquals(ExitCodes.USAGE, run("sbom", "check", "oci:" + layout, "--rootfs", tar.toString(), "--sbom", sbom.toString()).code());
    assertEquals(ExitCodes.CANNOT_CHECK, run("sbom", "check", "--rootfs", "/nonexistent.tar", "--sbom", sbom.toString()).code());
  }

  @Test
  void missingSbomFileIsCannotCheck() {
    Run r = run("sbom", "check", "oci:" + demo(), "--sbom", "/nonexistent/x.json");
    assertEquals(ExitCodes.CANNOT_CHECK, r.code(), r.err());
  }

  /**
   * {@code sbom generate} on an apko-built index (auto style: apko's) writes apko's three documents, each the bytes the
   * generator renders with the given {@code --name} and {@code --creator-tool}, and lists them with their sha256.
   * That these bytes are apko's own for apko's golden image: core's ApkoSpdxTest.goldenImageSbomsAreReproducedAsParsedJson.
   */
  @Test
  void generateApkoStyleWritesTheIndexAndEachImagesDocument(@TempDir Path tmp) throws Exception {
    TestApkoImage.Built img = TestApkoImage.build(tmp.resolve("image"));
    Path out = tmp.resolve("sboms");
    Run r = run("sbom", "generate", "oci:" + img.published(), "--format", "spdx", "--name", "fixture:latest",
        "--creator-tool", "Tool: apko (devel)", "--output", out.toString(), "--format", "json");
    assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
    ApkoSpdx.Options o = new ApkoSpdx.Options("Tool: apko (devel)", "fixture:latest");
    java.util.Map<String, byte[]> expected = new java.util.LinkedHashMap<>();
    try (ImageSource src = Transports.source(img.reference(), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      for (int i = 0; i < TestApkoImage.ARCHS.size(); i++) {
        expected.put("sbom-" + TestApkoImage.ARCHS.get(i) + ".spdx.json",
            ApkoSpdx.render(SbomGenerator.apkoSpdx(LoadedImage.load(src, tree, tree.images().get(i)), o)));
      }
      expected.put("sbom-index.spdx.json", ApkoSpdx.render(SbomGenerator.apkoSpdxIndex(tree, o)));
    }
    for (var e : expected.entrySet()) {
      assertArrayEquals(e.getValue(), Files.readAllBytes(out.resolve(e.getKey())), e.getKey());
      JsonNode d = Json.parse(e.getValue(), e.getKey());
      assertEquals("Tool: apko (devel)", d.path("creationInfo").path("creators").get(0).asText(), e.getKey());
      assertTrue(d.toString().contains("pkg:oci/fixture@sha256"), e.getKey() + ": --name names the purls");
    }
    JsonNode files = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "o").path("files");
    assertEquals(3, files.size(), files.toString());
    for (JsonNode f : files) {
      byte[] bytes = Files.readAllBytes(Path.of(f.path("path").asText()));
      assertEquals(Digest.sha256(bytes).toString(), f.path("sha256").asText(), f.toString());
      assertEquals(bytes.length, f.path("size").asLong());
    }
  }

  @Test
  void generatedCycloneDxRoundTripsThroughCheck(@TempDir Path tmp) throws Exception {
    Path g = demo();
    Run gen = run("sbom", "generate", "oci:" + g, "--format", "cyclonedx", "--platform", "linux/arm64");
    assertEquals(ExitCodes.OK, gen.code(), gen.err());
    Path f = tmp.resolve("arm64.cdx.json");
    Files.writeString(f, gen.out());
    Run again = run("sbom", "generate", "oci:" + g, "--format", "cyclonedx", "--platform", "linux/arm64");
    assertEquals(gen.out(), again.out(), "deterministic");
    Run check = run("sbom", "check", "oci:" + g, "--sbom", f.toString(), "--format", "json");
    assertEquals(ExitCodes.OK, check.code(), check.out() + check.err());
    assertTrue(check.out().contains("SBOM_SUBJECT_MATCHES"), check.out());
    // the same SBOM against the amd64 image only: wrong subject
    Run wrong = run("sbom", "check", "oci:" + g, "--sbom", f.toString(), "--platform", "linux/amd64");
    assertEquals(ExitCodes.FAILED, wrong.code(), wrong.out());
  }

  @Test
  void generateNeedsAnSbomFormatAndOneOutputPerDocument() {
    assertEquals(ExitCodes.USAGE, run("sbom", "generate", "oci:" + demo()).code());
    assertEquals(ExitCodes.USAGE, run("sbom", "generate", "oci:" + demo(), "--format", "xml").code());
    // two images, no --output: which one?
    assertEquals(ExitCodes.USAGE, run("sbom", "generate", "oci:" + demo(), "--format", "cyclonedx").code());
  }
}
