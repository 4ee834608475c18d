package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.CheckException;
import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DpkgDatabaseTest {
  @Test
  void readsTheRealMmdebstrapStatusDatabase() throws Exception {
    ImageFilesystem fs = RootfsTar.read(SharedData.require("deb/rootfs/custom-dpkg-db.tar.xz"),
        (p, s) -> DpkgDatabase.isDatabasePath(p));
    DpkgDatabase db = DpkgDatabase.read(DpkgDatabase.access(fs));
    assertEquals(DpkgDatabase.Layout.STATUS, db.layout());
    assertEquals(36, db.packages().size(), "expected/dpkg-verify-custom1.json says 36 packages");
    assertEquals(36, db.installed().size());
    // expected/dpkg-verify-custom1.json: files_checked 3254
    assertEquals(3254, db.installed().stream().mapToInt(p -> p.md5sums().size()).sum());

    DpkgDatabase.InstalledPackage libc = db.find("libc6").orElseThrow();
    assertEquals("libc6:amd64", libc.infoName(), "Multi-Arch: same packages use <pkg>:<arch> info files");
    assertEquals("2.36-9+deb12u14", libc.version().toString());
    assertEquals("glibc", libc.sourceName());
    assertEquals("install ok installed", libc.status());
    assertTrue(libc.hasFileList());
    assertEquals("/.", libc.listedPaths().get(0));
    assertTrue(libc.md5sums().stream().allMatch(e -> e.path().startsWith("/") && e.md5().length() == 32));

    DpkgDatabase.InstalledPackage base = db.find("base-files").orElseThrow();
    assertEquals("base-files", base.infoName());
    assertFalse(base.conffiles().isEmpty());
    assertTrue(base.conffiles().stream().allMatch(DpkgDatabase.Conffile::hasHash));
    assertTrue(base.conffiles().stream().anyMatch(c -> c.path().equals("/etc/debian_version")));

    // dash diverts /bin/sh (reference §5)
    assertTrue(db.diversions().stream().anyMatch(d -> d.path().equals("/bin/sh")
        && d.divertedTo().equals("/bin/sh.distrib") && d.byPackage().equals("dash")), db.diversions().toString());
  }

  @Test
  void readsTheDistrolessStatusD() throws Exception {
    ImageFilesystem fs = RootfsTar.read(SharedData.require("deb/rootfs/distroless-like-statusd.tar.xz"),
        (p, s) -> DpkgDatabase.isDatabasePath(p));
    DpkgDatabase db = DpkgDatabase.read(DpkgDatabase.access(fs));
    assertEquals(DpkgDatabase.Layout.STATUS_D, db.layout());
    assertEquals(List.of("base-files", "ca-certificates", "gcc-12-base", "libc6", "libgcc-s1", "libssl3",
        "media-types", "netbase", "tzdata"), db.packages().stream().map(DpkgDatabase.InstalledPackage::name).toList());
    // expected/dpkg-verify-distroless-like.json: files_checked 1402
    assertEquals(1402, db.packages().stream().mapToInt(p -> p.md5sums().size()).sum());
    DpkgDatabase.InstalledPackage libc = db.find("libc6").orElseThrow();
    assertEquals("", libc.status(), "status.d holds the deb's control file, which has no Status:");
    assertTrue(libc.isInstalled());
    assertFalse(libc.hasFileList());
    assertTrue(db.diversions().isEmpty());
  }

  @Test
  void olderStatusDDirectoryLayoutAndMissingDatabase() throws Exception {
    Map<String, byte[]> files = Map.of(
        "var/lib/dpkg/status.d/foo/control", "Package: foo\nVersion: 1:2.0-1\nArchitecture: all\n".getBytes(StandardCharsets.UTF_8),
        "var/lib/dpkg/status.d/foo/md5sums", "d41d8cd98f00b204e9800998ecf8427e  usr/share/foo/empty\n".getBytes(StandardCharsets.UTF_8));
    DpkgDatabase.FileAccess access = new DpkgDatabase.FileAccess() {
      @Override
      public Optional<byte[]> read(String path) {
        return Optional.ofNullable(files.get(path));
      }

      @Override
      public List<String> children(String dir) {
        return dir.equals(DpkgDatabase.STATUS_D) ? List.of("foo") : List.of();
      }
    };
    DpkgDatabase db = DpkgDatabase.read(access);
    assertEquals(1, db.packages().size());
    assertEquals(1, db.packages().get(0).version().epoch());
    assertEquals("/usr/share/foo/empty", db.packages().get(0).md5sums().get(0).path());

    DpkgDatabase none = DpkgDatabase.read(new DpkgDatabase.FileAccess() {
      @Override
      public Optional<byte[]> read(String path) {
        return Optional.empty();
      }

      @Override
      public List<String> children(String dir) {
        return List.of();
      }
    });
    assertEquals(DpkgDatabase.Layout.NONE, none.layout());
    assertTrue(none.packages().isEmpty());
  }

  @Test
  void hostileMd5sumsAndConffiles() {
    CheckException e = assertThrows(CheckException.class,
        () -> DpkgDatabase.parseMd5sums("nothex  usr/bin/x\n".getBytes(StandardCharsets.UTF_8), "m"));
    assertEquals(DebCode.DPKG_MD5SUMS_SYNTAX, e.code());
    List<DpkgDatabase.Conffile> c = DpkgDatabase.parseConffiles(Deb822.parseOne(
        "Package: x\nConffiles:\n /etc/a b.conf 0123456789abcdef0123456789abcdef obsolete\n /etc/new newconffile\n", "t"), "t");
    assertEquals("/etc/a b.conf", c.get(0).path());
    assertTrue(c.get(0).obsolete());
    assertFalse(c.get(1).hasHash());
  }
}
