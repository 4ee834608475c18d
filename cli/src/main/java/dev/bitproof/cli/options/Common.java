package dev.bitproof.cli.options;

import dev.bitproof.cli.render.Format;
import dev.bitproof.cli.render.Output;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Options every command takes. Mixed into each command with {@code @Mixin}. */
public final class Common {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = "--format", defaultValue = "text", paramLabel = "text|json",
      description = "Output format (default: ${DEFAULT-VALUE}). JSON goes to stdout, progress to stderr.")
  public Format format;

  /** The command's output, over the writers picocli was given (so tests can capture them). */
  public Output output() {
    return new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), format);
  }
}
