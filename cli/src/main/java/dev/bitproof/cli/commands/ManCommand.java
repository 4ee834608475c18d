package dev.bitproof.cli.commands;

import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.render.ManPages;
import dev.bitproof.cli.render.Result;
import dev.bitproof.cli.render.Tool;
import dev.bitproof.report.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes the man pages of every command, made from the command line's own model. */
@Command(name = "man", mixinStandardHelpOptions = true,
    description = {"Write a troff man page (section 1) for every command into DIR: bitproof.1, bitproof-verify.1, "
        + "bitproof-apk-verify.1 …, from the same model --help prints, examples included.",
        "Each page is written to a temporary file and moved into place."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:written", "2:usage error",
      "3:could not write (DIR is not a directory or not writable)", "4:internal error"})
public final class ManCommand implements Callable<Integer> {
  @Mixin
  Common common;

  @Spec
  CommandSpec spec;

  @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where to write the pages (created if missing).")
  Path dir;

  @Override
  public Integer call() throws IOException {
    ManPages.Written w = ManPages.write(spec.root().commandLine(), "bitproof " + Tool.version(), dir);
    return common.output().render(new Result("man", Outcome.PASS, w, t -> t.println("wrote " + w.pages().size()
        + " man pages to " + dir + " (man -l " + dir.resolve("bitproof.1") + ")")));
  }
}
