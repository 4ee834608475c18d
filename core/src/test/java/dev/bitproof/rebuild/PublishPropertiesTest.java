package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/**
 * The properties apko's {@code TestPublish} and {@code TestPublishLayering} assert besides their (held back) index
 * digests, checked on our rebuild of the same inputs. {@code apko publish} pushes exactly the index that
 * {@code buildImageComponents} makes for {@code build} (no ref.name, tags only name it; SBOMs are attached as
 * separate artifacts), so the publish tests' index is our {@code build} with annotation foo=bar.
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
    Path cli = GoldenRebuildTest.cliDir();
    BuildResult r = Rebuild.run(BuildRequest.of(cli.resolve("testdata/apko.yaml"), cli)
        .withArchs(List.of("amd64", "arm64")).withAnnotations(Map.of("foo", "bar")));
    assertEarlyFiles(r);
    JsonNode idx = JSON.readTree(r.index().bytes());
    assertEquals(Map.of("foo", "bar", "org.opencontainers.image.created", "1970-01-01T00:00:00Z"),
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
   * Run where apko's test runs (internal/cli): layering.yaml's build repository {@code ./packages} does not exist
   * there, and apko skips a missing local index with a warning; the packages come from ./testdata/packages.
   */
  @Test
  void publishLayeringInputsGiveTwoLayersEarlyFilesAndRuntimeRepositories() throws IOException {
    Path cli = GoldenRebuildTest.cliDir();
    BuildResult r = Rebuild.run(BuildRequest.of(cli.resolve("testdata/layering.yaml"), cli)
        .withArchs(List.of("amd64", "arm64")).withAnnotations(Map.of("foo", "bar")));
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
