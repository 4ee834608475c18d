package dev.bitproof.apk;

import static org.junit.jupiter.api.Assertions.*;

import dev.bitproof.testing.ApkFixtures;
import dev.bitproof.testing.ApkFixtures.Apk;
import dev.bitproof.testing.ApkFixtures.Entry;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApkPackageTest {
  /**
   * A package built as melange builds apko's replayout (RSA256 signature and control tars without end-of-archive
   * blocks, each its own gzip stream): the reader's stream boundaries and checksums are the writer's own lengths and
   * digests. On the real melange packages the same boundaries are held by ApkRealDataTest (their signatures verify
   * over the control stream, their datahash over the data stream, their index cross-check passes) and apko's lock
   * file ranges by GoldenRebuildTest.
   */
  @Test
  void readsMelangeSignedPackageWithExactStreamBoundaries() throws Exception {
    ApkFixtures.TestKey key = ApkFixtures.key("melange-shaped.rsa.pub");
    ApkFixtures.Streams s = new Apk("replayout", "1.0.0-r0", "x86_64").add("replaces", "pretend-baselayout")
        .set("origin", "replayout").entry(Entry.dir("etc")).file("etc/os-release", "ID=replayout\n")
        .entry(Entry.dir("var/lib/db/sbom")).file("var/lib/db/sbom/replayout-1.0.0-r0.spdx.json", "{}\n")
        .signedBy(key, "RSA256").streams();
    byte[] bytes = s.concat();
    ApkPackage a = ApkPackage.read(bytes, "replayout");
    int sig = s.signature().length;
    int ctl = sig + s.control().length;
    assertEquals(0, a.signature().orElseThrow().offset());
    assertEquals(sig, a.signature().orElseThrow().length());
    assertEquals(sig, a.control().offset());
    assertEquals(ctl, a.control().end());
    assertEquals(ctl, a.data().offset());
    assertEquals(bytes.length, a.data().end());
    assertEquals(bytes.length, a.size());
    assertEquals("Q1" + Base64.getEncoder().encodeToString(ApkFixtures.sha("SHA-1", s.control())), a.checksum());
    assertArrayEquals(ApkFixtures.sha("SHA-256", s.data()), a.data().sha256());
    assertEquals("replayout", a.name());
    assertEquals("1.0.0-r0", a.version());
    assertEquals("x86_64", a.pkgInfo().arch());
    assertEquals(Optional.of(true), a.datahashMatches());
    assertEquals(1, a.signatures().size());
    assertEquals("RSA256", a.signatures().get(0).algorithm());
    assertEquals(key.name(), a.signatures().get(0).keyName());
    assertEquals(List.of("pretend-baselayout"), a.pkgInfo().replaces());
    assertEquals(2, a.dataFiles());
    assertTrue(a.fileChecksumMismatches().isEmpty());
  }
}
