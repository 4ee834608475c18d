package dev.bitproof.apk;

import static org.junit.jupiter.api.Assertions.*;

import dev.bitproof.testing.SharedData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ApkPackageTest {
  @Test
  void readsMelangeSignedPackageWithExactStreamBoundaries() throws Exception {
    Path p = SharedData.apkoTestdata().resolve("packages/x86_64/replayout-1.0.0-r0.apk");
    ApkPackage a = ApkPackage.read(p);
    // boundaries as apko's lock file records them: [0,647) [647,1661) [1661,2961)
    assertEquals(0, a.signature().orElseThrow().offset());
    assertEquals(647, a.signature().orElseThrow().length());
    assertEquals(647, a.control().offset());
    assertEquals(1661, a.control().end());
    assertEquals(1661, a.data().offset());
    assertEquals(2961, a.data().end());
    assertEquals(2961, a.size());
    assertEquals("Q11/HhSewwwOXgl0r0ffb0O0BRtYc=", a.checksum());
    assertEquals("replayout", a.name());
    assertEquals("1.0.0-r0", a.version());
    assertEquals("x86_64", a.pkgInfo().arch());
    assertEquals(java.util.Optional.of(true), a.datahashMatches());
    assertEquals(1, a.signatures().size());
    assertEquals("RSA256", a.signatures().get(0).algorithm());
    assertEquals("melange.rsa.pub", a.signatures().get(0).keyName());
    assertTrue(a.pkgInfo().replaces().contains("pretend-baselayout"), a.pkgInfo().toString());
    assertTrue(a.fileChecksumMismatches().isEmpty());
  }
}
