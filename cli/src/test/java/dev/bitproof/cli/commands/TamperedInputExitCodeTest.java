package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestLayouts;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 18 end to end: a tampered input exits 1 (never 0, never a usage error), on the demo's own image. */
class TamperedInputExitCodeTest {
  static Path demo() {
    return SharedData.testdata("demo");
  }

  static Run verify(Path published, String... extra) {
    java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of("verify", demo().resolve("apko.yaml").toString(),
        "--image", "oci:" + published, "--lockfile", demo().resolve("apko.lock.json").toString(),
        "--context", demo().toString(), "--no-policy", "--format", "json"));
    a.addAll(java.util.List.of(extra));
    return run(a.toArray(String[]::new));
  }

  @Test
  void anUnknownIndexEntryFailsCompare(@TempDir Path tmp) throws Exception {
    Path p = TestLayouts.copy(demo().resolve("published"), tmp.resolve("p"));
    TestLayouts.editIndex(p, i -> {
      ObjectNode e = ((ObjectNode) i.get("manifests").get(0)).deepCopy();
      e.put("mediaType", "application/vnd.oci.image.manifest.v1+json+evil");
      ((ArrayNode) i.get("manifests")).add(e);
    });
    Run r = run("compare", "oci:" + demo().resolve("published"), "oci:" + p, "--format", "json");
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("INDEX_ENTRY_UNKNOWN"), r.out());
  }

  @Test
  void aMissingArchFailsVerifyUnlessNarrowedWithArch(@TempDir Path tmp) throws Exception {
    Path p = TestLayouts.copy(demo().resolve("published"), tmp.resolve("p"));
    TestLayouts.editIndex(p, i -> ((ArrayNode) i.get("manifests")).remove(1));
    Run r = verify(p);
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("PLATFORM_MISSING"), r.out());
    Run narrowed = verify(p, "--arch", "x86_64");
    assertEquals(0, narrowed.code(), narrowed.out() + narrowed.err());
  }

  @Test
  void aDuplicatedSpdxIdIsExit1NotAUsageError(@TempDir Path tmp) throws Exception {
    Path layout = demo().resolve("published");
    Run gen = run("sbom", "generate", "oci:" + layout, "--format", "spdx", "--spdx-style", "complete",
        "--platform", "linux/amd64");
    assertEquals(0, gen.code(), gen.err());
    ObjectNode doc = Json.parseObject(gen.out().getBytes(java.nio.charset.StandardCharsets.UTF_8), "spdx");
    ArrayNode pkgs = (ArrayNode) doc.get("packages");
    ((ObjectNode) pkgs.get(pkgs.size() - 1)).put("SPDXID", pkgs.get(0).get("SPDXID").asText());
    Path f = tmp.resolve("dup.spdx.json");
    Files.write(f, Json.mapper().writeValueAsBytes(doc));
    Run check = run("sbom", "check", "oci:" + layout, "--sbom", f.toString(), "--format", "json");
    assertEquals(1, check.code(), check.out() + check.err());
    assertTrue(check.out().contains("SBOM_DUPLICATE_ID"), check.out());
  }
}
