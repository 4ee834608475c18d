package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.testing.LocalRegistry;
import dev.bitproof.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bitproof copy} between transports; the registry round trip is confirmed by skopeo. */
class CopyCommandTest {
  static final String GOLDEN_INDEX = "sha256:7c08727a4cc2346501dce66540aff115783a9235af93e196d99978087a9b2f59";

  @Test
  void goldenLayoutToRegistryAndBackKeepsTheIndexDigest(@TempDir Path tmp) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    String ref = "docker://" + LocalRegistry.plain() + "/" + LocalRegistry.uniqueRepository("cli-copy") + ":v1";

    Run up = run("copy", "--insecure", "--format", "json", "oci:" + golden, ref);
    assertEquals(0, up.code(), up.err());
    JsonNode n = Json.parse(up.out().getBytes(StandardCharsets.UTF_8), "copy output");
    assertEquals(GOLDEN_INDEX, n.get("digest").asText());
    assertEquals(4, n.get("blobsCopied").asInt());
    assertTrue(up.err().lines().allMatch(l -> l.startsWith("bitproof: copying blobs: ")),
        "progress on stderr, never a line per blob: " + up.err());
    assertFalse(up.out().contains("copying blobs"), "no progress in the JSON");

    byte[] raw = LocalRegistry.execBytes(List.of(LocalRegistry.skopeo().toString(), "inspect", "--raw", "--tls-verify=false", ref));
    assertEquals(GOLDEN_INDEX, Digest.sha256(raw).toString(), "skopeo sees our index digest");

    Path back = tmp.resolve("back");
    Run down = run("copy", "--insecure", ref, "oci:" + back);
    assertEquals(0, down.code(), down.err());
    assertTrue(down.out().contains("copied index " + GOLDEN_INDEX), down.out());
    assertArrayEquals(Files.readAllBytes(golden.resolve("index.json")), Files.readAllBytes(back.resolve("index.json")));

    Run inspect = run("inspect", "--insecure", ref);
    assertEquals(0, inspect.code(), inspect.err());
    assertTrue(inspect.out().contains(GOLDEN_INDEX), inspect.out());
  }

  @Test
  void credentialsFromFlagsCredsAndEnvironmentShapedFlags(@TempDir Path tmp) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    LocalRegistry.Endpoint ep = LocalRegistry.basicTls();
    String ref = ep.ref(LocalRegistry.uniqueRepository("cli-basic"), "v1");
    Path emptyConfig = tmp.resolve("none.json");

    Run anon = run("copy", "--insecure", "--docker-config", emptyConfig.toString(), "--format", "json", "oci:" + golden, ref);
    assertEquals(3, anon.code(), anon.err());
    assertEquals("REGISTRY_UNAUTHORIZED", Json.parse(anon.out().getBytes(StandardCharsets.UTF_8), "e").get("error").get("code").asText());

    Run creds = run("copy", "--insecure", "--creds", LocalRegistry.USERNAME + ":" + LocalRegistry.PASSWORD, "oci:" + golden, ref);
    assertEquals(0, creds.code(), creds.err());

    Run userPass = run("inspect", "--insecure", "--username", LocalRegistry.USERNAME, "--password", LocalRegistry.PASSWORD, ref);
    assertEquals(0, userPass.code(), userPass.err());
    assertTrue(userPass.out().contains(GOLDEN_INDEX));

    Path config = tmp.resolve("config.json");
    String auth = java.util.Base64.getEncoder().encodeToString(
        (LocalRegistry.USERNAME + ":" + LocalRegistry.PASSWORD).getBytes(StandardCharsets.UTF_8));
    Files.writeString(config, "{\"auths\":{\"" + ep.hostPort() + "\":{\"auth\":\"" + auth + "\"}}}");
    Run fromConfig = run("inspect", "--insecure", "--docker-config", config.toString(), ref);
    assertEquals(0, fromConfig.code(), fromConfig.err());

    Run badCreds = run("inspect", "--insecure", "--creds", "nocolon", ref);
    assertEquals(2, badCreds.code(), badCreds.err());
  }

  @Test
  void archivesAndPlatformSelection(@TempDir Path tmp) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    Path oa = tmp.resolve("golden-oci.tar");
    assertEquals(0, run("copy", "--quiet", "oci:" + golden, "oci-archive:" + oa).code());
    Run viaArchive = run("inspect", "oci-archive:" + oa);
    assertTrue(viaArchive.out().contains("index    " + GOLDEN_INDEX), viaArchive.out());

    Path da = tmp.resolve("golden-docker.tar");
    Run noPlatform = run("copy", "oci-archive:" + oa, "docker-archive:" + da + ":golden:v1");
    assertEquals(2, noPlatform.code(), noPlatform.err());
    assertTrue(noPlatform.err().contains("ARCHIVE_SINGLE_IMAGE"), noPlatform.err());

    Run arm = run("copy", "--platform", "linux/arm64", "--format", "json", "oci-archive:" + oa, "docker-archive:" + da + ":golden:v1");
    assertEquals(0, arm.code(), arm.err());
    assertEquals("sha256:890b8c759ed5ef7f572e963f8a1fbd018e287ab0bb49e7a3e682753597d61e69",
        Json.parse(arm.out().getBytes(StandardCharsets.UTF_8), "copy").get("digest").asText());
    Run inspect = run("inspect", "--format", "json", "docker-archive:" + da);
    assertEquals(0, inspect.code(), inspect.err());
    JsonNode n = Json.parse(inspect.out().getBytes(StandardCharsets.UTF_8), "inspect");
    assertEquals("sha256:ffa16a170bf44b12ccc0665d52a6b326da2d729142a68b2cfbc22cc3f2d04910",
        n.get("manifests").get(0).get("config").get("digest").asText());
    assertEquals("sha256:3edde6f55c12909cfedfdb95b2f76edb83909e06d5404995f20c30de35aa72fb",
        n.get("manifests").get(0).get("layers").get(0).get("digest").asText());
  }
}
