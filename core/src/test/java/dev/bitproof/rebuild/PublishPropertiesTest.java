package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import dev.bitproof.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The properties apko's {@code TestPublish} and {@code TestPublishLayering} assert besides their (held back) index
 * digests, checked on our build of inputs shaped like theirs: the demo's ({@code testdata/demo}: a baselayout with
 * etc/os-release and a package on it, two arches) for TestPublish, and a repository the test writes like apko's
 * layering packages for TestPublishLayering. {@code apko publish} pushes exactly the index that
 * {@code buildImageComponents} makes for {@code build} (no ref.name, tags only name it; SBOMs are attached as
 * separate artifacts), so the publish tests' index is our {@code build} with annotation foo=bar. None of these
 * properties depends on apko's own packages; that their image is apko's byte for byte is {@code GoldenRebuildTest}'s.
 */
class PublishPropertiesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> EARLY = List.of("etc/apk/repositories", "etc/passwd", "etc/apko.json", "etc/os-release");

  /**
   * apko's {@code checkEarlyFiles}: offsets (sum of the sizes of the entries before) in ggcr's
   * {@code mutate.Extract} stream, which walks layers top first and skips a path an upper layer already gave.
   */
  static Map<String, Long> extractOffsets(List<BuildResult.Layer> layers) throws IOException {
    Map<String, Long> offsets = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    long offset = 0;
    for (int i = layers.size() - 1; i >= 0; i--) {
      try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(layers.get(i).tar()))) {
        TarArchiveEntry e;
        while ((e = in.getNextEntry()) != null) {
          String name = e.getName().replaceAll("/+$", "");
          if (!seen.add(name)) {
            continue;
          }
          offsets.put(name, offset);
          offset += e.isLink() ? 0 : e.getSize();
        }
      }
    }
    return offsets;
  }

  static void assertEarlyFiles(BuildResult r) throws IOException {
    // the test reads the index's first manifest: amd64 (entries sorted by OCI arch)
    BuildResult.ArchImage first = r.images().get(0);
    assertEquals("amd64", first.arch().oci());
    Map<String, Long> offsets = extractOffsets(first.layers());
    for (String f : EARLY) {
      assertTrue(offsets.containsKey(f), f + " missing: " + offsets.keySet());
      assertTrue(offsets.get(f) < 4000, f + " starts at " + offsets.get(f) + " (apko's test wants < 4000)");
    }
  }

  @Test
  void publishInputsGiveEarlyFilesAndTheFooBarAnnotation() throws IOException {
    Path demo = SharedData.testdata("demo");
    BuildResult r = Rebuild.run(BuildRequest.of(demo.resolve("apko.yaml"), demo)
        .withArchs(List.of("amd64", "arm64")).withAnnotations(Map.of("foo", "bar")));
    assertEquals(2, r.images().size());
    assertEarlyFiles(r);
    JsonNode idx = JSON.readTree(r.index().bytes());
    // no SOURCE_DATE_EPOCH: created is the newest package's build date (the demo's were built at 1700000000)
    assertEquals(Map.of("foo", "bar", "org.opencontainers.image.created", "2023-11-14T22:13:20Z"),
        JSON.convertValue(idx.get("annotations"), Map.class), "index annotations: foo=bar and created, no ref.name");
    for (BuildResult.ArchImage img : r.images()) {
      assertEquals(1, img.layers().size());
      JsonNode cfg = JSON.readTree(img.config());
      assertEquals(Rebuild.HISTORY_SINGLE, cfg.get("history").get(0).get("comment").asText(),
          "no title/vendor annotation, so the single-layer comment");
      assertEquals("bar", cfg.get("config").get("Labels").get("foo").asText());
      // the annotation reaches the layer through /etc/apko.json
      assertTrue(new String(GoldenRebuildTest.tarEntry(img.layers().get(0).tar(), "etc/apko.json"),
          StandardCharsets.UTF_8).contains("\"annotations\":{\"foo\":\"bar\"}"));
    }
  }

  /**
   * layering.yaml's shape: origin layering with budget 2, a runtime-only repository, and a build repository
   * {@code ./packages} that does not exist where the build runs (as in apko's test, run from internal/cli): apko
   * skips a missing local index with a warning, and the packages come from the ordinary repository.
   */
  @Test
  void publishLayeringInputsGiveTwoLayersEarlyFilesAndRuntimeRepositories(@TempDir Path tmp) throws IOException {
    TestRepo t = new TestRepo(tmp.resolve("inputs"));
    for (String arch : List.of("x86_64", "aarch64")) {
      t.packagesAppend(arch, ConfigFeaturesTest.layeringPackages(t, arch)).finishIndex(arch);
    }
    Path cfg = Files.writeString(tmp.resolve("layering.yaml"), """
        contents:
          keyring:
            - %s
          build_repositories:
            - ./packages
          runtime_repositories:
            - apk.cgr.dev/runtime-only-repo
          repositories:
            - %s
          packages:
            - replayout

        entrypoint:
          command: /bin/sh -l

        archs:
        - x86_64
        - aarch64

        layering:
          strategy: origin
          budget: 2
        """.formatted(t.keyFile, t.repo));
    BuildResult r = Rebuild.run(BuildRequest.of(cfg, tmp)
        .withArchs(List.of("amd64", "arm64")).withAnnotations(Map.of("foo", "bar")));
    assertEquals(2, r.images().size());
    assertEarlyFiles(r);
    assertTrue(r.notes().stream().anyMatch(n -> n.contains("./packages") && n.contains("skipped")), r.notes().toString());
    for (BuildResult.ArchImage img : r.images()) {
      assertEquals(2, img.layers().size(), img.arch() + ": origin budget 2");
      String repos = new String(GoldenRebuildTest.tarEntry(img.layers().get(1).tar(), "etc/apk/repositories"),
          StandardCharsets.UTF_8);
      assertFalse(List.of(repos.split("\n")).contains("./packages"), "build repository excluded: " + repos);
      assertTrue(repos.contains("apk.cgr.dev/runtime-only-repo"), repos);
      assertEquals(2, JSON.readTree(img.manifest().bytes()).get("layers").size());
    }
  }
}
