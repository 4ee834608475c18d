package dev.bitproof.compare;

/**
 * How alike two images (or two layers) are, from strictest to loosest. Ordered: a whole is as alike as its least
 * alike part, see {@link #worst}.
 */
public enum Verdict {
  /** Same digests: the very same bytes. */
  BIT_IDENTICAL,
  /**
   * Compressed bytes (and so the manifests and index that name them) differ, but every layer decompresses to the
   * exact same tar (same diff_id) and the configs are byte-identical.
   */
  CONTENT_IDENTICAL,
  /** Differences exist, but all of them are in the declared ignore set ({@code --semantic}). */
  SEMANTICALLY_IDENTICAL,
  /** Something that counts differs. */
  DIFFERENT;

  public static Verdict worst(Verdict a, Verdict b) {
    return a.ordinal() >= b.ordinal() ? a : b;
  }

  /** Is this at least as alike as {@code required}? */
  public boolean atLeast(Verdict required) {
    return ordinal() <= required.ordinal();
  }
}
