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

  /** Runs {@code work}, writing the differing files to DIR when the option is given ({@link ReportDirectory#writing}). */
  public <T> T writing(CompareOptions options, ReportDirectory.Work<T> work) throws java.io.IOException {
    return ReportDirectory.writing(Optional.ofNullable(dir), options, work);
  }
}
