package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installed stanzas proven in a signed archive the test builds ({@link TestArchive}): the generic twin of
 * {@link DpkgImageCheckTest#installedStanzasAreProvenInTheSignedArchive}, runnable without ../shared.
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
}
