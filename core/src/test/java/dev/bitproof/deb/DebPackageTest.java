package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.io.IoCode;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DebPackage} on a real Debian deb (fidelity: libc6 read to known facts) and on hostile debs the test builds.
 * Embedded signatures (debsigs, dpkg-sig) and their tampering are held by {@link DebPackageFixtureTest} on debs and
 * keys the test makes; a real debsigs-signed deb is held to debsig-verify's verdict by {@link DebSigCrossCheckTest}.
 */
class DebPackageTest {
  static final PgpVerifier.Policy POLICY = PgpVerifier.Policy.at(Instant.parse("2026-11-29T12:00:00Z"));

  @TempDir
  Path tmp;

  static List<Code> codes(List<Finding> fs) {
    return fs.stream().map(Finding::code).toList();
  }

  @Test
  void realDebsReadCleanAndCarryNoEmbeddedSignature() throws Exception {
    DebPackage libc = DebPackage.read(SharedData.require("deb/debs/libc6_2.36-9+deb12u14_amd64.deb"));
    assertEquals("libc6", libc.name());
    assertEquals("2.36-9+deb12u14", libc.version());
    assertEquals("amd64", libc.architecture());
    assertEquals(List.of("debian-binary", "control.tar.xz", "data.tar.xz"), libc.members().stream().map(ArArchive.Member::name).toList());
    assertEquals("ba4f88f73dbc3ae9055f3c20f4523bfdbaf1ad13ff95e258924f77d20b4fbedf", libc.sha256().hex());
    assertEquals(2_759_320, libc.size());
    assertEquals(List.of(DebCode.DEB_MD5SUMS_OK), codes(libc.findings()));
    assertTrue(libc.conffiles().contains("/etc/ld.so.conf.d/x86_64-linux-gnu.conf"), libc.conffiles().toString());
    assertTrue(libc.controlFile("postinst").isPresent());
    assertTrue(libc.data().stream().anyMatch(e -> e.path().equals("/lib/x86_64-linux-gnu/libc.so.6")));
    PgpKeyring k = PgpKeyring.load(SharedData.require("deb/debsig/test-signer.pub.gpg"));
    assertEquals(List.of(DebCode.DEB_SIGNATURE_NONE), codes(libc.verifyEmbeddedSignatures(k, POLICY)));
  }

  static Map<String, byte[]> members(Path deb) throws Exception {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (var ch = java.nio.channels.FileChannel.open(deb)) {
      for (ArArchive.Member m : ArArchive.index(ch, "x")) {
        out.put(m.name(), ArArchive.open(ch, m).readAllBytes());
      }
    }
    return out;
  }

  @Test
  void truncatedArIsRefused() throws Exception {
    // generic (any deb cut short), so on a deb the test builds: it runs without ../shared
    byte[] real = TestDebs.ar(DebPackageFixtureTest.members("hello\n"));
    for (int cut : new int[] {4, 30, real.length / 2, real.length - 1}) {
      Path p = tmp.resolve("cut" + cut + ".deb");
      Files.write(p, Arrays.copyOf(real, cut));
      CheckException e = assertThrows(CheckException.class, () -> DebPackage.read(p));
      assertEquals(cut == 4 ? DebCode.DEB_AR_TRUNCATED : DebCode.DEB_AR_TRUNCATED, e.code(), "cut at " + cut + ": " + e);
      assertEquals(CheckException.Kind.INTEGRITY, e.kind());
    }
    Path notAr = tmp.resolve("x.deb");
    Files.writeString(notAr, "PK\u0003\u0004 not an ar archive");
    assertEquals(DebCode.DEB_NOT_AR, assertThrows(CheckException.class, () -> DebPackage.read(notAr)).code());
  }

  @Test
  void memberNamesWithSlashOrDotDotAreRefused() throws Exception {
    for (String bad : List.of("../control.tar", "a/b", "..", "/", "//")) {
      Map<String, byte[]> m = new LinkedHashMap<>();
      m.put("debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
      m.put(bad, new byte[] {1, 2});
      Path p = tmp.resolve("bad.deb");
      Files.write(p, TestDebs.ar(m));
      CheckException e = assertThrows(CheckException.class, () -> DebPackage.read(p), bad);
      assertEquals(DebCode.DEB_AR_MEMBER_NAME_INVALID, e.code(), bad);
    }
    Map<String, byte[]> wrongOrder = new LinkedHashMap<>();
    wrongOrder.put("debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
    wrongOrder.put("data.tar.xz", new byte[0]);
    wrongOrder.put("control.tar.xz", new byte[0]);
    Path p = tmp.resolve("order.deb");
    Files.write(p, TestDebs.ar(wrongOrder));
    assertEquals(DebCode.DEB_STRUCTURE_INVALID, assertThrows(CheckException.class, () -> DebPackage.read(p)).code());
  }

  @Test
  void absolutePathsAndEscapesInDataAreFindings() throws Exception {
    byte[] data = TestDebs.xz(TestDebs.tar(
        TestDebs.Entry.file("./usr/share/ok", "ok\n"),
        TestDebs.Entry.file("/etc/cron.d/evil", "* * * * * root sh\n"),
        TestDebs.Entry.symlink("./usr/lib/escape", "../../../etc/shadow"),
        TestDebs.Entry.symlink("./usr/lib/fine", "../../etc/hosts"),
        TestDebs.Entry.symlink("./etc/localtime", "/usr/share/zoneinfo/UTC"),
        TestDebs.Entry.hardlink("./usr/lib/hl", "../../outside")));
    Path p = tmp.resolve("hostile.deb");
    Files.write(p, TestDebs.deb(data, "2e6ad1a8ef73b2c9a4ef2a8a8e2bc3c9  usr/share/ok\n"));
    DebPackage d = DebPackage.read(p);
    List<Code> c = codes(d.findings());
    assertTrue(c.contains(DebCode.DEB_DATA_ABSOLUTE_PATH), c.toString());
    assertEquals(1, c.stream().filter(DebCode.DEB_DATA_SYMLINK_ESCAPE::equals).count(), d.findings().toString());
    assertTrue(c.contains(DebCode.DEB_DATA_HARDLINK_ESCAPE), c.toString());
    assertTrue(c.contains(DebCode.DEB_MD5SUMS_MISMATCH), "md5sums line is deliberately wrong: " + c);

    byte[] dotdot = TestDebs.xz(TestDebs.tar(TestDebs.Entry.file("./usr/../../etc/passwd", "x\n")));
    Path q = tmp.resolve("dotdot.deb");
    Files.write(q, TestDebs.deb(dotdot, ""));
    assertTrue(codes(DebPackage.read(q).findings()).contains(DebCode.DEB_DATA_PATH_ESCAPE));
  }

  @Test
  void xzAndZstdBombsAreStopped() throws Exception {
    byte[] xzBomb = TestDebs.zeroTar("./usr/share/zeros", 64L << 20, TestDebs::xzStream);
    assertTrue(xzBomb.length < 64 << 10, "bomb is small: " + xzBomb.length);
    Path p = tmp.resolve("xzbomb.deb");
    Files.write(p, TestDebs.deb(xzBomb, ""));
    CheckException e = assertThrows(CheckException.class, () -> DebPackage.read(p));
    assertEquals(IoCode.DECOMPRESSION_BOMB, e.code());

    byte[] zstdBomb = TestDebs.zeroTar("./usr/share/zeros", 64L << 20, TestDebs::zstdStream);
    Map<String, byte[]> m = members(p);
    m.remove("data.tar.xz");
    m.put("data.tar.zst", zstdBomb);
    Path z = tmp.resolve("zstdbomb.deb");
    Files.write(z, TestDebs.ar(m));
    e = assertThrows(CheckException.class, () -> DebPackage.read(z));
    assertEquals(IoCode.DECOMPRESSION_BOMB, e.code());
  }
}
