package dev.bitproof.compare;

import dev.bitproof.oci.Platform;
import dev.bitproof.report.CommonCode;
import java.util.List;
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
 * @param ignoreFileModeRedundantBits diffoci's: the file-type bits a tar writer may add to the mode field
 *     ({@code 0040000} directory, {@code 0100000} regular file …: BuildKit writes them, the legacy builder does not),
 *     i.e. modes are compared as {@code mode & 07777}
 * @param ignorePaths {@link dev.bitproof.io.SlashGlob} patterns: entries whose path matches are not compared
 * @param ignoreAnnotations annotation keys (index, manifest and descriptor annotations, config labels are not
 *     annotations) whose values are not compared
 * @param nested how far a differing file's own format is explained (tar in tar, gzip/xz/zstd, JSON, ELF, text)
 * @param files where both versions of each differing file go ({@code --report-dir}); empty: nowhere
 */
public record CompareOptions(boolean ignoreTimestamps, boolean ignoreHistory, boolean ignoreFileOrder,
    boolean ignoreTarFormat, boolean ignoreImageName, boolean ignoreLayering, Optional<Platform> platform, int maxPendingEntries,
    int maxFindingsPerLayer, int maxTextFile, long maxHeldContent, long maxEntries, boolean ignoreFileModeRedundantBits,
    List<String> ignorePaths, List<String> ignoreAnnotations, NestedLimits nested, Optional<DifferingFiles> files) {

  /** The rule names of the report's {@code ignoreSet} for the boolean ignores, in diffoci's flag order. */
  public static final String TIMESTAMPS = "timestamps";
  public static final String HISTORY = "history";
  public static final String FILE_ORDER = "file-order";
  public static final String TAR_FORMAT = "tar-format";
  public static final String IMAGE_NAME = "image-name";
  public static final String LAYERING = "layering";
  public static final String FILE_MODE_REDUNDANT_BITS = "file-mode-redundant-bits";
  /** Not a flag: with any ignore, layer bytes (so diff_ids and descriptors) may change, as diffoci says. */
  public static final String DIGESTS_MAY_CHANGE = "digests-may-change";

  public CompareOptions {
    platform = platform == null ? Optional.empty() : platform;
    ignorePaths = List.copyOf(ignorePaths == null ? List.of() : ignorePaths);
    ignoreAnnotations = List.copyOf(ignoreAnnotations == null ? List.of() : ignoreAnnotations);
    nested = nested == null ? NestedLimits.DEFAULT : nested;
    files = files == null ? Optional.empty() : files;
    if (maxPendingEntries < 1 || maxFindingsPerLayer < 1 || maxTextFile < 0 || maxHeldContent < 0 || maxEntries < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
    for (String g : ignorePaths) {
      if (g.isEmpty()) {
        throw dev.bitproof.report.CheckException.usage(CommonCode.OPTION_INVALID, "--ignore-path needs a glob");
      }
    }
    for (String k : ignoreAnnotations) {
      if (k.isEmpty()) {
        throw dev.bitproof.report.CheckException.usage(CommonCode.OPTION_INVALID, "--ignore-annotation needs a key");
      }
    }
  }

  /** The limits alone (no path, annotation or mode-bit ignores, default nested limits, no report directory). */
  public CompareOptions(boolean ignoreTimestamps, boolean ignoreHistory, boolean ignoreFileOrder, boolean ignoreTarFormat,
      boolean ignoreImageName, boolean ignoreLayering, Optional<Platform> platform, int maxPendingEntries,
      int maxFindingsPerLayer, int maxTextFile, long maxHeldContent, long maxEntries) {
    this(ignoreTimestamps, ignoreHistory, ignoreFileOrder, ignoreTarFormat, ignoreImageName, ignoreLayering, platform,
        maxPendingEntries, maxFindingsPerLayer, maxTextFile, maxHeldContent, maxEntries, false, List.of(), List.of(),
        NestedLimits.DEFAULT, Optional.empty());
  }

  public static CompareOptions strict() {
    return new CompareOptions(false, false, false, false, false, false, Optional.empty(), 50_000, 200, 64 * 1024,
        32L * 1024 * 1024, 2_000_000);
  }

  /**
   * diffoci's {@code --semantic}: timestamps, history, entry order, tar format, image names and redundant mode bits
   * are ignored; and, as diffoci squashes images whose layer counts differ, the layering.
   */
  public static CompareOptions semantic() {
    return strict().withIgnores(true);
  }

  public CompareOptions withIgnores(boolean on) {
    return new CompareOptions(on, on, on, on, on, on, platform, maxPendingEntries, maxFindingsPerLayer, maxTextFile,
        maxHeldContent, maxEntries, on, ignorePaths, ignoreAnnotations, nested, files);
  }

  /** These ignores added to the ones already set (diffoci's individual {@code --ignore-*} flags). */
  public CompareOptions withAlsoIgnored(boolean timestamps, boolean history, boolean fileOrder, boolean tarFormat,
      boolean imageName, boolean layering) {
    return new CompareOptions(ignoreTimestamps || timestamps, ignoreHistory || history, ignoreFileOrder || fileOrder,
        ignoreTarFormat || tarFormat, ignoreImageName || imageName, ignoreLayering || layering, platform, maxPendingEntries,
        maxFindingsPerLayer, maxTextFile, maxHeldContent, maxEntries, ignoreFileModeRedundantBits, ignorePaths,
        ignoreAnnotations, nested, files);
  }

  /**
   * The fine-grained ignores added to the ones already set: redundant mode bits, entries whose path matches one of
   * the globs, annotations with one of the keys.
   */
  public CompareOptions withAlsoIgnored(boolean fileModeRedundantBits, List<String> paths, List<String> annotations) {
    List<String> p = new java.util.ArrayList<>(ignorePaths);
    paths.stream().filter(x -> !p.contains(x)).forEach(p::add);
    List<String> k = new java.util.ArrayList<>(ignoreAnnotations);
    annotations.stream().filter(x -> !k.contains(x)).forEach(k::add);
    return new CompareOptions(ignoreTimestamps, ignoreHistory, ignoreFileOrder, ignoreTarFormat, ignoreImageName,
        ignoreLayering, platform, maxPendingEntries, maxFindingsPerLayer, maxTextFile, maxHeldContent, maxEntries,
        ignoreFileModeRedundantBits || fileModeRedundantBits, p, k, nested, files);
  }

  public CompareOptions withPlatform(Platform p) {
    return new CompareOptions(ignoreTimestamps, ignoreHistory, ignoreFileOrder, ignoreTarFormat, ignoreImageName, ignoreLayering,
        Optional.ofNullable(p), maxPendingEntries, maxFindingsPerLayer, maxTextFile, maxHeldContent, maxEntries,
        ignoreFileModeRedundantBits, ignorePaths, ignoreAnnotations, nested, files);
  }

  public CompareOptions withLimits(int pending, int findings) {
    return new CompareOptions(ignoreTimestamps, ignoreHistory, ignoreFileOrder, ignoreTarFormat, ignoreImageName, ignoreLayering,
        platform, pending, findings, maxTextFile, maxHeldContent, maxEntries, ignoreFileModeRedundantBits, ignorePaths,
        ignoreAnnotations, nested, files);
  }

  public CompareOptions withMaxEntries(long n) {
    return new CompareOptions(ignoreTimestamps, ignoreHistory, ignoreFileOrder, ignoreTarFormat, ignoreImageName, ignoreLayering,
        platform, maxPendingEntries, maxFindingsPerLayer, maxTextFile, maxHeldContent, n, ignoreFileModeRedundantBits,
        ignorePaths, ignoreAnnotations, nested, files);
  }

  public CompareOptions withNested(NestedLimits n) {
    return new CompareOptions(ignoreTimestamps, ignoreHistory, ignoreFileOrder, ignoreTarFormat, ignoreImageName, ignoreLayering,
        platform, maxPendingEntries, maxFindingsPerLayer, maxTextFile, maxHeldContent, maxEntries,
        ignoreFileModeRedundantBits, ignorePaths, ignoreAnnotations, n, files);
  }

  /** Both versions of every differing file also go to {@code sink} ({@code --report-dir}). */
  public CompareOptions withDifferingFiles(DifferingFiles sink) {
    return new CompareOptions(ignoreTimestamps, ignoreHistory, ignoreFileOrder, ignoreTarFormat, ignoreImageName, ignoreLayering,
        platform, maxPendingEntries, maxFindingsPerLayer, maxTextFile, maxHeldContent, maxEntries,
        ignoreFileModeRedundantBits, ignorePaths, ignoreAnnotations, nested, Optional.ofNullable(sink));
  }

  public boolean ignoresAnything() {
    return ignoreTimestamps || ignoreHistory || ignoreFileOrder || ignoreTarFormat || ignoreImageName || ignoreLayering
        || ignoreFileModeRedundantBits || !ignorePaths.isEmpty() || !ignoreAnnotations.isEmpty();
  }

  /**
   * The declared ignore set, for reports and attestations: the flags' rule names, then {@code path:GLOB} and
   * {@code annotation:KEY} per pattern and key.
   */
  public java.util.List<String> ignoreSet() {
    java.util.List<String> s = new java.util.ArrayList<>();
    if (ignoreTimestamps) {
      s.add(TIMESTAMPS);
    }
    if (ignoreHistory) {
      s.add(HISTORY);
    }
    if (ignoreFileOrder) {
      s.add(FILE_ORDER);
    }
    if (ignoreTarFormat) {
      s.add(TAR_FORMAT);
    }
    if (ignoreImageName) {
      s.add(IMAGE_NAME);
    }
    if (ignoreLayering) {
      s.add(LAYERING);
    }
    if (ignoreFileModeRedundantBits) {
      s.add(FILE_MODE_REDUNDANT_BITS);
    }
    ignorePaths.forEach(g -> s.add(pathRule(g)));
    ignoreAnnotations.forEach(k -> s.add(annotationRule(k)));
    return java.util.List.copyOf(s);
  }

  static String pathRule(String glob) {
    return "path:" + glob;
  }

  static String annotationRule(String key) {
    return "annotation:" + key;
  }

  /** The {@code --ignore-path} globs compiled, in order (a comparator compiles them once). */
  List<java.util.regex.Pattern> pathPatterns() {
    return ignorePaths.stream().map(dev.bitproof.io.SlashGlob::compile).toList();
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
