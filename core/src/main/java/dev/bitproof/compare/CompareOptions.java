package dev.bitproof.compare;

import dev.bitproof.oci.Platform;
import dev.bitproof.report.CommonCode;
import java.util.Optional;

/**
 * What a comparison ignores and how much it may hold. The default ignores nothing (strict, like diffoci without
 * flags); {@link #semantic()} is diffoci's {@code --semantic} set. Every limit is a constant, so memory is bounded
 * whatever the images' size.
 *
 * @param ignoreTimestamps tar mtimes and PAX atime/ctime/mtime, config {@code created}, history {@code created},
 *     the {@code org.opencontainers.image.created} annotation and label
 * @param ignoreHistory config {@code history}
 * @param ignoreFileOrder the position of entries in their tar
 * @param ignoreTarFormat USTAR / PAX / GNU header encoding
 * @param ignoreImageName {@code org.opencontainers.image.ref.name} and {@code io.containerd.image.name} annotations
 * @param ignoreLayering how the files are split into layers: images whose layer lists differ are compared by their
 *     merged filesystems either way; with this the split itself ({@code LAYER_COUNT_DIFFERS}) does not fail
 * @param platform compare only this platform
 * @param maxPendingEntries unmatched tar entries held per side while walking two layers in step; past it the
 *     explanation of that layer stops (its verdict is still exact: it comes from the diff_ids)
 * @param maxFindingsPerLayer file differences reported per layer before the rest are only counted
 * @param maxTextFile text files up to this size get a unified diff
 * @param maxHeldContent bytes of file contents held at once for diffs
 * @param maxEntries entries per layer tar; more is {@code TAR_TOO_MANY_ENTRIES}
 */
public record CompareOptions(boolean ignoreTimestamps, boolean ignoreHistory, boolean ignoreFileOrder,
    boolean ignoreTarFormat, boolean ignoreImageName, boolean ignoreLayering, Optional<Platform> platform, int maxPendingEntries,
    int maxFindingsPerLayer, int maxTextFile, long maxHeldContent, long maxEntries) {

  public CompareOptions {
    platform = platform == null ? Optional.empty() : platform;
    if (maxPendingEntries < 1 || maxFindingsPerLayer < 1 || maxTextFile < 0 || maxHeldContent < 0 || maxEntries < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
  }

  public static CompareOptions strict() {
    return new CompareOptions(false, false, false, false, false, false, Optional.empty(), 50_000, 200, 64 * 1024,
        32L * 1024 * 1024, 2_000_000);
  }

  /**
   * diffoci's {@code --semantic}: timestamps, history, entry order, tar format and image names are ignored; and, as
   * diffoci squashes images whose layer counts differ, the layering.
   */
  public static CompareOptions semantic() {
    return strict().withIgnores(true);
  }

  public CompareOptions withIgnores(boolean on) {
    return new CompareOptions(on, on, on, on, on, on, platform, maxPendingEntries, maxFindingsPerLayer, maxTextFile,
        maxHeldContent, maxEntries);
  }

  /** These ignores added to the ones already set (diffoci's individual {@code --ignore-*} flags). */
  public CompareOptions withAlsoIgnored(boolean timestamps, boolean history, boolean fileOrder, boolean tarFormat,
      boolean imageName, boolean layering) {
    return new CompareOptions(ignoreTimestamps || timestamps, ignoreHistory || history, ignoreFileOrder || fileOrder,
        ignoreTarFormat || tarFormat, ignoreImageName || imageName, ignoreLayering || layering, platform, maxPendingEntries,
        maxFindingsPerLayer, maxTextFile, maxHeldContent, maxEntries);
  }

  public CompareOptions withPlatform(Platform p) {
    return new CompareOptions(ignoreTimestamps, ignoreHistory, ignoreFileOrder, ignoreTarFormat, ignoreImageName, ignoreLayering,
        Optional.ofNullable(p), maxPendingEntries, maxFindingsPerLayer, maxTextFile, maxHeldContent, maxEntries);
  }

  public CompareOptions withLimits(int pending, int findings) {
    return new CompareOptions(ignoreTimestamps, ignoreHistory, ignoreFileOrder, ignoreTarFormat, ignoreImageName, ignoreLayering,
        platform, pending, findings, maxTextFile, maxHeldContent, maxEntries);
  }

  public CompareOptions withMaxEntries(long n) {
    return new CompareOptions(ignoreTimestamps, ignoreHistory, ignoreFileOrder, ignoreTarFormat, ignoreImageName, ignoreLayering,
        platform, maxPendingEntries, maxFindingsPerLayer, maxTextFile, maxHeldContent, n);
  }

  public boolean ignoresAnything() {
    return ignoreTimestamps || ignoreHistory || ignoreFileOrder || ignoreTarFormat || ignoreImageName || ignoreLayering;
  }

  /** The declared ignore set, for reports and attestations. */
  public java.util.List<String> ignoreSet() {
    java.util.List<String> s = new java.util.ArrayList<>();
    if (ignoreTimestamps) {
      s.add("timestamps");
    }
    if (ignoreHistory) {
      s.add("history");
    }
    if (ignoreFileOrder) {
      s.add("file-order");
    }
    if (ignoreTarFormat) {
      s.add("tar-format");
    }
    if (ignoreImageName) {
      s.add("image-name");
    }
    if (ignoreLayering) {
      s.add("layering");
    }
    return java.util.List.copyOf(s);
  }

  /**
   * The least verdict that passes, as {@code --require bit|content|semantic} names it; absent: content, or semantic
   * for a semantic comparison. Any other name is OPTION_INVALID (usage).
   */
  public static Verdict requiredVerdict(String require, boolean semantic) {
    if (require == null) {
      return semantic ? Verdict.SEMANTICALLY_IDENTICAL : Verdict.CONTENT_IDENTICAL;
    }
    return switch (require) {
      case "bit" -> Verdict.BIT_IDENTICAL;
      case "content" -> Verdict.CONTENT_IDENTICAL;
      case "semantic" -> Verdict.SEMANTICALLY_IDENTICAL;
      default -> throw dev.bitproof.report.CheckException.usage(CommonCode.OPTION_INVALID,
          "--require must be bit, content or semantic, not '" + require + "'");
    };
  }
}
