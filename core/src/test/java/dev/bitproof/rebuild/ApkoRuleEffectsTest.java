package dev.bitproof.rebuild;

import static dev.bitproof.rebuild.InstallerTest.dir;
import static dev.bitproof.rebuild.InstallerTest.file;
import static dev.bitproof.rebuild.InstallerTest.pkg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.CheckException;
import dev.bitproof.tar.TarEntryInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import dev.bitproof.testing.TestApkoImage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules no golden of the history folder exercises, checked on what each does: the pre-#1811 db record, mtimes
 * before v0.19.0, and the layering changes. The builds use the apko-style fixture repository ({@link TestApkoImage}),
 * the layering one a config shaped as apko's {@code layering.yaml} of v1.2.25 (origin strategy, a build-only local
 * repository that is absent, a runtime-only one): what is checked is each rule's effect, not upstream bytes.
 */
class ApkoRuleEffectsTest {
  @TempDir
  static Path fixtureDir;
  static TestApkoImage.Built fixture;
  static Path layering;

  @BeforeAll
  static void buildFixture() throws IOException {
    fixture = TestApkoImage.build(fixtureDir);
    layering = Files.writeString(fixtureDir.resolve("layering.yaml"), """
        contents:
          keyring:
            - ./keys/bitproof-fixture.rsa.pub
          build_repositories:
            - ./packages
          runtime_repositories:
            - apk.example.invalid/runtime-only-repo
          repositories:
            - ./repo
          packages:
            - fixture-hello

        entrypoint:
          command: /usr/bin/hello

        archs:
        - x86_64
        - aarch64

        layering:
          strategy: origin
          budget: 2
        """);
  }

  static ApkoRules rules(String v) {
    return ApkoRules.select(v);
  }

  /** sortTarHeaders: no files in /, no empty top-level directory, no "F:" line, perms masked to 0777. */
  @Test
  void pre1811RecordLeavesOutTopLevelFilesAndEmptyTopDirsAndMasksSetuid() {
    List<TarEntryInfo> files = List.of(dir("a", 0755, 0), dir("a/sub", 0700, 0), file("a/z", "z", 04755, 0, 0, Map.of()),
        dir("empty", 0755, 0), file("top", "t", 0644, 0, 0, Map.of()));
    PackageContent p = pkg("p", List.of(), List.of(), List.of());
    String old = new String(InstalledDb.record(p, files, InstalledDb.Format.PRE_1811), StandardCharsets.UTF_8);
    String now = new String(InstalledDb.record(p, files, InstalledDb.Format.CURRENT), StandardCharsets.UTF_8);
    String oldFiles = old.substring(old.indexOf("\nF:") + 1);
    assertTrue(oldFiles.startsWith("F:a\nR:z\na:0:0:0755\nZ:"), old);
    assertTrue(oldFiles.contains("F:a/sub\nM:0:0:0700\n"), old);
    assertFalse(old.contains("R:top") || old.contains("F:empty") || old.contains("F:\n"), old);
    assertTrue(now.contains("F:\nR:top\n") && now.contains("F:empty\n") && now.contains("a:0:0:4755"), now);
  }

  static List<String[]> entries(byte[] tar) throws IOException {
    List<String[]> out = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        out.add(new String[] {e.getName(), String.valueOf(e.getLastModifiedTime().toInstant().getEpochSecond()),
            new String(in.readAllBytes(), StandardCharsets.UTF_8)});
      }
    }
    return out;
  }

  /** Before v0.19.0 every tar entry had mtime SOURCE_DATE_EPOCH; from then on packages' own mtimes are kept. */
  @Test
  void beforeV019EveryEntryTakesTheSourceDateEpoch() throws IOException {
    BuildRequest req = BuildRequest.of(fixture.config(), fixture.dir()).withLockFile(fixture.lock())
        .withSourceDateEpoch(1_700_000_000L);
    BuildResult old = Rebuild.run(req.withRules(rules("v0.18.1")));
    for (String[] e : entries(old.images().get(0).layers().get(0).tar())) {
      assertEquals("1700000000", e[1], e[0]);
    }
    BuildResult now = Rebuild.run(req.withRules(rules("v0.19.0")));
    assertTrue(entries(now.images().get(0).layers().get(0).tar()).stream().anyMatch(e -> !e[1].equals("1700000000")),
        "v0.19.0 keeps the packages' mtimes");
  }

  static BuildResult layered(String version) throws IOException {
    return Rebuild.run(BuildRequest.of(layering, fixture.dir()).withArchs(List.of("amd64"))
        .withRules(rules(version)));
  }

  /** The top layer (apko's own files: etc/apk/repositories, the db), above the package layers. */
  static byte[] top(BuildResult r) {
    var layers = r.images().get(0).layers();
    return layers.get(layers.size() - 1).tar();
  }

  static List<String> names(byte[] tar) throws IOException {
    return entries(tar).stream().map(e -> e[0]).toList();
  }

  @Test
  void layeringRulesPerRelease() throws IOException {
    CheckException none = assertThrows(CheckException.class, () -> layered("v0.25.7"));
    assertEquals(RebuildCode.BUILD_UNSUPPORTED, none.code());

    // v0.26.0: package layer without a db; the top layer still lists the build repository
    BuildResult v026 = layered("v0.26.0");
    assertFalse(names(v026.images().get(0).layers().get(0).tar()).contains("lib/apk/db/installed"));
    String repos026 = new String(GoldenRebuildTest.tarEntry(top(v026),
        "etc/apk/repositories"), StandardCharsets.UTF_8);
    assertTrue(repos026.contains("./packages"), repos026);
    String repos027 = new String(GoldenRebuildTest.tarEntry(top(layered("v0.27.3")),
        "etc/apk/repositories"), StandardCharsets.UTF_8);
    assertFalse(repos027.contains("./packages"), repos027);
    assertFalse(names(layered("v0.29.3").images().get(0).layers().get(0).tar()).contains("usr/lib/apk/db/installed"));

    // v0.29.4-v0.29.8: the partial db appended last, without its parent directories
    List<String> v0294 = names(layered("v0.29.4").images().get(0).layers().get(0).tar());
    assertEquals("usr/lib/apk/db/installed", v0294.get(v0294.size() - 1));
    assertFalse(v0294.contains("usr/lib/apk/db/"), v0294.toString());

    // v0.29.9 on: written at the db, after its parent directories
    List<String> v0299 = names(layered("v0.29.9").images().get(0).layers().get(0).tar());
    int db = v0299.indexOf("usr/lib/apk/db/installed");
    assertTrue(db > 0 && v0299.subList(0, db).contains("usr/lib/apk/db/"), v0299.toString());
    String partial = entries(layered("v0.29.9").images().get(0).layers().get(0).tar()).get(db)[2];
    assertTrue(partial.startsWith("P:") && partial.endsWith("\n\n"), partial);
  }
}
