package dev.bitproof.cli.options;

import dev.bitproof.compare.CompareOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * diffoci's ignore set as individual flags; {@code --semantic} stays the shorthand for all of them. What each
 * ignores is {@link CompareOptions}'s; the report's {@code ignoreSet} lists the ones in force.
 */
public final class IgnoreOptions {
  @Option(names = "--ignore-timestamps", description = "Ignore tar mtimes and PAX times, config/history 'created', "
      + "the image.created annotation and label.")
  boolean timestamps;

  @Option(names = "--ignore-history", description = "Ignore the config's history.")
  boolean history;

  @Option(names = "--ignore-file-order", description = "Ignore the position of entries in their layer tar.")
  boolean fileOrder;

  @Option(names = "--ignore-tar-format", description = "Ignore the tar header encoding (USTAR / PAX / GNU).")
  boolean tarFormat;

  @Option(names = "--ignore-image-name", description = "Ignore the image-name annotations (ref.name, containerd's).")
  boolean imageName;

  @Option(names = "--ignore-layering", description = "Do not fail on how files are split into layers (merged "
      + "filesystems still compared).")
  boolean layering;

  @Option(names = "--ignore-file-mode-redundant-bits", description = "Ignore the file-type bits some tar writers "
      + "add to the mode field (BuildKit's 0100644 vs 0644): modes compared as mode & 07777 (diffoci's).")
  boolean fileModeRedundantBits;

  @Option(names = "--ignore-path", paramLabel = "GLOB", description = "Do not compare entries whose path matches "
      + "(repeatable; ** any depth, * one segment, ? one character). The report counts what each glob hid.")
  List<String> paths = new ArrayList<>();

  @Option(names = "--ignore-annotation", paramLabel = "KEY", description = "Do not compare this annotation key on the "
      + "index, manifests and descriptors (repeatable). The report counts what each key hid.")
  List<String> annotations = new ArrayList<>();

  /** {@code base} with these flags' ignores added. */
  public CompareOptions apply(CompareOptions base) {
    return base.withAlsoIgnored(timestamps, history, fileOrder, tarFormat, imageName, layering)
        .withAlsoIgnored(fileModeRedundantBits, paths, annotations);
  }
}
