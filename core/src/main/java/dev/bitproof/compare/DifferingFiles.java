package dev.bitproof.compare;

import java.util.Optional;

/**
 * Receives both versions of each file that differs ({@code --report-dir}). A side is empty when the file is only on
 * the other side, or when it was larger than {@link #maxFileSize()} (the comparison streams layers and holds only
 * what it may): its size is still given.
 */
public interface DifferingFiles {
  /** The largest file version kept for this receiver. */
  int maxFileSize();

  /**
   * One differing file: {@code platform} as the report names it, {@code layer} ("layer 0", "merged"), the entry's
   * path as read from the tar (hostile: the receiver sanitizes it).
   */
  void accept(String platform, String layer, String path, Optional<byte[]> a, long sizeA, Optional<byte[]> b,
      long sizeB);
}
