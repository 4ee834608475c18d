package dev.bitproof.compare;

/**
 * How far the explanation of a differing file goes into its own format (a tar inside the layer, a zip/jar or ar
 * archive, a gzip/xz/zstd member, JSON, ELF, text). Only files that differ are explained, and only when both versions were held in memory
 * (at most {@link #maxFileSize} each, within the comparison's held-content budget), so comparing identical content
 * costs nothing more. Each bound read from input has a limit; past it the explanation of that file stops with a
 * {@code NESTED_*} finding, never an unbounded read.
 *
 * @param maxDepth formats nested inside each other (a layer's {@code x.tar.gz} is gzip at depth 1, tar at depth 2)
 * @param maxFileSize a differing file is held for its explanation up to this size (larger: sizes and hashes only)
 * @param maxExpanded bytes decompressed in total while explaining one file (all its nested members together)
 * @param maxRatio output-to-input ratio of one nested decompression; more is a bomb
 * @param maxEntries entries of one nested tar, zip or ar archive
 * @param maxLines lines of one JSON or ELF explanation
 */
public record NestedLimits(int maxDepth, int maxFileSize, long maxExpanded, long maxRatio, int maxEntries, int maxLines) {
  public static final NestedLimits DEFAULT = new NestedLimits(4, 1024 * 1024, 16L * 1024 * 1024, 200, 10_000, 100);

  public NestedLimits {
    if (maxDepth < 0 || maxFileSize < 0 || maxExpanded < 0 || maxRatio < 1 || maxEntries < 1 || maxLines < 1) {
      throw new IllegalArgumentException("nested limits must be positive");
    }
  }
}
