package dev.bitproof.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every language component needs evidence in the layers: a test image with one package of each ecosystem, its SBOM
 * from {@code sbom generate}, and tampered copies (fake component, wrong version, wrong hash, dropped package, wrong
 * licence), each caught with its code.
 */
class LanguageEvidenceTest {
  static Path layout;
  static boolean haveGo;
  static List<LanguagePackage> found;
  static byte[] cdx;
  static byte[] spdx;

  @BeforeAll
  static void image(@TempDir Path dir) throws Exception {
    Optional<byte[]> go = Optional.empty();
    if (EcosystemImage.go().isPresent()) {
      go = Optional.of(EcosystemImage.buildGo(dir.resolve("go")));
    } else {
      System.out.println("LanguageEvidenceTest: Go part skipped: Debian's go is not installed (apt-get install golang-go; .ci/run installs it)");
    }
    haveGo = go.isPresent();
    layout = TestLayers.ociLayout(dir.resolve("layout"), EcosystemImage.tar(go));
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + layout), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      LoadedImage img = LoadedImage.load(src, tree, tree.images().get(0));
      found = LanguageScan.read(src, tree.images().get(0).manifest(), img.contents().filesystem()).packages();
      LayerSbom.Options o = new LayerSbom.Options("test", "eco:latest", Optional.empty(), false);
      cdx = LayerSbom.cycloneDxJson(LayerSbom.cycloneDx(img, o, found));
      spdx = ApkoSpdx.render(LayerSbom.spdx(img, o, found));
    }
  }

  static SbomVerification.Result check(byte[] sbom) throws Exception {
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + layout), TransportOptions.defaults())) {
      return SbomVerification.run(src, Images.walk(src), List.of(new SbomVerification.Input("t.json", sbom, Optional.empty())),
          Optional.empty());
    }
  }

  static Set<Code> failing(SbomVerification.Result r) {
    return r.findings().stream().filter(Finding::fails).map(Finding::code).collect(Collectors.toSet());
  }

  static byte[] editComponents(Consumer<ArrayNode> change) {
    ObjectNode n = (ObjectNode) Json.parse(cdx, "t");
    change.accept((ArrayNode) n.path("components"));
    return n.toString().getBytes(StandardCharsets.UTF_8);
  }

  static ObjectNode component(ArrayNode comps, String purlPrefix) {
    for (JsonNode c : comps) {
      if (c.path("purl").asText().startsWith(purlPrefix)) {
        return (ObjectNode) c;
      }
    }
    throw new AssertionError("no component " + purlPrefix + " in " + comps);
  }

  static void remove(ArrayNode comps, Predicate<JsonNode> which) {
    for (int i = comps.size() - 1; i >= 0; i--) {
      if (which.test(comps.get(i))) {
        comps.remove(i);
      }
    }
  }

  @Test
  void eachEcosystemIsFoundInTheLayers() {
    Map<String, String> byPurlName = found.stream().collect(Collectors.toMap(p -> p.ecosystem().purlType() + ":" + p.name(),
        LanguagePackage::version, (a, b) -> a));
    assertEquals("1.0.0a1", byPurlName.get("pypi:demo-pkg"), found.toString());
    assertEquals("1.3.0", byPurlName.get("npm:@demo/left-pad"));
    assertEquals("2.0.1", byPurlName.get("maven:dev.demo/app"));
    assertEquals("0.9", byPurlName.get("maven:dev.demo/dep"), "the nested jar");
    LanguagePackage py = found.stream().filter(p -> p.name().equals("demo-pkg")).findFirst().orElseThrow();
    assertTrue(py.files().contains(EcosystemImage.PY_DIR + "demo_pkg/__init__.py"), py.files().toString());
    assertEquals("Apache-2.0", py.license());
    if (haveGo) {
      assertEquals("(devel)", byPurlName.get("golang:example.com/hello"), found.toString());
      LanguagePackage dep = found.stream().filter(p -> p.name().equals("example.com/greet")).findFirst().orElseThrow();
      assertEquals("v1.2.3", dep.version());
      assertTrue(dep.sha256().isPresent() && dep.sha256().get().length() == 64, "the h1: sum, decoded");
    }
  }

  @Test
  void generatedSbomsCheckClean() throws Exception {
    for (byte[] d : List.of(cdx, spdx)) {
      SbomVerification.Result r = check(d);
      assertEquals(Set.of(), failing(r), r.findings().toString());
      assertTrue(r.findings().stream().anyMatch(f -> f.code() == SbomCode.SBOM_LANGUAGE_PACKAGES_MATCH), r.findings().toString());
    }
  }

  @Test
  void fakeComponentsHaveNoEvidence() throws Exception {
    for (String fake : List.of("pkg:pypi/evil@1.0", "pkg:golang/github.com/evil/x@v1.0.0", "pkg:npm/evil@1.0.0",
        "pkg:maven/evil/evil@1.0")) {
      SbomVerification.Result r = check(editComponents(c -> c.addObject().put("type", "library").put("bom-ref", fake)
          .put("name", "evil").put("version", "1.0").put("purl", fake)));
      assertEquals(Set.of(SbomCode.SBOM_COMPONENT_NO_EVIDENCE), failing(r), fake + ": " + r.findings());
      Finding f = r.findings().stream().filter(Finding::fails).findFirst().orElseThrow();
      assertEquals(fake, f.subject());
      assertTrue(r.findings().stream().noneMatch(x -> x.code() == SbomCode.SBOM_MATCHES_IMAGE));
    }
  }

  @Test
  void versionsAreComparedByEachEcosystemsRule() throws Exception {
    // PEP 440: 1.0.0-alpha1 is 1.0.0a1; semver: v1.3.0+build is 1.3.0
    SbomVerification.Result same = check(editComponents(c -> {
      component(c, "pkg:pypi/").put("purl", "pkg:pypi/demo-pkg@1.0.0-alpha1").put("version", "1.0.0-alpha1");
      component(c, "pkg:npm/").put("purl", "pkg:npm/%40demo/left-pad@v1.3.0%2Bbuild7").put("version", "v1.3.0+build7");
    }));
    assertEquals(Set.of(), failing(same), same.findings().toString());
    for (String[] wrong : List.of(new String[] {"pkg:pypi/", "pkg:pypi/demo-pkg@1.0.0"}, new String[] {"pkg:npm/", "pkg:npm/%40demo/left-pad@1.3.1"},
        new String[] {"pkg:maven/dev.demo/app", "pkg:maven/dev.demo/app@2.0.1.RELEASE"})) {
      SbomVerification.Result r = check(editComponents(c -> component(c, wrong[0]).put("purl", wrong[1]).remove("version")));
      assertEquals(Set.of(SbomCode.SBOM_VERSION_MISMATCH), failing(r), wrong[1] + ": " + r.findings());
    }
    if (haveGo) {
      SbomVerification.Result r = check(editComponents(c -> component(c, "pkg:golang/example.com/greet")
          .put("purl", "pkg:golang/example.com/greet@v1.2.4")));
      assertEquals(Set.of(SbomCode.SBOM_VERSION_MISMATCH), failing(r), r.findings().toString());
    }
  }

  @Test
  void wrongHashesAreCaught() throws Exception {
    String zeros = "0".repeat(64);
    SbomVerification.Result jar = check(editComponents(c -> component(c, "pkg:maven/dev.demo/app").putArray("hashes").addObject()
        .put("alg", "SHA-256").put("content", zeros)));
    assertEquals(Set.of(SbomCode.SBOM_COMPONENT_HASH_MISMATCH), failing(jar), jar.findings().toString());
    if (haveGo) {
      SbomVerification.Result r = check(editComponents(c -> ((ObjectNode) component(c, "pkg:golang/example.com/greet")
          .path("hashes").get(0)).put("content", zeros)));
      assertEquals(Set.of(SbomCode.SBOM_COMPONENT_HASH_MISMATCH), failing(r), r.findings().toString());
    }
  }

  @Test
  void aDroppedPackageIsNamedWithItsFiles() throws Exception {
    List<String> prefixes = new ArrayList<>(List.of("pkg:pypi/", "pkg:npm/", "pkg:maven/dev.demo/dep"));
    if (haveGo) {
      prefixes.add("pkg:golang/example.com/greet");
    }
    for (String prefix : prefixes) {
      SbomVerification.Result r = check(editComponents(c -> remove(c, x -> x.path("purl").asText().startsWith(prefix))));
      assertEquals(Set.of(SbomCode.SBOM_LANGUAGE_PACKAGE_MISSING), failing(r), prefix + ": " + r.findings());
      Finding f = r.findings().stream().filter(Finding::fails).findFirst().orElseThrow();
      assertTrue(f.subject().startsWith(prefix), f.toString());
      assertFalse(f.evidence().get("files").isEmpty(), f.toString());
    }
    SbomVerification.Result py = check(editComponents(c -> remove(c, x -> x.path("purl").asText().startsWith("pkg:pypi/"))));
    assertTrue(py.findings().stream().anyMatch(f -> f.evidence().getOrDefault("files", "").contains("demo_pkg/__init__.py")),
        "a Python package is named by its RECORD files");
  }

  @Test
  void aWrongLicenceIsCaught() throws Exception {
    for (String prefix : List.of("pkg:npm/", "pkg:pypi/", "pkg:maven/dev.demo/app", "pkg:apk/")) { // apk: its L: MIT
      SbomVerification.Result r = check(editComponents(c -> component(c, prefix).putArray("licenses").addObject()
          .put("expression", "GPL-3.0-only")));
      assertEquals(Set.of(SbomCode.SBOM_LICENSE_MISMATCH), failing(r), prefix + ": " + r.findings());
    }
    // the same licence written another way is no mismatch (an expression's identifiers are case-insensitive) ...
    SbomVerification.Result ok = check(editComponents(c -> component(c, "pkg:npm/").putArray("licenses").addObject()
        .put("expression", "(mit)")));
    assertEquals(Set.of(), failing(ok), ok.findings().toString());
    // ... but a licence id is held to the schema's list of SPDX identifiers
    SbomVerification.Result bad = check(editComponents(c -> component(c, "pkg:npm/").putArray("licenses").addObject()
        .putObject("license").put("id", "mit")));
    assertEquals(Set.of(SbomCode.SBOM_SCHEMA_INVALID), failing(bad));
  }

  @Test
  void aLaterLayerThatDeletesThePackageRemovesItsEvidence(@TempDir Path dir) throws Exception {
    byte[] base = EcosystemImage.tar(Optional.empty());
    byte[] whiteout = dev.bitproof.testing.TestImages.tar(List.of(
        dev.bitproof.testing.TestImages.Entry.file("usr/lib/node_modules/@demo/.wh.left-pad", 0644, new byte[0])));
    Path two = dir.resolve("two");
    new dev.bitproof.testing.TestImages().writeTars(two, List.of(base, whiteout));
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + two), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      LoadedImage img = LoadedImage.load(src, tree, tree.images().get(0));
      List<LanguagePackage> l = LanguageScan.read(src, tree.images().get(0).manifest(), img.contents().filesystem()).packages();
      assertTrue(l.stream().noneMatch(p -> p.ecosystem() == LanguagePackage.Ecosystem.NPM), l.toString());
      assertTrue(l.stream().anyMatch(p -> p.ecosystem() == LanguagePackage.Ecosystem.PYPI), l.toString());
    }
  }
}
