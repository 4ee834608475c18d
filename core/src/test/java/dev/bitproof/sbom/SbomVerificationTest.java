package dev.bitproof.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestApkoImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole check over an image tree, with SBOMs given, shipped inside, or published beside the image. */
class SbomVerificationTest {
  static Path golden() {
    return SharedData.apkoTestdata().resolve("golden");
  }

  @TempDir
  static Path fixtureDir;
  static TestApkoImage.Built fixture;

  /** The apko-style image the tests build (packages that ship their SBOMs), built once. */
  @BeforeAll
  static void buildFixture() throws Exception {
    fixture = TestApkoImage.build(fixtureDir);
  }

  /** apko's three documents (index, x86_64, aarch64) for the fixture image, as our generator writes them in apko's form. */
  static List<SbomVerification.Input> fixtureApkoSboms() throws Exception {
    List<SbomVerification.Input> in = new ArrayList<>();
    ApkoSpdx.Options o = new ApkoSpdx.Options("Tool: apko (devel)", "fixture:latest");
    try (ImageSource src = Transports.source(fixture.reference(), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      in.add(new SbomVerification.Input("sbom-index.spdx.json", ApkoSpdx.render(SbomGenerator.apkoSpdxIndex(tree, o)), Optional.empty()));
      for (int i = 0; i < 2; i++) {
        LoadedImage img = LoadedImage.load(src, tree, tree.images().get(i));
        in.add(new SbomVerification.Input("sbom-" + TestApkoImage.ARCHS.get(i) + ".spdx.json",
            ApkoSpdx.render(SbomGenerator.apkoSpdx(img, o)), Optional.empty()));
      }
    }
    return in;
  }

  @Test
  void fixtureIndexWithAllThreeApkoStyleSbomsPasses() throws Exception {
    SbomVerification.Result r = run(fixture.published(), "oci:" + fixture.published(), fixtureApkoSboms());
    assertEquals(Set.of(), codes(r.findings(), true), r.findings().toString());
    Set<Code> all = codes(r.findings(), false);
    assertTrue(all.containsAll(Set.of(SbomCode.SBOM_INDEX_MATCHES, SbomCode.SBOM_SUBJECT_MATCHES, SbomCode.SBOM_MATCHES_IMAGE,
        SbomCode.SBOM_EMBEDDED_MATCH, SbomCode.INSTALLED_DB_MATCHES_LAYERS)), all.toString());
    assertEquals(2, r.findings().stream().filter(f -> f.code().equals(SbomCode.SBOM_SUBJECT_MATCHES)).count());
    // the x86_64 document held to the arm64 image alone: another image's SBOM
    List<SbomVerification.Input> amd = List.of(fixtureApkoSboms().get(1));
    try (ImageSource src = Transports.source(fixture.reference(), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      SbomVerification.Result arm = SbomVerification.run(src, tree, amd,
          Optional.of(dev.bitproof.oci.Platform.parse("linux/arm64")));
      assertTrue(codes(arm.findings(), true).contains(SbomCode.SBOM_SUBJECT_MISMATCH), arm.findings().toString());
    }
  }

  static SbomVerification.Result run(Path layout, String ref, List<SbomVerification.Input> in) throws Exception {
    try (ImageSource src = Transports.source(ImageReference.parse(ref), TransportOptions.defaults())) {
      return SbomVerification.run(src, Images.walk(src), in, Optional.empty());
    }
  }

  static SbomVerification.Input file(Path p) throws Exception {
    return new SbomVerification.Input(p.getFileName().toString(), Files.readAllBytes(p), Optional.empty());
  }

  static Set<Code> codes(List<Finding> fs, boolean failingOnly) {
    return fs.stream().filter(f -> !failingOnly || f.fails()).map(Finding::code).collect(Collectors.toSet());
  }

  @Test
  void goldenIndexWithAllThreeApkoSbomsPasses() throws Exception {
    Path g = golden();
    SbomVerification.Result r = run(g, "oci:" + g, List.of(file(g.resolve("sboms/sbom-index.spdx.json")),
        file(g.resolve("sboms/sbom-x86_64.spdx.json")), file(g.resolve("sboms/sbom-aarch64.spdx.json"))));
    assertEquals(Set.of(), codes(r.findings(), true), r.findings().toString());
    Set<Code> all = codes(r.findings(), false);
    assertTrue(all.containsAll(Set.of(SbomCode.SBOM_INDEX_MATCHES, SbomCode.SBOM_SUBJECT_MATCHES, SbomCode.SBOM_MATCHES_IMAGE,
        SbomCode.SBOM_EMBEDDED_MATCH, SbomCode.INSTALLED_DB_MATCHES_LAYERS)), all.toString());
    // the per-arch SBOMs went to their own images
    long matches = r.findings().stream().filter(f -> f.code().equals(SbomCode.SBOM_SUBJECT_MATCHES)).count();
    assertEquals(2, matches);
  }

  @Test
  void verifyEntryPointFindsTheShippedSbomsOrSaysThereIsNone(@TempDir Path tmp) throws Exception {
    ImageReference g = fixture.reference();
    try (ImageSource src = Transports.source(g, TransportOptions.defaults())) {
      SbomVerification.Result r = SbomVerification.ifPresent(g, src, TransportOptions.defaults()).orElseThrow();
      assertEquals(List.of("linux/amd64 var/lib/db/sbom", "linux/arm64 var/lib/db/sbom"), r.sboms());
      assertTrue(!r.failed(), r.findings().toString());
    }
    Path layout = TestLayers.ociLayout(tmp.resolve("plain"), new TestLayers().file("etc/hostname", "x\n").tar());
    ImageReference plain = ImageReference.parse("oci:" + layout + ":latest");
    try (ImageSource src = Transports.source(plain, TransportOptions.defaults())) {
      assertTrue(SbomVerification.ifPresent(plain, src, TransportOptions.defaults()).isEmpty());
    }
  }

  /**
   * An SBOM that is not JSON is a failing finding, not a crash: the fixture's x86_64 document with a trailing comma
   * closing its last array, the defect of apko 0.13's base_image SBOMs ({@code SbomCheckTest} reads those).
   */
  @Test
  void anInvalidSbomIsAFailingFindingNotACrash() throws Exception {
    SbomVerification.Input good = fixtureApkoSboms().get(1);
    String text = new String(good.bytes(), StandardCharsets.UTF_8);
    int end = text.lastIndexOf(']');
    int last = text.lastIndexOf('}', end);
    byte[] bad = (text.substring(0, last + 1) + "," + text.substring(last + 1)).getBytes(StandardCharsets.UTF_8);
    SbomVerification.Result ok = run(fixture.published(), "oci:" + fixture.published(), List.of(good));
    assertEquals(Set.of(), codes(ok.findings(), true), "the document before the edit passes: " + ok.findings());
    SbomVerification.Result r = run(fixture.published(), "oci:" + fixture.published(),
        List.of(new SbomVerification.Input("sbom-x86_64.spdx.json", bad, Optional.empty())));
    assertEquals(Set.of(SbomCode.SBOM_PARSE_ERROR), codes(r.findings(), true), r.findings().toString());
  }

  @Test
  void anotherImagesIndexSbomIsCaught() throws Exception {
    // the fixture image's index SBOM held to the demo's published image
    Path demo = SharedData.testdata("demo/published");
    SbomVerification.Result r = run(demo, "oci:" + demo, List.of(fixtureApkoSboms().get(0)));
    assertTrue(codes(r.findings(), true).contains(SbomCode.SBOM_SUBJECT_MISMATCH), r.findings().toString());
  }

  @Test
  void embeddedSbomForAnotherVersionIsCaught() throws Exception {
    String db = TestLayers.apkRecord("hello", "2.12-r0", "x86_64", Map.of("usr/bin/hello", "hi"));
    String sbom = """
        {"SPDXID":"SPDXRef-DOCUMENT","name":"apk-hello","spdxVersion":"SPDX-2.3","creationInfo":{"created":"1970-01-01T00:00:00Z","creators":["Tool: melange"]},
         "dataLicense":"CC0-1.0","documentNamespace":"x","documentDescribes":["SPDXRef-Package-hello"],
         "packages":[{"SPDXID":"SPDXRef-Package-hello","name":"hello","versionInfo":"2.11-r0","downloadLocation":"NOASSERTION",
          "externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:apk/wolfi/hello@2.11-r0?arch=x86_64"}]}]}""";
    ImageContents img = ImageContents.of(new TestLayers().file("usr/lib/apk/db/installed", db).file("usr/bin/hello", "hi")
        .file("var/lib/db/sbom/hello-2.12-r0.spdx.json", sbom).fs());
    List<Finding> fs = SbomCheck.embedded(img);
    assertEquals(Set.of(SbomCode.SBOM_EMBEDDED_NOT_INSTALLED), codes(fs, true), fs.toString());
    ImageContents bad = ImageContents.of(new TestLayers().file("usr/lib/apk/db/installed", db).file("usr/bin/hello", "hi")
        .file("var/lib/db/sbom/hello-2.12-r0.spdx.json", "{\"spdxVersion\":").fs());
    assertEquals(Set.of(SbomCode.SBOM_EMBEDDED_INVALID), codes(SbomCheck.embedded(bad), false));
  }

  /** Adds an SBOM artifact to an OCI layout's index.json: as a referrer (subject + artifactType) or under a cosign tag. */
  static void attach(Path layout, byte[] sbom, Digest subject, long subjectSize, String refName) throws Exception {
    Descriptor blob = Descriptor.ofBytes(MediaType.of("application/spdx+json"), sbom);
    Files.write(layout.resolve("blobs/sha256/" + blob.digest().hex()), sbom);
    byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
    Descriptor emptyDesc = Descriptor.ofBytes(MediaType.OCI_EMPTY, empty);
    Files.write(layout.resolve("blobs/sha256/" + emptyDesc.digest().hex()), empty);
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"artifactType\":\"application/spdx+json\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\","
        + "\"digest\":\"" + emptyDesc.digest() + "\",\"size\":2},\"layers\":[{\"mediaType\":\"application/spdx+json\","
        + "\"digest\":\"" + blob.digest() + "\",\"size\":" + sbom.length + "}],"
        + "\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + subject + "\",\"size\":"
        + subjectSize + "}}";
    byte[] mb = manifest.getBytes(StandardCharsets.UTF_8);
    Digest md = Digest.sha256(mb);
    Files.write(layout.resolve("blobs/sha256/" + md.hex()), mb);
    ObjectNode index = (ObjectNode) Json.parse(Files.readAllBytes(layout.resolve("index.json")), "index");
    ObjectNode d = ((ArrayNode) index.path("manifests")).addObject();
    d.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
    d.put("digest", md.toString());
    d.put("size", mb.length);
    d.put("artifactType", "application/spdx+json");
    if (refName != null) {
      d.putObject("annotations").put("org.opencontainers.image.ref.name", refName);
    }
    Files.write(layout.resolve("index.json"), index.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void sbomsPublishedAsReferrerOrCosignTagAreFoundAndChecked(@TempDir Path tmp) throws Exception {
    Path layout = TestLayers.ociLayout(tmp.resolve("img"), new TestLayers()
        .file("usr/lib/apk/db/installed", TestLayers.apkRecord("hello", "2.12-r0", "x86_64", Map.of("usr/bin/hello", "hi")))
        .file("usr/bin/hello", "hi").file("etc/os-release", "ID=wolfi\nNAME=Wolfi\n").tar());
    ImageReference ref = ImageReference.parse("oci:" + layout + ":latest");
    Images.Tree tree;
    LoadedImage img;
    try (ImageSource src = Transports.source(ref, TransportOptions.defaults())) {
      tree = Images.walk(src);
      img = LoadedImage.load(src, tree, tree.images().get(0));
    }
    Digest image = tree.root().digest();
    byte[] good = LayerSbom.cycloneDxJson(LayerSbom.cycloneDx(img, SbomGeneratorTest.OPTS));
    byte[] bad = new String(good, StandardCharsets.UTF_8).replace("2.12-r0", "2.13-r0").getBytes(StandardCharsets.UTF_8);
    attach(layout, good, image, tree.root().size(), null);
    attach(layout, bad, image, tree.root().size(), image.algorithm() + "-" + image.hex() + ".sbom");

    List<SbomLocator.Located> found = SbomLocator.find(ref, tree, TransportOptions.defaults());
    assertEquals(2, found.size(), found.toString());
    assertTrue(found.stream().anyMatch(l -> l.source().startsWith("cosign tag")));
    assertTrue(found.stream().anyMatch(l -> l.source().startsWith("referrer")));
    assertTrue(found.stream().allMatch(l -> l.subject().equals(Optional.of(image))));

    List<SbomVerification.Input> inputs = new ArrayList<>();
    found.forEach(l -> inputs.add(new SbomVerification.Input(l.name(), l.bytes(), l.subject())));
    SbomVerification.Result r;
    try (ImageSource src = Transports.source(ref, TransportOptions.defaults())) {
      r = SbomVerification.run(src, Images.walk(src), inputs, Optional.empty());
    }
    // the referrer is right, the tampered one under the cosign tag is caught
    assertEquals(Set.of(SbomCode.SBOM_VERSION_MISMATCH), codes(r.findings(), true), r.findings().toString());
    assertTrue(r.findings().stream().anyMatch(f -> f.code().equals(SbomCode.SBOM_MATCHES_IMAGE)));
  }
}
