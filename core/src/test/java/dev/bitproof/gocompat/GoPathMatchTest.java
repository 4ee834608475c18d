package dev.bitproof.gocompat;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Every case of Go 1.19's path/match_test.go (matchTests), which fs.Glob and so apko's ld.so.conf includes rely on. */
class GoPathMatchTest {
  static void m(String pattern, String s, boolean want) throws Exception {
    assertEquals(want, GoPathMatch.match(pattern, s), pattern + " vs " + s);
  }

  static void bad(String pattern, String s) {
    assertThrows(GoPathMatch.BadPattern.class, () -> GoPathMatch.match(pattern, s), pattern + " vs " + s);
  }

  @Test
  void goMatchTests() throws Exception {
    m("abc", "abc", true);
    m("*", "abc", true);
    m("*c", "abc", true);
    m("a*", "a", true);
    m("a*", "abc", true);
    m("a*", "ab/c", false);
    m("a*/b", "abc/b", true);
    m("a*/b", "a/c/b", false);
    m("a*b*c*d*e*/f", "axbxcxdxe/f", true);
    m("a*b*c*d*e*/f", "axbxcxdxexxx/f", true);
    m("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false);
    m("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false);
    m("a*b?c*x", "abxbbxdbxebxczzx", true);
    m("a*b?c*x", "abxbbxdbxebxczzy", false);
    m("ab[c]", "abc", true);
    m("ab[b-d]", "abc", true);
    m("ab[e-g]", "abc", false);
    m("ab[^c]", "abc", false);
    m("ab[^b-d]", "abc", false);
    m("ab[^e-g]", "abc", true);
    m("a\\*b", "a*b", true);
    m("a\\*b", "ab", false);
    m("a?b", "a☺b", true);
    m("a[^a]b", "a☺b", true);
    m("a???b", "a☺b", false);
    m("a[^a][^a][^a]b", "a☺b", false);
    m("[a-ζ]*", "α", true);
    m("*[a-ζ]", "A", false);
    m("a?b", "a/b", false);
    m("a*b", "a/b", false);
    m("[\\]a]", "]", true);
    m("[\\-]", "-", true);
    m("[x\\-]", "x", true);
    m("[x\\-]", "-", true);
    m("[x\\-]", "z", false);
    m("[\\-x]", "x", true);
    m("[\\-x]", "-", true);
    m("[\\-x]", "a", false);
    bad("[]a]", "]");
    bad("[-]", "-");
    bad("[x-]", "x");
    bad("[x-]", "-");
    bad("[x-]", "z");
    bad("[-x]", "x");
    bad("[-x]", "-");
    bad("[-x]", "a");
    bad("\\", "a");
    bad("[a-b-c]", "a");
    bad("[", "a");
    bad("[^", "a");
    bad("[^bc", "a");
    bad("a[", "a");
    bad("a[", "ab");
    bad("a[", "x");
    bad("a/b[", "x");
    m("*x", "xxx", true);
    m("*.conf", "a.conf", true);
    m("*.conf", "a.conf.off", false);
  }
}
