package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.apk.ApkCode;
import dev.bitproof.report.CheckException;
import dev.bitproof.tar.TarEntryInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/** Installer rules on hand-made package contents: hard links, xattrs, scripts.tar, triggers, mtimes, uid/gid. */
class InstallerTest {
  static TarEntryInfo file(String path, String content, int mode, long mtime, long uid, Map<String, String> extraPax) {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    Map<String, String> pax = new java.util.HashMap<>(extraPax);
    pax.put("APK-TOOLS.checksum.SHA1", HexFormat.of().formatHex(ApkInstaller.sha1(b)));
    return new TarEntryInfo(0, path, path, TarEntryInfo.Type.FILE, mode, uid, uid, "", "", b.length, mtime, "", 0, 0, pax,
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(b));
  }

  static TarEntryInfo dir(String path, int mode, long mtime) {
    return new TarEntryInfo(0, path, path + "/", TarEntryInfo.Type.DIRECTORY, mode, 0, 0, "", "", 0, mtime, "", 0, 0,
        Map.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  static TarEntryInfo hardlink(String path, String target) {
    return new TarEntryInfo(0, path, path, TarEntryInfo.Type.HARDLINK, 0755, 0, 0, "", "", 0, 7, target, 0, 0, Map.of(),
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  static TarEntryInfo script(String name, String body, int mode) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return new TarEntryInfo(0, name, name, TarEntryInfo.Type.FILE, mode, 0, 0, "root", "root", b.length, 123456, "", 0, 0,
        Map.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(b));
  }

  static PackageContent pkg(String name, List<TarEntryInfo> control, List<TarEntryInfo> data, List<String> triggers) {
    return new PackageContent(name, "1.0-r0", "x86_64", "MIT", "d", name, "m", "u", List.of(), List.of(), List.of(), "c",
        List.of(), 0, 100, 10, 0, triggers, new byte[20], control, data, null, List.of());
  }

  static Map<String, TarArchiveEntry> entries(byte[] tar) throws IOException {
    return ConfigFeaturesTest.entries(tar);
  }

  @Test
  void hardLinksXattrsScriptsTriggersAndOwnership() throws IOException {
    MemFs fs = new MemFs();
    RootfsSteps.initApk(fs, ApkoRules.newest(), "x86_64", Map.of(), List.of("r"), List.of("p"));
    List<TarEntryInfo> data = new ArrayList<>();
    data.add(dir("usr", 0755, 100));
    data.add(dir("usr/bin", 0755, 200));
    data.add(file("usr/bin/tool", "#!/bin/sh\n", 04755, 300, 501, Map.of("SCHILY.xattr.security.capability", "cap")));
    data.add(hardlink("usr/bin/alias", "usr/bin/tool"));
    PackageContent p = pkg("tool", List.of(script(".PKGINFO", "x", 0644), script(".post-install", "#!/bin/sh\n", 0755),
        script(".melange.yaml", "not a script", 0644)), data, List.of("/usr/share/fonts/*"));
    List<ApkInstaller.Installed> done = new ApkInstaller(fs, 42, ApkoRules.newest()).install(List.of(p));
    assertEquals(1, done.size());
    byte[] tar = LayerTar.write(fs);
    Map<String, TarArchiveEntry> e = entries(tar);
    TarArchiveEntry tool = e.get("usr/bin/tool");
    assertEquals(0, tool.getLongUserId(), "package uid is dropped in the layer");
    assertEquals(04755, tool.getMode() & 07777);
    assertEquals(300, tool.getLastModifiedTime().toInstant().getEpochSecond(), "package mtime kept");
    assertEquals("cap", tool.getExtraPaxHeaders().get("SCHILY.xattr.security.capability"));
    assertTrue(!tool.getExtraPaxHeaders().containsKey("APK-TOOLS.checksum.SHA1"), "checksum record not re-emitted");
    TarArchiveEntry alias = e.get("usr/bin/alias");
    assertTrue(alias.isLink(), "package hard link stays a tar hard link");
    assertEquals("usr/bin/tool", alias.getLinkName());
    assertEquals(200, e.get("usr/bin").getLastModifiedTime().toInstant().getEpochSecond());
    assertEquals(0, e.get("dev/null").getLastModifiedTime().toInstant().getEpochSecond());
    assertTrue(e.get("dev/console").isCharacterDevice());
    assertEquals(5, e.get("dev/console").getDevMajor());
    assertEquals("../usr/lib/apk", e.get("lib/apk").getLinkName());

    String db = new String(fs.readFile(ApkInstaller.INSTALLED), StandardCharsets.UTF_8);
    assertTrue(db.contains("F:usr/bin\nR:alias\na:0:0:0755\nR:tool\na:501:501:4755\nZ:Q1"), db);
    assertEquals(p.q1() + " /usr/share/fonts/*\n", new String(fs.readFile("usr/lib/apk/db/triggers"), StandardCharsets.UTF_8));

    byte[] scripts = fs.readFile("usr/lib/apk/db/scripts.tar");
    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(scripts))) {
      TarArchiveEntry s;
      while ((s = in.getNextEntry()) != null) {
        names.add(s.getName());
        assertEquals(42, s.getLastModifiedTime().toInstant().getEpochSecond(), "scripts get SOURCE_DATE_EPOCH");
      }
    }
    assertEquals(List.of("tool-1.0-r0." + p.q1() + ".post-install"), names, "only executable control entries");
    assertEquals(0, scripts.length % 512);
    assertTrue(scripts.length >= 1024 + 1024, "entry plus Go's two-block trailer");
  }

  /** A directory keeps the mode of its first creator; its mtime is the last package's that ships it. */
  @Test
  void directoryModeFirstWinsMtimeLastWins() throws IOException {
    MemFs fs = new MemFs();
    RootfsSteps.initApk(fs, ApkoRules.newest(), "x86_64", Map.of(), List.of(), List.of());
    PackageContent a = pkg("a", List.of(), List.of(dir("srv", 0750, 111), dir("etc", 0700, 5)), List.of());
    PackageContent b = pkg("b", List.of(), List.of(dir("srv", 0755, 222)), List.of());
    new ApkInstaller(fs, 0, ApkoRules.newest()).install(List.of(a, b));
    Map<String, TarArchiveEntry> e = entries(LayerTar.write(fs));
    assertEquals(0750, e.get("srv").getMode() & 07777, "first creator's mode");
    assertEquals(222, e.get("srv").getLastModifiedTime().toInstant().getEpochSecond(), "last package's mtime");
    assertEquals(0755, e.get("etc").getMode() & 07777, "etc existed (apko made it 0755): the package mode is ignored");
    assertEquals(5, e.get("etc").getLastModifiedTime().toInstant().getEpochSecond());
    String db = new String(fs.readFile(ApkInstaller.INSTALLED), StandardCharsets.UTF_8);
    assertTrue(db.contains("F:srv\nM:0:0:0750"), "the DB records the package's own mode: " + db);
  }

  @Test
  void fileWithoutChecksumAndUnsupportedTypesAreRefused() {
    MemFs fs = new MemFs();
    RootfsSteps.initApk(fs, ApkoRules.newest(), "x86_64", Map.of(), List.of(), List.of());
    TarEntryInfo bare = new TarEntryInfo(0, "etc/x", "etc/x", TarEntryInfo.Type.FILE, 0644, 0, 0, "", "", 1, 0, "", 0, 0,
        Map.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(new byte[] {1}));
    assertEquals(ApkCode.APK_FILE_CHECKSUM_MISSING, assertThrows(CheckException.class,
        () -> new ApkInstaller(fs, 0, ApkoRules.newest()).install(List.of(pkg("a", List.of(), List.of(bare), List.of())))).code());
    TarEntryInfo fifo = new TarEntryInfo(0, "etc/f", "etc/f", TarEntryInfo.Type.FIFO, 0644, 0, 0, "", "", 0, 0, "", 0, 0,
        Map.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    assertEquals(ApkCode.APK_UNSUPPORTED_ENTRY, assertThrows(CheckException.class,
        () -> new ApkInstaller(fs, 0, ApkoRules.newest()).install(List.of(pkg("b", List.of(), List.of(fifo), List.of())))).code());
  }

  @Test
  void installedDbOrderFilesBeforeSubdirectoriesAndOrphansDropped() {
    List<TarEntryInfo> files = List.of(dir("a", 0755, 0), dir("a/sub", 0700, 0), file("a/z", "z", 0644, 0, 0, Map.of()),
        file("a/sub/f", "f", 0600, 0, 0, Map.of()), file("orphan/x", "x", 0644, 0, 0, Map.of()), file("top", "t", 0644, 0, 0, Map.of()));
    String rec = new String(InstalledDb.record(pkg("p", List.of(), List.of(), List.of()), files), StandardCharsets.UTF_8);
    String fileLines = rec.substring(rec.indexOf("\nF:") + 1);
    assertTrue(fileLines.startsWith("F:\nR:top\nZ:"), rec);
    assertTrue(fileLines.contains("F:a\nR:z\nZ:") && fileLines.indexOf("F:a\n") < fileLines.indexOf("F:a/sub\nM:0:0:0700"), rec);
    assertTrue(!rec.contains("orphan") && !rec.contains("R:x"), "entry without its parent directory is dropped: " + rec);
    assertTrue(rec.endsWith("\n\n"));
  }
}
