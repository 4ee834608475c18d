package dev.bitproof.compress;

import java.util.Arrays;

/**
 * Writes deflate blocks (RFC 1951) the way klauspost/compress {@code flate/huffman_bit_writer.go} chooses them:
 * stored, fixed or dynamic Huffman, and whether a dynamic table is kept open across blocks or a new one started.
 * Those choices, not only the codes, decide the output bytes, so every size estimate and threshold is the same
 * as upstream's.
 */
final class HuffmanBitWriter {
  static final int OFFSET_CODE_COUNT = 30;
  static final int LITERAL_COUNT = 286;
  static final int LENGTH_CODES_START = 257;
  static final int LITERAL_FREQ_SIZE = LENGTH_CODES_START + 32;
  private static final int CODEGEN_CODE_COUNT = 19;
  private static final int BAD_CODE = 255;
  /** Blocks with fewer tokens than this also try the fixed code. */
  private static final int MAX_PREDEFINED_TOKENS = 250;
  private static final int LENGTH_EXTRA_BITS_MIN_CODE = 8;
  private static final int OFFSET_EXTRA_BITS_MIN_CODE = 4;

  static final int[] LENGTH_EXTRA_BITS = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5,
      5, 5, 0, 0, 0, 0};
  private static final int[] LENGTH_BASE = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64,
      80, 96, 112, 128, 160, 192, 224, 255, 0, 0, 0};
  static final int[] OFFSET_EXTRA_BITS = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
      11, 11, 12, 12, 13, 13, 14, 14};
  static final int[] OFFSET_BASE = {0x0000, 0x0001, 0x0002, 0x0003, 0x0004, 0x0006, 0x0008, 0x000c, 0x0010, 0x0018,
      0x0020, 0x0030, 0x0040, 0x0060, 0x0080, 0x00c0, 0x0100, 0x0180, 0x0200, 0x0300, 0x0400, 0x0600, 0x0800, 0x0c00,
      0x1000, 0x1800, 0x2000, 0x3000, 0x4000, 0x6000, 0x8000, 0xc000};
  private static final int[] CODEGEN_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

  static final HuffmanEncoder FIXED_LITERAL = HuffmanEncoder.fixedLiteral();
  static final HuffmanEncoder FIXED_OFFSET = HuffmanEncoder.fixedOffset();
  /** The one-symbol distance code of literal-only blocks. */
  private static final HuffmanEncoder HUFF_OFFSET = new HuffmanEncoder(OFFSET_CODE_COUNT);

  static {
    int[] freq = new int[OFFSET_CODE_COUNT];
    freq[0] = 1;
    HUFF_OFFSET.generate(freq, OFFSET_CODE_COUNT, 15);
  }

  private ByteSink out;
  private long bits;
  private int nbits;

  /** Non-zero: a dynamic table is open (its header size in bits) and an end-of-block is owed. */
  private int lastHeader;
  /** The open table is literal-only (from {@link #writeBlockHuff}) and cannot code matches. */
  private boolean lastHuffMan;
  private final int logNewTablePenalty;
  /** v1.18.2+: count the end-of-block code in every block and declare only the codes used. */
  private final boolean alwaysEob;

  private HuffmanEncoder literalEncoding = new HuffmanEncoder(LITERAL_COUNT);
  private HuffmanEncoder tmpLitEncoding = new HuffmanEncoder(LITERAL_COUNT);
  private final HuffmanEncoder offsetEncoding = new HuffmanEncoder(OFFSET_CODE_COUNT);
  private final HuffmanEncoder codegenEncoding = new HuffmanEncoder(CODEGEN_CODE_COUNT);

  private final int[] literalFreq = new int[LITERAL_FREQ_SIZE];
  private final int[] offsetFreq = new int[32];
  private final int[] codegenFreq = new int[CODEGEN_CODE_COUNT];
  private final int[] codegen = new int[LITERAL_COUNT + OFFSET_CODE_COUNT + 1];

  HuffmanBitWriter(int logNewTablePenalty, FlateVersion version) {
    this.logNewTablePenalty = logNewTablePenalty;
    this.alwaysEob = version == FlateVersion.V1_18_2_AND_LATER;
  }

  void reset(ByteSink sink) {
    this.out = sink;
    bits = 0;
    nbits = 0;
    lastHeader = 0;
    lastHuffMan = false;
  }

  // ---- bits ----

  private void writeBits(int value, int nb) {
    bits |= (value & 0xFFFF_FFFFL) << nbits;
    nbits += nb;
    if (nbits >= 48) {
      writeOutBits();
    }
  }

  private void writeCode(int hcode) {
    bits |= (long) HuffmanEncoder.code(hcode) << nbits;
    nbits += HuffmanEncoder.len(hcode);
    if (nbits >= 48) {
      writeOutBits();
    }
  }

  private void writeOutBits() {
    out.writeLittleEndian(bits, 6);
    bits >>>= 48;
    nbits -= 48;
  }

  /** Emits an owed end-of-block, then pads to a byte boundary. */
  void flush() {
    if (lastHeader > 0) {
      writeCode(literalEncoding.codes[Tokens.END_BLOCK]);
      lastHeader = 0;
    }
    int n = (nbits + 7) >>> 3;
    out.writeLittleEndian(bits, n);
    bits = 0;
    nbits = 0;
  }

  private void writeBytes(byte[] b, int off, int len) {
    if ((nbits & 7) != 0) {
      throw new IllegalStateException("writeBytes with unfinished bits");
    }
    out.writeLittleEndian(bits, nbits >>> 3);
    bits = 0;
    nbits = 0;
    out.write(b, off, len);
  }

  // ---- headers ----

  /** A stored block header; an empty final stored block is written as an empty fixed block (10 bits). */
  void writeStoredHeader(int length, boolean eof) {
    if (lastHeader > 0) {
      writeCode(literalEncoding.codes[Tokens.END_BLOCK]);
      lastHeader = 0;
    }
    if (length == 0 && eof) {
      writeFixedHeader(true);
      writeBits(0, 7);
      flush();
      return;
    }
    writeBits(eof ? 1 : 0, 3);
    flush();
    writeBits(length, 16);
    writeBits(~length & 0xFFFF, 16);
  }

  private void writeFixedHeader(boolean eof) {
    if (lastHeader > 0) {
      writeCode(literalEncoding.codes[Tokens.END_BLOCK]);
      lastHeader = 0;
    }
    writeBits(eof ? 3 : 2, 3);
  }

  private void writeDynamicHeader(int numLiterals, int numOffsets, int numCodegens, boolean eof) {
    writeBits(eof ? 5 : 4, 3);
    writeBits(numLiterals - 257, 5);
    writeBits(numOffsets - 1, 5);
    writeBits(numCodegens - 4, 4);
    for (int i = 0; i < numCodegens; i++) {
      writeBits(HuffmanEncoder.len(codegenEncoding.codes[CODEGEN_ORDER[i]]), 3);
    }
    int i = 0;
    for (;;) {
      int codeWord = codegen[i++];
      if (codeWord == BAD_CODE) {
        break;
      }
      writeCode(codegenEncoding.codes[codeWord]);
      switch (codeWord) {
        case 16 -> writeBits(codegen[i++], 2);
        case 17 -> writeBits(codegen[i++], 3);
        case 18 -> writeBits(codegen[i++], 7);
        default -> { }
      }
    }
  }

  /**
   * The run-length coded code lengths of RFC 1951 §3.2.7 into {@link #codegen} (ending with BAD_CODE), and
   * their frequencies into {@link #codegenFreq}.
   */
  private void generateCodegen(int numLiterals, int numOffsets, HuffmanEncoder litEnc, HuffmanEncoder offEnc) {
    Arrays.fill(codegenFreq, 0);
    int[] cg = codegen;
    for (int i = 0; i < numLiterals; i++) {
      cg[i] = HuffmanEncoder.len(litEnc.codes[i]);
    }
    for (int i = 0; i < numOffsets; i++) {
      cg[numLiterals + i] = HuffmanEncoder.len(offEnc.codes[i]);
    }
    cg[numLiterals + numOffsets] = BAD_CODE;

    int size = cg[0];
    int count = 1;
    int outIndex = 0;
    for (int inIndex = 1; size != BAD_CODE; inIndex++) {
      int nextSize = cg[inIndex];
      if (nextSize == size) {
        count++;
        continue;
      }
      if (size != 0) {
        cg[outIndex++] = size;
        codegenFreq[size]++;
        count--;
        while (count >= 3) {
          int n = Math.min(6, count);
          cg[outIndex++] = 16;
          cg[outIndex++] = n - 3;
          codegenFreq[16]++;
          count -= n;
        }
      } else {
        while (count >= 11) {
          int n = Math.min(138, count);
          cg[outIndex++] = 18;
          cg[outIndex++] = n - 11;
          codegenFreq[18]++;
          count -= n;
        }
        if (count >= 3) {
          cg[outIndex++] = 17;
          cg[outIndex++] = count - 3;
          codegenFreq[17]++;
          count = 0;
        }
      }
      count--;
      for (; count >= 0; count--) {
        cg[outIndex++] = size;
        codegenFreq[size]++;
      }
      size = nextSize;
      count = 1;
    }
    cg[outIndex] = BAD_CODE;
  }

  private int codegens() {
    int numCodegens = codegenFreq.length;
    while (numCodegens > 4 && codegenFreq[CODEGEN_ORDER[numCodegens - 1]] == 0) {
      numCodegens--;
    }
    return numCodegens;
  }

  /** Header size in bits of the table described by the current codegen. */
  private int headerSize() {
    int numCodegens = codegens();
    return 3 + 5 + 5 + 4 + (3 * numCodegens)
        + codegenEncoding.bitLength(codegenFreq, CODEGEN_CODE_COUNT)
        + codegenFreq[16] * 2
        + codegenFreq[17] * 3
        + codegenFreq[18] * 7;
  }

  private int dynamicSize(HuffmanEncoder litEnc, HuffmanEncoder offEnc, int extraBits) {
    return headerSize()
        + litEnc.bitLength(literalFreq, LITERAL_FREQ_SIZE)
        + offEnc.bitLength(offsetFreq, 32)
        + extraBits;
  }

  private int dynamicReuseSize(HuffmanEncoder litEnc, HuffmanEncoder offEnc) {
    return litEnc.bitLength(literalFreq, LITERAL_FREQ_SIZE) + offEnc.bitLength(offsetFreq, 32);
  }

  private int extraBitSize() {
    int total = 0;
    for (int i = 0; i < LITERAL_COUNT - 257; i++) {
      total += literalFreq[257 + i] * LENGTH_EXTRA_BITS[i & 31];
    }
    for (int i = 0; i < OFFSET_CODE_COUNT; i++) {
      total += offsetFreq[i] * OFFSET_EXTRA_BITS[i & 31];
    }
    return total;
  }

  private int fixedSize(int extraBits) {
    return 3 + FIXED_LITERAL.bitLength(literalFreq, LITERAL_FREQ_SIZE) + FIXED_OFFSET.bitLength(offsetFreq, 32)
        + extraBits;
  }

  /** Stored size in bits, or -1 when the input does not fit one stored block. */
  private static int storedSize(int len) {
    return len <= Deflate.MAX_STORE_BLOCK_SIZE ? (len + 5) * 8 : -1;
  }

  private boolean canReuse(Tokens t) {
    int[] off = offsetEncoding.codes;
    for (int i = 0; i < OFFSET_CODE_COUNT; i++) {
      if (t.offHist[i] != 0 && off[i] == 0) {
        return false;
      }
    }
    int[] lit = literalEncoding.codes;
    for (int i = 0; i < LITERAL_COUNT - 256; i++) {
      if (t.extraHist[i] != 0 && lit[256 + i] == 0) {
        return false;
      }
    }
    for (int i = 0; i < 256; i++) {
      if (t.litHist[i] != 0 && lit[i] == 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Copies the token histograms; returns numLiterals << 16 | numOffsets for the header. {@code filled}
   * (before v1.18.2, blocks that do not end a flush) declares every code; {@code countEob} (v1.18.2+) counts
   * the end-of-block code whether or not the block has one yet.
   */
  private int indexTokens(Tokens t, boolean filled, boolean countEob) {
    System.arraycopy(t.litHist, 0, literalFreq, 0, 256);
    System.arraycopy(t.extraHist, 0, literalFreq, 256, 32);
    System.arraycopy(t.offHist, 0, offsetFreq, 0, 32);
    if (t.n == 0) {
      return 0;
    }
    if (countEob) {
      literalFreq[Tokens.END_BLOCK] = 1;
    }
    if (filled) {
      return LITERAL_COUNT << 16 | OFFSET_CODE_COUNT;
    }
    int numLiterals = literalFreq.length;
    while (literalFreq[numLiterals - 1] == 0) {
      numLiterals--;
    }
    int numOffsets = offsetFreq.length;
    while (numOffsets > 0 && offsetFreq[numOffsets - 1] == 0) {
      numOffsets--;
    }
    if (numOffsets == 0) {
      // No match: one distance code anyway so the distance tree can be written.
      offsetFreq[0] = 1;
      numOffsets = 1;
    }
    return numLiterals << 16 | numOffsets;
  }

  private void generate() {
    literalEncoding.generate(literalFreq, LITERAL_COUNT, 15);
    offsetEncoding.generate(offsetFreq, OFFSET_CODE_COUNT, 15);
  }

  // ---- blocks ----

  private void writeStored(byte[] in, int off, int len, boolean eof) {
    writeStoredHeader(len, eof);
    writeBytes(in, off, len);
  }

  /** A stored block of the input as is. */
  void writeStoredBlock(byte[] in, int off, int len) {
    writeStoredHeader(len, false);
    writeBytes(in, off, len);
  }

  /**
   * A block of tokens with a dynamic table, possibly continuing the open one, or fixed/stored when those are
   * smaller. With {@code sync} the block is closed (end-of-block written); otherwise the table may stay open for
   * the next block.
   */
  void writeBlockDynamic(Tokens tokens, boolean eof, byte[] in, int off, int len, boolean sync) {
    sync = sync || eof;
    if (sync) {
      tokens.addEob();
    }
    if ((lastHuffMan || eof) && lastHeader > 0) {
      writeCode(literalEncoding.codes[Tokens.END_BLOCK]);
      lastHeader = 0;
      lastHuffMan = false;
    }
    if (lastHeader > 0 && !canReuse(tokens)) {
      writeCode(literalEncoding.codes[Tokens.END_BLOCK]);
      lastHeader = 0;
    }
    int counts = alwaysEob ? indexTokens(tokens, false, true) : indexTokens(tokens, !sync, false);
    int numLiterals = counts >>> 16;
    int numOffsets = counts & 0xFFFF;
    int extraBits = 0;
    int ssize = in == null ? -1 : storedSize(len);
    boolean storable = ssize >= 0;
    if (storable || lastHeader > 0) {
      extraBits = extraBitSize();
    }

    int size;
    if (lastHeader > 0) {
      // Estimate a new table from the previous header's size; the penalty favours keeping the table.
      int newSize = lastHeader + tokens.estimatedBits();
      newSize += HuffmanEncoder.len(literalEncoding.codes[Tokens.END_BLOCK]) + (newSize >> logNewTablePenalty);
      int reuseSize = dynamicReuseSize(literalEncoding, offsetEncoding) + extraBits;
      if (newSize < reuseSize) {
        writeCode(literalEncoding.codes[Tokens.END_BLOCK]);
        size = newSize;
        lastHeader = 0;
      } else {
        size = reuseSize;
      }
      if (tokens.n < MAX_PREDEFINED_TOKENS) {
        int preSize = fixedSize(extraBits) + 7;
        if (preSize < size) {
          if (storable && ssize <= size) {
            writeStored(in, off, len, eof);
            return;
          }
          writeFixedHeader(eof);
          if (!sync) {
            tokens.addEob();
          }
          writeTokens(tokens, FIXED_LITERAL.codes, FIXED_OFFSET.codes);
          return;
        }
      }
      if (storable && ssize <= size) {
        writeStored(in, off, len, eof);
        return;
      }
    }

    if (lastHeader == 0) {
      literalFreq[Tokens.END_BLOCK] = 1;
      generate();
      generateCodegen(numLiterals, numOffsets, literalEncoding, offsetEncoding);
      codegenEncoding.generate(codegenFreq, CODEGEN_CODE_COUNT, 7);
      int numCodegens = codegens();
      size = dynamicSize(literalEncoding, offsetEncoding, extraBits);

      if (tokens.n < MAX_PREDEFINED_TOKENS) {
        int preSize = fixedSize(extraBits);
        if (preSize <= size) {
          if (storable && ssize <= preSize) {
            writeStored(in, off, len, eof);
            return;
          }
          writeFixedHeader(eof);
          if (!sync) {
            tokens.addEob();
          }
          writeTokens(tokens, FIXED_LITERAL.codes, FIXED_OFFSET.codes);
          return;
        }
      }
      if (storable && ssize <= size) {
        writeStored(in, off, len, eof);
        return;
      }
      writeDynamicHeader(numLiterals, numOffsets, numCodegens, eof);
      if (!sync) {
        lastHeader = headerSize();
      }
      lastHuffMan = false;
    }
    if (sync) {
      lastHeader = 0;
    }
    writeTokens(tokens, literalEncoding.codes, offsetEncoding.codes);
  }

  private void writeTokens(Tokens t, int[] leCodes, int[] oeCodes) {
    int n = t.n;
    if (n == 0) {
      return;
    }
    int[] tokens = t.tokens;
    boolean deferEob = tokens[n - 1] == Tokens.END_BLOCK;
    if (deferEob) {
      n--;
    }
    long bits = this.bits;
    int nbits = this.nbits;
    ByteSink out = this.out;
    // Room for every code of this block without per-token checks: at most 48 bits per token.
    out.ensureRoom(n * 6 + 16);
    for (int i = 0; i < n; i++) {
      int tok = tokens[i];
      if (tok < 256) {
        int c = leCodes[tok];
        bits |= (long) (c >>> 8) << nbits;
        nbits += c & 0xFF;
        if (nbits >= 48) {
          out.writeLittleEndian(bits, 6);
          bits >>>= 48;
          nbits -= 48;
        }
        continue;
      }
      int length = (tok >>> Tokens.LENGTH_SHIFT) & 0xFF;
      int lengthCode = Tokens.LENGTH_CODES[length] & 31;
      int c = leCodes[LENGTH_CODES_START + lengthCode];
      bits |= (long) (c >>> 8) << nbits;
      nbits += c & 0xFF;
      if (nbits >= 48) {
        out.writeLittleEndian(bits, 6);
        bits >>>= 48;
        nbits -= 48;
      }
      if (lengthCode >= LENGTH_EXTRA_BITS_MIN_CODE) {
        bits |= (long) (length - LENGTH_BASE[lengthCode]) << nbits;
        nbits += LENGTH_EXTRA_BITS[lengthCode];
        if (nbits >= 48) {
          out.writeLittleEndian(bits, 6);
          bits >>>= 48;
          nbits -= 48;
        }
      }
      int offset = tok & Tokens.OFFSET_MASK;
      int offsetCode = (offset >>> 16) & 31;
      c = oeCodes[offsetCode];
      bits |= (long) (c >>> 8) << nbits;
      nbits += c & 0xFF;
      if (nbits >= 48) {
        out.writeLittleEndian(bits, 6);
        bits >>>= 48;
        nbits -= 48;
      }
      if (offsetCode >= OFFSET_EXTRA_BITS_MIN_CODE) {
        bits |= (long) ((offset - OFFSET_BASE[offsetCode]) & 0xFFFF) << nbits;
        nbits += OFFSET_EXTRA_BITS[offsetCode];
        if (nbits >= 48) {
          out.writeLittleEndian(bits, 6);
          bits >>>= 48;
          nbits -= 48;
        }
      }
    }
    this.bits = bits;
    this.nbits = nbits;
    if (deferEob) {
      writeCode(leCodes[Tokens.END_BLOCK]);
    }
  }

  /**
   * A literal-only block (no LZ77), or stored when Huffman coding gains too little. Used when the match finder
   * removed less than 1/16 of the input.
   */
  void writeBlockHuff(boolean eof, byte[] in, int off, int len, boolean sync) {
    Arrays.fill(literalFreq, 0);
    if (!lastHuffMan) {
      Arrays.fill(offsetFreq, 0);
    }
    final int numLiterals = Tokens.END_BLOCK + 1;
    final int numOffsets = 1;
    // Header size guess for a new table: about 70 bytes.
    final int guessHeaderSizeBits = 70 * 8;
    for (int i = off, end = off + len; i < end; i++) {
      literalFreq[in[i] & 0xFF]++;
    }
    int ssize = storedSize(len);
    boolean storable = ssize >= 0;
    if (storable && len > 1024) {
      // Quick check for incompressible content: a flat histogram.
      double abs = 0;
      double avg = (double) len / 256;
      double max = (double) (len * 2);
      for (int i = 0; i < 256; i++) {
        double diff = literalFreq[i] - avg;
        abs += diff * diff;
        if (abs > max) {
          break;
        }
      }
      if (abs < max) {
        writeStored(in, off, len, eof);
        return;
      }
    }
    literalFreq[Tokens.END_BLOCK] = 1;
    tmpLitEncoding.generate(literalFreq, numLiterals, 15);
    int estBits = tmpLitEncoding.canReuseBits(literalFreq, numLiterals);
    if (estBits < Integer.MAX_VALUE) {
      estBits += lastHeader;
      if (lastHeader == 0) {
        estBits += guessHeaderSizeBits;
      }
      estBits += estBits >> logNewTablePenalty;
    }
    if (storable && ssize <= estBits) {
      writeStored(in, off, len, eof);
      return;
    }
    if (lastHeader > 0) {
      int reuseSize = literalEncoding.canReuseBits(literalFreq, 256);
      if (estBits < reuseSize) {
        writeCode(literalEncoding.codes[Tokens.END_BLOCK]);
        lastHeader = 0;
      }
    }
    if (lastHeader == 0) {
      HuffmanEncoder swap = literalEncoding;
      literalEncoding = tmpLitEncoding;
      tmpLitEncoding = swap;
      generateCodegen(numLiterals, numOffsets, literalEncoding, HUFF_OFFSET);
      codegenEncoding.generate(codegenFreq, CODEGEN_CODE_COUNT, 7);
      int numCodegens = codegens();
      writeDynamicHeader(numLiterals, numOffsets, numCodegens, eof);
      lastHuffMan = true;
      lastHeader = headerSize();
    }
    int[] encoding = literalEncoding.codes;
    long bits = this.bits;
    int nbits = this.nbits;
    ByteSink out = this.out;
    out.ensureRoom(len * 2 + 16);
    for (int i = off, end = off + len; i < end; i++) {
      int c = encoding[in[i] & 0xFF];
      bits |= (long) (c >>> 8) << nbits;
      nbits += c & 0xFF;
      if (nbits >= 48) {
        out.writeLittleEndian(bits, 6);
        bits >>>= 48;
        nbits -= 48;
      }
    }
    this.bits = bits;
    this.nbits = nbits;
    if (eof || sync) {
      writeCode(literalEncoding.codes[Tokens.END_BLOCK]);
      lastHeader = 0;
      lastHuffMan = false;
    }
  }
}
