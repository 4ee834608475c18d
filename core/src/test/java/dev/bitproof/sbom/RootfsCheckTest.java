package dev.bitproof.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A root filesystem (tar in any compression, or a directory) as the subject of {@code sbom check}. */
class RootfsCheckTest {
  static Set<Code> failing(SbomVerification.Result r) {
    return r.findings().stream().filter(Finding::fails).map(Finding::code).collect(Collectors.toSet());
  }

  /**
   * Fidelity: the shared distroless-like Debian layer (xz) against cdxgen's real SBOM of it (gzip), with every check a
   * rootfs gets (strict rules, licences against the real DEP-5 copyright files, language evidence): clean.
   */
  @Test
  void debianLayerWithCdxgensGzippedSbom() throws Exception {
    Path tar = SharedData.require("deb/rootfs/distroless-like-statusd.tar.xz");
    byte[] sbom = Files.readAllBytes(SharedData.require("deb/sbom/sbom-distroless-like.cdx.json.gz"));
    SbomVerification.Result r = SbomVerification.runRootfs(Rootfs.of(tar),
        List.of(new SbomVerification.Input("cdxgen.cdx.json.gz", sbom, Optional.empty())));
    assertEquals(Set.of(), failing(r), r.findings().toString());
    Set<Code> all = r.findings().stream().map(Finding::code).collect(Collectors.toSet());
    assertTrue(all.contains(SbomCode.SBOM_MATCHES_IMAGE), all.toString());
    assertTrue(all.contains(SbomCode.SBOM_SCHEMA_NOT_CHECKED), "cdxgen writes CycloneDX 1.7: no bundled schema");
  }

  /**
   * A Debian layer the test builds, written as an xz tar (DistrolessLayer with netbase's DEP-5 copyright), against a
   * cdxgen-form SBOM written for it, gzipped (CdxgenStyleSbom): clean; and tampered copies, each caught with its code.
   */
  @Test
  void debianLayerXzWithACdxgenFormGzippedSbom(@TempDir Path tmp) throws Exception {
    Path tar = tmp.resolve("distroless-like.tar.xz");
    try (java.io.OutputStream out = new org.tukaani.xz.XZOutputStream(Files.newOutputStream(tar), new org.tukaani.xz.LZMA2Options())) {
      out.write(CdxgenStyleSbom.layer());
    }
    com.fasterxml.jackson.databind.node.ObjectNode doc = CdxgenStyleSbom.document();
    byte[] sbom = dev.bitproof.testing.TestImages.gzip(CdxgenStyleSbom.bytes(doc));
    SbomVerification.Result r = SbomVerification.runRootfs(Rootfs.of(tar),
        List.of(new SbomVerification.Input("cdxgen.cdx.json.gz", sbom, Optional.empty())));
    assertEquals(Set.of(), failing(r), r.findings().toString());
    Set<Code> all = r.findings().stream().map(Finding::code).collect(Collectors.toSet());
    assertTrue(all.contains(SbomCode.SBOM_MATCHES_IMAGE), all.toString());
    assertTrue(all.contains(SbomCode.SBOM_SCHEMA_NOT_CHECKED), "CycloneDX 1.7: no bundled schema");

    // tampered copies: a wrong licence (netbase's copyright says GPL-2+ and MPL-2.0), a dropped package,
    // a fake pypi component, a wrong version
    java.util.Map<Code, java.util.function.Consumer<com.fasterxml.jackson.databind.node.ArrayNode>> tampers = java.util.Map.of(
        SbomCode.SBOM_LICENSE_MISMATCH, c -> byName(c, "netbase").putArray("licenses").addObject().putObject("license").put("id", "MIT"),
        SbomCode.SBOM_PACKAGE_MISSING, c -> c.remove(indexOf(c, "netbase")),
        SbomCode.SBOM_COMPONENT_NO_EVIDENCE, c -> c.addObject().put("type", "library").put("name", "requests")
            .put("version", "2.31.0").put("purl", "pkg:pypi/requests@2.31.0").put("bom-ref", "pkg:pypi/requests@2.31.0"),
        SbomCode.SBOM_VERSION_MISMATCH, c -> byName(c, "netbase").put("version", "6.5")
            .put("purl", byName(c, "netbase").path("purl").asText().replace("@6.4", "@6.5")));
    for (var t : tampers.entrySet()) {
      com.fasterxml.jackson.databind.node.ObjectNode copy = doc.deepCopy();
      t.getValue().accept((com.fasterxml.jackson.databind.node.ArrayNode) copy.path("components"));
      SbomVerification.Result tr = SbomVerification.runRootfs(Rootfs.of(tar), List.of(new SbomVerification.Input("t.json",
          copy.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), Optional.empty())));
      // dropping a component leaves the dependency entries naming it: that is caught too
      Set<Code> expected = t.getKey() == SbomCode.SBOM_PACKAGE_MISSING
          ? Set.of(t.getKey(), SbomCode.SBOM_RELATIONSHIP_DANGLING) : Set.of(t.getKey());
      assertEquals(expected, failing(tr), t.getKey() + ": " + tr.findings());
    }
  }

  private static int indexOf(com.fasterxml.jackson.databind.node.ArrayNode c, String name) {
    for (int i = 0; i < c.size(); i++) {
      if (c.get(i).path("name").asText().equals(name)) {
        return i;
      }
    }
    throw new AssertionError(name);
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode byName(com.fasterxml.jackson.databind.node.ArrayNode c, String name) {
    return (com.fasterxml.jackson.databind.node.ObjectNode) c.get(indexOf(c, name));
  }

  @Test
  void aDirectoryRootfsIsTheSameAsItsTar(@TempDir Path tmp) throws Exception {
    byte[] tar = EcosystemImage.tar(Optional.empty());
    Path dir = tmp.resolve("root");
    try (TarArchiveInputStream in = new TarArchiveInputStream(new java.io.ByteArrayInputStream(tar))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        Path p = dir.resolve(e.getName());
        if (e.isDirectory()) {
          Files.createDirectories(p);
        } else {
          Files.createDirectories(p.getParent());
          Files.write(p, in.readAllBytes());
        }
      }
    }
    Path tarFile = tmp.resolve("root.tar.gz");
    Files.write(tarFile, dev.bitproof.testing.TestImages.gzip(tar));
    String fake = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"serialNumber\":\"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79\","
        + "\"version\":1,\"components\":[{\"type\":\"library\",\"bom-ref\":\"x\",\"name\":\"evil\",\"version\":\"1.0\","
        + "\"purl\":\"pkg:pypi/evil@1.0\"}]}";
    for (Path root : List.of(dir, tarFile)) {
      SbomVerification.Result r = SbomVerification.runRootfs(Rootfs.of(root),
          List.of(new SbomVerification.Input("fake.json", fake.getBytes(java.nio.charset.StandardCharsets.UTF_8), Optional.empty())));
      Set<Code> f = failing(r);
      assertTrue(f.contains(SbomCode.SBOM_COMPONENT_NO_EVIDENCE) && f.contains(SbomCode.SBOM_LANGUAGE_PACKAGE_MISSING)
          && f.contains(SbomCode.SBOM_PACKAGE_MISSING), root + ": " + r.findings());
    }
  }
}
