package dev.bitproof.gocompat;

import java.nio.charset.StandardCharsets;

/**
 * Go's {@code path.Match} on UTF-8 bytes, exactly: {@code *} (not across {@code /}), {@code ?}, {@code [...]}
 * classes with ranges and {@code ^}, {@code \} escapes, and the same patterns reported as malformed
 * ({@link BadPattern}, Go's {@code ErrBadPattern}), which {@code fs.Glob} turns into an error.
 */
public final class GoPathMatch {
  private GoPathMatch() {}

  /** {@code path.ErrBadPattern}. */
  public static final class BadPattern extends Exception {
    public BadPattern() {
      super("syntax error in pattern", null, false, false);
    }
  }

  /** True when the pattern has a meta character ({@code fs.Glob}'s hasMeta). */
  public static boolean hasMeta(String p) {
    return p.indexOf('*') >= 0 || p.indexOf('?') >= 0 || p.indexOf('[') >= 0 || p.indexOf('\\') >= 0;
  }

  public static boolean match(String pattern, String name) throws BadPattern {
    byte[] p = pattern.getBytes(StandardCharsets.UTF_8);
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    int pp = 0;
    int np = 0;
    outer:
    while (pp < p.length) {
      boolean star = false;
      while (pp < p.length && p[pp] == '*') {
        pp++;
        star = true;
      }
      int chunkStart = pp;
      int chunkEnd = scanChunkEnd(p, pp);
      pp = chunkEnd;
      if (star && chunkStart == chunkEnd) {
        for (int i = np; i < n.length; i++) {
          if (n[i] == '/') {
            return false;
          }
        }
        return true;
      }
      int t = matchChunk(p, chunkStart, chunkEnd, n, np);
      if (t >= 0 && (t == n.length || pp < p.length)) {
        np = t;
        continue;
      }
      if (star) {
        for (int i = np; i < n.length && n[i] != '/'; i++) {
          int r = matchChunk(p, chunkStart, chunkEnd, n, i + 1);
          if (r >= 0) {
            if (pp >= p.length && r < n.length) {
              continue;
            }
            np = r;
            continue outer;
          }
        }
      }
      while (pp < p.length) {
        while (pp < p.length && p[pp] == '*') {
          pp++;
        }
        int cs = pp;
        pp = scanChunkEnd(p, pp);
        matchChunk(p, cs, pp, n, n.length);
      }
      return false;
    }
    return np == n.length;
  }

  private static int scanChunkEnd(byte[] p, int i) {
    boolean inrange = false;
    for (; i < p.length; i++) {
      switch (p[i]) {
        case '\\' -> {
          if (i + 1 < p.length) {
            i++;
          }
        }
        case '[' -> inrange = true;
        case ']' -> inrange = false;
        case '*' -> {
          if (!inrange) {
            return i;
          }
        }
        default -> { }
      }
    }
    return i;
  }

  /** Go's matchChunk: the position in {@code s} after the chunk, or -1 when it does not match. */
  private static int matchChunk(byte[] p, int c, int end, byte[] s, int sp) throws BadPattern {
    boolean failed = false;
    while (c < end) {
      if (!failed && sp >= s.length) {
        failed = true;
      }
      switch (p[c]) {
        case '[' -> {
          int r = 0;
          if (!failed) {
            long d = decode(s, sp);
            r = (int) (d >> 8);
            sp += (int) (d & 0xff);
          }
          c++;
          boolean negated = false;
          if (c < end && p[c] == '^') {
            negated = true;
            c++;
          }
          boolean match = false;
          int nrange = 0;
          while (true) {
            if (c < end && p[c] == ']' && nrange > 0) {
              c++;
              break;
            }
            long lo = getEsc(p, c, end);
            c = (int) (lo & 0xffffffffL);
            int loR = (int) (lo >> 32);
            int hiR = loR;
            if (p[c] == '-') {
              long hi = getEsc(p, c + 1, end);
              c = (int) (hi & 0xffffffffL);
              hiR = (int) (hi >> 32);
            }
            if (loR <= r && r <= hiR) {
              match = true;
            }
            nrange++;
          }
          if (match == negated) {
            failed = true;
          }
        }
        case '?' -> {
          if (!failed) {
            if (s[sp] == '/') {
              failed = true;
            }
            sp += (int) (decode(s, sp) & 0xff);
          }
          c++;
        }
        case '\\' -> {
          c++;
          if (c >= end) {
            throw new BadPattern();
          }
          if (!failed) {
            if (p[c] != s[sp]) {
              failed = true;
            }
            sp++;
          }
          c++;
        }
        default -> {
          if (!failed) {
            if (p[c] != s[sp]) {
              failed = true;
            }
            sp++;
          }
          c++;
        }
      }
    }
    return failed ? -1 : sp;
  }

  /** Go's getEsc: rune << 32 | next chunk position. */
  private static long getEsc(byte[] p, int c, int end) throws BadPattern {
    if (c >= end || p[c] == '-' || p[c] == ']') {
      throw new BadPattern();
    }
    if (p[c] == '\\') {
      c++;
      if (c >= end) {
        throw new BadPattern();
      }
    }
    long d = decode(p, c, end);
    int r = (int) (d >> 8);
    int n = (int) (d & 0xff);
    if (r == 0xfffd && n == 1) {
      throw new BadPattern();
    }
    c += n;
    if (c >= end) {
      throw new BadPattern();
    }
    return ((long) r << 32) | c;
  }

  private static long decode(byte[] b, int i) {
    return decode(b, i, b.length);
  }

  /** utf8.DecodeRune: rune << 8 | width; (RuneError, 1) for an invalid sequence. */
  private static long decode(byte[] b, int i, int end) {
    if (i >= end) {
      return 0xfffdL << 8;
    }
    int b0 = b[i] & 0xff;
    if (b0 < 0x80) {
      return ((long) b0 << 8) | 1;
    }
    int need = b0 >= 0xc2 && b0 <= 0xdf ? 1 : b0 >= 0xe0 && b0 <= 0xef ? 2 : b0 >= 0xf0 && b0 <= 0xf4 ? 3 : -1;
    long invalid = (0xfffdL << 8) | 1;
    if (need < 0 || i + need >= end) {
      return invalid;
    }
    int cp = b0 & (0x3f >> need);
    for (int k = 1; k <= need; k++) {
      int c = b[i + k] & 0xff;
      if ((c & 0xc0) != 0x80) {
        return invalid;
      }
      cp = (cp << 6) | (c & 0x3f);
    }
    boolean ok = switch (need) {
      case 1 -> cp >= 0x80;
      case 2 -> cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
      default -> cp >= 0x10000 && cp <= 0x10ffff;
    };
    return ok ? ((long) cp << 8) | (need + 1) : invalid;
  }
}
