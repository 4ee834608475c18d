package dev.bitproof.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.testing.DistrolessLayer;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestApkoImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

/**
 * SBOMs held to images: images and layers the tests build (TestApkoImage, testdata/demo, DistrolessLayer, small layers)
 * and tampered copies of their SBOMs; and, for fidelity, real ones from ../shared (apko's older base image, the
 * distroless-like Debian layer with cdxgen's SBOM of it and an independent checker's list).
 */
class SbomCheckTest {
  /** The apko-style image the tests build ({@link TestApkoImage}), built once on first use. */
  @TempDir
  static Path fixtureDir;
  static TestApkoImage.Built apko;

  static synchronized TestApkoImage.Built apko() throws Exception {
    if (apko == null) {
      apko = TestApkoImage.build(fixtureDir);
    }
    return apko;
  }

  /** Image {@code i} of the fixture (0 x86_64, 1 aarch64), read through the oci: transport as a user's image is. */
  static LoadedImage apkoImage(int i) throws Exception {
    try (ImageSource src = Transports.source(apko().reference(), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      return LoadedImage.load(src, tree, tree.images().get(i));
    }
  }

  static Set<Code> codes(List<Finding> fs) {
    return fs.stream().map(Finding::code).collect(Collectors.toCollection(TreeSet::new));
  }

  static Set<Code> failing(List<Finding> fs) {
    return fs.stream().filter(Finding::fails).map(Finding::code).collect(Collectors.toCollection(TreeSet::new));
  }

  /** The demo's published image (testdata/demo), 0 amd64, 1 arm64, loaded once. */
  static LoadedImage demo(int i) throws Exception {
    synchronized (DEMO) {
      if (DEMO.isEmpty()) {
        Path p = SharedData.testdata("demo/published");
        try (ImageSource src = Transports.source(ImageReference.parse("oci:" + p), TransportOptions.defaults())) {
          Images.Tree tree = Images.walk(src);
          DEMO.add(LoadedImage.load(src, tree, tree.images().get(0)));
          DEMO.add(LoadedImage.load(src, tree, tree.images().get(1)));
        }
      }
      return DEMO.get(i);
    }
  }

  static final List<LoadedImage> DEMO = new java.util.ArrayList<>();

  /** A complete SPDX SBOM of a demo image, made by our generator from its layers. */
  static ObjectNode demoSbom(int i) throws Exception {
    return (ObjectNode) LayerSbom.spdx(demo(i), new LayerSbom.Options("test", "demo:latest", java.util.Optional.empty(), true));
  }

  /** The purl of a package in an SPDX document. */
  static ObjectNode purl(ObjectNode sbom, String name) {
    return (ObjectNode) apkPackage(sbom, name).path("externalRefs").get(0);
  }

  static List<Finding> check(LoadedImage img, JsonNode sbom) {
    SbomDocument doc = SbomReader.read(sbom.toString().getBytes(StandardCharsets.UTF_8), "test sbom");
    return SbomCheck.compare(img.contents(), doc, img.identity(), "test sbom");
  }

  static ObjectNode apkPackage(ObjectNode sbom, String name) {
    for (JsonNode p : sbom.path("packages")) {
      if (p.path("name").asText().equals(name)) {
        return (ObjectNode) p;
      }
    }
    throw new AssertionError("no package " + name);
  }

  // ---------------------------------------------------------------- an apko-built image

  /**
   * The layers of an apko-style image (TestApkoImage, built by our apko-compatible build) agree with its apk database,
   * and the files the builder writes (etc/apko.json, etc/apk/*, the database itself) are reported as generated, not as
   * unowned content. (apko's golden image: SbomVerificationTest.goldenIndexWithAllThreeApkoSbomsPasses.)
   */
  @Test
  void apkoBuiltLayersMatchTheirInstalledDatabase() throws Exception {
    LoadedImage img = apkoImage(0);
    List<Finding> fs = SbomCheck.database(img.contents());
    assertEquals(Set.of(), failing(fs), fs.toString());
    Finding ok = fs.stream().filter(f -> f.code().equals(SbomCode.INSTALLED_DB_MATCHES_LAYERS)).findFirst().orElseThrow();
    // per package its payload file and its shipped SBOM
    assertEquals("4", ok.evidence().get("files_checked"));
    assertEquals("2", ok.evidence().get("packages"));
    assertFalse(codes(fs).contains(SbomCode.FILES_UNOWNED), fs.toString());
    assertTrue(codes(fs).contains(SbomCode.FILES_GENERATED_UNOWNED), fs.toString());
    assertTrue(SbomCheck.unowned(img.contents()).containsAll(List.of("etc/apko.json", "etc/apk/world", "usr/lib/apk/db/installed")),
        SbomCheck.unowned(img.contents()).toString());
  }

  @Test
  void anSbomForTheOtherArchitectureIsCaught() throws Exception {
    List<Finding> fs = check(demo(0), demoSbom(1));
    assertEquals(Set.of(SbomCode.SBOM_ARCH_MISMATCH, SbomCode.SBOM_SUBJECT_MISMATCH), failing(fs), fs.toString());
  }

  @Test
  void changedVersionIsCaught() throws Exception {
    ObjectNode sbom = demoSbom(0);
    ObjectNode p = apkPackage(sbom, "demo-hello");
    p.put("versionInfo", "1.0.1-r0");
    ObjectNode ref = (ObjectNode) p.path("externalRefs").get(0);
    ref.put("referenceLocator", ref.path("referenceLocator").asText().replace("@1.0.0-r0", "@1.0.1-r0"));
    List<Finding> fs = check(demo(0), sbom);
    assertEquals(Set.of(SbomCode.SBOM_VERSION_MISMATCH), failing(fs), fs.toString());
    Finding f = fs.stream().filter(x -> x.code().equals(SbomCode.SBOM_VERSION_MISMATCH)).findFirst().orElseThrow();
    assertEquals("demo-hello", f.subject());
    assertEquals("1.0.1-r0", f.evidence().get("sbom_version"));
    assertEquals("1.0.0-r0", f.evidence().get("installed_version"));
  }

  @Test
  void purlThatContradictsItsPackageIsCaught() throws Exception {
    ObjectNode sbom = demoSbom(0);
    ObjectNode ref = purl(sbom, "demo-hello");
    ref.put("referenceLocator", ref.path("referenceLocator").asText().replace("distro=bitproof-demo", "distro=wolfi"));
    List<Finding> fs = check(demo(0), sbom);
    assertEquals(Set.of(SbomCode.SBOM_PURL_MISMATCH), failing(fs), fs.toString());
  }

  @Test
  void removedPackageIsCaught() throws Exception {
    ObjectNode sbom = demoSbom(0);
    ArrayNode pkgs = (ArrayNode) sbom.path("packages");
    for (int i = 0; i < pkgs.size(); i++) {
      if (pkgs.get(i).path("name").asText().equals("demo-baselayout")) {
        pkgs.remove(i);
        break;
      }
    }
    List<Finding> fs = check(demo(0), sbom);
    // its relationships were left behind, naming an element that is gone
    assertEquals(Set.of(SbomCode.SBOM_PACKAGE_MISSING, SbomCode.SBOM_RELATIONSHIP_UNKNOWN_ELEMENT), failing(fs), fs.toString());
    assertTrue(fs.stream().anyMatch(f -> f.code().equals(SbomCode.SBOM_PACKAGE_MISSING) && f.subject().equals("demo-baselayout")));
  }

  @Test
  void addedPackageIsCaught() throws Exception {
    ObjectNode sbom = demoSbom(0);
    ObjectNode extra = apkPackage(sbom, "demo-hello").deepCopy();
    extra.put("SPDXID", "SPDXRef-Package-apk-busybox-1.36.1-r0");
    extra.put("name", "busybox");
    extra.put("versionInfo", "1.36.1-r0");
    ObjectNode ref = (ObjectNode) extra.path("externalRefs").get(0);
    ref.put("referenceLocator", ref.path("referenceLocator").asText().replace("demo-hello@1.0.0-r0", "busybox@1.36.1-r0"));
    ((ArrayNode) sbom.path("packages")).add(extra);
    List<Finding> fs = check(demo(0), sbom);
    // and no relationship links it to the image
    assertEquals(Set.of(SbomCode.SBOM_PACKAGE_NOT_IN_IMAGE, SbomCode.SBOM_PACKAGE_UNLINKED), failing(fs), fs.toString());
  }

  @Test
  void duplicateSpdxIdsAreCaught() throws Exception {
    ObjectNode sbom = demoSbom(0);
    ObjectNode dup = apkPackage(sbom, "demo-hello").deepCopy();
    ((ArrayNode) sbom.path("packages")).add(dup);
    List<Finding> fs = check(demo(0), sbom);
    assertTrue(failing(fs).contains(SbomCode.SBOM_DUPLICATE_ID), fs.toString());
  }

  @Test
  void badlyEncodedPurlIsAFindingNotACrash() throws Exception {
    ObjectNode sbom = demoSbom(0);
    ObjectNode ref = purl(sbom, "demo-hello");
    ref.put("referenceLocator", ref.path("referenceLocator").asText().replace("demo-hello@", "demo-h%C3%28ello@"));
    List<Finding> fs = check(demo(0), sbom);
    // the purl no longer names an installed package, so demo-hello is also missing
    assertEquals(Set.of(SbomCode.SBOM_PURL_INVALID, SbomCode.SBOM_PACKAGE_MISSING), failing(fs), fs.toString());
  }

  @Test
  void packagesApkoOmitsAreReportedAsSuchNotAsFailures() throws Exception {
    // an apko-style image: two packages installed, only one ships its own SBOM, so apko lists only that one
    String db = TestLayers.apkRecord("musl", "1.2.5-r0", "x86_64", Map.of("lib/ld-musl-x86_64.so.1", "musl"))
        + TestLayers.apkRecord("hello", "2.12-r0", "x86_64", Map.of("usr/bin/hello", "hi",
            "var/lib/db/sbom/hello-2.12-r0.spdx.json", "{}"));
    ImageFilesystem fs = new TestLayers().file("usr/lib/apk/db/installed", db).file("lib/ld-musl-x86_64.so.1", "musl")
        .file("usr/bin/hello", "hi").file("var/lib/db/sbom/hello-2.12-r0.spdx.json", "{}")
        .file("etc/os-release", "ID=wolfi\nNAME=Wolfi\nVERSION_ID=20230201\n").fs();
    ImageContents img = ImageContents.of(fs);
    assertEquals(Set.of(), failing(SbomCheck.database(img)), SbomCheck.database(img).toString());
    String sbom = """
        {"SPDXID":"SPDXRef-DOCUMENT","name":"sbom","spdxVersion":"SPDX-2.3",
         "creationInfo":{"created":"1970-01-01T00:00:00Z","creators":["Tool: apko (v0.30.0)"]},
         "dataLicense":"CC0-1.0","documentNamespace":"https://spdx.org/spdxdocs/apko/",
         "documentDescribes":["SPDXRef-Package-hello"],
         "packages":[{"SPDXID":"SPDXRef-Package-hello","name":"hello","versionInfo":"2.12-r0","downloadLocation":"NOASSERTION",
           "externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl",
             "referenceLocator":"pkg:apk/wolfi/hello@2.12-r0?arch=x86_64&distro=wolfi"}]}],
         "relationships":[]}""";
    List<Finding> out = SbomCheck.compare(img, SbomReader.read(sbom.getBytes(StandardCharsets.UTF_8), "s"), ImageIdentity.none(), "s");
    assertEquals(Set.of(), failing(out), out.toString());
    Finding omitted = out.stream().filter(f -> f.code().equals(SbomCode.SBOM_PACKAGE_OMITTED_BY_APKO)).findFirst().orElseThrow();
    assertEquals("musl", omitted.subject());
    assertEquals(Severity.WARN, omitted.severity());
    // the same SBOM from another tool: the missing package is a failure
    List<Finding> other = SbomCheck.compare(img, SbomReader.read(sbom.replace("Tool: apko", "Tool: other").replace("spdxdocs/apko/", "spdxdocs/other/")
        .getBytes(StandardCharsets.UTF_8), "s"), ImageIdentity.none(), "s");
    assertEquals(Set.of(SbomCode.SBOM_PACKAGE_MISSING), failing(other), other.toString());
  }

  @Test
  void installedDbChecksumThatDiffersFromTheLayerIsCaught() throws Exception {
    String db = TestLayers.apkRecord("hello", "2.12-r0", "x86_64", Map.of("usr/bin/hello", "original"));
    ImageContents img = ImageContents.of(new TestLayers().file("usr/lib/apk/db/installed", db)
        .file("usr/bin/hello", "tampered").fs());
    List<Finding> fs = SbomCheck.database(img);
    assertEquals(Set.of(SbomCode.INSTALLED_DB_CHECKSUM_MISMATCH), failing(fs), fs.toString());
    Finding f = fs.get(0);
    assertEquals("usr/bin/hello", f.subject());
    assertEquals("SHA-1", f.evidence().get("algorithm"));
  }

  @Test
  void installedFileMissingFromTheLayersAndUnownedFilesAreReported() throws Exception {
    String db = TestLayers.apkRecord("hello", "2.12-r0", "x86_64", Map.of("usr/bin/hello", "hi"));
    ImageContents img = ImageContents.of(new TestLayers().file("usr/lib/apk/db/installed", db)
        .file("usr/bin/sneaky", "x").symlink("usr/bin/link", "sneaky").fs());
    List<Finding> fs = SbomCheck.database(img);
    assertEquals(Set.of(SbomCode.INSTALLED_FILE_MISSING), failing(fs), fs.toString());
    Finding unowned = fs.stream().filter(f -> f.code().equals(SbomCode.FILES_UNOWNED)).findFirst().orElseThrow();
    assertEquals("2", unowned.evidence().get("count"));
    assertEquals(List.of("usr/bin/link", "usr/bin/sneaky"), SbomCheck.unowned(img).stream()
        .filter(p -> p.startsWith("usr/bin")).toList());
  }

  @Test
  void symlinkChecksumsAreOverTheLinkTarget() throws Exception {
    String db = "P:x\nV:1-r0\nA:x86_64\nF:bin\nR:sh\nZ:" + TestLayers.q1("busybox") + "\n\n";
    ImageContents ok = ImageContents.of(new TestLayers().file("usr/lib/apk/db/installed", db).symlink("bin/sh", "busybox").fs());
    assertEquals(Set.of(), failing(SbomCheck.database(ok)));
    ImageContents bad = ImageContents.of(new TestLayers().file("usr/lib/apk/db/installed", db).symlink("bin/sh", "/tmp/evil").fs());
    assertEquals(Set.of(SbomCode.INSTALLED_DB_CHECKSUM_MISMATCH), failing(SbomCheck.database(bad)));
  }

  // ---------------------------------------------------------------- apko base image (older apko)

  /**
   * An apko-form SBOM with a comma after the last relationship, the defect of apko's committed
   * {@code base_image/sboms/sbom-x86_64.spdx.json}, made here from the fixture's document: a parse error, not a crash.
   */
  @Test
  void sbomWithATrailingCommaFailsWithAParseError() throws Exception {
    byte[] good = ApkoSpdx.render(SbomGenerator.apkoSpdx(apkoImage(0), ApkoSpdx.Options.defaults("test")));
    String text = new String(good, StandardCharsets.UTF_8);
    assertTrue(text.endsWith("    }\n  ]\n}\n"), "the relationships array closes the document");
    SbomReader.read(good, "good");
    byte[] bad = (text.substring(0, text.length() - "\n  ]\n}\n".length()) + ",\n  ]\n}\n").getBytes(StandardCharsets.UTF_8);
    CheckException e = assertThrows(CheckException.class, () -> SbomReader.read(bad, "trailing-comma.spdx.json"));
    assertEquals(SbomCode.SBOM_PARSE_ERROR, e.code());
    assertEquals(CheckException.Kind.INTEGRITY, e.kind());
  }

  /** Older apko wrote the database at lib/apk/db/installed (the generic part of the base image test below). */
  @Test
  void theOlderApkDatabasePathIsRead() throws Exception {
    String db = TestLayers.apkRecord("hello", "2.12-r0", "x86_64", Map.of("usr/bin/hello", "hi"));
    ImageContents img = ImageContents.of(new TestLayers().file("lib/apk/db/installed", db).file("usr/bin/hello", "hi").fs());
    assertEquals(ImageContents.Database.APK, img.database());
    assertEquals("lib/apk/db/installed", img.databasePath());
    assertEquals(List.of("hello"), img.packages().stream().map(InstalledPackage::name).toList());
    List<Finding> fs = SbomCheck.database(img);
    assertEquals(Set.of(), failing(fs), fs.toString());
    assertEquals("1", fs.stream().filter(f -> f.code().equals(SbomCode.INSTALLED_DB_MATCHES_LAYERS)).findFirst().orElseThrow()
        .evidence().get("files_checked"));
  }

  @Test
  void baseImageArm64SbomMatchesTheBaseImage() throws Exception {
    Path base = SharedData.apkoTestdata().resolve("base_image");
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + base), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      Images.Resolved arm = tree.images().stream().filter(r -> r.config().architecture().equals("arm64")).findFirst().orElseThrow();
      LoadedImage img = LoadedImage.load(src, tree, arm);
      assertEquals(ImageContents.Database.APK, img.contents().database());
      assertEquals("lib/apk/db/installed", img.contents().databasePath());
      List<Finding> fs = check(img, Json.parse(Files.readAllBytes(base.resolve("sboms/sbom-aarch64.spdx.json")), "b"));
      assertEquals(Set.of(), failing(fs), fs.toString());
      assertTrue(codes(fs).contains(SbomCode.SBOM_SUBJECT_MATCHES), fs.toString());
      assertEquals(Set.of(), failing(SbomCheck.database(img.contents())));
    }
  }

  // ---------------------------------------------------------------- Debian, cdxgen

  static ImageContents distroless() throws Exception {
    try (InputStream in = new XZInputStream(Files.newInputStream(SharedData.require("deb/rootfs/distroless-like-statusd.tar.xz")))) {
      return ImageContents.of(new ImageFilesystem.Builder().addLayer(in, "distroless-like", ImageContents.KEEP).build());
    }
  }

  /** An image with an empty apk database (no packages): every SBOM package is then "not in image". */
  static ImageContents distrolessOrEmpty() {
    try {
      return ImageContents.of(new TestLayers().file("usr/lib/apk/db/installed", "").fs());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static ObjectNode cdxgen() throws Exception {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(SharedData.require("deb/sbom/sbom-distroless-like.cdx.json.gz")))) {
      return (ObjectNode) Json.parse(in.readAllBytes(), "cdxgen");
    }
  }

  static List<Finding> checkDeb(ImageContents img, JsonNode sbom) {
    return SbomCheck.compare(img, SbomReader.read(sbom.toString().getBytes(StandardCharsets.UTF_8), "cdxgen"),
        ImageIdentity.none(), "cdxgen");
  }

  @Test
  void cdxgenSbomMatchesTheDistrolessLayerWithItsSourceComponentsReported() throws Exception {
    ImageContents img = distroless();
    assertEquals(ImageContents.Database.DPKG_STATUS_D, img.database());
    assertEquals(9, img.packages().size());
    List<Finding> db = SbomCheck.database(img);
    assertEquals(Set.of(), failing(db), db.toString());
    assertEquals("1402", db.stream().filter(f -> f.code().equals(SbomCode.INSTALLED_DB_MATCHES_LAYERS)).findFirst().orElseThrow()
        .evidence().get("files_checked"));

    List<Finding> fs = checkDeb(img, cdxgen());
    assertEquals(Set.of(), failing(fs), fs.toString());
    Map<String, String> sources = new LinkedHashMap<>();
    fs.stream().filter(f -> f.code().equals(SbomCode.SBOM_SOURCE_PACKAGE))
        .forEach(f -> sources.put(f.subject().replaceAll("^pkg:deb/debian/([^@]+)@.*$", "$1"), f.evidence().get("binaries")));
    assertEquals(Map.of("gcc-12", "gcc-12-base libgcc-s1", "glibc", "libc6", "openssl", "libssl3"), sources);
    Finding ok = fs.stream().filter(f -> f.code().equals(SbomCode.SBOM_MATCHES_IMAGE)).findFirst().orElseThrow();
    assertTrue(ok.message().contains("12 OS packages and 1403 file checksums"), ok.message());
  }

  @Test
  void distrolessUnownedFilesAreExactlyTheIndependentCheckersList() throws Exception {
    JsonNode expected = Json.parse(Files.readAllBytes(SharedData.require("deb/expected/dpkg-verify-distroless-like.json")), "e");
    List<String> want = new ArrayList<>();
    expected.path("unowned").forEach(n -> want.add(n.asText().substring(1)));
    // the independent checker also lists status.d's own files; for us they are the database, not unowned content
    assertEquals(18, want.stream().filter(p -> p.startsWith("var/lib/dpkg/status.d/")).count());
    want.removeIf(p -> p.startsWith("var/lib/dpkg/status.d/"));
    Set<String> ours = new TreeSet<>(SbomCheck.unowned(distroless()));
    Set<String> missing = new TreeSet<>(want);
    missing.removeAll(ours);
    Set<String> extra = new TreeSet<>(ours);
    extra.removeAll(want);
    assertEquals(Set.of(), missing, "unowned per the independent checker but not per us");
    assertEquals(Set.of(), extra, "unowned per us but not per the independent checker");
    assertEquals(384, ours.size());
  }

  /**
   * A CycloneDX SBOM written here for {@link DistrolessLayer} (its packages as deb purls, os-release as a file with its
   * SHA-1), independently of our generator: the generic twin of {@link #tamperedCdxgenSbomsAreCaught}.
   */
  static ObjectNode distrolessCdx() throws Exception {
    ObjectNode doc = (ObjectNode) Json.parse("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1}"
        .getBytes(StandardCharsets.UTF_8), "cdx");
    ArrayNode comps = doc.putArray("components");
    for (DistrolessLayer.Pkg p : DistrolessLayer.PACKAGES) {
      comps.addObject().put("type", "library").put("name", p.name()).put("version", p.version())
          .put("purl", "pkg:deb/debian/" + p.name() + "@" + p.version().replace("+", "%2B") + "?arch=" + p.arch() + "&distro=debian-12");
    }
    String sha1 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
        .digest(DistrolessLayer.OS_RELEASE.getBytes(StandardCharsets.UTF_8)));
    ObjectNode file = comps.addObject().put("type", "file").put("name", "os-release")
        .put("purl", "pkg:generic/os-release?path=%2Fusr%2Flib%2Fos-release");
    file.putArray("hashes").addObject().put("alg", "SHA-1").put("content", sha1);
    return doc;
  }

  static ObjectNode component(ObjectNode doc, String name) {
    for (JsonNode c : doc.path("components")) {
      if (c.path("name").asText().equals(name)) {
        return (ObjectNode) c;
      }
    }
    throw new AssertionError("no component " + name);
  }

  @Test
  void tamperedDebianSbomsAreCaught() throws Exception {
    ImageContents img = ImageContents.of(new ImageFilesystem.Builder()
        .addLayer(new java.io.ByteArrayInputStream(DistrolessLayer.tar()), "distroless-like", ImageContents.KEEP).build());
    List<Finding> clean = checkDeb(img, distrolessCdx());
    assertEquals(Set.of(), failing(clean), "the untouched document passes: " + clean);
    assertTrue(codes(clean).contains(SbomCode.SBOM_MATCHES_IMAGE), clean.toString());
    // a version changed
    ObjectNode v = distrolessCdx();
    component(v, "libc6").put("version", "2.36-9+deb12u13")
        .put("purl", "pkg:deb/debian/libc6@2.36-9%2Bdeb12u13?arch=amd64&distro=debian-12");
    assertEquals(Set.of(SbomCode.SBOM_VERSION_MISMATCH), failing(checkDeb(img, v)));
    // a package removed
    ObjectNode r = distrolessCdx();
    ArrayNode comps = (ArrayNode) r.path("components");
    for (int i = 0; i < comps.size(); i++) {
      if (comps.get(i).path("name").asText().equals("netbase")) {
        comps.remove(i);
        break;
      }
    }
    List<Finding> removed = checkDeb(img, r);
    assertEquals(Set.of(SbomCode.SBOM_PACKAGE_MISSING), failing(removed));
    assertTrue(removed.stream().anyMatch(f -> f.code().equals(SbomCode.SBOM_PACKAGE_MISSING) && f.subject().equals("netbase")));
    // a file hash changed
    ObjectNode h = distrolessCdx();
    ((ObjectNode) component(h, "os-release").path("hashes").get(0)).put("content", "0000000000000000000000000000000000000000");
    List<Finding> hashed = checkDeb(img, h);
    assertEquals(Set.of(SbomCode.SBOM_FILE_CHECKSUM_MISMATCH), failing(hashed));
    Finding f = hashed.stream().filter(Finding::fails).findFirst().orElseThrow();
    assertEquals("usr/lib/os-release", f.subject());
    assertEquals("SHA-1", f.evidence().get("algorithm"));
    // an arch changed
    ObjectNode a = distrolessCdx();
    component(a, "libgcc-s1").put("purl", "pkg:deb/debian/libgcc-s1@12.2.0-14%2Bdeb12u1?arch=arm64&distro=debian-12");
    assertEquals(Set.of(SbomCode.SBOM_ARCH_MISMATCH), failing(checkDeb(img, a)));
  }

  /**
   * cdxgen's form (CdxgenStyleSbom: source components, distro_name, several hashes per file, a dependency graph) on a
   * layer the test builds: the untouched document passes with each source held to its binaries, and a changed version,
   * a removed package, a changed file hash and a changed arch are each caught. (cdxgen's own SBOM of the shared
   * layer: cdxgenSbomMatchesTheDistrolessLayerWithItsSourceComponentsReported.)
   */
  @Test
  void tamperedCdxgenStyleSbomsAreCaught() throws Exception {
    ImageContents img = ImageContents.of(new ImageFilesystem.Builder()
        .addLayer(new java.io.ByteArrayInputStream(CdxgenStyleSbom.layer()), "distroless-like", ImageContents.KEEP).build());
    List<Finding> clean = checkDeb(img, CdxgenStyleSbom.document());
    assertEquals(Set.of(), failing(clean), clean.toString());
    Map<String, String> sources = new LinkedHashMap<>();
    clean.stream().filter(f -> f.code().equals(SbomCode.SBOM_SOURCE_PACKAGE))
        .forEach(f -> sources.put(f.subject().replaceAll("^pkg:deb/debian/([^@]+)@.*$", "$1"), f.evidence().get("binaries")));
    assertEquals(Map.of("gcc-12", "gcc-12-base libgcc-s1", "glibc", "libc6"), sources);
    Finding ok = clean.stream().filter(f -> f.code().equals(SbomCode.SBOM_MATCHES_IMAGE)).findFirst().orElseThrow();
    assertTrue(ok.message().contains((DistrolessLayer.PACKAGES.size() + 2) + " OS packages and 1 file checksums"), ok.message());
    // a version changed
    ObjectNode v = CdxgenStyleSbom.document();
    CdxgenStyleSbom.component(v, "libc6").put("version", "2.36-9+deb12u13")
        .put("purl", "pkg:deb/debian/libc6@2.36-9%2Bdeb12u13?arch=amd64&distro=debian-12&distro_name=bookworm");
    assertEquals(Set.of(SbomCode.SBOM_VERSION_MISMATCH), failing(checkDeb(img, v)));
    // a package removed
    ObjectNode r = CdxgenStyleSbom.document();
    CdxgenStyleSbom.remove(r, "netbase");
    List<Finding> removed = checkDeb(img, r);
    assertEquals(Set.of(SbomCode.SBOM_PACKAGE_MISSING), failing(removed), removed.toString());
    assertTrue(removed.stream().anyMatch(f -> f.code().equals(SbomCode.SBOM_PACKAGE_MISSING) && f.subject().equals("netbase")));
    // a file hash changed: the SHA-1, the second of its two hashes
    ObjectNode h = CdxgenStyleSbom.document();
    for (JsonNode c : h.path("components")) {
      if (c.path("purl").asText().equals("pkg:generic/os-release?path=%2Fusr%2Flib%2Fos-release")) {
        ((ObjectNode) c.path("hashes").get(1)).put("content", "0000000000000000000000000000000000000000");
      }
    }
    List<Finding> hashed = checkDeb(img, h);
    assertEquals(Set.of(SbomCode.SBOM_FILE_CHECKSUM_MISMATCH), failing(hashed));
    Finding f = hashed.stream().filter(Finding::fails).findFirst().orElseThrow();
    assertEquals("usr/lib/os-release", f.subject());
    assertEquals("SHA-1", f.evidence().get("algorithm"));
    // an arch changed
    ObjectNode a = CdxgenStyleSbom.document();
    CdxgenStyleSbom.component(a, "libgcc-s1")
        .put("purl", "pkg:deb/debian/libgcc-s1@12.2.0-14%2Bdeb12u1?arch=arm64&distro=debian-12&distro_name=bookworm");
    assertEquals(Set.of(SbomCode.SBOM_ARCH_MISMATCH), failing(checkDeb(img, a)));
  }

  @Test
  void debianEpochsAreComparedWithTheEpoch() throws Exception {
    String status = "Package: zlib1g\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\nArchitecture: amd64\n";
    ImageContents img = ImageContents.of(new TestLayers().file("var/lib/dpkg/status.d/zlib1g", status)
        .file("etc/os-release", "ID=debian\n").fs());
    String sbom = """
        {"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
          {"type":"library","name":"zlib1g","version":"%s","purl":"%s"}]}""";
    // cdxgen's form: epoch in the version and as a qualifier
    List<Finding> ok = SbomCheck.compare(img, SbomReader.read(sbom.formatted("1:1.2.13.dfsg-1",
        "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&epoch=1").getBytes(StandardCharsets.UTF_8), "s"),
        ImageIdentity.none(), "s");
    assertEquals(Set.of(), failing(ok), ok.toString());
    // the purl spec's form: epoch only as a qualifier
    List<Finding> q = SbomCheck.compare(img, SbomReader.read(sbom.formatted("1:1.2.13.dfsg-1",
        "pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&epoch=1").getBytes(StandardCharsets.UTF_8), "s"),
        ImageIdentity.none(), "s");
    assertEquals(Set.of(), failing(q), q.toString());
    // epoch dropped: another version
    List<Finding> bad = SbomCheck.compare(img, SbomReader.read(sbom.formatted("1.2.13.dfsg-1",
        "pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64").getBytes(StandardCharsets.UTF_8), "s"),
        ImageIdentity.none(), "s");
    assertEquals(Set.of(SbomCode.SBOM_VERSION_MISMATCH), failing(bad), bad.toString());
  }

  /**
   * A dpkg status database (status file + info/*.md5sums, as a full Debian rootfs has; DpkgDatabaseTest reads a real
   * one) with an epoch, in a tar that holds only var/lib/dpkg and os-release: more listed files are missing than one
   * code may report.
   */
  @Test
  void dpkgStatusDatabaseWithEpochsRoundTrips(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    int missing = SbomCheck.MAX_PER_CODE + 200;
    StringBuilder md5sums = new StringBuilder();
    for (int i = 0; i < missing; i++) {
      md5sums.append("0123456789abcdef0123456789abcdef  usr/share/doc/base-files/f").append(i).append('\n');
    }
    String status = "Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4+deb12u13\n"
        + "Description: base\n\n"
        + "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nSource: zlib\n"
        + "Version: 1:1.2.13.dfsg-1\nDescription: compression\n\n"
        + "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nSource: glibc\n"
        + "Version: 2.36-9+deb12u14\nDescription: libc\n";
    byte[] tar = new TestLayers().file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
        .file("var/lib/dpkg/status", status)
        .file("var/lib/dpkg/info/base-files.md5sums", md5sums.toString())
        .file("var/lib/dpkg/info/zlib1g:amd64.md5sums", "0123456789abcdef0123456789abcdef  lib/x86_64-linux-gnu/libz.so.1\n")
        .file("var/lib/dpkg/info/libc6:amd64.md5sums", "0123456789abcdef0123456789abcdef  lib/x86_64-linux-gnu/libc.so.6\n")
        .tar();
    Path layout = TestLayers.ociLayout(tmp.resolve("custom"), tar);
    LoadedImage img;
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + layout), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      img = LoadedImage.load(src, tree, tree.images().get(0));
    }
    assertEquals(ImageContents.Database.DPKG_STATUS, img.contents().database());
    assertEquals(3, img.contents().packages().size());
    InstalledPackage zlib = img.contents().packages().stream().filter(p -> p.name().equals("zlib1g")).findFirst().orElseThrow();
    assertEquals("zlib", zlib.source());
    assertEquals("1:1.2.13.dfsg-1", zlib.version());
    // only var/lib/dpkg is in this tar: the database's files are missing from the "layers", and say so (capped)
    List<Finding> db = SbomCheck.database(img.contents());
    assertTrue(failing(db).contains(SbomCode.INSTALLED_FILE_MISSING));
    List<Finding> gone = db.stream().filter(f -> f.code().equals(SbomCode.INSTALLED_FILE_MISSING)).toList();
    assertEquals(SbomCheck.MAX_PER_CODE + 1, gone.size(), "the first MAX_PER_CODE, then one that counts them all");
    assertEquals(String.valueOf(missing + 2), String.valueOf(gone.get(gone.size() - 1).evidence().get("total")));
    // a generated SBOM carries the epoch as the purl spec says, and checks back clean
    byte[] cdx = LayerSbom.cycloneDxJson(LayerSbom.cycloneDx(img, SbomGeneratorTest.OPTS));
    assertTrue(new String(cdx, StandardCharsets.UTF_8).contains("pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&distro=debian-12&epoch=1"));
    List<Finding> fs = SbomCheck.compare(img.contents(), SbomReader.read(cdx, "g"), img.identity(), "g");
    assertEquals(Set.of(), failing(fs), fs.toString());
  }

  @Test
  void conffileChangesOnlyWarn() throws Exception {
    String status = """
        Package: base-files
        Status: install ok installed
        Version: 12.4
        Architecture: amd64
        Conffiles:
         /etc/issue %s
         /etc/motd %s
        """.formatted(md5("Debian\n"), md5("hello\n"));
    ImageContents img = ImageContents.of(new TestLayers().file("var/lib/dpkg/status", status)
        .file("var/lib/dpkg/info/base-files.md5sums", "").file("etc/issue", "Debian\n").file("etc/motd", "changed\n").fs());
    List<Finding> fs = SbomCheck.database(img);
    assertEquals(Set.of(), failing(fs), fs.toString());
    Finding w = fs.stream().filter(f -> f.code().equals(SbomCode.INSTALLED_CONFFILE_MODIFIED)).findFirst().orElseThrow();
    assertEquals("etc/motd", w.subject());
    assertEquals(1, fs.stream().filter(f -> f.code().equals(SbomCode.INSTALLED_CONFFILE_MODIFIED)).count());
  }

  static String md5(String s) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void anImageWithoutAPackageDatabaseCannotConfirmPackages() throws Exception {
    ImageContents img = ImageContents.of(new TestLayers().file("etc/hostname", "x").fs());
    assertEquals(Set.of(SbomCode.PACKAGE_DB_ABSENT), SbomCheck.database(img).stream().map(Finding::code).collect(Collectors.toSet()));
    ObjectNode packagesOnly = demoSbom(0);
    packagesOnly.remove("files");
    // and the relationships that named those files (a dangling one is SBOM_RELATIONSHIP_UNKNOWN_ELEMENT)
    ArrayNode rels = (ArrayNode) packagesOnly.path("relationships");
    for (int i = rels.size() - 1; i >= 0; i--) {
      if (rels.get(i).path("relatedSpdxElement").asText().startsWith("SPDXRef-File")
          || rels.get(i).path("spdxElementId").asText().startsWith("SPDXRef-File")) {
        rels.remove(i);
      }
    }
    List<Finding> fs = SbomCheck.compare(img, SbomReader.read(packagesOnly.toString().getBytes(StandardCharsets.UTF_8), "g"),
        ImageIdentity.none(), "g");
    assertEquals(Set.of(), failing(fs), fs.toString());
    assertTrue(codes(fs).contains(SbomCode.SBOM_PACKAGES_UNCONFIRMED), fs.toString());
  }

  @Test
  void hostileFilePathsInAnSbomAreFindings() throws Exception {
    String sbom = """
        {"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
          {"type":"file","name":"../../etc/passwd","hashes":[{"alg":"SHA-1","content":"00"}]}]}""";
    List<Finding> fs = SbomCheck.compare(demo(0).contents(), SbomReader.read(sbom.getBytes(StandardCharsets.UTF_8), "s"),
        demo(0).identity(), "s");
    // (the SBOM lists no package, so the two installed ones are missing too)
    assertEquals(Set.of(SbomCode.SBOM_FILE_PATH_INVALID, SbomCode.SBOM_PACKAGE_MISSING), failing(fs), fs.toString());
    assertTrue(fs.stream().anyMatch(f -> f.code().equals(SbomCode.SBOM_FILE_PATH_INVALID) && f.subject().equals("../../etc/passwd")));
  }
}
