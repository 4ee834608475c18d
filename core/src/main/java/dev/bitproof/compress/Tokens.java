package dev.bitproof.compress;

/**
 * The LZ77 output of one deflate block: literals and (length, offset) matches, with the histograms the block
 * writer needs. Packing and histograms follow klauspost/compress {@code flate/token.go} so that the Huffman
 * tables built from them are the same.
 *
 * <p>A token is an {@code int}: a literal is its byte value (0–255), the end-of-block marker is 256, and a match
 * is {@code MATCH | (length-3) << 22 | offsetCode << 16 | (offset-1)}.
 */
final class Tokens {
  static final int MATCH = 1 << 30;
  static final int LENGTH_SHIFT = 22;
  static final int OFFSET_MASK = (1 << LENGTH_SHIFT) - 1;
  static final int END_BLOCK = 256;
  static final int BASE_MATCH_LENGTH = 3;
  static final int MAX_MATCH_LENGTH = 258;

  /** A deflate window of 65535 bytes makes at most one token per byte, plus an end-of-block. */
  static final int CAPACITY = Deflate.MAX_STORE_BLOCK_SIZE + 1;

  /** lengthCodes1[length-3] = length code - 256 (RFC 1951 §3.2.5), i.e. starting at 1. */
  static final byte[] LENGTH_CODES_1 = new byte[256];
  /** Length code (0–28) of length-3. */
  static final byte[] LENGTH_CODES = new byte[256];
  /** Offset code of offset-1 for offsets below 257. */
  private static final byte[] OFFSET_CODES = new byte[256];

  static {
    // Derived from RFC 1951's length and distance tables instead of pasting upstream's literal arrays.
    int[] lengthBase = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128,
        160, 192, 224, 255};
    for (int code = 0; code < lengthBase.length; code++) {
      int end = code + 1 < lengthBase.length ? lengthBase[code + 1] : 256;
      for (int x = lengthBase[code]; x < end; x++) {
        LENGTH_CODES[x] = (byte) code;
        LENGTH_CODES_1[x] = (byte) (code + 1);
      }
    }
    for (int code = 0; code < 16; code++) {
      int base = HuffmanBitWriter.OFFSET_BASE[code];
      int end = code + 1 < 16 ? HuffmanBitWriter.OFFSET_BASE[code + 1] : 256;
      for (int x = base; x < end && x < 256; x++) {
        OFFSET_CODES[x] = (byte) code;
      }
    }
  }

  final int[] tokens = new int[CAPACITY];
  final int[] litHist = new int[256];
  /** Index 0 is the end-of-block marker, 1–29 the length codes 257–285. */
  final int[] extraHist = new int[32];
  final int[] offHist = new int[32];
  int n;

  void reset() {
    if (n == 0) {
      return;
    }
    n = 0;
    java.util.Arrays.fill(litHist, 0);
    java.util.Arrays.fill(extraHist, 0);
    java.util.Arrays.fill(offHist, 0);
  }

  void addLiteral(int b) {
    tokens[n++] = b;
    litHist[b]++;
  }

  void addEob() {
    tokens[n++] = END_BLOCK;
    extraHist[0]++;
  }

  /** Adds a match of {@code length} bytes (no base subtracted), split in pieces of at most 258 bytes. */
  void addMatchLong(int length, int xoffset) {
    int oc = offsetCode(xoffset);
    int off = xoffset | oc << 16;
    while (length > 0) {
      int xl = length;
      if (xl > MAX_MATCH_LENGTH) {
        // Leave at least 3 bytes for the next piece.
        xl = xl > MAX_MATCH_LENGTH + BASE_MATCH_LENGTH ? MAX_MATCH_LENGTH : MAX_MATCH_LENGTH - BASE_MATCH_LENGTH;
      }
      length -= xl;
      xl -= BASE_MATCH_LENGTH;
      extraHist[LENGTH_CODES_1[xl & 0xFF]]++;
      offHist[oc & 31]++;
      tokens[n++] = MATCH | xl << LENGTH_SHIFT | off;
    }
  }

  static int offsetCode(int xoffset) {
    if (xoffset < 256) {
      return OFFSET_CODES[xoffset];
    }
    return OFFSET_CODES[(xoffset >>> 7) & 0xFF] + 14;
  }

  /**
   * A lower bound for this block's size with an optimal new table (Shannon entropy, clamped to 1–15 bits per
   * symbol), used to decide whether to keep the previous table. Single-precision arithmetic in the same order
   * as upstream: the decision, and so the output bytes, depend on it.
   */
  int estimatedBits() {
    float shannon = 0;
    int bits = 0;
    int nMatches = 0;
    int total = n;
    if (total > 0) {
      float invTotal = 1.0f / (float) total;
      for (int v : litHist) {
        if (v > 0) {
          float f = v;
          shannon += atLeastOne(-fastLog2(f * invTotal)) * f;
        }
      }
      shannon += 15;
      for (int i = 1; i < 30; i++) {
        int v = extraHist[i];
        if (v > 0) {
          float f = v;
          shannon += atLeastOne(-fastLog2(f * invTotal)) * f;
          bits += HuffmanBitWriter.LENGTH_EXTRA_BITS[(i - 1) & 31] * v;
          nMatches += v;
        }
      }
    }
    if (nMatches > 0) {
      float invTotal = 1.0f / (float) nMatches;
      for (int i = 0; i < HuffmanBitWriter.OFFSET_CODE_COUNT; i++) {
        int v = offHist[i];
        if (v > 0) {
          float f = v;
          shannon += atLeastOne(-fastLog2(f * invTotal)) * f;
          bits += HuffmanBitWriter.OFFSET_EXTRA_BITS[i & 31] * v;
        }
      }
    }
    return (int) shannon + bits;
  }

  private static float atLeastOne(float v) {
    if (v < 1) {
      return 1;
    }
    if (v > 15) {
      return 15;
    }
    return v;
  }

  /** A polynomial approximation of log2 on the float's bits (upstream cites stackoverflow.com/a/28730362). */
  static float fastLog2(float val) {
    int ux = Float.floatToRawIntBits(val);
    float log2 = (float) (((ux >> 23) & 255) - 128);
    ux &= -0x7f800001;
    ux += 127 << 23;
    float uval = Float.intBitsToFloat(ux);
    log2 += ((-0.34484843f) * uval + 2.02466578f) * uval - 0.67487759f;
    return log2;
  }
}
