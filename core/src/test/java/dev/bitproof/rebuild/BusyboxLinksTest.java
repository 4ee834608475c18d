package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.*;

import dev.bitproof.report.CheckException;
import dev.bitproof.testing.ApkFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * busybox applet links for every busybox version apko's table knows ({@code pkg/build/busybox_versions.go} at apko
 * d1b5d5ec): the table we ship is apko's, version by version (count and SHA-256 of the list computed from apko's
 * file), each version installs exactly its links, and apko's own {@code TestInstallBusyboxSymlinks} cases hold.
 */
class BusyboxLinksTest {
  record Summary(int count, String sha256) {}

  /** Per version: how many links apko's table lists, and the SHA-256 of them joined by "\n" (from apko's Go file). */
  static final Map<String, Summary> APKO = Map.ofEntries(
      Map.entry("1.32.1", new Summary(433, "8c3b9554942854560172f766bec93b67ce64116df01245d9c5cda8a900397428")),
      Map.entry("1.33.0", new Summary(434, "75622a5bd4dfcec7741ad77317ac4b65b4442fe75b992d08fadf49995c0b4d13")),
      Map.entry("1.33.1", new Summary(434, "75622a5bd4dfcec7741ad77317ac4b65b4442fe75b992d08fadf49995c0b4d13")),
      Map.entry("1.33.2", new Summary(434, "75622a5bd4dfcec7741ad77317ac4b65b4442fe75b992d08fadf49995c0b4d13")),
      Map.entry("1.34.0", new Summary(435, "19a4a74abda570e72da66db274a5d3b836334f46e6dcdcd814331e1d6244a83f")),
      Map.entry("1.34.1", new Summary(436, "acae9ef2d38964429c96b6ed5efd55927ad61899e2487c0a920c47fca1313723")),
      Map.entry("1.35.0", new Summary(436, "acae9ef2d38964429c96b6ed5efd55927ad61899e2487c0a920c47fca1313723")),
      Map.entry("1.36.0", new Summary(439, "f09ed513aed1e2e4eef6a51195a0d7d2041589d6e26d93ae3d846f524874d183")));

  static String sha256(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  static MemFs withBusybox(long mtime) {
    MemFs fs = new MemFs();
    fs.mkdirAll("bin", 0755);
    fs.mkdirAll("etc/busybox-paths.d", 0755);
    fs.writeFile("bin/busybox", "busybox".getBytes(), 0755);
    fs.chtimes("bin/busybox", mtime);
    return fs;
  }

  static Set<String> links(MemFs fs) throws Exception {
    Set<String> out = new TreeSet<>();
    fs.walk((p, n) -> {
      if (n.kind() == MemFs.Kind.SYMLINK) {
        assertEquals("/bin/busybox", n.linkTarget(), p);
        out.add("/" + p);
      }
    });
    return out;
  }

  static List<BusyboxLinks.Installed> busybox(String version) {
    return List.of(new BusyboxLinks.Installed("busybox", version, List.of()));
  }

  @Test
  void theTableIsApkosVersionByVersion() throws Exception {
    assertEquals(new TreeSet<>(APKO.keySet()), new TreeSet<>(BusyboxLinks.knownVersions()));
    for (var e : APKO.entrySet()) {
      List<String> l = BusyboxLinks.table(e.getKey() + "-r0").orElseThrow();
      assertEquals(e.getValue().count(), l.size(), e.getKey());
      assertEquals(e.getValue().sha256(), sha256(String.join("\n", l)), e.getKey());
    }
    // versions apko's table does not have get 1.36.0's list ("default")
    assertEquals(BusyboxLinks.table("1.36.0").orElseThrow(), BusyboxLinks.table("1.37.0-r2").orElseThrow());
    assertEquals(BusyboxLinks.table("1.36.0").orElseThrow(), BusyboxLinks.table("v1.31.0").orElseThrow());
    assertEquals(BusyboxLinks.table("1.34.1").orElseThrow(), BusyboxLinks.table("v1.34.1-r5").orElseThrow());
    for (String bad : List.of("1.36", "1.36.1_git20230101-r0", "1.36.1-r0.1", "1.36.1-r0-x", "", "1.36.1-")) {
      assertTrue(BusyboxLinks.table(bad).isEmpty(), bad);
    }
  }

  @Test
  void eachVersionInstallsExactlyItsLinks() throws Exception {
    for (String v : APKO.keySet()) {
      MemFs fs = withBusybox(1234);
      BusyboxLinks.install(fs, busybox(v + "-r3"), BusyboxLinks.Rules.CURRENT);
      Set<String> want = new TreeSet<>(BusyboxLinks.table(v).orElseThrow());
      want.remove("/bin/busybox");
      assertEquals(want, links(fs), v);
      for (String dir : List.of("bin", "sbin", "usr/bin", "usr/sbin")) {
        assertEquals(1234, fs.get(dir).mtime(), v + " " + dir + ": Chtimes(busybox's mtime)");
        assertEquals(0755, fs.get(dir).mode(), v + " " + dir);
      }
      assertEquals(1234, fs.lget("bin/sh").mtime(), "a link takes its directory's mtime");
    }
  }

  @Test
  void apkosTestInstallBusyboxSymlinks() throws Exception {
    List<String> fake = List.of("/bin/foo", "/bin/bar");
    List<String> real = List.of("/bin/ls", "/bin/grep");
    // with a busybox-paths manifest: only its links
    MemFs fs = withBusybox(0);
    fs.writeFile("etc/busybox-paths.d/busybox", String.join("\n", fake).getBytes(), 0755);
    BusyboxLinks.install(fs, busybox("1.36.0"), BusyboxLinks.Rules.CURRENT);
    assertEquals(new TreeSet<>(fake), links(fs));
    // without: the table for 1.36.0
    MemFs fs2 = withBusybox(0);
    BusyboxLinks.install(fs2, busybox("1.36.0"), BusyboxLinks.Rules.CURRENT);
    assertTrue(links(fs2).containsAll(real));
    assertTrue(fake.stream().noneMatch(links(fs2)::contains));
  }

  @Test
  void ownerIsFoundAsApkosLoopFindsIt() throws Exception {
    // no busybox package: the last provider wins (apko's break leaves only the inner loop)
    MemFs fs = withBusybox(0);
    fs.writeFile("etc/busybox-paths.d/second", "/bin/second\n".getBytes(), 0644);
    fs.writeFile("etc/busybox-paths.d/first", "/bin/first\n".getBytes(), 0644);
    BusyboxLinks.install(fs, List.of(new BusyboxLinks.Installed("first", "1.0.0", List.of("cmd:busybox=1")),
        new BusyboxLinks.Installed("other", "1.0.0", List.of("x")),
        new BusyboxLinks.Installed("second", "1.0.0", List.of("busybox-compat"))), BusyboxLinks.Rules.CURRENT);
    assertEquals(Set.of("/bin/second"), links(fs));
    // a package named busybox ends the search
    MemFs fs2 = withBusybox(0);
    fs2.writeFile("etc/busybox-paths.d/busybox", "/bin/mine\n".getBytes(), 0644);
    BusyboxLinks.install(fs2, List.of(new BusyboxLinks.Installed("busybox", "1.36.1-r2", List.of()),
        new BusyboxLinks.Installed("later", "1.0.0", List.of("busybox"))), BusyboxLinks.Rules.CURRENT);
    assertEquals(Set.of("/bin/mine"), links(fs2));
    // nobody owns it; an invalid version without a manifest
    assertEquals(RebuildCode.BUILD_BUSYBOX_UNOWNED, assertThrows(CheckException.class,
        () -> BusyboxLinks.install(withBusybox(0), List.of(), BusyboxLinks.Rules.CURRENT)).code());
    assertEquals(RebuildCode.BUILD_BUSYBOX_VERSION_INVALID, assertThrows(CheckException.class,
        () -> BusyboxLinks.install(withBusybox(0), busybox("1.36.1_git-r0"), BusyboxLinks.Rules.CURRENT)).code());
    // no /bin/busybox: nothing to do, even without an owner
    MemFs none = new MemFs();
    BusyboxLinks.install(none, List.of(), BusyboxLinks.Rules.CURRENT);
    assertTrue(links(none).isEmpty());
  }

  @Test
  void existingFilesAndLinksAreKeptDirectoriesRefused() throws Exception {
    MemFs fs = withBusybox(7);
    fs.writeFile("bin/ls", "real ls".getBytes(), 0755);
    fs.symlink("/usr/bin/coreutils", "bin/cat");
    fs.writeFile("etc/busybox-paths.d/busybox", "/bin/ls\n/bin/cat\n/bin/ls\nrelative\n/bin/x\n\n".getBytes(), 0644);
    BusyboxLinks.install(fs, busybox("1.36.1-r0"), BusyboxLinks.Rules.CURRENT);
    assertEquals("real ls", new String(fs.readFile("bin/ls")));
    assertEquals("/usr/bin/coreutils", fs.lget("bin/cat").linkTarget());
    assertEquals("/bin/busybox", fs.lget("bin/x").linkTarget());
    assertNull(fs.lget("relative"), "a name without a directory is skipped");
    MemFs fs2 = withBusybox(0);
    fs2.mkdirAll("bin/ls", 0755);
    fs2.writeFile("etc/busybox-paths.d/busybox", "/bin/ls\n".getBytes(), 0644);
    assertEquals(RebuildCode.BUILD_PATH_EXISTS, assertThrows(CheckException.class,
        () -> BusyboxLinks.install(fs2, busybox("1.36.1-r0"), BusyboxLinks.Rules.CURRENT)).code());
  }

  @Test
  void aBuildWithAnOldBusyboxGetsItsTableLinks(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp);
    ApkFixtures.Apk bb = t.apk("busybox", "busybox").set("pkgver", "1.34.1-r5").set("builddate", "1600000000");
    bb.entry(ApkFixtures.Entry.dir("bin"));
    bb.entry(new ApkFixtures.Entry("bin/busybox", "#!busybox".getBytes(), 'f', "", Map.of()));
    t.packages(bb);
    BuildResult r = Rebuild.run(BuildRequest.of(t.config("", "busybox"), tmp));
    Map<String, TarArchiveEntry> e = ConfigFeaturesTest.entries(r.images().get(0).layers().get(0).tar());
    Set<String> want = new LinkedHashSet<>(BusyboxLinks.table("1.34.1").orElseThrow());
    want.remove("/bin/busybox");
    for (String l : want) {
      TarArchiveEntry x = e.get(l.substring(1));
      assertNotNull(x, l);
      assertTrue(x.isSymbolicLink(), l);
      assertEquals("/bin/busybox", x.getLinkName(), l);
    }
    assertTrue(r.notes().stream().noneMatch(n -> n.contains("busybox")), r.notes().toString());
  }
}
