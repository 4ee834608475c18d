package dev.bitproof.compare;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One comparison's temp files: differing-candidate files too large to hold ({@link NestedLimits#maxFileSize()}) but
 * at most {@link NestedLimits#maxSpillFile()}, written while their layer streams (the layer is read once) so a
 * zip/jar can be explained from the file at positions. The files live in the comparison's own temp directory
 * (created on the first spill); their bytes together stay within {@link NestedLimits#maxSpillTotal()} (a file
 * released frees its share); {@link #close()} deletes all of it, also when the comparison failed.
 */
final class Spill implements Closeable {
  /** A file spilled (path set) or refused (why, for an INFO finding at its explanation). */
  record File(Path path, long size, String refusal) {}

  private final NestedLimits limits;
  private final Map<Path, Long> live = new LinkedHashMap<>();
  private Path dir;
  private long used;
  private int next;

  Spill(NestedLimits limits) {
    this.limits = limits;
  }

  /** Whether a file of this size is spilled rather than hashed only (it must be larger than what may be held). */
  boolean fits(long size) {
    return size <= limits.maxSpillFile();
  }

  /** Reserves room for {@code size} bytes: a path to write to, or a refusal when the budget would be passed. */
  File reserve(long size) {
    if (used + size > limits.maxSpillTotal()) {
      return new File(null, size, "not spilled to disk: " + size + " more bytes would pass this comparison's spill "
          + "budget of " + limits.maxSpillTotal() + " (" + used + " in use)");
    }
    try {
      if (dir == null) {
        dir = Files.createTempDirectory("bitproof-compare-");
      }
      Path p = dir.resolve("spill-" + next++);
      Files.createFile(p);
      live.put(p, size);
      used += size;
      return new File(p, size, null);
    } catch (IOException e) {
      // no temp space: this file is not explained, the comparison goes on
      return new File(null, size, "not spilled to disk: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** Deletes a spilled file (written partly, or no longer needed) and frees its share of the budget. */
  void release(File f) {
    if (f == null || f.path() == null) {
      return;
    }
    Long n = live.remove(f.path());
    if (n != null) {
      used -= n;
    }
    try {
      Files.deleteIfExists(f.path());
    } catch (IOException e) {
      // close() tries again
    }
  }

  /** Bytes of spilled files alive now. */
  long used() {
    return used;
  }

  Path directory() {
    return dir;
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (Path p : live.keySet()) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    live.clear();
    used = 0;
    if (dir != null) {
      try (var s = Files.list(dir)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
      dir = null;
    }
    if (first != null) {
      throw first;
    }
  }
}
