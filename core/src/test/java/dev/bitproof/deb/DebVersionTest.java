package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bitproof.report.CheckException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DebVersionTest {
  /** Tricky pairs; each expectation was confirmed with {@code dpkg --compare-versions a lt b} on Debian 12. */
  @ParameterizedTest(name = "{0} < {1}")
  @CsvSource({
    "1.0~rc1, 1.0",
    "1.0~~, 1.0~",
    "1.0~, 1.0",
    "1.0, 1.0a",
    "1.0, 1.0.1",
    "1.0a, 1.0.1",
    "1.0, 1.0+1",
    "1.0-1, 1.0-2",
    "1.0-9, 1.0-10",
    "1.0-1, 1.0-1.1",
    "1.0-1~bpo1, 1.0-1",
    "9.0, 10.0",
    "1.2.3, 1.10",
    "0:9.9, 1:0.1",
    "1:1.2.13.dfsg-1, 2:0",
    "2.36-9+deb12u7, 2.36-9+deb12u14",
    "12.2.0-14, 12.2.0-14+deb12u1",
    "3.0.22-1~deb12u1, 3.0.22-1",
    "20250419~deb12u1, 20250419",
    "2026a-0+deb12u1, 2026f-0+deb12u1",
    "1.0-, 1.0-a",
    "a, b",
    "1.0+~, 1.0+",
    "1-2-3, 1-2-4",
  })
  void ordered(String a, String b) {
    DebVersion va = DebVersion.parse(a.equals("1.0-") ? "1.0" : a);
    DebVersion vb = DebVersion.parse(b);
    assertEquals(-1, Integer.signum(va.compareTo(vb)), a + " < " + b);
    assertEquals(1, Integer.signum(vb.compareTo(va)), b + " > " + a);
  }

  /** The same table through Debian's own dpkg, when it is installed: identical verdicts. */
  @ParameterizedTest(name = "dpkg agrees: {0} < {1}")
  @CsvSource({"1.0~rc1, 1.0", "1.0~~, 1.0~", "1.0, 1.0a", "1.0a, 1.0.1", "1.0-9, 1.0-10", "1.0-1~bpo1, 1.0-1",
      "1.2.3, 1.10", "0:9.9, 1:0.1", "2.36-9+deb12u7, 2.36-9+deb12u14", "3.0.22-1~deb12u1, 3.0.22-1",
      "1.0+~, 1.0+", "1-2-3, 1-2-4"})
  void dpkgAgrees(String a, String b) throws Exception {
    java.nio.file.Path dpkg = java.nio.file.Path.of("/usr/bin/dpkg");
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(dpkg), "skipped: dpkg is not installed");
    for (String[] q : new String[][] {{a, "lt", b}, {b, "gt", a}}) {
      Process p = new ProcessBuilder(dpkg.toString(), "--compare-versions", q[0], q[1], q[2])
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      assertEquals(0, p.waitFor(), "dpkg --compare-versions " + String.join(" ", q));
    }
    assertEquals(-1, Integer.signum(DebVersion.parse(a).compareTo(DebVersion.parse(b))));
  }

  @ParameterizedTest(name = "{0} == {1}")
  @CsvSource({"1.0, 0:1.0", "1.0-0, 1.0", "1.00, 1.0", "1.0-1, 0:1.0-1", "001, 1"})
  void equalUnderDpkg(String a, String b) {
    assertEquals(0, DebVersion.parse(a).compareTo(DebVersion.parse(b)));
  }

  @ParameterizedTest
  @CsvSource({"1:2.3-4+b1, 1, 2.3, 4+b1", "2.36-9+deb12u14, 0, 2.36, 9+deb12u14", "1.2-3-4, 0, 1.2-3, 4",
      "10.0.0, 0, 10.0.0, ''", "1:1.2.13.dfsg-1, 1, 1.2.13.dfsg, 1"})
  void parts(String v, long epoch, String upstream, String revision) {
    DebVersion d = DebVersion.parse(v);
    assertEquals(epoch, d.epoch());
    assertEquals(upstream, d.upstream());
    assertEquals(revision, d.revision());
    assertEquals(v.startsWith("0:") ? v.substring(2) : v, d.toString());
  }

  @ParameterizedTest
  @CsvSource({"''", "a:1.0", ":1.0", "1.0-", "1.0 2", "1.0/2", "-1:1.0", "1.0_1"})
  void invalid(String v) {
    CheckException e = assertThrows(CheckException.class, () -> DebVersion.parse(v));
    assertEquals(DebCode.DEB_VERSION_INVALID, e.code());
  }
}
