package dev.bitproof.compare;

/**
 * How far the explanation of a differing file goes into its own format (a tar inside the layer, a zip/jar or ar
 * archive, a gzip/xz/zstd member, JSON, ELF, text). Only files that differ are explained, and only when both versions were held in memory
 * (at most {@link #maxFileSize} each, within the comparison's held-content budget), or, for a zip/jar, written to a
 * temp file while the layer streamed (at most {@link #maxSpillFile} each, {@link #maxSpillTotal} alive per
 * comparison: {@link Spill}), so comparing identical content costs nothing more than that copy. Each bound read from input has a limit; past it the explanation of that file stops with a
 * {@code NESTED_*} finding, never an unbounded read.
 *
 * @param maxDepth formats nested inside each other (a layer's {@code x.tar.gz} is gzip at depth 1, tar at depth 2)
 * @param maxFileSize a differing file is held for its explanation up to this size (larger: sizes and hashes only)
 * @param maxExpanded bytes decompressed in total while explaining one file (all its nested members together)
 * @param maxRatio output-to-input ratio of one nested decompression; more is a bomb
 * @param maxEntries entries of one nested tar, zip or ar archive
 * @param maxLines lines of one JSON or ELF explanation
 * @param maxSpillFile a differing-candidate zip/jar larger than {@code maxFileSize} is written to a temp file while
 *     its layer streams, up to this size, and explained from it at positions with bounded memory
 * @param maxSpillTotal bytes of spilled files alive at once in one comparison; a spill past it is not made
 *     ({@code NESTED_TOO_LARGE} at the file's explanation)
 */
public record NestedLimits(int maxDepth, int maxFileSize, long maxExpanded, long maxRatio, int maxEntries, int maxLines,
    long maxSpillFile, long maxSpillTotal) {
  public static final long DEFAULT_SPILL_FILE = 256L * 1024 * 1024;
  public static final long DEFAULT_SPILL_TOTAL = 1024L * 1024 * 1024;
  public static final NestedLimits DEFAULT = new NestedLimits(4, 1024 * 1024, 16L * 1024 * 1024, 200, 10_000, 100);

  public NestedLimits {
    if (maxDepth < 0 || maxFileSize < 0 || maxExpanded < 0 || maxRatio < 1 || maxEntries < 1 || maxLines < 1
        || maxSpillFile < 0 || maxSpillTotal < 0) {
      throw new IllegalArgumentException("nested limits must be positive");
    }
  }

  /** The default spill bounds. */
  public NestedLimits(int maxDepth, int maxFileSize, long maxExpanded, long maxRatio, int maxEntries, int maxLines) {
    this(maxDepth, maxFileSize, maxExpanded, maxRatio, maxEntries, maxLines, DEFAULT_SPILL_FILE, DEFAULT_SPILL_TOTAL);
  }

  public NestedLimits withSpill(long file, long total) {
    return new NestedLimits(maxDepth, maxFileSize, maxExpanded, maxRatio, maxEntries, maxLines, file, total);
  }
}
