package dev.bitproof.cli.options;

import dev.bitproof.cli.render.Colors;
import dev.bitproof.cli.render.Format;
import dev.bitproof.cli.render.StderrProgress;
import dev.bitproof.report.Progress;
import dev.bitproof.cli.render.Output;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.CommonCode;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Options every command takes. Mixed into each command with {@code @Mixin}. */
public final class Common {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = "--format", defaultValue = "text", paramLabel = "text|json|sarif|junit",
      description = "Output format (default: ${DEFAULT-VALUE}). JSON goes to stdout, progress to stderr. sarif "
          + "(SARIF 2.1.0) and junit (JUnit XML): verify, compare and demo only.")
  public Format format;

  @Option(names = "--quiet", description = "No progress lines on stderr (errors are still printed).")
  public boolean quiet;

  @Option(names = "--color", defaultValue = "auto", paramLabel = "auto|always|never",
      description = "Colour verdicts and severities in text output (default: ${DEFAULT-VALUE}: when stdout is a "
          + "terminal, TERM is not dumb and NO_COLOR is unset).")
  public Colors.ColorMode color;

  /**
   * Where long work reports how far it has come: nothing with {@code --quiet}; on stderr otherwise, one redrawn line
   * on a terminal, a plain line every few seconds elsewhere.
   */
  public Progress progress() {
    if (quiet) {
      return Progress.NONE;
    }
    return new StderrProgress(spec.commandLine().getErr(), Terminal.current().stderr(), System::nanoTime);
  }

  /** Whether text on stdout is coloured: {@code --color}, the terminal, {@code TERM} and {@code NO_COLOR}. */
  public boolean colored() {
    return format == Format.text && Colors.enabled(color, Terminal.current().stdout(), Environment.get());
  }

  /**
   * The command's output, over the writers picocli was given (so tests can capture them). Refuses sarif and junit:
   * a command whose result is a report of findings asks for {@link #reportOutput()}.
   */
  public Output output() {
    if (format.reportOnly()) {
      throw CheckException.usage(CommonCode.USAGE, "--format " + format + " is for the report of verify, compare and demo; "
          + spec.qualifiedName() + " writes text or json");
    }
    return reportOutput();
  }

  /** The output of verify, compare and demo, which also write sarif and junit. */
  public Output reportOutput() {
    return new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), format, quiet, colored());
  }
}
