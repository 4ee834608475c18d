package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.*;

import dev.bitproof.report.CheckException;
import dev.bitproof.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Stream;
import dev.bitproof.testing.ApkFixtures;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /etc/ld.so.cache} byte for byte against apko's own generator: the goldens in {@code testdata/ldso/golden}
 * were written by apko's {@code internal/ldso-cache} at v0.27.0, v1.2.20 and v1.2.21 over {@code testdata/ldso/root}
 * (see its README); apko's golden {@code internal/ldso-cache/testdata/ld.so.cache} (written by glibc 2.36) is read
 * and re-written as apko does; Debian's glibc 2.36 {@code ldconfig} output over the same root cross-checks order.
 */
class LdsoCacheTest {
  static Path ldso(String rel) {
    return SharedData.testdata("ldso/" + rel);
  }

  /** The fixture root as apko's tarfs would hold it. */
  static MemFs fixtureRoot() throws IOException {
    MemFs fs = new MemFs();
    Path root = ldso("root");
    List<Path> all;
    try (Stream<Path> s = Files.walk(root)) {
      all = s.sorted().toList();
    }
    for (Path p : all) {
      if (p.equals(root)) {
        continue;
      }
      String rel = root.relativize(p).toString().replace('\\', '/');
      if (Files.isSymbolicLink(p)) {
        fs.symlink(Files.readSymbolicLink(p).toString(), rel);
      } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        fs.mkdirAll(rel, 0755);
      } else {
        fs.writeFile(rel, Files.readAllBytes(p), 0644);
      }
    }
    // git keeps no empty directory: make-root.py's directory named like a library
    if (fs.lget("usr/lib/libdir.so.1") == null) {
      fs.mkdirAll("usr/lib/libdir.so.1", 0755);
    }
    return fs;
  }

  static byte[] cacheFor(LdsoCache.Rules rules) throws IOException {
    MemFs fs = fixtureRoot();
    LdsoCache.update(fs, rules);
    return fs.readFile(LdsoCache.CACHE);
  }

  static void assertSameBytes(byte[] want, byte[] got, String what) {
    for (int i = 0; i < Math.min(want.length, got.length); i++) {
      if (want[i] != got[i]) {
        fail(what + ": first difference at byte " + i + " (want " + (want[i] & 0xff) + ", got " + (got[i] & 0xff)
            + "); entries want " + names(want) + " got " + names(got));
      }
    }
    assertEquals(want.length, got.length, what + ": length");
  }

  static List<String> names(byte[] cache) {
    return LdsoCache.parse(cache).entries().stream().map(LdsoCache.Entry::name).toList();
  }

  @Test
  void currentRulesMatchApkoV1221ByteForByte() throws Exception {
    byte[] want = Files.readAllBytes(ldso("golden/apko-v1.2.21.ld.so.cache"));
    assertSameBytes(want, cacheFor(LdsoCache.Rules.CURRENT), "v1.2.21");
    LdsoCache.CacheFile cf = LdsoCache.parse(want);
    assertEquals(76, cf.numLibs());
    // /lib is a symlink to usr/lib, so both spellings appear, and /usr/lib twice more (listed by two conf files)
    assertTrue(names(want).contains("/lib/libc.so.6"));
    assertTrue(names(want).contains("/usr/local/lib/libc.so.6"));
    assertFalse(names(want).stream().anyMatch(n -> n.contains("never")));
    assertEquals(0x0a03, cf.entries().stream().filter(e -> e.name().endsWith("/libarm.so.1")).findFirst().orElseThrow()
        .flags());
    assertEquals(0x0303, cf.entries().get(0).flags());
  }

  @Test
  void olderRulesMatchTheirApkoVersions() throws Exception {
    assertSameBytes(Files.readAllBytes(ldso("golden/apko-v0.27.6.ld.so.cache")), cacheFor(LdsoCache.Rules.V0_29_5),
        "v0.27.6..v1.2.20");
    assertSameBytes(Files.readAllBytes(ldso("golden/apko-v0.27.6.ld.so.cache")), cacheFor(LdsoCache.Rules.V0_27_6),
        "v0.27.6");
    assertSameBytes(Files.readAllBytes(ldso("golden/apko-v0.27.0.ld.so.cache")), cacheFor(LdsoCache.Rules.V0_27_0),
        "v0.27.0");
  }

  @Test
  void modeAndWhenItIsWritten() throws Exception {
    MemFs fs = fixtureRoot();
    LdsoCache.update(fs, LdsoCache.Rules.V0_27_6);
    assertEquals(0666, fs.get(LdsoCache.CACHE).mode());
    assertEquals(0, fs.get(LdsoCache.CACHE).mtime());
    MemFs fs2 = fixtureRoot();
    LdsoCache.update(fs2, LdsoCache.Rules.CURRENT);
    assertEquals(0644, fs2.get(LdsoCache.CACHE).mode());
    // no ld.so.conf, no cache (even with libraries present); before v0.27.0 never
    MemFs none = fixtureRoot();
    none.remove(LdsoCache.CONF);
    LdsoCache.update(none, LdsoCache.Rules.CURRENT);
    assertNull(none.get(LdsoCache.CACHE));
    MemFs old = fixtureRoot();
    LdsoCache.update(old, LdsoCache.Rules.NONE);
    assertNull(old.get(LdsoCache.CACHE));
  }

  @Test
  void apkosGoldenCacheReadsAndRewritesAsApkoDoes() throws Exception {
    byte[] golden = Files.readAllBytes(SharedData.require("apk/apko/internal/ldso-cache/testdata/ld.so.cache"));
    LdsoCache.CacheFile cf = LdsoCache.parse(golden);
    // apko's Test_LoadCacheFile
    assertEquals(65, cf.numLibs());
    assertEquals(1421, cf.stringTableSize());
    assertEquals(1, cf.extensions().size());
    assertEquals(0, cf.extensions().get(0).tag());
    assertEquals("ldconfig (GNU libc) stable release version 2.36",
        new String(cf.extensions().get(0).data(), StandardCharsets.US_ASCII));
    // apko's Test_WriteCacheFile writes it back: the bytes its Write produced
    assertSameBytes(Files.readAllBytes(ldso("golden/apko-testdata-rewritten.ld.so.cache")), LdsoCache.write(cf),
        "Write(Load(testdata/ld.so.cache))");
  }

  @Test
  void orderAgreesWithGlibcLdconfig() throws Exception {
    // glibc keeps one entry per file and adds names apko does not; the names both list come in the same order
    List<String> glibc = new ArrayList<>(new LinkedHashSet<>(
        names(Files.readAllBytes(ldso("golden/glibc-2.36-ldconfig.ld.so.cache"))).stream().map(LdsoCacheTest::base).toList()));
    List<String> ours = new ArrayList<>(new LinkedHashSet<>(
        names(cacheFor(LdsoCache.Rules.CURRENT)).stream().map(LdsoCacheTest::base).toList()));
    List<String> both = ours.stream().filter(glibc::contains).toList();
    assertTrue(both.size() >= 20, both.toString());
    assertEquals(glibc.stream().filter(both::contains).toList(), both);
    assertTrue(both.indexOf("libyaml-0.so.2") < both.indexOf("libyaml-cpp.so.0.8"));
    assertTrue(both.indexOf("libv.so.10") < both.indexOf("libv.so.9"));
  }

  static String base(String p) {
    return p.substring(p.lastIndexOf('/') + 1);
  }

  @Test
  void libcmpAndFileNamesAsApkosTests() {
    byte[] y0 = "libyaml-0.so.2".getBytes(StandardCharsets.US_ASCII);
    byte[] yc = "libyaml-cpp.so.0.8".getBytes(StandardCharsets.US_ASCII);
    assertTrue(LdsoCache.libcmp(y0, yc) > 0);
    assertTrue(LdsoCache.libcmp(yc, y0) < 0);
    assertTrue(LdsoCache.libcmp("libfoo.so.9".getBytes(), "libfoo.so.10".getBytes()) < 0);
    assertEquals(0, LdsoCache.libcmp("libfoo.so.13".getBytes(), "libfoo.so.13".getBytes()));
    assertEquals("libfoo", LdsoCache.parseLibFilename("libfoo.so.1"));
    assertEquals("libfoo", LdsoCache.parseLibFilename("libfoo.so.1.2"));
    assertEquals("libso", LdsoCache.parseLibFilename("libso.so"));
    assertEquals("libso.so", LdsoCache.parseLibFilename("libso.so.so"));
    assertEquals("libso.so", LdsoCache.parseLibFilename("libso.so.so.7"));
    assertEquals("libfoo", LdsoCache.parseLibFilename("libfoo.so."));
    assertEquals("lib", LdsoCache.parseLibFilename("lib.so"));
    assertNull(LdsoCache.parseLibFilename("foo.so.1"));
    assertNull(LdsoCache.parseLibFilename("libfoo.no.1"));
  }

  /**
   * The cases of apko's {@code ParseLDSOConf} test, on conf files written here: a plain list, and a relative
   * {@code include} glob (resolved from the root, as apko's fs.Glob does) over two files, the last one without a
   * final newline.
   */
  @Test
  void simpleConfAndARelativeIncludeGlobParse() {
    MemFs fs = new MemFs();
    fs.writeFile("ld.so.conf.simple", "/lib\n".getBytes(StandardCharsets.US_ASCII), 0644);
    fs.writeFile("ld.so.conf.glob", "include ld.so.conf.d/*.conf\n".getBytes(StandardCharsets.US_ASCII), 0644);
    fs.mkdirAll("ld.so.conf.d", 0755);
    fs.writeFile("ld.so.conf.d/b.conf", "/b/libs".getBytes(StandardCharsets.US_ASCII), 0644);
    fs.writeFile("ld.so.conf.d/a.conf", "/a/libs\n".getBytes(StandardCharsets.US_ASCII), 0644);
    fs.writeFile("ld.so.conf.d/c.txt", "/not/a/conf\n".getBytes(StandardCharsets.US_ASCII), 0644);
    assertEquals(List.of("/lib"), LdsoCache.parseConf(fs, "ld.so.conf.simple", 0).orElseThrow());
    assertEquals(List.of("/a/libs", "/b/libs"), LdsoCache.parseConf(fs, "ld.so.conf.glob", 0).orElseThrow(),
        "matches in name order; only *.conf");
  }

  @Test
  void badInputFailsAsApkoFails() throws Exception {
    // a library of an unknown machine fails the whole build
    MemFs fs = fixtureRoot();
    byte[] lib = fs.readFile("usr/lib/libc.so.6");
    lib[18] = 3; // EM_386
    fs.writeFile("usr/local/lib/libi386.so.1", lib, 0644);
    CheckException e = assertThrows(CheckException.class, () -> LdsoCache.update(fs, LdsoCache.Rules.CURRENT));
    assertEquals(RebuildCode.BUILD_LDSO_CACHE_FAILED, e.code());
    assertTrue(e.getMessage().contains("unknown machine type 3"), e.getMessage());
    // a listed directory that is a file
    MemFs f2 = fixtureRoot();
    f2.writeFile("etc/ld.so.conf.d/a.conf", "/etc/ld.so.conf\n".getBytes(), 0644);
    assertEquals(RebuildCode.BUILD_LDSO_CACHE_FAILED,
        assertThrows(CheckException.class, () -> LdsoCache.update(f2, LdsoCache.Rules.CURRENT)).code());
    // an include loop (apko would recurse until it crashes)
    MemFs f3 = fixtureRoot();
    f3.writeFile("etc/ld.so.conf.d/a.conf", "include /etc/ld.so.conf.d/a.conf\n".getBytes(), 0644);
    assertEquals(RebuildCode.BUILD_LDSO_CACHE_FAILED,
        assertThrows(CheckException.class, () -> LdsoCache.update(f3, LdsoCache.Rules.CURRENT)).code());
    // a truncated or garbled ELF is skipped, as Go's debug/elf refuses it
    MemFs f4 = fixtureRoot();
    byte[] cut = java.util.Arrays.copyOf(fs.readFile("usr/lib/libm.so.6"), 100);
    f4.writeFile("usr/local/lib/libcut.so.1", cut, 0644);
    f4.writeFile("usr/local/lib/libcut2.so.1", new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1}, 0644);
    LdsoCache.update(f4, LdsoCache.Rules.CURRENT);
    assertFalse(names(f4.readFile(LdsoCache.CACHE)).stream().anyMatch(n -> n.contains("libcut")));
    // a top-level ld.so.conf that is a directory cannot be parsed: apko fails
    MemFs f5 = fixtureRoot();
    f5.remove(LdsoCache.CONF);
    f5.mkdirAll(LdsoCache.CONF, 0755);
    assertEquals(RebuildCode.BUILD_LDSO_CACHE_FAILED,
        assertThrows(CheckException.class, () -> LdsoCache.update(f5, LdsoCache.Rules.CURRENT)).code());
  }

  @Test
  void confLinesAfterAnIncludeAndDuplicates() {
    MemFs fs = new MemFs();
    fs.mkdirAll("etc/d", 0755);
    fs.writeFile("etc/d/1.conf", "/x\n/x\n/y\n".getBytes(), 0644);
    fs.writeFile("etc/d/2.conf", "/x\n".getBytes(), 0644);
    fs.writeFile("etc/c", "/a # c\n/a\ninclude   /etc/d/*.conf  \n/never\n".getBytes(), 0644);
    assertEquals(List.of("/a", "/x", "/y", "/x"), LdsoCache.parseConf(fs, "etc/c", 0).orElseThrow());
    // a bad glob is skipped and reading goes on; an unmatched include ends the file too
    fs.writeFile("etc/e", "include /etc/[\n/after-bad\ninclude /nothing/*\n/never\n".getBytes(), 0644);
    assertEquals(List.of("/after-bad"), LdsoCache.parseConf(fs, "etc/e", 0).orElseThrow());
    // 64 KiB lines: Go's bufio.Scanner gives up
    fs.writeFile("etc/long", ("/a\n" + "x".repeat(65536) + "\n").getBytes(), 0644);
    assertTrue(LdsoCache.parseConf(fs, "etc/long", 0).isEmpty());
    fs.writeFile("etc/ok", ("x".repeat(65535) + "\n").getBytes(), 0644);
    assertEquals(1, LdsoCache.parseConf(fs, "etc/ok", 0).orElseThrow().size());
  }

  @Test
  void aGlibcBuildGetsTheCacheInItsLayer(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp);
    ApkFixtures.Apk glibc = t.apk("glibc", "glibc").set("builddate", "1700000000");
    for (String d : List.of("etc", "usr", "usr/lib")) {
      glibc.entry(ApkFixtures.Entry.dir(d));
    }
    glibc.file("etc/ld.so.conf", "/usr/lib\n");
    for (String lib : List.of("libc.so.6", "libm.so.6", "libyaml-0.so.2", "libyaml-cpp.so.0.8")) {
      glibc.entry(new ApkFixtures.Entry("usr/lib/" + lib, Files.readAllBytes(ldso("root/usr/lib/" + lib)), 'f', "",
          Map.of()));
    }
    t.packages(glibc);
    BuildResult r = Rebuild.run(BuildRequest.of(t.config("", "glibc"), tmp));
    byte[] tar = r.images().get(0).layers().get(0).tar();
    Map<String, TarArchiveEntry> e = ConfigFeaturesTest.entries(tar);
    TarArchiveEntry c = e.get(LdsoCache.CACHE);
    assertNotNull(c, "etc/ld.so.cache is in the layer");
    assertEquals(0644, c.getMode() & 07777);
    byte[] cache = GoldenRebuildTest.tarEntry(tar, LdsoCache.CACHE);
    // /lib holds only apk's link, so the entries are /usr/lib's, in _dl_cache_libcmp descending order
    assertEquals(List.of("/usr/lib/libyaml-0.so.2", "/usr/lib/libyaml-cpp.so.0.8", "/usr/lib/libm.so.6",
        "/usr/lib/libc.so.6"), names(cache));
    assertArrayEquals(LdsoCache.write(new LdsoCache.CacheFile(java.util.Arrays.copyOf(cache, 48),
        LdsoCache.parse(cache).entries(), List.of())), cache);
    assertTrue(r.notes().stream().noneMatch(n -> n.contains("ld.so")), r.notes().toString());
  }

  @Test
  void realWolfiLibrariesFromSharedPackages() throws Exception {
    // real ELF libraries (aarch64 and x86_64, with soname links) from melange's test packages
    MemFs fs = new MemFs();
    for (String apk : List.of("melange/pkg/sca/testdata/aws-c-s3-0.4.9-r0.apk",
        "melange/pkg/sca/testdata/generated/x86_64/nvidia-driver-590.48.01-r0.apk",
        "melange/pkg/sca/testdata/libcap-2.69-r0.apk")) {
      byte[] b = Files.readAllBytes(SharedData.require("apk/" + apk));
      dev.bitproof.apk.ApkPackage.read(new java.io.ByteArrayInputStream(b), apk,
          dev.bitproof.apk.ApkPackage.Limits.defaults(), new dev.bitproof.apk.ApkPackage.DataVisitor() {
            @Override
            public boolean keep(String path, long size) {
              return true;
            }

            @Override
            public void entry(dev.bitproof.tar.TarEntryInfo e) {
              switch (e.type()) {
                case DIRECTORY -> fs.mkdirAll(e.path(), 0755);
                case FILE -> fs.writeFile(e.path(), e.content().orElseThrow(), 0755);
                case SYMLINK -> fs.symlink(e.linkTarget(), e.path());
                default -> { }
              }
            }
          });
    }
    fs.mkdirAll("etc", 0755);
    fs.writeFile(LdsoCache.CONF, "/usr/lib\n".getBytes(), 0644);
    LdsoCache.update(fs, LdsoCache.Rules.CURRENT);
    byte[] got = fs.readFile(LdsoCache.CACHE);
    assertSameBytes(Files.readAllBytes(ldso("golden/apko-v1.2.21-wolfi-libs.ld.so.cache")), got, "real libraries");
    assertEquals(List.of("/usr/lib/libpsx.so.2", "/usr/lib/libnvidia-ml.so.1", "/usr/lib/libnvidia-cfg.so.1",
        "/usr/lib/libnvidia-allocator.so.1", "/usr/lib/libcap.so.2", "/usr/lib/libaws-c-s3.so.0unstable"), names(got));
    MemFs old = fs;
    LdsoCache.update(old, LdsoCache.Rules.V0_29_5);
    assertSameBytes(Files.readAllBytes(ldso("golden/apko-v0.27.6-wolfi-libs.ld.so.cache")),
        old.readFile(LdsoCache.CACHE), "real libraries, v1.2.20 order");
  }
}
