package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestLayouts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bitproof inspect} on the demo's published layout and on a base-image layout the test builds. */
class InspectCommandTest {
  static final String GOLDEN_INDEX = "sha256:7c08727a4cc2346501dce66540aff115783a9235af93e196d99978087a9b2f59";
  static final String AMD64 = "sha256:0cf9fc5c8ec35b55dcd61ad37bd78e4272e4c5efed5379a2e35b1c1b34247458";
  static final String ARM64 = "sha256:890b8c759ed5ef7f572e963f8a1fbd018e287ab0bb49e7a3e682753597d61e69";

  @Test
  void textTreeOfTheGoldenLayout() {
    Path golden = SharedData.testdata("demo/published");
    Run r = run("inspect", "oci:" + golden);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("index    " + GOLDEN_INDEX), r.out());
    assertTrue(r.out().contains("manifest " + AMD64) && r.out().contains("linux/amd64"), r.out());
    assertTrue(r.out().contains("manifest " + ARM64) && r.out().contains("linux/arm64"), r.out());
    assertTrue(r.out().contains("diff_id sha256:186210a0e657db3a672cc4ec4d0b6ff92b36271f504cd028b908135223345a72"), r.out());
  }

  @Test
  void jsonTreeOfTheGoldenLayout() {
    Path golden = SharedData.testdata("demo/published");
    Run r = run("inspect", "--format", "json", "oci:" + golden);
    assertEquals(0, r.code(), r.err());
    JsonNode n = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "inspect output");
    assertEquals(GOLDEN_INDEX, n.get("digest").asText());
    assertEquals("index", n.get("kind").asText());
    assertEquals(2, n.get("manifests").size());
    JsonNode amd = n.get("manifests").get(0);
    assertEquals(AMD64, amd.get("digest").asText());
    assertEquals("linux/amd64", amd.get("platform").asText());
    assertEquals("sha256:eb6cb7f4652a78750496da686534e21578b437d6f4a9764b5a43ff9bf5fbc3eb", amd.get("config").get("digest").asText());
    JsonNode layer = amd.get("layers").get(0);
    assertEquals("sha256:2ee914966bc3ef22ba7ee0c0d39963e222cbadaa4d8d394be6b5ca82f4c3772f", layer.get("digest").asText());
    assertEquals(1880, layer.get("size").asLong());
    assertEquals("sha256:186210a0e657db3a672cc4ec4d0b6ff92b36271f504cd028b908135223345a72", layer.get("diffId").asText());
  }

  /** A one-arch layout our build wrote (the base image of {@code TestBaseImage}): its digests as written. */
  @Test
  void baseImageLayoutDigests(@TempDir Path tmp) throws Exception {
    dev.bitproof.rebuild.TestBaseImage fx = dev.bitproof.rebuild.TestBaseImage.build(tmp.resolve("fixture"));
    Path base = fx.image;
    Run r = run("inspect", "--format", "json", "oci:" + base);
    assertEquals(0, r.code(), r.err());
    JsonNode n = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "inspect output");
    assertEquals(dev.bitproof.oci.Digest.sha256(Files.readAllBytes(base.resolve("index.json"))).toString(), n.get("digest").asText());
    assertEquals(fx.base.index().digest().toString(), n.get("digest").asText());
    assertEquals(1, n.get("manifests").size());
    JsonNode m = n.get("manifests").get(0);
    assertEquals(fx.base.images().get(0).manifest().digest().toString(), m.get("digest").asText());
    assertEquals("linux/amd64", m.get("platform").asText());
    assertEquals(fx.base.images().get(0).layers().get(0).diffId().toString(), m.get("layers").get(0).get("diffId").asText());
  }

  @Test
  void errorsCarryStableCodesAndExitCodes(@TempDir Path tmp) throws Exception {
    Run missing = run("inspect", "--format", "json", "oci:" + tmp.resolve("nope"));
    assertEquals(3, missing.code());
    assertEquals("LAYOUT_NOT_FOUND", Json.parse(missing.out().getBytes(StandardCharsets.UTF_8), "err").get("error").get("code").asText());

    Files.writeString(tmp.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Run noIndex = run("inspect", "oci:" + tmp);
    assertEquals(3, noIndex.code());
    assertTrue(noIndex.err().contains("LAYOUT_INVALID"), noIndex.err());

    Run badRef = run("inspect", "nosuch:transport/x@y");
    assertEquals(2, badRef.code(), badRef.err());

    Run noArgs = run("inspect");
    assertEquals(2, noArgs.code());
  }

  @Test
  void tamperedConfigIsExitOne(@TempDir Path tmp) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    Path copy = TestLayouts.copy(golden, tmp.resolve("golden"));
    Path cfg = copy.resolve("blobs/sha256/eb6cb7f4652a78750496da686534e21578b437d6f4a9764b5a43ff9bf5fbc3eb");
    cfg.toFile().setWritable(true);
    String s = Files.readString(cfg);
    Files.writeString(cfg, s.replace("amd64", "amd65"));
    Run r = run("inspect", "oci:" + copy);
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("BLOB_DIGEST_MISMATCH"), r.err());
  }

  @Test
  void nestedIndexShowsThePathToEachImage(@TempDir Path tmp) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    Path nested = tmp.resolve("nested");
    assertEquals(0, run("copy", "--quiet", "oci:" + golden, "oci:" + nested).code());
    byte[] inner = Files.readAllBytes(golden.resolve("index.json"));
    byte[] outer = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{"
        + "\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"" + GOLDEN_INDEX + "\",\"size\":" + inner.length
        + "}]}").getBytes(StandardCharsets.UTF_8);
    Files.write(nested.resolve("blobs/sha256/" + GOLDEN_INDEX.substring(7)), inner);
    Files.write(nested.resolve("index.json"), outer);
    Run r = run("inspect", "--format", "json", "oci:" + nested);
    assertEquals(0, r.code(), r.err());
    JsonNode n = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "inspect");
    assertEquals(dev.bitproof.oci.Digest.sha256(outer).toString(), n.get("digest").asText());
    assertEquals(2, n.get("manifests").size());
    assertEquals(GOLDEN_INDEX, n.get("manifests").get(1).get("via").get(0).asText());
    assertEquals("linux/arm64", n.get("manifests").get(1).get("platform").asText());
  }

  @Test
  void helpAndVersion() {
    Run help = run("inspect", "--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("--insecure") && help.out().contains("--format") && help.out().contains("Exit codes"), help.out());
    Run version = run("--version");
    assertEquals(0, version.code());
    assertTrue(version.out().startsWith("bitproof "), version.out());
  }
}
