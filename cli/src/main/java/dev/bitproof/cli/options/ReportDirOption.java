package dev.bitproof.cli.options;

import dev.bitproof.compare.CompareOptions;
import dev.bitproof.compare.ReportDirectory;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --report-dir DIR} on compare, verify and demo: both versions of every differing file, written by
 * {@link ReportDirectory} (paths sanitized, size-capped, the whole directory moved into place at the end).
 */
public final class ReportDirOption {
  @Option(names = "--report-dir", paramLabel = "DIR", description = "Also write both versions of each differing file "
      + "to DIR/<platform>/<layer>/{a,b}/<path> with an index.json (DIR must be new or empty; each file up to 4 MiB).")
  Path dir;

  /** Refuses an unusable DIR before any work; opens the staging directory, or nothing without the option. */
  public Optional<ReportDirectory> open() {
    return Optional.ofNullable(dir).map(d -> ReportDirectory.open(d, ReportDirectory.DEFAULT_MAX_FILE));
  }

  /** {@code o} writing its differing files to {@code rd} when there is one. */
  public static CompareOptions apply(CompareOptions o, Optional<ReportDirectory> rd) {
    return rd.map(o::withDifferingFiles).orElse(o);
  }
}
