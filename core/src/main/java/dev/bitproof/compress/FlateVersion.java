package dev.bitproof.compress;

/**
 * Which klauspost/compress {@code flate} behaviour to reproduce. Level 5's match finder and Huffman code
 * construction are the same in all of them; what differs is how a dynamic block that does not end a flush
 * declares its codes, which changes the bytes of every input longer than one 65535-byte window (with enough
 * variety in it).
 */
public enum FlateVersion {
  /**
   * v1.15.10 (level-5 rework, PR #656) to v1.18.1: a dynamic block that does not end a flush declares all 286
   * literal/length and 30 distance codes, and the end-of-block code is counted only when the block ends one.
   * Debian's golang-github-klauspost-compress-dev 1.15.12 is this; apko releases of 2022-09 to 2025-11 used it.
   */
  V1_15_10_TO_1_18_1,
  /**
   * v1.18.2 and later (PR #1115, 2025-11-30): every dynamic block declares only the codes it uses and always
   * counts the end-of-block code. apko's golden test images (v1.18.4) and current melange packages are this.
   */
  V1_18_2_AND_LATER;

  /** What current apko uses. */
  public static final FlateVersion APKO_CURRENT = V1_18_2_AND_LATER;

  /** Short label for reports. */
  public String label() {
    return this == V1_18_2_AND_LATER ? "klauspost/compress >= v1.18.2" : "klauspost/compress v1.15.10-v1.18.1";
  }
}
