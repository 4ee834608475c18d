package dev.bitproof.apk;

import java.util.Comparator;
import java.util.Objects;

/**
 * An apk package version ({@code 1.2.3a_rc1_p2-r4}) ordered exactly as apk-tools orders versions: a token walk
 * over digits, an optional letter, {@code _alpha|_beta|_pre|_rc} (before the release) and
 * {@code _cvs|_svn|_git|_hg|_p} (after it) suffixes with numbers, {@code ~<commit hash>} and {@code -rN}. A dotted
 * part with a leading zero compares as a string ({@code 1.01 < 1.1}); where one version turns invalid the walk stops
 * and the token kinds decide, as in apk-tools 2.14/3.x {@code src/version.c}.
 */
public record ApkVersion(String text) implements Comparable<ApkVersion> {
  /** Orders version strings the apk way. */
  public static final Comparator<String> ORDER = ApkVersion::compare;

  public ApkVersion {
    Objects.requireNonNull(text, "version");
  }

  public static ApkVersion of(String s) {
    return new ApkVersion(s);
  }

  @Override
  public int compareTo(ApkVersion o) {
    return compare(text, o.text);
  }

  /** True when the whole string is a well-formed apk version. */
  public boolean valid() {
    return isValid(text);
  }

  @Override
  public String toString() {
    return text;
  }

  // token types in apk-tools' order: the order is what decides between versions of different shapes
  private static final int INITIAL_DIGIT = 0;
  private static final int DIGIT = 1;
  private static final int LETTER = 2;
  private static final int SUFFIX = 3;
  private static final int SUFFIX_NO = 4;
  private static final int COMMIT_HASH = 5;
  private static final int REVISION_NO = 6;
  private static final int END = 7;
  private static final int INVALID = 8;

  // suffix ranks: pre-release ones below NONE, post-release ones above
  private static final int SUFFIX_INVALID = 0;
  private static final int SUFFIX_NONE = 5;
  private static final String[] SUFFIXES = {"", "alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p"};

  /** One token of a version being walked: its type, its text, and its number or suffix rank. */
  private static final class Tok {
    final String s;
    int p;
    int token;
    int suffix;
    long number;
    int from;
    int to;

    Tok(String s) {
      this.s = s;
    }

    String value() {
      return s.substring(from, to);
    }

    void first() {
      token = INITIAL_DIGIT;
      digits();
    }

    private void digits() {
      from = p;
      long n = 0;
      while (p < s.length() && isDigit(s.charAt(p))) {
        long next = n * 10 + (s.charAt(p) - '0');
        n = next < n ? Long.MAX_VALUE : next; // saturate: apk-tools' uint64 never wraps in practice
        p++;
      }
      to = p;
      number = n;
      if (to == from) {
        token = INVALID;
      }
    }

    void next() {
      if (p >= s.length()) {
        token = END;
        return;
      }
      char c = s.charAt(p);
      if (c >= 'a' && c <= 'z') {
        if (token > DIGIT) {
          token = INVALID;
          return;
        }
        from = p;
        to = ++p;
        token = LETTER;
      } else if (c == '.' || isDigit(c)) {
        if (c == '.') {
          if (token > DIGIT) {
            token = INVALID;
            return;
          }
          p++;
        }
        if (token == INITIAL_DIGIT || token == DIGIT) {
          token = DIGIT;
        } else if (token == SUFFIX) {
          token = SUFFIX_NO;
        } else {
          token = INVALID;
          return;
        }
        digits();
      } else if (c == '_') {
        if (token > SUFFIX_NO) {
          token = INVALID;
          return;
        }
        p++;
        from = p;
        while (p < s.length() && s.charAt(p) >= 'a' && s.charAt(p) <= 'z') {
          p++;
        }
        to = p;
        suffix = suffixRank(value());
        token = suffix == SUFFIX_INVALID ? INVALID : SUFFIX;
      } else if (c == '~') {
        if (token >= COMMIT_HASH) {
          token = INVALID;
          return;
        }
        p++;
        from = p;
        while (p < s.length() && isHex(s.charAt(p))) {
          p++;
        }
        to = p;
        token = to == from ? INVALID : COMMIT_HASH;
      } else if (c == '-') {
        if (token >= REVISION_NO || !s.startsWith("-r", p)) {
          token = INVALID;
          return;
        }
        p += 2;
        token = REVISION_NO;
        digits();
      } else {
        token = INVALID;
      }
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isHex(char c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static int suffixRank(String v) {
    for (int i = 1; i < SUFFIXES.length; i++) {
      if (i != SUFFIX_NONE && SUFFIXES[i].equals(v)) {
        return i;
      }
    }
    return SUFFIX_INVALID;
  }

  private static int tokenCompare(Tok a, Tok b) {
    switch (a.token) {
      case DIGIT:
        if (a.s.charAt(a.from) == '0' || b.s.charAt(b.from) == '0') {
          // a leading zero makes the part compare as a string (1.01 < 1.1, 1.02.07 < 1.02.10)
          return Integer.signum(stringSort(a.value(), b.value()));
        }
        return Long.compare(a.number, b.number);
      case INITIAL_DIGIT:
      case SUFFIX_NO:
      case REVISION_NO:
        return Long.compare(a.number, b.number);
      case LETTER:
        return Character.compare(a.s.charAt(a.from), b.s.charAt(b.from));
      case SUFFIX:
        return Integer.compare(a.suffix, b.suffix);
      default:
        return Integer.signum(stringSort(a.value(), b.value()));
    }
  }

  /** apk-tools' blob sort: bytes up to the shorter length, then the shorter first. */
  private static int stringSort(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      int d = a.charAt(i) - b.charAt(i);
      if (d != 0) {
        return d;
      }
    }
    return a.length() - b.length();
  }

  /** apk-tools' {@code apk_version_validate}. */
  public static boolean isValid(String v) {
    Tok t = new Tok(v);
    for (t.first(); t.token < END; t.next()) {
      // walk
    }
    return t.token == END;
  }

  /** Compares two version strings: negative, zero or positive. */
  public static int compare(String a, String b) {
    return compare(a, b, false);
  }

  /**
   * apk-tools' {@code apk_version_compare_fuzzy}: with {@code fuzzy}, {@code b} is a prefix pattern and every
   * version that starts with its tokens compares equal to it.
   */
  static int compare(String a, String b, boolean fuzzy) {
    Tok ta = new Tok(a);
    Tok tb = new Tok(b);
    for (ta.first(), tb.first(); ta.token == tb.token && ta.token < END; ta.next(), tb.next()) {
      int r = tokenCompare(ta, tb);
      if (r != 0) {
        return r;
      }
    }
    if (ta.token == tb.token) {
      return 0;
    }
    if (tb.token == END && fuzzy) {
      return 0;
    }
    // leading parts are equal: the longer version is greater unless what follows is a pre-release suffix
    if (ta.token == SUFFIX && ta.suffix < SUFFIX_NONE) {
      return -1;
    }
    if (tb.token == SUFFIX && tb.suffix < SUFFIX_NONE) {
      return 1;
    }
    if (ta.token > tb.token) {
      return -1;
    }
    if (tb.token > ta.token) {
      return 1;
    }
    return 0;
  }

  /**
   * The {@code ~} constraint: {@code version} starts with the tokens of {@code prefix} ({@code ~1.2} matches
   * {@code 1.2}, {@code 1.2.5-r1}, {@code 1.2_rc1}; not {@code 1.25} or {@code 1}).
   */
  public static boolean fuzzyMatches(String version, String prefix) {
    return compare(version, prefix, true) == 0;
  }
}
