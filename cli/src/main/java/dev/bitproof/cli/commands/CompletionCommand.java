package dev.bitproof.cli.commands;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Prints a shell completion script made from the command line's own model (picocli's {@link AutoComplete}). */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {"Print a completion script for bash or zsh: every command, subcommand and option, as this jar "
        + "knows them.", "bash: source it, or save it as /etc/bash_completion.d/bitproof. zsh: the same script, run "
        + "through zsh's bashcompinit (the script loads it)."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:printed", "2:usage error (a shell other than bash or zsh)"})
public final class CompletionCommand implements Callable<Integer> {
  /** The shells the script serves. */
  public enum Shell { bash, zsh }

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "bash|zsh", description = "The shell.")
  Shell shell;

  @Override
  public Integer call() {
    CommandLine root = spec.root().commandLine();
    String script = AutoComplete.bash(root.getCommandName(), root);
    spec.commandLine().getOut().print(script);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
