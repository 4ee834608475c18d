package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bitproof build} compresses like apko by default: apko's TestBuild inputs give the golden layer,
 * manifest and index digests with no published blob reused.
 */
class BuildCompressionTest {
  @Test
  void defaultCompressionRebuildsTheGoldenIndexFromInputsAlone(@TempDir Path tmp) throws Exception {
    Path cli = SharedData.require("apk/apko/internal/cli");
    Path out = tmp.resolve("out");
    Run r = run(BuildCommandTest.golden(cli, out, "--lockfile",
        "testdata/apko.lock.json", "--format", "json").toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    JsonNode j = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout");
    assertEquals(BuildCommandTest.INDEX, j.get("index").asText());
    JsonNode layer = j.get("images").get(0).get("layers").get(0);
    assertEquals("sha256:c7557730da0e2d7fb242d8d1ac6dcf7e3a2439732aa5981270b4f3a02454b738", layer.get("digest").asText());
    assertEquals(3072, layer.get("size").asInt());
    assertEquals("pgzip-klauspost-5", layer.get("compression").asText());
    // The blobs written are the published ones, byte for byte.
    Path golden = cli.resolve("testdata/golden/blobs/sha256");
    for (String hex : new String[] {"c7557730da0e2d7fb242d8d1ac6dcf7e3a2439732aa5981270b4f3a02454b738",
        "7e0f9d62f6cab4785e18a55f17d03f20ffb776881f1f46258efd9458f7cdaf08"}) {
      byte[] ours = Files.readAllBytes(out.resolve("blobs/sha256").resolve(hex));
      assertEquals(Digest.sha256(Files.readAllBytes(golden.resolve(hex))), Digest.sha256(ours), hex);
    }
    assertEquals(Digest.parse(BuildCommandTest.INDEX), Digest.sha256(Files.readAllBytes(out.resolve("index.json"))));
  }

  @Test
  void unknownCompressionIsAUsageError(@TempDir Path tmp) {
    Run r = run(BuildCommandTest.demo(tmp.resolve("o"), "--compression", "xz", "--format", "json").toArray(String[]::new));
    assertEquals(2, r.code(), r.err());
    assertTrue(r.out().contains("COMPRESSION_UNKNOWN"), r.out());
  }
}
