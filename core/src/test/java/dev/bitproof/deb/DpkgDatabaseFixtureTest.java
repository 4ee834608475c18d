package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.image.ImageFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DpkgDatabase} on rootfs tars the test builds (status + info/, and distroless status.d), read through
 * {@link RootfsTar}: the generic twin of {@link DpkgDatabaseTest}'s real-rootfs cases, runnable without ../shared.
 */
class DpkgDatabaseFixtureTest {
  static final String MD5 = "0123456789abcdef0123456789abcdef";

  @TempDir
  Path tmp;

  ImageFilesystem rootfs(TestDebs.Entry... entries) throws Exception {
    Path p = Files.write(tmp.resolve("rootfs.tar.xz"), TestDebs.xz(TestDebs.tar(entries)));
    return RootfsTar.read(p, (path, s) -> DpkgDatabase.isDatabasePath(path));
  }

  @Test
  void readsAStatusDatabaseWithInfoFilesConffilesAndDiversions() throws Exception {
    String status = "Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4+deb12u13\n"
        + "Conffiles:\n /etc/debian_version " + MD5 + "\n /etc/issue " + MD5 + "\nDescription: base\n\n"
        + "Package: dash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 0.5.12-2\nDescription: sh\n\n"
        + "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\n"
        + "Source: glibc\nVersion: 2.36-9+deb12u14\nDescription: libc\n";
    ImageFilesystem fs = rootfs(
        TestDebs.Entry.file("./var/lib/dpkg/status", status),
        TestDebs.Entry.file("./var/lib/dpkg/diversions", "/bin/sh\n/bin/sh.distrib\ndash\n"),
        TestDebs.Entry.file("./var/lib/dpkg/info/libc6:amd64.list", "/.\n/lib\n/lib/x86_64-linux-gnu/libc.so.6\n"),
        TestDebs.Entry.file("./var/lib/dpkg/info/libc6:amd64.md5sums", MD5 + "  lib/x86_64-linux-gnu/libc.so.6\n"),
        TestDebs.Entry.file("./var/lib/dpkg/info/base-files.list", "/.\n/etc\n/etc/debian_version\n/etc/issue\n"),
        TestDebs.Entry.file("./var/lib/dpkg/info/base-files.md5sums", MD5 + "  usr/share/doc/base-files/README\n"),
        TestDebs.Entry.file("./var/lib/dpkg/info/dash.list", "/.\n/bin\n/bin/dash\n"),
        TestDebs.Entry.file("./var/lib/dpkg/info/dash.md5sums", MD5 + "  bin/dash\n"),
        TestDebs.Entry.file("./usr/bin/ignored", "not part of the database"));
    DpkgDatabase db = DpkgDatabase.read(DpkgDatabase.access(fs));
    assertEquals(DpkgDatabase.Layout.STATUS, db.layout());
    assertEquals(List.of("base-files", "dash", "libc6"), db.packages().stream().map(DpkgDatabase.InstalledPackage::name).toList());
    assertEquals(3, db.installed().size());
    assertEquals(3, db.installed().stream().mapToInt(p -> p.md5sums().size()).sum());

    DpkgDatabase.InstalledPackage libc = db.find("libc6").orElseThrow();
    assertEquals("libc6:amd64", libc.infoName(), "Multi-Arch: same packages use <pkg>:<arch> info files");
    assertEquals("2.36-9+deb12u14", libc.version().toString());
    assertEquals("glibc", libc.sourceName());
    assertEquals("install ok installed", libc.status());
    assertTrue(libc.hasFileList());
    assertEquals("/.", libc.listedPaths().get(0));
    assertEquals("/lib/x86_64-linux-gnu/libc.so.6", libc.md5sums().get(0).path());
    assertTrue(libc.md5sums().stream().allMatch(e -> e.path().startsWith("/") && e.md5().length() == 32));

    DpkgDatabase.InstalledPackage base = db.find("base-files").orElseThrow();
    assertEquals("base-files", base.infoName());
    assertEquals(2, base.conffiles().size());
    assertTrue(base.conffiles().stream().allMatch(DpkgDatabase.Conffile::hasHash));
    assertTrue(base.conffiles().stream().anyMatch(c -> c.path().equals("/etc/debian_version")));

    assertTrue(db.diversions().stream().anyMatch(d -> d.path().equals("/bin/sh")
        && d.divertedTo().equals("/bin/sh.distrib") && d.byPackage().equals("dash")), db.diversions().toString());
  }

  @Test
  void readsADistrolessStatusD() throws Exception {
    ImageFilesystem fs = rootfs(
        TestDebs.Entry.file("./var/lib/dpkg/status.d/libc6", "Package: libc6\nVersion: 2.36-9+deb12u14\nArchitecture: amd64\n"),
        TestDebs.Entry.file("./var/lib/dpkg/status.d/libc6.md5sums", MD5 + "  lib/x86_64-linux-gnu/libc.so.6\n" + MD5 + "  usr/lib/x\n"),
        TestDebs.Entry.file("./var/lib/dpkg/status.d/base-files", "Package: base-files\nVersion: 12.4+deb12u13\nArchitecture: amd64\n"),
        TestDebs.Entry.file("./var/lib/dpkg/status.d/base-files.md5sums", MD5 + "  etc/debian_version\n"),
        TestDebs.Entry.file("./var/lib/dpkg/status.d/tzdata", "Package: tzdata\nVersion: 2025b-0+deb12u2\nArchitecture: all\n"));
    DpkgDatabase db = DpkgDatabase.read(DpkgDatabase.access(fs));
    assertEquals(DpkgDatabase.Layout.STATUS_D, db.layout());
    assertEquals(List.of("base-files", "libc6", "tzdata"), db.packages().stream().map(DpkgDatabase.InstalledPackage::name).toList());
    assertEquals(3, db.packages().stream().mapToInt(p -> p.md5sums().size()).sum());
    DpkgDatabase.InstalledPackage libc = db.find("libc6").orElseThrow();
    assertEquals("", libc.status(), "status.d holds the deb's control file, which has no Status:");
    assertTrue(libc.isInstalled());
    assertFalse(libc.hasFileList());
    assertTrue(db.find("tzdata").orElseThrow().md5sums().isEmpty(), "no md5sums file: none listed");
    assertTrue(db.diversions().isEmpty());
  }
}
