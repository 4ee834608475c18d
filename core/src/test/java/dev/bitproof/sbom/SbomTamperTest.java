package dev.bitproof.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's accepted SBOM mutants: identity fields (the image package's checksum or purl digest, relationships,
 * SPDXIDs, describes, a purl's referenceCategory, the OS package's version, a source component's version,
 * namespace or arch) edited while the rest stays valid. Each must be a FAIL finding (exit 1), never a pass and
 * never a usage error. Run on the SBOMs the tests generate for the demo's own published image and, when
 * {@code ../shared} is present, on apko's golden SBOMs and cdxgen's Debian SBOM (where the mutants came from).
 */
class SbomTamperTest {
  static final LayerSbom.Options OPTS = new LayerSbom.Options("test", "demo:latest", Optional.empty(), true);

  record Mutant(String name, Consumer<ObjectNode> edit) {}

  /** Runs the whole SBOM check as {@code sbom check} does; a usage or could-not-check error fails the test. */
  static List<Finding> check(Path layout, byte[] sbom) throws Exception {
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + layout), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      return SbomVerification.run(src, tree, List.of(new SbomVerification.Input("sbom", sbom, Optional.empty())),
          Optional.empty()).findings();
    }
  }

  static byte[] bytes(JsonNode n) throws Exception {
    return Json.mapper().writeValueAsBytes(n);
  }

  static ObjectNode pkg(ObjectNode spdx, java.util.function.Predicate<JsonNode> p) {
    for (JsonNode n : spdx.get("packages")) {
      if (p.test(n)) {
        return (ObjectNode) n;
      }
    }
    throw new AssertionError("no such package");
  }

  static ObjectNode imagePkg(ObjectNode spdx) {
    return pkg(spdx, n -> n.path("primaryPackagePurpose").asText().equals("CONTAINER")
        && n.path("SPDXID").asText().contains("Image-"));
  }

  static ObjectNode apkPkg(ObjectNode spdx) {
    return pkg(spdx, n -> n.path("externalRefs").path(0).path("referenceLocator").asText().startsWith("pkg:apk/"));
  }

  static String flip(String s, int at) {
    char[] c = s.toCharArray();
    c[at] = c[at] == '0' ? '1' : (char) (c[at] ^ 1);
    return new String(c);
  }

  static String zeroHex(String s) {
    return s.replaceAll("[0-9a-f]{64}", "0".repeat(64));
  }

  /** The SPDX mutants of an image SBOM (apko's or our complete style). */
  static List<Mutant> spdxMutants() {
    List<Mutant> m = new ArrayList<>();
    m.add(new Mutant("image checksum zeroed", d -> ((ObjectNode) imagePkg(d).get("checksums").get(0))
        .put("checksumValue", "0".repeat(64))));
    m.add(new Mutant("image purl digest zeroed", d -> {
      ObjectNode r = (ObjectNode) imagePkg(d).get("externalRefs").get(0);
      r.put("referenceLocator", zeroHex(r.get("referenceLocator").asText()));
    }));
    m.add(new Mutant("image purl digest bit flip", d -> {
      ObjectNode r = (ObjectNode) imagePkg(d).get("externalRefs").get(0);
      String s = r.get("referenceLocator").asText();
      r.put("referenceLocator", flip(s, s.indexOf("sha256:") + 10));
    }));
    m.add(new Mutant("all relationships removed", d -> d.putArray("relationships")));
    m.add(new Mutant("purl referenceCategory changed", d -> ((ObjectNode) apkPkg(d).get("externalRefs").get(0))
        .put("referenceCategory", "SECURITY")));
    m.add(new Mutant("apk purl bit flip", d -> {
      ObjectNode r = (ObjectNode) apkPkg(d).get("externalRefs").get(0);
      String s = r.get("referenceLocator").asText();
      r.put("referenceLocator", flip(s, s.indexOf('@') + 1));
    }));
    m.add(new Mutant("duplicated SPDXID", d -> apkPkg(d).put("SPDXID", imagePkg(d).get("SPDXID").asText())));
    m.add(new Mutant("documentDescribes names an unknown element", d -> d.putArray("documentDescribes")
        .add("SPDXRef-Package-Nothing")));
    return m;
  }

  static void assertAllRefused(Path layout, ObjectNode original, List<Mutant> mutants) throws Exception {
    List<Finding> clean = check(layout, bytes(original));
    assertTrue(clean.stream().noneMatch(Finding::fails), () -> "the unmutated SBOM must pass: " + clean);
    Map<String, String> accepted = new LinkedHashMap<>();
    for (Mutant m : mutants) {
      ObjectNode d = original.deepCopy();
      m.edit().accept(d);
      try {
        List<Finding> fs = check(layout, bytes(d));
        if (fs.stream().noneMatch(Finding::fails)) {
          accepted.put(m.name(), "accepted: " + fs);
        }
      } catch (CheckException e) {
        accepted.put(m.name(), "exception " + e.kind() + " " + e);
      }
    }
    assertEquals(List.of(), List.copyOf(accepted.keySet()),
        () -> "meaning-changing SBOM mutants must each be a FAIL finding: " + accepted);
  }

  static Path demoLayout() {
    return SharedData.testdata("demo/published");
  }

  static LoadedImage demoImage(int i) throws Exception {
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + demoLayout()), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      return LoadedImage.load(src, tree, tree.images().get(i));
    }
  }

  @Test
  void completeSpdxOfTheDemoImageRefusesEveryIdentityMutant() throws Exception {
    ObjectNode spdx = (ObjectNode) Json.parse(ApkoSpdx.render(LayerSbom.spdx(demoImage(0), OPTS)), "spdx");
    assertAllRefused(demoLayout(), spdx, spdxMutants());
  }

  @Test
  void cycloneDxOfTheDemoImageRefusesEveryIdentityMutant() throws Exception {
    ObjectNode cdx = (ObjectNode) Json.parse(LayerSbom.cycloneDxJson(LayerSbom.cycloneDx(demoImage(0), OPTS)), "cdx");
    List<Mutant> m = new ArrayList<>();
    m.add(new Mutant("metadata purl digest zeroed", d -> {
      ObjectNode c = (ObjectNode) d.get("metadata").get("component");
      c.put("purl", zeroHex(c.get("purl").asText()));
    }));
    m.add(new Mutant("metadata hash zeroed", d -> {
      ObjectNode c = (ObjectNode) d.get("metadata").get("component");
      for (JsonNode h : c.path("hashes")) {
        ((ObjectNode) h).put("content", "0".repeat(h.get("content").asText().length()));
      }
      if (!c.has("hashes")) {
        c.put("purl", zeroHex(c.get("purl").asText()));
      }
    }));
    for (String what : List.of("version", "purl version", "namespace", "arch")) {
      m.add(new Mutant("component " + what, d -> {
        for (JsonNode c : d.get("components")) {
          if (c.path("purl").asText().startsWith("pkg:apk/")) {
            ObjectNode o = (ObjectNode) c;
            String p = o.get("purl").asText();
            switch (what) {
              case "version" -> o.put("version", o.get("version").asText() + "1");
              case "purl version" -> o.put("purl", p.replace("@1.0.0-r0", "@1.0.1-r0"));
              case "namespace" -> o.put("purl", p.replace("pkg:apk/", "pkg:apk/x").replace("distro=", "distro=x"));
              default -> o.put("purl", p.replace("arch=x86_64", "arch=aarch64"));
            }
            return;
          }
        }
      }));
    }
    assertAllRefused(demoLayout(), cdx, m);
  }

  // ---------------------------------------------------------------- apko's documents, as the corpus mutated them

  /**
   * apko's per-arch ({@code 0}) or index ({@code -1}) SPDX document for an apko-style image the test builds (packages
   * that ship their SBOMs), in apko's form byte for byte ({@code ApkoSpdxTest} holds that form to apko's goldens).
   */
  static ObjectNode apkoForm(Path layout, int image) throws Exception {
    ApkoSpdx.Options o = new ApkoSpdx.Options("Tool: apko (devel)", "fixture:latest");
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + layout), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      byte[] doc = ApkoSpdx.render(image < 0 ? SbomGenerator.apkoSpdxIndex(tree, o)
          : SbomGenerator.apkoSpdx(LoadedImage.load(src, tree, tree.images().get(image)), o));
      return (ObjectNode) Json.parse(doc, "apko form");
    }
  }

  @Test
  void apkoFormSpdxRefusesEveryIdentityMutant(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path golden = dev.bitproof.testing.TestApkoImage.build(tmp).published();
    ObjectNode spdx = apkoForm(golden, 0);
    List<Mutant> m = spdxMutants();
    m.add(new Mutant("OS package version changed", d -> pkg(d, n -> n.path("primaryPackagePurpose").asText()
        .equals("OPERATING_SYSTEM")).put("versionInfo", "1.0.1")));
    assertAllRefused(golden, spdx, m);
  }

  @Test
  void apkoFormIndexSpdxRefusesIdentityMutants(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path golden = dev.bitproof.testing.TestApkoImage.build(tmp).published();
    ObjectNode spdx = apkoForm(golden, -1);
    List<Mutant> m = new ArrayList<>();
    m.add(new Mutant("index checksum zeroed", d -> ((ObjectNode) pkg(d, n -> n.path("SPDXID").asText().equals(d.get("documentDescribes").get(0).asText()))
        .get("checksums").get(0)).put("checksumValue", "0".repeat(64))));
    m.add(new Mutant("index purl zeroed", d -> {
      ObjectNode r = (ObjectNode) pkg(d, n -> n.path("SPDXID").asText().equals(d.get("documentDescribes").get(0).asText())).get("externalRefs").get(0);
      r.put("referenceLocator", zeroHex(r.get("referenceLocator").asText()));
    }));
    m.add(new Mutant("all relationships removed", d -> d.putArray("relationships")));
    m.add(new Mutant("documentDescribes names an unknown element", d -> d.putArray("documentDescribes").add("SPDXRef-X")));
    assertAllRefused(golden, spdx, m);
  }

  /**
   * Debian source components (cdxgen lists each beside its binaries) are held to the binaries they were built into:
   * a changed version, epoch, namespace or arch of a source, or a binary's distro, is refused. On the cdxgen-form
   * document written for DistrolessLayer (CdxgenStyleSbom); the untouched document passes.
   */
  @Test
  void cdxgenSourceComponentsAreHeldToTheirBinaries() throws Exception {
    ObjectNode cdx = CdxgenStyleSbom.document();
    ImageContents img = ImageContents.of(new dev.bitproof.image.ImageFilesystem.Builder()
        .addLayer(new java.io.ByteArrayInputStream(CdxgenStyleSbom.layer()), "distroless-like", ImageContents.KEEP).build());
    List<Finding> clean = SbomCheck.compare(img, SbomReader.read(CdxgenStyleSbom.bytes(cdx), "cdxgen"), ImageIdentity.none(), "cdxgen");
    assertEquals(List.of(), clean.stream().filter(Finding::fails).toList(), clean.toString());
    Map<String, String> accepted = new LinkedHashMap<>();
    String[][] edits = {
      {"source version", "glibc@2.36-9%2Bdeb12u14", "glibc@2.36-9%2Bdeb12u99"},
      {"source epoch", "glibc@2.36-9%2Bdeb12u14?", "glibc@2.36-9%2Bdeb12u14?epoch=1&"},
      {"source namespace", "pkg:deb/debian/glibc@", "pkg:deb/ubuntu/glibc@"},
      {"source arch", "glibc@2.36-9%2Bdeb12u14?arch=amd64", "glibc@2.36-9%2Bdeb12u14?arch=arm64"},
      {"binary distro", "libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12", "libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-11"},
    };
    for (String[] e : edits) {
      ObjectNode d = cdx.deepCopy();
      boolean hit = false;
      for (JsonNode c : (ArrayNode) d.get("components")) {
        String p = c.path("purl").asText();
        if (p.contains(e[1])) {
          ((ObjectNode) c).put("purl", p.replace(e[1], e[2]));
          hit = true;
        }
      }
      assertTrue(hit, e[0]);
      List<Finding> fs = SbomCheck.compare(img, SbomReader.read(d.toString().getBytes(StandardCharsets.UTF_8), "cdxgen"),
          ImageIdentity.none(), "cdxgen");
      if (fs.stream().noneMatch(Finding::fails)) {
        accepted.put(e[0], fs.stream().filter(f -> !f.code().name().startsWith("INSTALLED")).toList().toString());
      }
    }
    assertEquals(List.of(), List.copyOf(accepted.keySet()), accepted::toString);
  }
}
