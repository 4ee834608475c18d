package dev.bitproof.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Huffman construction on its own: upstream's sort, and codes that are length-limited, complete, canonical. */
class HuffmanEncoderTest {
  @Test
  void freqSortOrdersByFrequencyThenSymbol() {
    SplittableRandom r = new SplittableRandom(11);
    for (int round = 0; round < 5000; round++) {
      int n = 1 + r.nextInt(286);
      int[] nodes = new int[n + 1];
      int maxFreq = 1 + r.nextInt(r.nextBoolean() ? 4 : 65535);
      int[] symbols = r.ints(0, 286).distinct().limit(n).toArray();
      n = symbols.length;
      for (int i = 0; i < n; i++) {
        nodes[i] = (1 + r.nextInt(maxFreq)) << 16 | symbols[i];
      }
      int[] expected = Arrays.stream(Arrays.copyOf(nodes, n)).boxed()
          .sorted((a, b) -> Integer.compareUnsigned(a, b)).mapToInt(Integer::intValue).toArray();
      FreqSort.sort(nodes, n);
      assertArrayEquals(expected, Arrays.copyOf(nodes, n), "round " + round + " n " + n);
    }
  }

  @Test
  void codesAreLengthLimitedCompleteAndCanonical() {
    SplittableRandom r = new SplittableRandom(12);
    HuffmanEncoder h = new HuffmanEncoder(HuffmanBitWriter.LITERAL_COUNT);
    for (int round = 0; round < 2000; round++) {
      int count = r.nextBoolean() ? HuffmanBitWriter.LITERAL_COUNT : 30;
      int maxBits = r.nextInt(4) == 0 ? 7 : 15;
      int[] freq = new int[count];
      int used = 0;
      for (int i = 0; i < count; i++) {
        if (r.nextInt(3) > 0) {
          // Skewed, up to uint16 counts: deep trees that the length limit must flatten.
          freq[i] = 1 + (r.nextBoolean() ? r.nextInt(3) : r.nextInt(1 << r.nextInt(16)));
          used++;
        }
      }
      if (maxBits == 7 && used > 128) {
        continue;
      }
      h.generate(freq, count, maxBits);
      double kraft = 0;
      int[] lens = new int[count];
      for (int i = 0; i < count; i++) {
        int len = HuffmanEncoder.len(h.codes[i]);
        lens[i] = len;
        assertEquals(freq[i] == 0, len == 0, "symbol " + i + " has a code iff it is used");
        assertTrue(len <= maxBits, "length " + len + " over " + maxBits);
        if (len > 0) {
          kraft += Math.pow(2, -len);
        }
      }
      if (used >= 2) {
        assertEquals(1.0, kraft, 1e-12, "complete code, round " + round);
      }
      // Canonical (RFC 1951 §3.2.2): codes of one length are consecutive in symbol order.
      int[] blCount = new int[16];
      for (int l : lens) {
        blCount[l]++;
      }
      blCount[0] = 0;
      int[] next = new int[16];
      int code = 0;
      for (int b = 1; b < 16; b++) {
        code = (code + blCount[b - 1]) << 1;
        next[b] = code;
      }
      for (int i = 0; i < count; i++) {
        if (lens[i] > 0) {
          int expected = HuffmanEncoder.reverseBits(next[lens[i]]++, lens[i]);
          assertEquals(expected, HuffmanEncoder.code(h.codes[i]), "canonical code of symbol " + i);
        }
      }
    }
  }
}
