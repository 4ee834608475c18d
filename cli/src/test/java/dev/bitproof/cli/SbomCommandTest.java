package dev.bitproof.cli;

import dev.bitproof.cli.options.ExitCodes;
import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SbomCommandTest {
  /** apko's golden image and its SBOMs (../shared): what apko wrote, for fidelity. */
  static Path golden() {
    return SharedData.apkoTestdata().resolve("golden");
  }

  /** The demo's published image (testdata/demo), for what does not depend on apko's own SBOMs. */
  static Path demo() {
    return SharedData.testdata("demo/published");
  }

  @Test
  void checkGoldenWithApkoSbomsPasses() {
    Path g = golden();
    Run r = run("sbom", "check", "oci:" + g, "--sbom", g.resolve("sboms/sbom-index.spdx.json").toString(),
        "--sbom", g.resolve("sboms/sbom-x86_64.spdx.json").toString(), "--sbom", g.resolve("sboms/sbom-aarch64.spdx.json").toString(),
        "--format", "json");
    assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
    JsonNode doc = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "out");
    assertEquals("PASS", doc.path("result").asText());
    assertEquals(5, doc.path("sboms").size(), doc.path("sboms").toString()); // 3 given + 2 shipped inside
  }

  @Test
  void checkWithoutSbomUsesTheOnesShippedInside() {
    Run r = run("sbom", "check", "oci:" + golden());
    assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("sbom check: PASS"), r.out());
  }

  @Test
  void checkInvalidBaseImageSbomFailsWithParseError() {
    Path base = SharedData.apkoTestdata().resolve("base_image");
    Run r = run("sbom", "check", "oci:" + base, "--sbom", base.resolve("sboms/sbom-x86_64.spdx.json").toString(),
        "--platform", "linux/amd64");
    assertEquals(ExitCodes.FAILED, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("FAIL  SBOM_PARSE_ERROR"), r.out());
  }

  @Test
  void checkTamperedSbomFails(@TempDir Path tmp) throws Exception {
    Path g = golden();
    String sbom = Files.readString(g.resolve("sboms/sbom-x86_64.spdx.json")).replace("replayout@1.0.0-r0", "replayout@9.9.9-r0")
        .replace("\"versionInfo\": \"1.0.0-r0\"", "\"versionInfo\": \"9.9.9-r0\"");
    Path f = tmp.resolve("t.spdx.json");
    Files.writeString(f, sbom);
    Run r = run("sbom", "check", "oci:" + g, "--sbom", f.toString(), "--platform", "linux/amd64", "--format", "json");
    assertEquals(ExitCodes.FAILED, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("\"code\" : \"SBOM_VERSION_MISMATCH\""), r.out());
  }

  @Test
  void aGzippedSbomIsReadAndASchemaViolationFails(@TempDir Path tmp) throws Exception {
    Path g = golden();
    byte[] sbom = Files.readAllBytes(g.resolve("sboms/sbom-x86_64.spdx.json"));
    Path gz = tmp.resolve("sbom.spdx.json.gz");
    try (java.util.zip.GZIPOutputStream o = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      o.write(sbom);
    }
    Run ok = run("sbom", "check", "oci:" + g, "--sbom", gz.toString(), "--platform", "linux/amd64");
    assertEquals(ExitCodes.OK, ok.code(), ok.out() + ok.err());
    // the example: no dataLicense, a bad SPDXID, created: yesterday
    String bad = new String(sbom, StandardCharsets.UTF_8).replace("\"dataLicense\": \"CC0-1.0\",", "")
        .replace("\"SPDXID\": \"SPDXRef-DOCUMENT\"", "\"SPDXID\": \"DOC\"").replaceFirst("\"created\": \"[^\"]*\"", "\"created\": \"yesterday\"");
    Path f = tmp.resolve("bad.spdx.json");
    Files.writeString(f, bad);
    Run r = run("sbom", "check", "oci:" + g, "--sbom", f.toString(), "--platform", "linux/amd64");
    assertEquals(ExitCodes.FAILED, r.code(), r.out() + r.err());
    for (String code : new String[] {"SBOM_SPDX_DATA_LICENSE_INVALID", "SBOM_SPDX_ID_INVALID", "SBOM_CREATED_INVALID"}) {
      assertTrue(r.out().contains("FAIL  " + code), code + ": " + r.out());
    }
  }

  @Test
  void aRootfsTarIsASubject() {
    Path tar = SharedData.require("deb/rootfs/distroless-like-statusd.tar.xz");
    Path sbom = SharedData.require("deb/sbom/sbom-distroless-like.cdx.json.gz");
    Run r = run("sbom", "check", "--rootfs", tar.toString(), "--sbom", sbom.toString(), "--format", "json");
    assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
    assertEquals("PASS", Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "o").path("result").asText());
    assertEquals(ExitCodes.USAGE, run("sbom", "check", "--rootfs", tar.toString()).code(), "--rootfs needs --sbom");
    assertEquals(ExitCodes.USAGE, run("sbom", "check", "oci:" + golden(), "--rootfs", tar.toString(), "--sbom", sbom.toString()).code());
    assertEquals(ExitCodes.CANNOT_CHECK, run("sbom", "check", "--rootfs", "/nonexistent.tar", "--sbom", sbom.toString()).code());
  }

  @Test
  void missingSbomFileIsCannotCheck() {
    Run r = run("sbom", "check", "oci:" + demo(), "--sbom", "/nonexistent/x.json");
    assertEquals(ExitCodes.CANNOT_CHECK, r.code(), r.err());
  }

  @Test
  void generateApkoStyleReproducesTheGoldenSbomsByteForByte(@TempDir Path tmp) throws Exception {
    Path g = golden();
    Run r = run("sbom", "generate", "oci:" + g, "--format", "spdx", "--name", "golden:latest",
        "--creator-tool", "Tool: apko (devel)", "--output", tmp.toString(), "--format", "json");
    assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
    for (String n : new String[] {"sbom-x86_64.spdx.json", "sbom-aarch64.spdx.json", "sbom-index.spdx.json"}) {
      assertArrayEquals(Files.readAllBytes(g.resolve("sboms/" + n)), Files.readAllBytes(tmp.resolve(n)), n);
    }
    assertEquals(3, Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "o").path("files").size());
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
