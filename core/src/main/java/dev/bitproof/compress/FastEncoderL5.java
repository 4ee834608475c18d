package dev.bitproof.compress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The LZ77 match finder of klauspost/compress level 5 ({@code flate/level5.go}, {@code fastEncL5}): a 4-byte
 * hash table and a 7-byte hash table with two entries per bucket, skip-ahead over unmatched input, a check of
 * the next position, a search for a better match ending where the found one ends, and backward extension.
 * Every table update and every tie decides which match is chosen, so they are all reproduced.
 *
 * <p>Positions in the tables are absolute ({@code index in hist + cur}); the history keeps the last 32 KiB
 * of earlier input so that matches can reach back across calls.
 */
final class FastEncoderL5 {
  private static final int TABLE_BITS = 15;
  private static final int TABLE_SIZE = 1 << TABLE_BITS;
  static final int MAX_MATCH_OFFSET = 1 << 15;
  private static final int ALLOC_HISTORY = Deflate.MAX_STORE_BLOCK_SIZE * 5;
  private static final int BUFFER_RESET = (1 << 30) + ((1 << 30) - ALLOC_HISTORY - Deflate.MAX_STORE_BLOCK_SIZE - 1);
  private static final int INPUT_MARGIN = 12 - 1;
  private static final int MIN_NON_LITERAL_BLOCK_SIZE = 1 + 1 + INPUT_MARGIN;
  private static final int MAX_MATCH_LENGTH = 258;
  private static final int PRIME_4_BYTES = (int) 2654435761L;
  private static final long PRIME_7_BYTES = 58295818150454627L;
  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private final int[] table = new int[TABLE_SIZE];
  private final int[] bTableCur = new int[TABLE_SIZE];
  private final int[] bTablePrev = new int[TABLE_SIZE];
  /** Sized like upstream's history buffer: when it fills, it is moved down, which changes {@code t > 0} limits. */
  private final byte[] hist = new byte[ALLOC_HISTORY];
  private int histLen;
  private int cur = Deflate.MAX_STORE_BLOCK_SIZE;

  /** Forgets the history: every table entry becomes out of reach. */
  void reset() {
    if (cur <= BUFFER_RESET) {
      cur += MAX_MATCH_OFFSET + histLen;
    }
    histLen = 0;
  }

  private int addBlock(byte[] src, int off, int len) {
    if (histLen + len > hist.length) {
      int offset = histLen - MAX_MATCH_OFFSET;
      System.arraycopy(hist, offset, hist, 0, MAX_MATCH_OFFSET);
      cur += offset;
      histLen = MAX_MATCH_OFFSET;
    }
    int s = histLen;
    System.arraycopy(src, off, hist, histLen, len);
    histLen += len;
    return s;
  }

  private static long load64(byte[] b, int i) {
    return (long) LONG_LE.get(b, i);
  }

  private static int load32(byte[] b, int i) {
    return (int) INT_LE.get(b, i);
  }

  private static int hash4(long u) {
    return ((int) u * PRIME_4_BYTES) >>> (32 - TABLE_BITS);
  }

  private static int hash7(long u) {
    return (int) (((u << 8) * PRIME_7_BYTES) >>> (64 - TABLE_BITS));
  }

  /** Length of the common prefix of src[s..] and src[t..], at most 254 (so a 4-byte match makes 258). */
  private int matchlen(int s, int t) {
    int s1 = Math.min(s + MAX_MATCH_LENGTH - 4, histLen);
    return matchLen(hist, s, s1 - s, t);
  }

  /** Length of the common prefix of src[s..] and src[t..], up to the end of the history. */
  private int matchlenLong(int s, int t) {
    return matchLen(hist, s, histLen - s, t);
  }

  private static int matchLen(byte[] src, int a, int len, int b) {
    int checked = 0;
    while (len - checked >= 8) {
      long diff = load64(src, a + checked) ^ load64(src, b + checked);
      if (diff != 0) {
        return checked + (Long.numberOfTrailingZeros(diff) >>> 3);
      }
      checked += 8;
    }
    while (checked < len) {
      if (src[a + checked] != src[b + checked]) {
        return checked;
      }
      checked++;
    }
    return len;
  }

  private void putLong(int h, int offset) {
    bTablePrev[h] = bTableCur[h];
    bTableCur[h] = offset;
  }

  /** Appends src[off, off+len) to the history and adds its tokens to {@code dst}. */
  void encode(Tokens dst, byte[] src, int off, int len) {
    // Keep absolute positions away from int overflow.
    while (cur >= BUFFER_RESET) {
      if (histLen == 0) {
        java.util.Arrays.fill(table, 0);
        java.util.Arrays.fill(bTableCur, 0);
        java.util.Arrays.fill(bTablePrev, 0);
        cur = MAX_MATCH_OFFSET;
        break;
      }
      int minOff = cur + histLen - MAX_MATCH_OFFSET;
      for (int i = 0; i < TABLE_SIZE; i++) {
        int v = table[i];
        table[i] = v <= minOff ? 0 : v - cur + MAX_MATCH_OFFSET;
      }
      for (int i = 0; i < TABLE_SIZE; i++) {
        int c = bTableCur[i];
        int p = bTablePrev[i];
        if (c <= minOff) {
          bTableCur[i] = 0;
          bTablePrev[i] = 0;
        } else {
          bTableCur[i] = c - cur + MAX_MATCH_OFFSET;
          bTablePrev[i] = p <= minOff ? 0 : p - cur + MAX_MATCH_OFFSET;
        }
      }
      cur = MAX_MATCH_OFFSET;
    }

    int s = addBlock(src, off, len);
    if (len < MIN_NON_LITERAL_BLOCK_SIZE) {
      // Too short to search: the caller sees n = len without tokens, as upstream does.
      dst.n = len;
      return;
    }
    final byte[] h = hist;
    int nextEmit = s;
    final int sLimit = histLen - INPUT_MARGIN;
    long cv = load64(h, s);
    outer:
    for (;;) {
      final int skipLog = 6;
      final int doEvery = 1;
      int nextS = s;
      int l = 0;
      int t;
      for (;;) {
        int nextHashS = hash4(cv);
        int nextHashL = hash7(cv);
        s = nextS;
        nextS = s + doEvery + ((s - nextEmit) >> skipLog);
        if (nextS > sLimit) {
          break outer;
        }
        int sCandidate = table[nextHashS];
        int lCandidateCur = bTableCur[nextHashL];
        int lCandidatePrev = bTablePrev[nextHashL];
        long next = load64(h, nextS);
        int entry = s + cur;
        table[nextHashS] = entry;
        putLong(nextHashL, entry);

        nextHashS = hash4(next);
        nextHashL = hash7(next);

        t = lCandidateCur - cur;
        if (s - t < MAX_MATCH_OFFSET) {
          if ((int) cv == load32(h, t)) {
            table[nextHashS] = nextS + cur;
            putLong(nextHashL, nextS + cur);
            int t2 = lCandidatePrev - cur;
            if (s - t2 < MAX_MATCH_OFFSET && (int) cv == load32(h, t2)) {
              l = matchlen(s + 4, t + 4) + 4;
              int ml1 = matchlen(s + 4, t2 + 4) + 4;
              if (ml1 > l) {
                t = t2;
                l = ml1;
                break;
              }
            }
            break;
          }
          t = lCandidatePrev - cur;
          if (s - t < MAX_MATCH_OFFSET && (int) cv == load32(h, t)) {
            table[nextHashS] = nextS + cur;
            putLong(nextHashL, nextS + cur);
            break;
          }
        }

        t = sCandidate - cur;
        if (s - t < MAX_MATCH_OFFSET && (int) cv == load32(h, t)) {
          // A 4-byte match; see whether the next position has a longer one in the long table.
          l = matchlen(s + 4, t + 4) + 4;
          lCandidateCur = bTableCur[nextHashL];
          lCandidatePrev = bTablePrev[nextHashL];
          table[nextHashS] = nextS + cur;
          putLong(nextHashL, nextS + cur);

          int t2 = lCandidateCur - cur;
          if (nextS - t2 < MAX_MATCH_OFFSET) {
            if (load32(h, t2) == (int) next) {
              int ml = matchlen(nextS + 4, t2 + 4) + 4;
              if (ml > l) {
                t = t2;
                s = nextS;
                l = ml;
                break;
              }
            }
            t2 = lCandidatePrev - cur;
            if (nextS - t2 < MAX_MATCH_OFFSET && load32(h, t2) == (int) next) {
              int ml = matchlen(nextS + 4, t2 + 4) + 4;
              if (ml > l) {
                t = t2;
                s = nextS;
                l = ml;
                break;
              }
            }
          }
          break;
        }
        cv = next;
      }

      if (l == 0) {
        l = matchlenLong(s + 4, t + 4) + 4;
      } else if (l == MAX_MATCH_LENGTH) {
        l += matchlenLong(s + l, t + l);
      }

      // A better match ending where this one ends, allowing the first 2 bytes to differ.
      int sAt = s + l;
      if (l < 30 && sAt < sLimit) {
        final int skipBeginning = 2;
        int eLong = bTableCur[hash7(load64(h, sAt))];
        int t2 = eLong - cur - l + skipBeginning;
        int s2 = s + skipBeginning;
        int offset = s2 - t2;
        if (t2 >= 0 && offset < MAX_MATCH_OFFSET && offset > 0) {
          int l2 = matchlenLong(s2, t2);
          if (l2 > l) {
            t = t2;
            l = l2;
            s = s2;
          }
        }
      }

      while (t > 0 && s > nextEmit && h[t - 1] == h[s - 1]) {
        s--;
        t--;
        l++;
      }
      for (int i = nextEmit; i < s; i++) {
        dst.addLiteral(h[i] & 0xFF);
      }
      dst.addMatchLong(l, s - t - 1);
      s += l;
      nextEmit = s;
      if (nextS >= s) {
        s = nextS + 1;
      }
      if (s >= sLimit) {
        break;
      }

      // Index some positions inside the match: i, a long entry at i+1, a short at i+2, then every 3rd.
      final int hashEvery = 3;
      int i = s - l + 1;
      if (i < s - 1) {
        long cv2 = load64(h, i);
        int te = i + cur;
        table[hash4(cv2)] = te;
        putLong(hash7(cv2), te);
        cv2 >>>= 8;
        te++;
        putLong(hash7(cv2), te);
        cv2 >>>= 8;
        te++;
        table[hash4(cv2)] = te;
        i += 4;
        for (; i < s - 1; i += hashEvery) {
          long cv3 = load64(h, i);
          int te3 = i + cur;
          putLong(hash7(cv3), te3);
          table[hash4(cv3 >>> 8)] = te3 + 1;
        }
      }

      // Index s-1 and s before continuing at s.
      long x = load64(h, s - 1);
      int o = cur + s - 1;
      table[hash4(x)] = o;
      putLong(hash7(x), o);
      cv = x >>> 8;
    }

    if (nextEmit < histLen) {
      if (dst.n == 0) {
        // Nothing matched: the caller stores the block.
        return;
      }
      for (int i = nextEmit; i < histLen; i++) {
        dst.addLiteral(h[i] & 0xFF);
      }
    }
  }
}
