package dev.bitproof.compress;

import java.util.Arrays;

/**
 * Length-limited canonical Huffman codes, built the way klauspost/compress {@code flate/huffman_code.go} builds
 * them (package-merge by levels, ties broken by symbol). Two encoders that agree on every code length emit the
 * same bits, so the construction, including its sort, is reproduced step for step.
 *
 * <p>A code is an {@code int}: bit length in the low 8 bits, the bit-reversed code above.
 */
final class HuffmanEncoder {
  private static final int MAX_BITS_LIMIT = 16;
  private static final int SENTINEL = 0xFFFF_FFFF;

  final int[] codes;
  private final int[] bitCount = new int[17];
  /** Nodes packed as {@code freq << 16 | symbol}: unsigned order is (freq, symbol). */
  private final int[] list;
  private final int[] levelLastFreq = new int[MAX_BITS_LIMIT + 1];
  private final int[] levelNextCharFreq = new int[MAX_BITS_LIMIT + 1];
  private final int[] levelNextPairFreq = new int[MAX_BITS_LIMIT + 1];
  private final int[] levelNeeded = new int[MAX_BITS_LIMIT + 1];
  private final int[][] leafCounts = new int[MAX_BITS_LIMIT][MAX_BITS_LIMIT];

  HuffmanEncoder(int size) {
    // Room past `size` so size estimates may read any histogram slot (upstream reads them as zero-length codes).
    this.codes = new int[Math.max(size, HuffmanBitWriter.LITERAL_FREQ_SIZE)];
    this.list = new int[HuffmanBitWriter.LITERAL_COUNT + 1];
  }

  static int code(int hcode) {
    return hcode >>> 8;
  }

  static int len(int hcode) {
    return hcode & 0xFF;
  }

  static int hcode(int code, int length) {
    return length | code << 8;
  }

  static int reverseBits(int number, int bitLength) {
    return Integer.reverse((number << ((16 - bitLength) & 15)) & 0xFFFF) >>> 16;
  }

  /** The fixed literal/length code of RFC 1951 §3.2.6. */
  static HuffmanEncoder fixedLiteral() {
    HuffmanEncoder h = new HuffmanEncoder(HuffmanBitWriter.LITERAL_COUNT);
    for (int ch = 0; ch < HuffmanBitWriter.LITERAL_COUNT; ch++) {
      int bits;
      int size;
      if (ch < 144) {
        bits = ch + 48;
        size = 8;
      } else if (ch < 256) {
        bits = ch + 400 - 144;
        size = 9;
      } else if (ch < 280) {
        bits = ch - 256;
        size = 7;
      } else {
        bits = ch + 192 - 280;
        size = 8;
      }
      h.codes[ch] = hcode(reverseBits(bits, size), size);
    }
    return h;
  }

  /** The fixed distance code: 5 bits each. */
  static HuffmanEncoder fixedOffset() {
    HuffmanEncoder h = new HuffmanEncoder(HuffmanBitWriter.OFFSET_CODE_COUNT);
    for (int ch = 0; ch < HuffmanBitWriter.OFFSET_CODE_COUNT; ch++) {
      h.codes[ch] = hcode(reverseBits(ch, 5), 5);
    }
    return h;
  }

  /** Bits needed to code {@code freq} with this code (symbols without a code count zero). */
  int bitLength(int[] freq, int count) {
    int total = 0;
    for (int i = 0; i < count; i++) {
      int f = freq[i];
      if (f != 0) {
        total += f * len(codes[i]);
      }
    }
    return total;
  }

  /** Bits needed, or {@link Integer#MAX_VALUE} when a used symbol has no code in this table. */
  int canReuseBits(int[] freq, int count) {
    int total = 0;
    for (int i = 0; i < count; i++) {
      int f = freq[i];
      if (f != 0) {
        int c = codes[i];
        if (c == 0) {
          return Integer.MAX_VALUE;
        }
        total += f * len(c);
      }
    }
    return total;
  }

  /** Makes this the minimum code for {@code freq[0..count)} with no code longer than {@code maxBits}. */
  void generate(int[] freq, int count, int maxBits) {
    int n = 0;
    for (int i = 0; i < count; i++) {
      int f = freq[i];
      if (f != 0) {
        list[n++] = f << 16 | i;
      } else {
        codes[i] = 0;
      }
    }
    if (n <= 2) {
      // One or two symbols: one bit each, in symbol order.
      for (int i = 0; i < n; i++) {
        codes[list[i] & 0xFFFF] = hcode(i, 1);
      }
      return;
    }
    FreqSort.sort(list, n);
    int top = bitCounts(n, maxBits);
    assignEncodingAndSize(top, n);
  }

  /** Fills bitCount[1..top] with how many symbols get each length; returns top (the longest length). */
  private int bitCounts(int n, int maxBits) {
    list[n] = SENTINEL;
    if (maxBits > n - 1) {
      maxBits = n - 1;
    }
    for (int[] row : leafCounts) {
      Arrays.fill(row, 0);
    }
    Arrays.fill(levelLastFreq, 0);
    Arrays.fill(levelNextCharFreq, 0);
    Arrays.fill(levelNextPairFreq, 0);
    Arrays.fill(levelNeeded, 0);

    int l2f = freqOf(list[2]);
    int l1f = freqOf(list[1]);
    int l0f = freqOf(list[0]) + freqOf(list[1]);
    for (int level = 1; level <= maxBits; level++) {
      levelLastFreq[level] = l1f;
      levelNextCharFreq[level] = l2f;
      levelNextPairFreq[level] = l0f;
      leafCounts[level][level] = 2;
      if (level == 1) {
        levelNextPairFreq[level] = Integer.MAX_VALUE;
      }
    }
    levelNeeded[maxBits] = 2 * n - 4;

    int level = maxBits;
    while (level < 16) {
      if (levelNextPairFreq[level] == Integer.MAX_VALUE && levelNextCharFreq[level] == Integer.MAX_VALUE) {
        // Out of leaves and pairs at this level: never come back to it.
        levelNeeded[level] = 0;
        levelNextPairFreq[level + 1] = Integer.MAX_VALUE;
        level++;
        continue;
      }
      int prevFreq = levelLastFreq[level];
      if (levelNextCharFreq[level] < levelNextPairFreq[level]) {
        // The next item on this row is a leaf.
        int next = leafCounts[level][level] + 1;
        levelLastFreq[level] = levelNextCharFreq[level];
        leafCounts[level][level] = next;
        int e = list[next];
        levelNextCharFreq[level] = (e & 0xFFFF) < 0xFFFF ? freqOf(e) : Integer.MAX_VALUE;
      } else {
        // The next item is a pair from the row below.
        levelLastFreq[level] = levelNextPairFreq[level];
        int save = leafCounts[level][level];
        System.arraycopy(leafCounts[level - 1], 0, leafCounts[level], 0, MAX_BITS_LIMIT);
        leafCounts[level][level] = save;
        levelNeeded[level - 1] = 2;
      }
      if (--levelNeeded[level] == 0) {
        if (level == maxBits) {
          break;
        }
        levelNextPairFreq[level + 1] = prevFreq + levelLastFreq[level];
        level++;
      } else {
        while (levelNeeded[level - 1] > 0) {
          level--;
        }
      }
    }
    if (leafCounts[maxBits][maxBits] != n) {
      throw new IllegalStateException("huffman: leafCounts[maxBits][maxBits] != n");
    }
    int bits = 1;
    int[] counts = leafCounts[maxBits];
    for (int lv = maxBits; lv > 0; lv--) {
      bitCount[bits] = counts[lv] - counts[lv - 1];
      bits++;
    }
    return maxBits;
  }

  /** Canonical codes (RFC 1951 §3.2.2): the least frequent symbols get the longest codes, in symbol order. */
  private void assignEncodingAndSize(int top, int n) {
    int code = 0;
    int end = n;
    int[] chunk = new int[n];
    for (int bits = 0; bits <= top; bits++) {
      code = (code << 1) & 0xFFFF;
      int count = bitCount[bits];
      if (bits == 0 || count == 0) {
        continue;
      }
      int start = end - count;
      for (int i = 0; i < count; i++) {
        chunk[i] = list[start + i] & 0xFFFF;
      }
      Arrays.sort(chunk, 0, count);
      for (int i = 0; i < count; i++) {
        codes[chunk[i]] = hcode(reverseBits(code, bits), bits);
        code = (code + 1) & 0xFFFF;
      }
      end = start;
    }
  }

  private static int freqOf(int node) {
    return node >>> 16;
  }
}
