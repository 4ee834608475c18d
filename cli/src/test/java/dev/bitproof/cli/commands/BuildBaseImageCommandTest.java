package dev.bitproof.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.rebuild.BuildRequest;
import dev.bitproof.rebuild.Rebuild;
import dev.bitproof.cli.CliRunner;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.rebuild.TestBaseImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bitproof build} in base-image mode and with origin layering, end to end, on repositories the tests build. */
class BuildBaseImageCommandTest {
  /** On a base image the test builds ({@code TestBaseImage}: our own build of a small signed repository). */
  @Test
  void buildsOnTheBaseImageAndKeepsItsLayer(@TempDir Path tmp) throws Exception {
    TestBaseImage f = TestBaseImage.build(tmp.resolve("fixture"));
    Path cfg = f.config("on-top", TestBaseImage.CONFIG);
    Path lock = tmp.resolve("on-top.apko.lock.json");
    Run locked = CliRunner.run("build", "-C", f.dir.toString(), cfg.toString(), "--lock-only", "--write-lock",
        lock.toString(), "--format", "json");
    assertEquals(0, locked.code(), locked.err());
    JsonNode lj = Json.parse(locked.out().getBytes(StandardCharsets.UTF_8), "stdout");
    assertEquals("PASS", lj.get("result").asText());
    assertEquals("lock", lj.get("action").asText());
    assertEquals(1, lj.get("packages").size(), "app; fixture-baselayout is the base's");
    assertEquals(new String(Rebuild.lock(BuildRequest.of(cfg, f.dir)).toBytes(), StandardCharsets.UTF_8), Files.readString(lock));
    Run bad = CliRunner.run("build", "-C", f.dir.toString(), cfg.toString(), "--lock-only");
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("BUILD_OPTIONS_INVALID"), bad.err());

    Run r = CliRunner.run("build", "-C", f.dir.toString(), cfg.toString(), "--lockfile", lock.toString(),
        "-o", "oci:" + tmp.resolve("out"), "--format", "json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout");
    assertEquals(1, j.get("images").size());
    assertEquals(2, j.get("images").get(0).get("layers").size(), j.toString());
    String baseLayer = f.base.images().get(0).layers().get(0).descriptor().digest().toString();
    assertEquals(baseLayer, j.get("images").get(0).get("layers").get(0).get("digest").asText(), "base layer as published");
    assertTrue(Files.exists(tmp.resolve("out/blobs/sha256").resolve(baseLayer.substring("sha256:".length()))));

    Run noLock = CliRunner.run("build", "-C", f.dir.toString(), cfg.toString(), "-o", "oci:" + tmp.resolve("x"));
    assertEquals(2, noLock.code(), "a base image needs a lock file, as in apko: " + noLock.err());
    assertTrue(noLock.err().contains("BUILD_BASE_IMAGE_NEEDS_LOCK"), noLock.err());
  }

  @Test
  void layeringConfigGivesALayerPerOriginAndTheTop(@TempDir Path tmp) throws Exception {
    // the apko-style repository the tests build; its two packages have different origins: a layer each, then the top
    dev.bitproof.testing.TestApkoImage.Built fx = dev.bitproof.testing.TestApkoImage.build(tmp.resolve("fixture"));
    Path layering = Files.writeString(fx.dir().resolve("layering.yaml"), Files.readString(fx.config())
        + "\nlayering:\n  strategy: origin\n  budget: 2\n");
    Run r = CliRunner.run("build", "-C", fx.dir().toString(), layering.toString(), "--annotation", "foo=bar",
        "-o", "oci:" + tmp.resolve("out"), "--format", "json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout");
    assertEquals(2, j.get("images").size());
    for (JsonNode img : j.get("images")) {
      assertEquals(3, img.get("layers").size(), img.toString());
    }
  }
}
