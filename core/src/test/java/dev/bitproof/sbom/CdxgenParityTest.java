package dev.bitproof.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.Json;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sbom generate} against cdxgen ({@code @cyclonedx/cdxgen}, {@code -t rootfs}, installed by {@code .ci/run}) on
 * the same test image: cdxgen's SBOM checks clean, and the component sets agree for the ecosystems both cover, every
 * difference named and explained below.
 */
class CdxgenParityTest {
  static Path root;
  static Path tarFile;
  static boolean haveGo;
  static byte[] cdxgen;
  static byte[] ours;

  static Optional<Path> cdxgenBinary() {
    for (String p : List.of("/usr/bin/cdxgen", "/usr/local/bin/cdxgen")) {
      if (Files.isExecutable(Path.of(p))) {
        return Optional.of(Path.of(p));
      }
    }
    return Optional.empty();
  }

  @BeforeAll
  static void run(@TempDir Path dir) throws Exception {
    Optional<Path> bin = cdxgenBinary();
    if (bin.isEmpty()) {
      String why = "skipped: cdxgen is not installed (npm install -g @cyclonedx/cdxgen; .ci/run installs it)";
      if (System.getenv("BITPROOF_REQUIRE_PEERS") != null) {
        throw new AssertionError(why + " and BITPROOF_REQUIRE_PEERS is set");
      }
      System.out.println("CdxgenParityTest: " + why);
      Assumptions.assumeTrue(false, why);
    }
    Optional<byte[]> go = EcosystemImage.go().isPresent() ? Optional.of(EcosystemImage.buildGo(dir.resolve("go"))) : Optional.empty();
    haveGo = go.isPresent();
    byte[] tar = EcosystemImage.tar(go);
    tarFile = dir.resolve("rootfs.tar");
    Files.write(tarFile, tar);
    root = dir.resolve("root");
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        Path p = root.resolve(e.getName());
        Files.createDirectories(p.getParent());
        Files.write(p, in.readAllBytes());
        if (e.getName().equals(EcosystemImage.GO_BIN)) {
          p.toFile().setExecutable(true);
        }
      }
    }
    Path out = dir.resolve("cdxgen.json");
    ProcessBuilder pb = new ProcessBuilder(bin.get().toString(), "-t", "rootfs", "-o", out.toString(), root.toString())
        .directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("FETCH_LICENSE", "false"); // offline
    pb.environment().put("CDXGEN_TEMP_DIR", dir.resolve("cdxgen-tmp").toString());
    Process p = pb.start();
    byte[] log = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0 && Files.exists(out),
        "cdxgen failed: " + new String(log, StandardCharsets.UTF_8));
    cdxgen = Files.readAllBytes(out);

    dev.bitproof.image.ImageFilesystem fs = new dev.bitproof.image.ImageFilesystem.Builder()
        .addLayer(new ByteArrayInputStream(tar), "rootfs", ImageContents.KEEP).build();
    LanguageScan scan = new LanguageScan().layer(new ByteArrayInputStream(tar), "rootfs");
    ours = Files.readAllBytes(dir.resolve("cdxgen.json")); // replaced below by our own generation
    TestLayers.ociLayout(dir.resolve("layout"), tar);
    LoadedImage img = SbomGeneratorTest.layout(dir.resolve("layout"));
    ours = LayerSbom.cycloneDxJson(LayerSbom.cycloneDx(img, new LayerSbom.Options("test", "eco", Optional.empty(), false),
        scan.result(fs).packages()));
  }

  /** type:name@version of every component of an ecosystem both tools read, versions as each ecosystem compares. */
  static Set<String> components(byte[] sbom) {
    SbomDocument d = SbomReader.read(sbom, "s");
    Set<String> out = new TreeSet<>();
    for (SbomComponent c : d.components()) {
      if (c.purl().isEmpty()) {
        continue;
      }
      Purl p = c.purl().get();
      String version = p.version().isEmpty() ? c.version() : p.version();
      Optional<LanguagePackage.Ecosystem> eco = LanguagePackage.Ecosystem.ofPurlType(p.type());
      if (eco.isPresent()) {
        if (eco.get() == LanguagePackage.Ecosystem.GOLANG && version.equals("(devel)")) {
          version = ""; // see Versions.same: cdxgen writes a work-tree main module without a version
        }
        out.add(p.type() + ":" + LanguagePackage.key(eco.get(), p) + "@" + version);
      } else if (p.type().equals("apk") || p.type().equals("deb")) {
        out.add(p.type() + ":" + p.name() + "@" + version);
      }
    }
    return out;
  }

  @Test
  void cdxgensSbomOfTheTestImageChecksClean() throws Exception {
    SbomVerification.Result r = SbomVerification.runRootfs(Rootfs.of(tarFile),
        List.of(new SbomVerification.Input("cdxgen.json", cdxgen, Optional.empty())));
    Set<Code> failing = r.findings().stream().filter(Finding::fails).map(Finding::code).collect(Collectors.toSet());
    assertEquals(Set.of(), failing, r.findings().toString());
    // cdxgen treats a jar that bundles jars as the application: it lists the bundled dev.demo/dep, not dev.demo/app
    List<Finding> fat = r.findings().stream().filter(f -> f.code() == SbomCode.SBOM_FAT_JAR_OMITTED).toList();
    assertEquals(1, fat.size(), r.findings().toString());
    assertTrue(fat.get(0).subject().startsWith("pkg:maven/dev.demo/app@2.0.1"), fat.toString());
  }

  @Test
  void componentSetsAgreeForSharedEcosystems() {
    Set<String> cdx = components(cdxgen);
    Set<String> bp = components(ours);
    Set<String> onlyOurs = new TreeSet<>(bp);
    onlyOurs.removeAll(cdx);
    Set<String> onlyCdxgen = new TreeSet<>(cdx);
    onlyCdxgen.removeAll(bp);
    // the jar that bundles BOOT-INF/lib/dep-0.9.jar: cdxgen lists what it bundles but not the jar itself (it takes it
    // for the application); bitproof lists both, since its pom.properties names it
    assertEquals(Set.of("maven:dev.demo/app@2.0.1"), onlyOurs, "bitproof only; cdxgen: " + cdx);
    assertEquals(Set.of(), onlyCdxgen, "cdxgen only; bitproof: " + bp);
    assertTrue(bp.containsAll(Set.of("apk:hello@2.12-r0", "pypi:demo-pkg@1.0.0a1", "npm:@demo/left-pad@1.3.0",
        "maven:dev.demo/app@2.0.1")), bp.toString());
    if (haveGo) {
      assertTrue(bp.containsAll(Set.of("golang:example.com/hello@", "golang:example.com/greet@v1.2.3")), bp.toString());
    }
  }
}
