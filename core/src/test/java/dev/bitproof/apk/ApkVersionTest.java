package dev.bitproof.apk;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApkVersionTest {
  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource(delimiter = ' ', value = {
      "1.0 = 1.0",
      "1.0 < 1.0.1",
      "1.0.1 < 1.1",
      "1.2 > 1.1.99",
      "1.10 > 1.9",
      "2.0 > 1.99.99-r99",
      // leading zeros: a fraction, not a number
      "1.01 < 1.1",
      "1.001 < 1.01",
      "1.02.07 < 1.02.10-r1",
      "1.06-r6 < 006",
      // letters
      "1.0a > 1.0",
      "1.0a < 1.0b",
      "1.0z < 1.0.1",
      "2.5.1-r8 < 2.5.1a-r1",
      "1.7 < 1.7b",
      // pre-release suffixes sort before the release, in alpha < beta < pre < rc
      "1.0_alpha < 1.0",
      "1.0_alpha < 1.0_beta",
      "1.0_beta < 1.0_pre",
      "1.0_pre < 1.0_rc",
      "1.0_rc < 1.0",
      "1.0_rc1 < 1.0_rc2",
      "1.0_rc9 < 1.0_rc10",
      "1.0_alpha2 > 1.0_alpha",
      "1.1 > 1.1_alpha1",
      "0.10.0 < 0.10.1_rc1",
      "3.9_pre20060124 > 0.01",
      "0.1.0_alpha_pre2 < 0.1.0_alpha",
      // post-release suffixes sort after the release, cvs < svn < git < hg < p
      "1.0_p1 > 1.0",
      "1.0_cvs < 1.0_svn",
      "1.0_svn < 1.0_git",
      "1.0_git < 1.0_hg",
      "1.0_hg < 1.0_p",
      "1.0_p9 < 1.0_p10",
      "1.0_p10-r0 > 1.0_p9-r0",
      "4.5_p1 < 4.5_p1-r1",
      "1.0_rc1 < 1.0_p1",
      // revisions
      "1.0-r0 = 1.0-r0",
      "1.0 < 1.0-r1",
      "1.0-r1 < 1.0-r2",
      "1.0-r9 < 1.0-r10",
      "1.0-r100 < 1.0.1",
      "1.3-r0 < 1.3.1-r0",
      "1.3_pre1-r1 < 1.3.2",
      // dates and long numbers (int64, no overflow)
      "20050718-r1 < 20050718-r2",
      "2.59 < 20050718-r1",
      "1.0.0_pre20191002222144-r0 < 1.0.0_pre20210530193627-r0",
      "3.0.20060720 < 20060720",
      // invalid tails end the comparison where they start
      "1.0 < 1.0bc",
      "23_foo > 4_beta",
      // commit hashes (apk-tools 3) sit between suffixes and the revision
      "1.0~1a2b > 1.0",
      "1.0_rc1~1a2b < 1.0",
  })
  void ordersLikeApkTools(String a, String op, String b) {
    int c = ApkVersion.compare(a, b);
    int r = ApkVersion.compare(b, a);
    switch (op) {
      case "<" -> {
        assertTrue(c < 0, a + " should sort before " + b + " (got " + c + ")");
        assertTrue(r > 0, b + " should sort after " + a + " (got " + r + ")");
      }
      case ">" -> {
        assertTrue(c > 0, a + " should sort after " + b + " (got " + c + ")");
        assertTrue(r < 0, b + " should sort before " + a);
      }
      default -> {
        assertEquals(0, c, a + " should equal " + b);
        assertEquals(0, r);
      }
    }
  }

  @ParameterizedTest(name = "valid {0} = {1}")
  @CsvSource({"1.0,true", "1.2.3a_rc1_p2-r4,true", "1.0-r1,true", "20240101,true", "1.0bc,false", "1.0-1,false",
      "1.0_foo,false", "a1,false", "1.0-r,false", "1..2,false", "1.0_rc1-r2,true", "1.0~1a2b3c-r1,true", "1.0~,false", "1.0-r1-r2,false"})
  void validatesLikeApkTools(String v, boolean valid) {
    assertEquals(valid, ApkVersion.isValid(v), v);
  }

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource({"1.2,1.2,true", "1.2.5-r1,1.2,true", "1.2_rc1,1.2,true", "1.25,1.2,false", "1,1.2,false",
      "1.2,1.2.5,false", "1.3,1.2,false", "3.2.0-r23,3.2.0-r23,true", "3.2.0-r24,3.2.0-r23,false", "6.4_p20231125-r1,6,true"})
  void fuzzyMatchesByTokenPrefix(String version, String prefix, boolean expected) {
    assertEquals(expected, ApkVersion.fuzzyMatches(version, prefix));
  }
}
