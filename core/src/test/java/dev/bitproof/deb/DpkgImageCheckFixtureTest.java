package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generic twins of {@link DpkgImageCheckTest}'s real-data cases, runnable without ../shared: installed stanzas
 * proven in a signed archive the test builds ({@link TestArchive}), and an image's files held to debs the test builds.
 */
class DpkgImageCheckFixtureTest {
  @TempDir
  Path tmp;

  static DpkgDatabase statusD(String... nameAndControl) throws Exception {
    ImageFilesystem.Builder b = new ImageFilesystem.Builder();
    TestDebs.Entry[] entries = new TestDebs.Entry[nameAndControl.length / 2];
    for (int i = 0; i < entries.length; i++) {
      entries[i] = TestDebs.Entry.file("./var/lib/dpkg/status.d/" + nameAndControl[2 * i], nameAndControl[2 * i + 1]);
    }
    b.addLayer(new ByteArrayInputStream(TestDebs.tar(entries)), "layer0", (p, s) -> true);
    ImageFilesystem fs = b.build();
    return DpkgDatabase.read(DpkgDatabase.access(fs));
  }

  @Test
  void installedStanzasAreProvenInTheSignedArchive() throws Exception {
    TestArchive a = new TestArchive();
    ArchiveVerifier.Options o = ArchiveVerifier.Options.at(TestArchive.NOW);
    ArchiveVerifier.VerifiedRelease rel = ArchiveVerifier.verifyInRelease(a.inRelease, "testy_InRelease", a.keyring(), o);
    Path px = Files.write(tmp.resolve("testy_main_binary-amd64_Packages.xz"), a.packagesXz);
    PackagesIndex idx = ArchiveVerifier.loadPackages(px, List.of(rel), o, n -> true).index().orElseThrow();

    DpkgDatabase db = statusD(
        "hello", "Package: hello\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: Test <t@example.invalid>\n",
        "base-files", "Package: base-files\nVersion: 2:13.1\nArchitecture: all\nMaintainer: Test <t@example.invalid>\n",
        "extra", "Package: extra\nVersion: 1.0\nArchitecture: all\n",
        "old", "Package: hello-old\nVersion: 0.9-1\nArchitecture: amd64\n");
    List<Finding> fs = DpkgImageCheck.proveInArchive(db, List.of(idx));
    Map<String, Code> byPkg = new TreeMap<>();
    fs.forEach(f -> byPkg.put(f.subject().split(" ")[0], f.code()));
    assertEquals(Map.of("base-files", DebCode.DPKG_PACKAGE_IN_ARCHIVE, "hello", DebCode.DPKG_PACKAGE_IN_ARCHIVE,
        "extra", DebCode.DPKG_PACKAGE_NOT_IN_ARCHIVE, "hello-old", DebCode.DPKG_PACKAGE_NOT_IN_ARCHIVE), byPkg, fs.toString());

    // one changed control field is caught
    DpkgDatabase forged = statusD("hello", "Package: hello\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: Evil <e@example.invalid>\n");
    List<Finding> ff = DpkgImageCheck.proveInArchive(forged, List.of(idx));
    assertEquals(DebCode.DPKG_CONTROL_MISMATCH, ff.get(0).code(), ff.toString());
    assertTrue(ff.get(0).toString().contains("Maintainer"), ff.toString());
  }

  /**
   * The archive's own rootfs (status.d holding each deb's control file, long description included, as indexes made
   * by reprepro or aptly carry it too): clean, every unowned file explained, and the archive's packages proven.
   */
  @Test
  void aRootfsOfTheArchiveChecksCleanAndItsStanzasAreProven() throws Exception {
    TestArchive a = new TestArchive();
    ImageFilesystem fs = RootfsTar.read(a.writeRootfs(tmp), (p, s) -> DpkgDatabase.isDatabasePath(p));
    DpkgImageCheck.Result r = DpkgImageCheck.check(fs, DpkgImageCheck.Options.defaults());
    assertEquals(List.of(DebCode.DPKG_FILES_OK), r.findings().stream().map(Finding::code).toList(), r.findings().toString());
    assertEquals(3, r.filesChecked());
    assertEquals(3, r.filesOk());
    assertEquals(7, r.unowned().size(), r.unowned().toString());
    assertEquals(r.unowned().size(), r.unownedExplained().size(), r.unownedExplained().toString());
    assertEquals("ldconfig", r.unownedExplained().get("/var/cache/ldconfig/aux-cache"));

    ArchiveVerifier.Options o = ArchiveVerifier.Options.at(TestArchive.NOW);
    ArchiveVerifier.VerifiedRelease rel = ArchiveVerifier.verifyInRelease(a.inRelease, "testy_InRelease", a.keyring(), o);
    PackagesIndex idx = ArchiveVerifier.loadPackages(a.writePackagesXz(tmp), List.of(rel), o, n -> true).index().orElseThrow();
    Map<String, Code> byPkg = new TreeMap<>();
    DpkgImageCheck.proveInArchive(r.database(), List.of(idx)).forEach(f -> byPkg.put(f.subject().split(" ")[0], f.code()));
    assertEquals(Map.of("base-files", DebCode.DPKG_PACKAGE_IN_ARCHIVE, "hello", DebCode.DPKG_PACKAGE_IN_ARCHIVE,
        TestArchive.LOCAL_PACKAGE, DebCode.DPKG_PACKAGE_NOT_IN_ARCHIVE), byPkg);

    // a changed line of the long description is a changed stanza
    DpkgDatabase forged = statusD("hello", TestArchive.control("hello", "1.0-1", "amd64").replace("paragraph", "backdoor"));
    List<Finding> ff = DpkgImageCheck.proveInArchive(forged, List.of(idx));
    assertEquals(List.of(DebCode.DPKG_CONTROL_MISMATCH), ff.stream().map(Finding::code).toList(), ff.toString());
    assertEquals("[Description]", String.valueOf(ff.get(0).evidence().get("fields")), ff.toString());
  }

  /** A deb: control.tar.xz with control, md5sums (of the regular files) and conffiles; data.tar.xz of {@code data}. */
  static byte[] deb(String control, String conffiles, TestDebs.Entry... data) throws Exception {
    StringBuilder md5sums = new StringBuilder();
    for (TestDebs.Entry e : data) {
      if (e.content() != null) {
        md5sums.append(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(e.content())))
            .append("  ").append(e.name().substring(2)).append('\n');
      }
    }
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
    m.put("control.tar.xz", TestDebs.xz(TestDebs.tar(TestDebs.Entry.file("./control", control),
        TestDebs.Entry.file("./md5sums", md5sums.toString()), TestDebs.Entry.file("./conffiles", conffiles))));
    m.put("data.tar.xz", TestDebs.xz(TestDebs.tar(data)));
    return TestDebs.ar(m);
  }

  /**
   * status.d records no conffiles and no symlinks; the debs themselves close that gap: the generic twin of
   * {@link DpkgImageCheckTest#statusDBlindSpotsAreClosedByTheDebs} (which holds the real debs to the real layer).
   */
  @Test
  void statusDBlindSpotsAreClosedByTheDebs() throws Exception {
    String control = "Package: netconf\nVersion: 1:2.0-1\nArchitecture: amd64\nMaintainer: Test <t@example.invalid>\n"
        + "Description: test\n";
    TestDebs.Entry[] data = {TestDebs.Entry.dir("./etc"), TestDebs.Entry.file("./etc/host.conf", "multi on\n"),
        TestDebs.Entry.dir("./usr"), TestDebs.Entry.dir("./usr/lib"), TestDebs.Entry.file("./usr/lib/libnet.so.1.0", "\u007fELF net\n"),
        TestDebs.Entry.symlink("./usr/lib/libnet.so.1", "libnet.so.1.0")};
    List<DebPackage> debs = List.of(
        DebPackage.read(Files.write(tmp.resolve("netconf_2.0-1_amd64.deb"), deb(control, "/etc/host.conf\n", data))),
        DebPackage.read(Files.write(tmp.resolve("other_1.0_all.deb"), deb("Package: other\nVersion: 1.0\nArchitecture: all\n"
            + "Maintainer: Test <t@example.invalid>\nDescription: test\n", "", TestDebs.Entry.file("./usr/share/other", "x\n")))));
    // the image: the deb's data, and status.d holding its control file and the md5sums of its regular files
    List<TestDebs.Entry> image = new ArrayList<>(List.of(data));
    image.add(TestDebs.Entry.file("./var/lib/dpkg/status.d/netconf", control));
    image.add(TestDebs.Entry.file("./var/lib/dpkg/status.d/netconf.md5sums",
        DpkgDatabaseFixtureTest.MD5.replaceAll(".", "0") + "  etc/host.conf\n"));
    ImageFilesystem.Builder b = new ImageFilesystem.Builder();
    b.addLayer(new ByteArrayInputStream(TestDebs.tar(image.toArray(TestDebs.Entry[]::new))), "layer0", (p, s) -> true);
    ImageFilesystem clean = b.build();
    List<Finding> ok = DpkgImageCheck.compareWithDebs(clean, DpkgDatabase.read(DpkgDatabase.access(clean)), debs);
    assertEquals(List.of(DebCode.DPKG_DEB_CONTENT_OK, DebCode.DPKG_DEB_NOT_INSTALLED), ok.stream().map(Finding::code).toList(),
        ok.toString());
    Map<String, String> ev = ok.get(0).evidence();
    assertEquals("2", String.valueOf(ev.get("files")), ev.toString());
    assertEquals("1", String.valueOf(ev.get("symlinks")), ev.toString());
    assertEquals("1", String.valueOf(ev.get("conffiles")), ev.toString());

    // a later layer edits the conffile, retargets the symlink and replaces the library
    b.addLayer(new ByteArrayInputStream(TestDebs.tar(TestDebs.Entry.file("./etc/host.conf", "multi on\nevil\n"),
        TestDebs.Entry.symlink("./usr/lib/libnet.so.1", "/tmp/evil.so"), TestDebs.Entry.file("./usr/lib/libnet.so.1.0", "evil"))),
        "layer1", (p, s) -> true);
    ImageFilesystem changed = b.build();
    List<Finding> bad = DpkgImageCheck.compareWithDebs(changed, DpkgDatabase.read(DpkgDatabase.access(changed)), debs);
    Map<Code, Severity> got = new TreeMap<>(java.util.Comparator.comparing(Code::name));
    bad.forEach(f -> got.put(f.code(), f.severity()));
    assertEquals(Map.of(DebCode.DPKG_CONFFILE_CHANGED, Severity.WARN, DebCode.DPKG_SYMLINK_DIFFERS, Severity.FAIL,
        DebCode.DPKG_FILE_MODIFIED, Severity.FAIL, DebCode.DPKG_DEB_NOT_INSTALLED, Severity.INFO), got, bad.toString());
    Finding conf = bad.stream().filter(f -> f.code() == DebCode.DPKG_CONFFILE_CHANGED).findFirst().orElseThrow();
    assertEquals("1", String.valueOf(conf.evidence().get("layer")), "the second layer changed it: " + conf);
    assertEquals(md5("multi on\n"), conf.evidence().get("expectedMd5"));
    assertEquals(md5("multi on\nevil\n"), conf.evidence().get("actualMd5"));
  }

  static String md5(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
