package dev.bitproof.compress;

/**
 * A raw deflate (RFC 1951) compressor whose output is byte for byte that of klauspost/compress {@code flate} at
 * level 5 ({@code DefaultCompression}), the compressor under apko's layers. Input is cut into windows of 65535
 * bytes; each window is matched by {@link FastEncoderL5} and written by {@link HuffmanBitWriter} as stored,
 * literal-only or LZ77 block, as upstream's {@code compressor.storeFast} decides.
 *
 * <p>The {@link FlateVersion} picks upstream's block-header behaviour (it changed in v1.18.2).
 *
 * <p>Not thread-safe; one instance compresses one stream at a time and can be {@link #reset reset} for the next.
 */
public final class Deflate {
  /** Largest stored block, and the size of the window the fast encoders work on. */
  static final int MAX_STORE_BLOCK_SIZE = 65535;

  private final FastEncoderL5 fast = new FastEncoderL5();
  private final HuffmanBitWriter w;
  private final Tokens tokens = new Tokens();
  private final byte[] window = new byte[MAX_STORE_BLOCK_SIZE];
  private int windowEnd;
  private boolean sync;
  private ByteSink out;

  /** A compressor writing to {@code out} with {@code version}'s block decisions. */
  Deflate(ByteSink out, FlateVersion version) {
    this.w = new HuffmanBitWriter(7, version);
    reset(out, null, 0, 0);
  }

  /**
   * Starts a new stream into {@code sink}, primed with the dictionary {@code dict[off, off+len)} (only its last
   * 32 KiB matter). Matches may then refer into the dictionary, which is not itself output.
   */
  void reset(ByteSink sink, byte[] dict, int off, int len) {
    this.out = sink;
    w.reset(sink);
    sync = false;
    fast.reset();
    windowEnd = 0;
    tokens.reset();
    if (len > FastEncoderL5.MAX_MATCH_OFFSET) {
      off += len - FastEncoderL5.MAX_MATCH_OFFSET;
      len = FastEncoderL5.MAX_MATCH_OFFSET;
    }
    // Priming runs the encoder over the dictionary and drops its tokens, exactly like upstream's fillWindow.
    fast.encode(tokens, dict == null ? new byte[0] : dict, off, len);
    tokens.reset();
  }

  void write(byte[] b, int off, int len) {
    while (len > 0) {
      if (windowEnd == window.length || sync) {
        storeFast();
      }
      int n = Math.min(len, window.length - windowEnd);
      System.arraycopy(b, off, window, windowEnd, n);
      windowEnd += n;
      off += n;
      len -= n;
    }
  }

  /** Sync flush: everything so far is output, ending with an empty stored block {@code 00 00 ff ff}. */
  void flush() {
    sync = true;
    storeFast();
    w.writeStoredHeader(0, false);
    w.flush();
    sync = false;
  }

  /** Ends the stream with a final block (an empty fixed block {@code 03 00} after a flush). */
  void finish() {
    sync = true;
    storeFast();
    w.writeStoredHeader(0, true);
    w.flush();
  }

  ByteSink sink() {
    return out;
  }

  private void storeFast() {
    if (windowEnd < window.length) {
      if (!sync) {
        return;
      }
      // Tiny tails: stored up to 32 bytes, literal-only below 128; the match history is dropped.
      if (windowEnd < 128) {
        if (windowEnd == 0) {
          return;
        }
        if (windowEnd <= 32) {
          w.writeStoredBlock(window, 0, windowEnd);
        } else {
          w.writeBlockHuff(false, window, 0, windowEnd, true);
        }
        tokens.reset();
        windowEnd = 0;
        fast.reset();
        return;
      }
    }
    fast.encode(tokens, window, 0, windowEnd);
    if (tokens.n == 0) {
      w.writeStoredBlock(window, 0, windowEnd);
    } else if (tokens.n > windowEnd - (windowEnd >> 4)) {
      // The matches removed less than 1/16 of the input: Huffman-code the literals only.
      w.writeBlockHuff(false, window, 0, windowEnd, sync);
    } else {
      w.writeBlockDynamic(tokens, false, window, 0, windowEnd, sync);
    }
    tokens.reset();
    windowEnd = 0;
  }
}
