package dev.bitproof.cli.commands;

import dev.bitproof.cli.CliRunner;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.attest.Fixtures;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.MediaType;
import dev.bitproof.testing.FakeRegistry;
import dev.bitproof.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code attest sign --attach} and {@code attest verify} against a registry that implements the OCI 1.1 referrers
 * API (a loopback {@link FakeRegistry}; Debian's docker-registry 2.8 lacks it and is covered by
 * {@link AttestRegistryTest}): the registry answers {@code OCI-Subject}, so no referrers tag is written, and
 * verification lists the attestations through {@code GET /v2/<name>/referrers/<digest>}.
 */
class AttestReferrersApiTest {
  @TempDir
  Path dir;

  @Test
  void attachAndVerifyThroughTheReferrersApi() throws Exception {
    byte[] golden = Files.readAllBytes(SharedData.testdata("demo/published/index.json"));
    Digest digest = Digest.sha256(golden);
    assertEquals(AttestRegistryTest.GOLDEN_INDEX, digest.toString());
    try (FakeRegistry reg = new FakeRegistry()) {
      reg.referrersApi(FakeRegistry.ReferrersApi.FILTERING);
      reg.putManifest("v1", MediaType.OCI_INDEX.value(), golden);
      String ref = "docker://" + reg.hostPort() + "/demo/golden:v1";
      Path report = Files.write(dir.resolve("report.json"), Fixtures.reportBytes(ref, digest));
      assertEquals(0, run("key", "generate", "--out", dir.resolve("k").toString()).code());

      CliRunner.Run sign = run("attest", "sign", report.toString(), "--key", dir.resolve("k.key").toString(), "--attach",
          "--insecure", "--format", "json", "--out", dir.resolve("a.jsonl").toString());
      assertEquals(0, sign.code(), sign.err());
      JsonNode attached = sign.json().path("attached");
      assertTrue(attached.path("referrersApi").asBoolean(), attached.toString());
      assertFalse(attached.has("tag"), attached.toString());
      assertEquals(2, attached.path("digests").size());
      assertNull(reg.manifest("sha256-" + digest.hex()), "no referrers tag on a registry with the API");
      for (JsonNode d : attached.path("digests")) {
        assertTrue(new String(reg.manifest(d.asText()), java.nio.charset.StandardCharsets.UTF_8).contains(digest.toString()));
      }

      CliRunner.Run text = run("attest", "sign", report.toString(), "--key", dir.resolve("k.key").toString(), "--attach",
          "--insecure", "--out", dir.resolve("b.jsonl").toString());
      assertEquals(0, text.code(), text.err());
      assertTrue(text.out().contains("attached to " + ref + " (referrers API)"), text.out());

      CliRunner.Run ok = run("attest", "verify", ref, "--key", dir.resolve("k.pub").toString(), "--type", "vsa", "--insecure");
      assertEquals(0, ok.code(), ok.out() + ok.err());
      assertTrue(ok.out().contains(ref + " referrers API "), ok.out());
      assertTrue(ok.out().contains("PASS " + digest), ok.out());
      assertTrue(reg.seen().stream().anyMatch(r -> r.method().equals("GET")
          && r.path().startsWith("/v2/demo/golden/referrers/" + digest + "?artifactType=")), reg.seen().toString());
    }
  }
}
