package dev.bitproof.cli.options;

import dev.bitproof.cli.render.Output;
import dev.bitproof.verify.Report;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Report files written beside the command's output: verify, compare and demo mix this in. */
public final class ReportFiles {
  @Option(names = "--report-html", paramLabel = "FILE",
      description = "Also write the report as one self-contained HTML page (no scripts, no network) for an auditor.")
  Path html;

  /** Whether a report file was asked for. */
  public boolean requested() {
    return html != null;
  }

  /** Refuses an unwritable report file before the work starts. */
  public void check() {
    if (html != null) {
      Output.checkWritable(html);
    }
  }

  /** Writes the requested report files (atomically: no half file is left behind). */
  public void write(Report r, Output out) {
    if (html != null) {
      out.writeHtml(r, html);
    }
  }
}
