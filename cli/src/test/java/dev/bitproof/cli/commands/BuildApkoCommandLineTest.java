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
import dev.bitproof.rebuild.ApkoTarball;
import dev.bitproof.testing.SharedData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * apko's own README command line, {@code apko build examples/alpine-base.yaml apko-alpine:test apko-alpine.tar}, with
 * the program name changed, on the demo repository (its config copied to {@code examples/alpine-base.yaml}).
 */
class BuildApkoCommandLineTest {
  static final Path DEMO = SharedData.testdata("demo");

  /** The demo's config, keys and packages in a working directory, the config where apko's README has it. */
  static Path workdir(Path tmp) throws IOException {
    Path wd = Files.createDirectories(tmp.resolve("wd"));
    for (String d : List.of("keys", "packages")) {
      try (Stream<Path> s = Files.walk(DEMO.resolve(d))) {
        for (Path p : (Iterable<Path>) s::iterator) {
          Path t = wd.resolve(DEMO.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(t);
          } else {
            Files.copy(p, t);
          }
        }
      }
    }
    Files.copy(DEMO.resolve("apko.yaml"), Files.createDirectories(wd.resolve("examples")).resolve("alpine-base.yaml"));
    return wd;
  }

  static Map<String, byte[]> members(Path tar) throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
        m.put(e.getName(), t.readAllBytes());
      }
    }
    return m;
  }

  @Test
  void apkosReadmeCommandLineBuildsTheDemoImage(@TempDir Path tmp) throws Exception {
    Path wd = workdir(tmp);
    Run r = run("build", "-C", wd.toString(), "examples/alpine-base.yaml", "apko-alpine:test", "apko-alpine.tar",
        "--arch", "x86_64,aarch64", "--annotations", "org.opencontainers.image.title:bitproof demo",
        "--annotations", "org.opencontainers.image.vendor:bitproof", "--format", "json");
    assertEquals(0, r.code(), r.err());
    byte[] published = Files.readAllBytes(DEMO.resolve("published/index.json"));
    JsonNode j = r.json();
    assertEquals(Digest.sha256(published).toString(), j.get("index").asText(), "the same image the demo published");

    Map<String, byte[]> tar = members(wd.resolve("apko-alpine.tar"));
    assertArrayEquals(published, tar.get("index.json"), "index.json appended as apko does");
    JsonNode manifest = Json.parse(tar.get("manifest.json"), "manifest.json");
    assertEquals(2, manifest.size());
    assertEquals("index.docker.io/library/apko-alpine:test-amd64", manifest.get(0).get("RepoTags").get(0).asText());
    assertEquals("index.docker.io/library/apko-alpine:test-arm64", manifest.get(1).get("RepoTags").get(0).asText());
    for (JsonNode item : manifest) {
      String cfg = item.get("Config").asText();
      assertTrue(cfg.startsWith("sha256:") && tar.containsKey(cfg), cfg);
      assertEquals(Digest.parse(cfg), Digest.sha256(tar.get(cfg)));
      String layer = item.get("Layers").get(0).asText();
      assertTrue(layer.endsWith(".tar.gz") && tar.containsKey(layer), layer);
      assertEquals(layer.substring(0, 64), Digest.sha256(tar.get(layer)).hex());
    }
    JsonNode index = Json.parse(published, "index");
    for (JsonNode m : index.get("manifests")) {
      String d = m.get("digest").asText();
      assertArrayEquals(Files.readAllBytes(DEMO.resolve("published/blobs/sha256/" + d.substring(7))), tar.get(d));
    }
    try (Stream<Path> s = Files.list(wd)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".partial")), "no temporary file left");
    }

    // SBOMs as apko names them, in the working directory (apko's default --sbom-path is where it runs)
    for (String f : List.of("sbom-x86_64.spdx.json", "sbom-aarch64.spdx.json", "sbom-index.spdx.json")) {
      assertTrue(Files.isRegularFile(wd.resolve(f)), f);
    }
    JsonNode idxSbom = Json.parse(Files.readAllBytes(wd.resolve("sbom-index.spdx.json")), "sbom");
    assertEquals("SPDX-2.3", idxSbom.get("spdxVersion").asText());
    assertTrue(idxSbom.toString().contains("pkg:oci/apko-alpine@" + Digest.sha256(published)),
        idxSbom.toString());
    assertEquals(3, j.get("sboms").size());
  }

  @Test
  void anExistingOutputDirectoryGetsAnOciLayoutAndSbomPathIsHonoured(@TempDir Path tmp) throws Exception {
    Path wd = workdir(tmp);
    Files.createDirectories(wd.resolve("layout"));
    Run r = run("build", "-C", wd.toString(), "examples/alpine-base.yaml", "apko-alpine:test", "layout",
        "--annotations", "org.opencontainers.image.title:bitproof demo,org.opencontainers.image.vendor:bitproof",
        "--sbom-path", "sboms");
    assertEquals(0, r.code(), r.err());
    assertArrayEquals(Files.readAllBytes(DEMO.resolve("published/index.json")), Files.readAllBytes(wd.resolve("layout/index.json")));
    assertTrue(Files.isRegularFile(wd.resolve("sboms/sbom-index.spdx.json")));
    assertFalse(Files.exists(wd.resolve("sbom-index.spdx.json")));
    Run noSbom = run("build", "-C", wd.toString(), "examples/alpine-base.yaml", "apko-alpine:test", "out.tar",
        "--sbom=false", "--sbom-path", "none");
    assertEquals(0, noSbom.code(), noSbom.err());
    assertFalse(Files.exists(wd.resolve("none")));
  }

  @Test
  void apkoFlagRulesAreUsageErrors(@TempDir Path tmp) throws Exception {
    Path wd = workdir(tmp);
    for (List<String> bad : List.of(
        List.of("--annotations", "NoColon"),
        List.of("--annotations", "Upper.Case:v"),
        List.of("--annotations", "a:1", "--annotations", "a:2"),
        List.of("--annotations", "a:"),
        List.of("--sbom-formats", "cyclonedx"),
        List.of("--build-date", "yesterday"),
        List.of("--arch", "vax"))) {
      List<String> args = new java.util.ArrayList<>(List.of("build", "-C", wd.toString(), "examples/alpine-base.yaml",
          "t:1", "o.tar"));
      args.addAll(bad);
      Run r = run(args.toArray(String[]::new));
      assertEquals(2, r.code(), bad + ": " + r.err());
      assertFalse(Files.exists(wd.resolve("o.tar")), bad.toString());
    }
    Run two = run("build", "-C", wd.toString(), "examples/alpine-base.yaml", "t:1");
    assertEquals(2, two.code(), two.err());
    Run both = run("build", "-C", wd.toString(), "examples/alpine-base.yaml", "t:1", "o.tar", "-o", "oci:x");
    assertEquals(2, both.code(), both.err());
  }

  @Test
  void archAllAndHostAndBuildDateFollowApko() {
    assertEquals(9, BuildCommand.archs(List.of("all"), "amd64").size());
    assertEquals(List.of("amd64"), BuildCommand.archs(List.of("host"), "amd64"));
    assertEquals(List.of("arm64"), BuildCommand.archs(List.of("host"), "aarch64"));
    assertEquals(List.of("x86_64", "all"), BuildCommand.archs(List.of("x86_64", "all"), "amd64"), "'all' only alone");
    assertEquals(OptionalLong.of(1704164645L), BuildCommand.epoch(null, "2024-01-02T03:04:05Z", "7"));
    assertEquals(OptionalLong.of(7L), BuildCommand.epoch(null, null, "7"));
    assertEquals(OptionalLong.of(9L), BuildCommand.epoch(9L, "2024-01-02T03:04:05Z", "7"));
    assertEquals(OptionalLong.empty(), BuildCommand.epoch(null, null, null));
  }

  @Test
  void theTagsInTheTarballAreGgcrsQualifiedNames() {
    assertEquals("index.docker.io/library/apko-alpine:test", ApkoTarball.qualifiedName("apko-alpine:test"));
    assertEquals("index.docker.io/library/apko-alpine:latest", ApkoTarball.qualifiedName("apko-alpine"));
    assertEquals("localhost:5000/team/app:latest", ApkoTarball.qualifiedName("localhost:5000/team/app"));
    assertEquals("ghcr.io/x/y:1.2", ApkoTarball.qualifiedName("ghcr.io/x/y:1.2"));
  }
}
