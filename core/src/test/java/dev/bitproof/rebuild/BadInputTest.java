package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.apk.ApkCode;
import dev.bitproof.apko.ApkoCode;
import dev.bitproof.report.CheckException;
import dev.bitproof.testing.ApkFixtures;
import dev.bitproof.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every hostile or wrong input the issue lists, each with its stable code. */
class BadInputTest {
  static CheckException fails(BuildRequest r) {
    return assertThrows(CheckException.class, () -> Rebuild.run(r));
  }

  @Test
  void unknownArch(@TempDir Path tmp) throws IOException {
    TestRepo t = new TestRepo(tmp).packages();
    CheckException e = fails(t.request(t.config("")).withArchs(List.of("sparc64")));
    assertEquals(ApkoCode.APKO_ARCH_UNKNOWN, e.code());
    assertEquals(CheckException.Kind.USAGE, e.kind());
  }

  @Test
  void unresolvablePackageNamesTheChain(@TempDir Path tmp) throws IOException {
    TestRepo t = new TestRepo(tmp);
    t.packages(t.apk("app", "app").depend("libmiddle"), t.apk("libmiddle", "libmiddle").depend("libgone"));
    CheckException e = fails(t.request(t.config("", "app")));
    assertEquals(ApkCode.APK_UNSATISFIABLE, e.code());
    assertTrue(e.getMessage().contains("app") && e.getMessage().contains("libmiddle") && e.getMessage().contains("libgone"),
        e.getMessage());
    assertTrue(e.getMessage().startsWith("failed to resolve packages"), e.getMessage());
  }

  @Test
  void packageSignedByAnUnknownKeyFailsTheBuild(@TempDir Path tmp) throws IOException {
    TestRepo t = new TestRepo(tmp);
    ApkFixtures.TestKey other = ApkFixtures.key("someone-else.rsa.pub");
    t.packages(new ApkFixtures.Apk("app", "1.0.0-r0", "x86_64").set("origin", "app").signedBy(other)
        .entry(ApkFixtures.Entry.dir("etc")).file("etc/app", "x"));
    CheckException e = fails(t.request(t.config("", "app")));
    assertEquals(ApkCode.APK_SIGNATURE_UNTRUSTED_KEY, e.code());
    assertEquals(CheckException.Kind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().startsWith("failed to fetch and verify packages (x86_64)"), e.getMessage());
    // relaxed by name, the same build goes through and the package still carries its finding, as WARN
    BuildResult r = Rebuild.run(t.request(t.config("", "app")).withSignaturePolicy(PackageLoader.SignaturePolicy.RELAX));
    assertEquals(1, r.images().get(0).packages().size());
    dev.bitproof.report.Finding sig = r.images().get(0).packages().get(0).findings().get(0);
    assertEquals(ApkCode.APK_SIGNATURE_UNTRUSTED_KEY, sig.code());
    assertEquals(dev.bitproof.report.Severity.WARN, sig.severity());
    // reported, not relaxed: the build goes through and the finding stays a FAIL
    r = Rebuild.run(t.request(t.config("", "app")).withSignaturePolicy(PackageLoader.SignaturePolicy.REPORT));
    sig = r.images().get(0).packages().get(0).findings().get(0);
    assertEquals(dev.bitproof.report.Severity.FAIL, sig.severity());
  }

  @Test
  void conflictingFilesBetweenPackagesOfDifferentOrigins(@TempDir Path tmp) throws IOException {
    TestRepo t = new TestRepo(tmp);
    t.packages(t.apk("a", "a").entry(ApkFixtures.Entry.dir("etc")).file("etc/shared.conf", "from a"),
        t.apk("b", "b").entry(ApkFixtures.Entry.dir("etc")).file("etc/shared.conf", "from b"));
    CheckException e = fails(t.request(t.config("", "a", "b")));
    assertEquals(RebuildCode.BUILD_FILE_CONFLICT, e.code());
    assertTrue(e.getMessage().contains("etc/shared.conf") && e.getMessage().contains(" a ")
        && e.getMessage().contains(" b "), e.getMessage());
  }

  @Test
  void replacesLetsTheNewFileWinAndDropsItFromTheOldRecord(@TempDir Path tmp) throws IOException {
    TestRepo t = new TestRepo(tmp);
    t.packages(t.apk("a", "a").entry(ApkFixtures.Entry.dir("etc")).file("etc/shared.conf", "from a"),
        t.apk("b", "b").depend("a").set("replaces", "a").entry(ApkFixtures.Entry.dir("etc")).file("etc/shared.conf", "from b"));
    BuildResult r = Rebuild.run(t.request(t.config("", "b")));
    byte[] tar = r.images().get(0).layers().get(0).tar();
    assertEquals("from b", new String(GoldenRebuildTest.tarEntry(tar, "etc/shared.conf"), StandardCharsets.UTF_8));
    String db = new String(r.images().get(0).installedDb(), StandardCharsets.UTF_8);
    String recordA = db.substring(db.indexOf("P:a\n"), db.indexOf("P:b\n"));
    assertFalse(recordA.contains("R:shared.conf"), recordA);
    assertTrue(db.substring(db.indexOf("P:b\n")).contains("R:shared.conf"), db);
  }

  @Test
  void identicalFilesAreNotAConflict(@TempDir Path tmp) throws IOException {
    TestRepo t = new TestRepo(tmp);
    t.packages(t.apk("a", "a").entry(ApkFixtures.Entry.dir("etc")).file("etc/same", "same"),
        t.apk("b", "b").entry(ApkFixtures.Entry.dir("etc")).file("etc/same", "same"));
    BuildResult r = Rebuild.run(t.request(t.config("", "a", "b")));
    String db = new String(r.images().get(0).installedDb(), StandardCharsets.UTF_8);
    assertEquals(1, db.split("R:same", -1).length - 1, "the first writer keeps the file: " + db);
  }

  @Test
  void pathMutationEscapingTheRoot(@TempDir Path tmp) throws IOException {
    TestRepo t = new TestRepo(tmp);
    t.packages(t.apk("a", "a").entry(ApkFixtures.Entry.dir("etc")).file("etc/a", "a"));
    CheckException e = fails(t.request(t.config("paths:\n  - path: /etc/../../outside\n    type: directory\n"
        + "    permissions: 0o755\n", "a")));
    assertEquals(RebuildCode.BUILD_PATH_ESCAPES_ROOT, e.code());
    CheckException h = fails(t.request(t.config("paths:\n  - path: /etc/x\n    type: hardlink\n"
        + "    source: ../../../etc/shadow\n", "a")));
    assertEquals(RebuildCode.BUILD_PATH_ESCAPES_ROOT, h.code());
  }

  @Test
  void includeLoop(@TempDir Path tmp) throws IOException {
    Files.writeString(tmp.resolve("a.yaml"), "include: b.yaml\n");
    Files.writeString(tmp.resolve("b.yaml"), "include: a.yaml\n");
    CheckException e = fails(BuildRequest.of(tmp.resolve("a.yaml"), tmp));
    assertEquals(ApkoCode.APKO_CONFIG_INCLUDE_LOOP, e.code());
    assertTrue(e.getMessage().startsWith("failed to load config"), e.getMessage());
  }

  @Test
  void lockFileForAnotherConfig(@TempDir Path tmp) throws IOException {
    Path demo = SharedData.testdata("demo");
    Path edited = tmp.resolve("apko.yaml");
    Files.writeString(edited, Files.readString(demo.resolve("apko.yaml")) + "# edited\n");
    String locked = dev.bitproof.apko.LockFile.parse(Files.readAllBytes(demo.resolve("apko.lock.json")), "lock").config()
        .orElseThrow().checksum();
    CheckException e = fails(BuildRequest.of(edited, demo).withLockFile(demo.resolve("apko.lock.json")));
    assertEquals(RebuildCode.LOCK_CONFIG_MISMATCH, e.code());
    assertEquals(CheckException.Kind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().contains(locked), e.getMessage());
  }

  @Test
  void preApko013LockIsRefused(@TempDir Path tmp) throws IOException {
    // the demo's lock in the shape apko wrote before 0.13: no config, no per-package Q1 checksum
    Path demo = SharedData.testdata("demo");
    com.fasterxml.jackson.databind.node.ObjectNode lock = (com.fasterxml.jackson.databind.node.ObjectNode)
        dev.bitproof.json.Json.parse(Files.readAllBytes(demo.resolve("apko.lock.json")), "lock");
    lock.remove("config");
    int removed = 0;
    for (com.fasterxml.jackson.databind.JsonNode p : lock.path("contents").path("packages")) {
      removed += ((com.fasterxml.jackson.databind.node.ObjectNode) p).remove("checksum") != null ? 1 : 0;
    }
    assertEquals(4, removed, "two packages per arch");
    Path l = Files.write(tmp.resolve("apko.lock.json"), dev.bitproof.json.Json.mapper().writeValueAsBytes(lock));
    CheckException e = fails(BuildRequest.of(demo.resolve("apko.yaml"), demo).withLockFile(l));
    assertEquals(RebuildCode.LOCK_TOO_OLD, e.code());
  }

  @Test
  void lockPinningOtherBytesIsAChecksumMismatch(@TempDir Path tmp) throws IOException {
    Path demo = SharedData.testdata("demo");
    // demo-hello x86_64 pinned to the aarch64 package's Q1
    String lock = Files.readString(demo.resolve("apko.lock.json"))
        .replace("\"checksum\": \"Q1VhhSASNb0FlrBWxnyDgrPx7971o=\"", "\"checksum\": \"Q1sDoOEwdHE8FJCABnSSjb7MaSKZ4=\"");
    Path l = tmp.resolve("apko.lock.json");
    Files.writeString(l, lock);
    CheckException e = fails(BuildRequest.of(demo.resolve("apko.yaml"), demo).withLockFile(l));
    assertEquals(ApkCode.APK_CHECKSUM_MISMATCH, e.code());
    assertTrue(e.getMessage().contains("demo-hello-1.0.0-r0.apk"), e.getMessage());
  }

  @Test
  void tamperedIndexSignature(@TempDir Path tmp) throws IOException {
    TestRepo t = new TestRepo(tmp);
    t.packages(t.apk("a", "a").entry(ApkFixtures.Entry.dir("etc")).file("etc/a", "a"));
    Path idx = t.repo.resolve("x86_64/APKINDEX.tar.gz");
    Files.write(idx, ApkFixtures.index("C:Q1AAAA\nP:a\nV:2.0.0-r0\n\n", ApkFixtures.key("intruder.rsa.pub"), "RSA256"));
    CheckException e = fails(t.request(t.config("", "a")));
    assertTrue(List.of(ApkCode.APKINDEX_SIGNATURE_UNTRUSTED_KEY, ApkCode.APKINDEX_SIGNATURE_INVALID).contains(e.code()),
        e.toString());
  }
}
