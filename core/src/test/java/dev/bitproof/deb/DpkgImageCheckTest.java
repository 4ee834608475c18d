package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.io.Decompress;
import dev.bitproof.json.Json;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.testing.SharedData;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class DpkgImageCheckTest {
  static List<String> expectedUnowned(String file) throws Exception {
    JsonNode n = Json.mapper().readTree(Files.readAllBytes(SharedData.require("deb/expected/" + file)));
    List<String> out = new ArrayList<>();
    n.get("unowned").forEach(x -> out.add(x.asText()));
    return out;
  }

  static ImageFilesystem rootfs(String name) throws Exception {
    return RootfsTar.read(SharedData.require("deb/rootfs/" + name), (p, s) -> DpkgDatabase.isDatabasePath(p));
  }

  @Test
  void distrolessLikeLayerChecksCleanAndMatchesTheExpectedUnownedList() throws Exception {
    DpkgImageCheck.Result r = DpkgImageCheck.check(rootfs("distroless-like-statusd.tar.xz"), DpkgImageCheck.Options.defaults());
    assertEquals(1402, r.filesChecked());
    assertEquals(1402, r.filesOk());
    assertEquals(expectedUnowned("dpkg-verify-distroless-like.json"), r.unowned());
    assertEquals(r.unowned().size(), r.unownedExplained().size(), "every unowned file is explained");
    assertTrue(r.passed(), r.findings().toString());
    assertEquals(List.of(DebCode.DPKG_FILES_OK), r.findings().stream().map(Finding::code).toList());
    assertEquals("conffile (status.d md5sums leave conffiles out)", r.unownedExplained().get("/etc/host.conf"));
  }

  @Test
  void mmdebstrapDatabaseUnownedFilesMatchAndAreAllExplained() throws Exception {
    // the shared tar holds only var/lib/dpkg/** and os-release of the custom rootfs: every other file is missing
    ImageFilesystem fs = rootfs("custom-dpkg-db.tar.xz");
    DpkgImageCheck.Result r = DpkgImageCheck.check(fs, DpkgImageCheck.Options.defaults());
    assertEquals(3254, r.filesChecked());
    assertEquals(1, r.filesOk(), "only /usr/lib/os-release is in the tar");
    assertEquals(3253, r.findings().stream().filter(f -> f.code().equals(DebCode.DPKG_FILE_MISSING)).count());
    assertFalse(r.passed());
    Set<String> inTar = new TreeSet<>();
    fs.nodes().forEach(n -> inTar.add("/" + n.path()));
    List<String> expected = expectedUnowned("dpkg-verify-custom1.json").stream().filter(inTar::contains).toList();
    assertEquals(expected, r.unowned());
    // the full rootfs's 547 unowned files are all explained by the generated-file rules or alternatives state
    Map<String, String> alternatives = DpkgImageCheck.alternatives(fs);
    for (String p : expectedUnowned("dpkg-verify-custom1.json")) {
      assertTrue(GeneratedFiles.reason(p) != null || alternatives.containsKey(p), "unexplained: " + p);
    }
    assertNull(GeneratedFiles.reason("/usr/bin/backdoor"));
  }

  @Test
  void modifiedAndUnexplainedFilesAreReportedWithTheirLayer() throws Exception {
    ImageFilesystem.Builder b = new ImageFilesystem.Builder();
    b.addLayer(new ByteArrayInputStream(TestDebs.tar(
        TestDebs.Entry.file("./var/lib/dpkg/status.d/tool", "Package: tool\nVersion: 1.0\nArchitecture: all\n"),
        TestDebs.Entry.file("./var/lib/dpkg/status.d/tool.md5sums",
            "5d41402abc4b2a76b9719d911017c592  usr/bin/tool\n0cc175b9c0f1b6a831c399e269772661  usr/share/a\n"),
        TestDebs.Entry.file("./usr/bin/tool", "hello"),
        TestDebs.Entry.file("./usr/share/a", "a"))), "layer0", (p, s) -> true);
    b.addLayer(new ByteArrayInputStream(TestDebs.tar(
        TestDebs.Entry.file("./usr/bin/tool", "patched"),
        TestDebs.Entry.file("./usr/bin/backdoor", "x"),
        TestDebs.Entry.file("./usr/share/.wh.a", ""))), "layer1", (p, s) -> true);
    DpkgImageCheck.Result r = DpkgImageCheck.check(b.build(), DpkgImageCheck.Options.defaults());
    List<Code> codes = r.findings().stream().map(Finding::code).toList();
    assertEquals(List.of(DebCode.DPKG_FILES_DIFFER, DebCode.DPKG_FILE_MODIFIED, DebCode.DPKG_FILE_MISSING, DebCode.DPKG_UNOWNED_FILE), codes);
    assertEquals("1", r.findings().get(1).evidence().get("layer"));
    assertEquals("/usr/bin/backdoor", r.findings().get(3).subject());
    assertEquals(dev.bitproof.report.Severity.WARN, r.findings().get(3).severity());
    DpkgImageCheck.Result strict = DpkgImageCheck.check(b.build(), new DpkgImageCheck.Options(true));
    assertEquals(dev.bitproof.report.Severity.FAIL, strict.findings().get(3).severity());
  }

  static String md5(String s) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /** dpkg's own layout on a merged-/usr root: diversions, Multi-Arch info names, conffiles, alternatives. */
  @Test
  void statusLayoutWithMergedUsrDiversionsAndAlternatives() throws Exception {
    String status = "Package: dash\nStatus: install ok installed\nVersion: 0.5.12-2\nArchitecture: amd64\n\n"
        + "Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\nArchitecture: amd64\nConffiles:\n"
        + " /etc/bash.bashrc " + md5("packaged") + "\n\n"
        + "Package: libfoo1\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\nMulti-Arch: same\n\n"
        + "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\nArchitecture: all\n";
    ImageFilesystem.Builder b = new ImageFilesystem.Builder();
    b.addLayer(new ByteArrayInputStream(TestDebs.tar(
        TestDebs.Entry.dir("./etc"), TestDebs.Entry.dir("./etc/alternatives"), TestDebs.Entry.dir("./usr"),
        TestDebs.Entry.dir("./usr/bin"), TestDebs.Entry.dir("./usr/lib"), TestDebs.Entry.symlink("./bin", "usr/bin"),
        TestDebs.Entry.file("./usr/bin/dash", "dash"), TestDebs.Entry.symlink("./usr/bin/sh", "dash"),
        TestDebs.Entry.file("./usr/bin/sh.distrib", "bash-sh"), TestDebs.Entry.file("./etc/bash.bashrc", "edited by the admin"),
        TestDebs.Entry.file("./usr/lib/libfoo.so.1", "foo"),
        TestDebs.Entry.symlink("./usr/bin/pager", "/etc/alternatives/pager"),
        TestDebs.Entry.symlink("./etc/alternatives/pager", "/bin/more"),
        TestDebs.Entry.file("./var/lib/dpkg/status", status),
        TestDebs.Entry.file("./var/lib/dpkg/diversions", "/bin/sh\n/bin/sh.distrib\ndash\n"),
        TestDebs.Entry.file("./var/lib/dpkg/alternatives/pager", "auto\n/usr/bin/pager\n\n/bin/more\n50\n"),
        TestDebs.Entry.file("./var/lib/dpkg/info/dash.list", "/.\n/bin\n/bin/dash\n/bin/sh\n"),
        TestDebs.Entry.file("./var/lib/dpkg/info/dash.md5sums", md5("dash") + "  bin/dash\n"),
        TestDebs.Entry.file("./var/lib/dpkg/info/bash.list", "/.\n/bin\n/bin/sh\n/etc\n/etc/bash.bashrc\n"),
        TestDebs.Entry.file("./var/lib/dpkg/info/bash.md5sums", md5("bash-sh") + "  bin/sh\n"),
        TestDebs.Entry.file("./var/lib/dpkg/info/libfoo1:amd64.list", "/.\n/usr\n/usr/lib\n/usr/lib/libfoo.so.1\n"),
        TestDebs.Entry.file("./var/lib/dpkg/info/libfoo1:amd64.md5sums", md5("foo") + "  usr/lib/libfoo.so.1\n"))),
        "layer0", (p, s) -> DpkgDatabase.isDatabasePath(p));
    DpkgImageCheck.Result r = DpkgImageCheck.check(b.build(), DpkgImageCheck.Options.defaults());
    assertEquals(DpkgDatabase.Layout.STATUS, r.database().layout());
    assertEquals(4, r.database().packages().size());
    assertEquals(3, r.database().installed().size(), "config-files state has no files");
    assertEquals("libfoo1:amd64", r.database().find("libfoo1").orElseThrow().infoName());
    assertEquals(3, r.filesChecked());
    assertEquals(3, r.filesOk(), "bash's /bin/sh is found at the diverted /bin/sh.distrib, through the /bin symlink: " + r.findings());
    assertEquals(List.of(DebCode.DPKG_FILES_OK, DebCode.DPKG_CONFFILE_CHANGED), r.findings().stream().map(Finding::code).toList());
    assertTrue(r.passed());
    assertEquals(List.of("/etc/alternatives/pager", "/usr/bin/pager", "/var/lib/dpkg/alternatives/pager",
        "/var/lib/dpkg/diversions", "/var/lib/dpkg/info/bash.list", "/var/lib/dpkg/info/bash.md5sums",
        "/var/lib/dpkg/info/dash.list", "/var/lib/dpkg/info/dash.md5sums", "/var/lib/dpkg/info/libfoo1:amd64.list",
        "/var/lib/dpkg/info/libfoo1:amd64.md5sums", "/var/lib/dpkg/status"), r.unowned());
    assertEquals("update-alternatives link (pager)", r.unownedExplained().get("/usr/bin/pager"));
  }

  @Test
  void statusDBlindSpotsAreClosedByTheDebs() throws Exception {
    ImageFilesystem fs = rootfs("distroless-like-statusd.tar.xz");
    DpkgDatabase db = DpkgDatabase.read(DpkgDatabase.access(fs));
    List<DebPackage> debs = new ArrayList<>();
    try (java.util.stream.Stream<java.nio.file.Path> s = Files.list(SharedData.require("deb/debs"))) {
      for (java.nio.file.Path p : s.filter(x -> x.toString().endsWith(".deb")).sorted().toList()) {
        debs.add(DebPackage.read(p));
      }
    }
    List<Finding> fs2 = DpkgImageCheck.compareWithDebs(fs, db, debs);
    Map<String, Code> byDeb = new java.util.TreeMap<>();
    fs2.forEach(f -> byDeb.put(f.subject(), f.code()));
    assertEquals(DebCode.DPKG_DEB_NOT_INSTALLED, byDeb.remove("dash_0.5.12-2_amd64.deb"), "dash is not in the layer");
    assertEquals(6, byDeb.size(), fs2.toString());
    assertTrue(byDeb.values().stream().allMatch(DebCode.DPKG_DEB_CONTENT_OK::equals), fs2.toString());
    Finding baseFiles = fs2.stream().filter(f -> f.subject().startsWith("base-files")).findFirst().orElseThrow();
    assertTrue(Integer.parseInt(baseFiles.evidence().get("conffiles")) > 0, "conffiles are now verified: " + baseFiles);
    Finding libc = fs2.stream().filter(f -> f.subject().startsWith("libc6")).findFirst().orElseThrow();
    assertTrue(Integer.parseInt(libc.evidence().get("symlinks")) > 0, "symlinks are now verified: " + libc);

    // a changed conffile and a retargeted symlink in a later layer are caught
    ImageFilesystem.Builder b = new ImageFilesystem.Builder();
    try (java.io.InputStream in = Decompress.sniff(Files.newInputStream(SharedData.require("deb/rootfs/distroless-like-statusd.tar.xz")),
        1L << 34, 1000, "rootfs")) {
      b.addLayer(in, "layer0", (p, s) -> DpkgDatabase.isDatabasePath(p));
    }
    b.addLayer(new ByteArrayInputStream(TestDebs.tar(TestDebs.Entry.file("./etc/host.conf", "multi on\nevil\n"),
        TestDebs.Entry.symlink("./lib64/ld-linux-x86-64.so.2", "/tmp/evil.so"))), "layer1", (p, s) -> false);
    ImageFilesystem changed = b.build();
    List<Code> codes = DpkgImageCheck.compareWithDebs(changed, DpkgDatabase.read(DpkgDatabase.access(changed)), debs)
        .stream().map(Finding::code).toList();
    assertTrue(codes.contains(DebCode.DPKG_CONFFILE_CHANGED), codes.toString());
    assertTrue(codes.contains(DebCode.DPKG_SYMLINK_DIFFERS), codes.toString());
  }

  @Test
  void mergedUsrWithoutDirectoryEntries() throws Exception {
    ImageFilesystem.Builder b = new ImageFilesystem.Builder();
    b.addLayer(new ByteArrayInputStream(TestDebs.tar(
        TestDebs.Entry.symlink("bin", "usr/bin"), TestDebs.Entry.file("usr/bin/x", "x"),
        TestDebs.Entry.file("var/lib/dpkg/status.d/x", "Package: x\nVersion: 1\nArchitecture: all\n"),
        TestDebs.Entry.file("var/lib/dpkg/status.d/x.md5sums", md5("x") + "  bin/x\n"))), "l", (p, s) -> true);
    DpkgImageCheck.Result r = DpkgImageCheck.check(b.build(), DpkgImageCheck.Options.defaults());
    assertEquals(1, r.filesOk());
    assertEquals(List.of("/bin", "/var/lib/dpkg/status.d/x", "/var/lib/dpkg/status.d/x.md5sums"), r.unowned());
    assertTrue(r.passed(), r.findings().toString());
  }

  @Test
  void installedStanzasAreProvenInTheSignedArchive() throws Exception {
    ImageFilesystem fs = rootfs("distroless-like-statusd.tar.xz");
    DpkgDatabase db = DpkgDatabase.read(DpkgDatabase.access(fs));
    PgpKeyring k = PgpKeyring.load(SharedData.require("deb/keyrings/debian-archive-keyring.gpg"));
    ArchiveVerifier.Options o = ArchiveVerifier.Options.at(Instant.parse("2026-11-29T12:00:00Z"));
    ArchiveVerifier.VerifiedRelease rel = ArchiveVerifier.verifyInRelease(
        Files.readAllBytes(SharedData.require("deb/release/bookworm_InRelease")), "bookworm_InRelease", k, o);
    Set<String> names = new TreeSet<>();
    db.packages().forEach(p -> names.add(p.name()));
    PackagesIndex idx = ArchiveVerifier.loadPackages(SharedData.require("deb/packages/bookworm_main_binary-amd64_Packages.xz"),
        List.of(rel), o, names::contains).index().orElseThrow();
    List<Finding> fs2 = DpkgImageCheck.proveInArchive(db, List.of(idx));
    Map<String, Code> byPkg = new java.util.TreeMap<>();
    fs2.forEach(f -> byPkg.put(f.subject().split(" ")[0], f.code()));
    // libssl3, tzdata and ca-certificates come from bookworm-security, whose index is not in the shared data
    assertEquals(Map.of("base-files", DebCode.DPKG_PACKAGE_IN_ARCHIVE, "ca-certificates", DebCode.DPKG_PACKAGE_NOT_IN_ARCHIVE,
        "gcc-12-base", DebCode.DPKG_PACKAGE_IN_ARCHIVE, "libc6", DebCode.DPKG_PACKAGE_IN_ARCHIVE, "libgcc-s1", DebCode.DPKG_PACKAGE_IN_ARCHIVE,
        "libssl3", DebCode.DPKG_PACKAGE_NOT_IN_ARCHIVE, "media-types", DebCode.DPKG_PACKAGE_IN_ARCHIVE, "netbase", DebCode.DPKG_PACKAGE_IN_ARCHIVE,
        "tzdata", DebCode.DPKG_PACKAGE_NOT_IN_ARCHIVE), byPkg, fs2.toString());

    // one changed control field is caught
    ControlParagraph libc = db.find("libc6").orElseThrow().control();
    List<ControlParagraph.Field> fields = new ArrayList<>(libc.fields());
    fields.replaceAll(f -> f.name().equals("Depends") ? new ControlParagraph.Field("Depends", "libgcc-s1, evil") : f);
    DpkgDatabase.InstalledPackage orig = db.find("libc6").orElseThrow();
    DpkgDatabase.InstalledPackage forged = new DpkgDatabase.InstalledPackage(orig.name(), orig.architecture(), orig.version(),
        orig.status(), new ControlParagraph(fields, 1), orig.infoName(), orig.md5sums(), orig.conffiles(), List.of(), false);
    assertEquals(DebCode.DPKG_CONTROL_MISMATCH, DpkgImageCheck.proveInArchive(dbOf(forged), List.of(idx)).get(0).code());
  }

  private static DpkgDatabase dbOf(DpkgDatabase.InstalledPackage p) throws Exception {
    String text = p.control().toText();
    return DpkgDatabase.read(new DpkgDatabase.FileAccess() {
      @Override
      public java.util.Optional<byte[]> read(String path) {
        return path.equals(DpkgDatabase.STATUS_D + "/" + p.name())
            ? java.util.Optional.of(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) : java.util.Optional.empty();
      }

      @Override
      public List<String> children(String dir) {
        return dir.equals(DpkgDatabase.STATUS_D) ? List.of(p.name()) : List.of();
      }
    });
  }
}
