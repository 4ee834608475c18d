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

/** {@code bitproof inspect} on apko's golden layouts: the exact digests upstream's tests pin. */
class InspectCommandTest {
  static final String GOLDEN_INDEX = "sha256:b5f05e6fc882c97d61c1daee566954ae6fc09924f8e152293e2b97a06092069f";
  static final String AMD64 = "sha256:69f0237c7f8cf0b8a329d1bf1d6870c870c4ec323e39d3a6da59596632d0f2f4";
  static final String ARM64 = "sha256:124c885f834cfaf1329987457a9651a68c4fb9733d4462ae6288b98011277858";

  @Test
  void textTreeOfTheGoldenLayout() {
    Path golden = SharedData.apkoTestdata().resolve("golden");
    Run r = run("inspect", "oci:" + golden);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("index    " + GOLDEN_INDEX), r.out());
    assertTrue(r.out().contains("manifest " + AMD64) && r.out().contains("linux/amd64"), r.out());
    assertTrue(r.out().contains("manifest " + ARM64) && r.out().contains("linux/arm64"), r.out());
    assertTrue(r.out().contains("diff_id sha256:20f698463c2755b6dc42b7d07e959ed7455a06e7367d507e829a315898f21a01"), r.out());
  }

  @Test
  void jsonTreeOfTheGoldenLayout() {
    Path golden = SharedData.apkoTestdata().resolve("golden");
    Run r = run("inspect", "--format", "json", "oci:" + golden);
    assertEquals(0, r.code(), r.err());
    JsonNode n = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "inspect output");
    assertEquals(GOLDEN_INDEX, n.get("digest").asText());
    assertEquals("index", n.get("kind").asText());
    assertEquals(2, n.get("manifests").size());
    JsonNode amd = n.get("manifests").get(0);
    assertEquals(AMD64, amd.get("digest").asText());
    assertEquals("linux/amd64", amd.get("platform").asText());
    assertEquals("sha256:6c815259150f37d000417f9a93f41bddf74dff905c745986069d4b03e954ac1d", amd.get("config").get("digest").asText());
    JsonNode layer = amd.get("layers").get(0);
    assertEquals("sha256:c7557730da0e2d7fb242d8d1ac6dcf7e3a2439732aa5981270b4f3a02454b738", layer.get("digest").asText());
    assertEquals(3072, layer.get("size").asLong());
    assertEquals("sha256:20f698463c2755b6dc42b7d07e959ed7455a06e7367d507e829a315898f21a01", layer.get("diffId").asText());
  }

  @Test
  void baseImageLayoutDigests() throws Exception {
    Path base = SharedData.apkoTestdata().resolve("base_image");
    Run r = run("inspect", "--format", "json", "oci:" + base);
    assertEquals(0, r.code(), r.err());
    JsonNode n = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "inspect output");
    assertEquals(dev.bitproof.oci.Digest.sha256(Files.readAllBytes(base.resolve("index.json"))).toString(), n.get("digest").asText());
    assertEquals("sha256:2ef91a9967f2e1759ea49a8c01cf6a45dd9f9af71fe09bcf2b86175bc4a71314", n.get("manifests").get(0).get("digest").asText());
    assertEquals("sha256:5a99438a9ced8193f1d71209d0b558fdc0b184aee5cf258e5f7aa9a6ab0f0671", n.get("manifests").get(1).get("digest").asText());
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
    Path golden = SharedData.apkoTestdata().resolve("golden");
    Path copy = TestLayouts.copy(golden, tmp.resolve("golden"));
    Path cfg = copy.resolve("blobs/sha256/6c815259150f37d000417f9a93f41bddf74dff905c745986069d4b03e954ac1d");
    cfg.toFile().setWritable(true);
    String s = Files.readString(cfg);
    Files.writeString(cfg, s.replace("amd64", "amd65"));
    Run r = run("inspect", "oci:" + copy);
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("BLOB_DIGEST_MISMATCH"), r.err());
  }

  @Test
  void nestedIndexShowsThePathToEachImage(@TempDir Path tmp) throws Exception {
    Path golden = SharedData.apkoTestdata().resolve("golden");
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
