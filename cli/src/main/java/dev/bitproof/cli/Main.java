package dev.bitproof.cli;

import dev.bitproof.report.CommonCode;
import dev.bitproof.cli.commands.ApkCommand;
import dev.bitproof.cli.commands.BuildCommand;
import dev.bitproof.cli.commands.CompareCommand;
import dev.bitproof.cli.commands.CopyCommand;
import dev.bitproof.cli.commands.DemoCommand;
import dev.bitproof.cli.commands.InspectCommand;
import dev.bitproof.cli.commands.RecompressCommand;
import dev.bitproof.cli.options.ExitCodes;
import dev.bitproof.cli.render.Format;
import dev.bitproof.cli.render.Output;
import dev.bitproof.io.IoCode;
import dev.bitproof.report.CheckException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The bitproof command line. {@link #run} is the testable entry point. */
@Command(name = "bitproof", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Rebuilds container images from their declarative config and verifies them, their packages, "
        + "signatures and SBOMs, digest by digest.",
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
      "0:verified / ok",
      "1:checked and found failures (bad or untrusted signature, tampered or corrupt input, digest mismatch, difference)",
      "2:usage error",
      "3:could not check (input unreachable or not of the expected kind, a named file is missing)",
      "4:internal error"})
public final class Main implements Runnable {
  /**
   * The subcommands, in the order {@code --help} lists them. Not in the {@code @Command} annotation: picocli would
   * then build every command's model (reflection over all options and mixins) on each start, which was most of a
   * {@code --version}'s half second; {@link #run} models only the command the arguments name.
   */
  static final List<Class<?>> COMMANDS = List.of(
      DemoCommand.class,
      ApkCommand.class,
      dev.bitproof.cli.commands.PolicyCommand.class,
      CompareCommand.class,
      dev.bitproof.cli.commands.VerifyCommand.class,
      BuildCommand.class,
      InspectCommand.class,
      CopyCommand.class,
      RecompressCommand.class,
      dev.bitproof.cli.commands.DebCommand.class,
      dev.bitproof.cli.commands.AttestCommand.class,
      dev.bitproof.cli.commands.KeyCommand.class,
      dev.bitproof.cli.commands.SbomCommand.class,
      dev.bitproof.cli.commands.HookCommand.class,
      dev.bitproof.cli.commands.CompletionCommand.class,
      dev.bitproof.cli.commands.ManCommand.class);

  /** Commands made from the whole model (every command's options): they need every subcommand modelled. */
  private static final java.util.Set<String> NEED_WHOLE_MODEL = java.util.Set.of("completion", "man");

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /**
   * The whole command tree with every subcommand's model built, examples included: what completion and man pages are
   * made from, and what tests that walk all commands read.
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    for (Class<?> c : COMMANDS) {
      cl.addSubcommand(new CommandLine(c));
    }
    Examples.apply(cl);
    return cl;
  }

  /**
   * The command tree for one run: the subcommand {@code args} names gets its full model, every other one a
   * placeholder holding only its name and description from its annotation (what {@code --help} lists and what
   * picocli's "did you mean" suggestions need). A placeholder is never executed: its name is not in the arguments.
   */
  static CommandLine commandLineFor(String[] args) {
    String named = null;
    for (String a : args) {
      if (!a.startsWith("-")) {
        named = a;
        break;
      }
    }
    if (named != null && NEED_WHOLE_MODEL.contains(named)) {
      return commandLine();
    }
    CommandLine cl = new CommandLine(new Main());
    for (Class<?> c : COMMANDS) {
      Command ann = c.getAnnotation(Command.class);
      if (ann.name().equals(named) || java.util.Arrays.asList(ann.aliases()).contains(named)) {
        cl.addSubcommand(new CommandLine(c));
      } else {
        CommandLine.Model.CommandSpec placeholder = CommandLine.Model.CommandSpec.create().name(ann.name()).aliases(ann.aliases());
        placeholder.usageMessage().description(ann.description()).hidden(ann.hidden());
        cl.addSubcommand(ann.name(), new CommandLine(placeholder));
      }
    }
    Examples.apply(cl);
    return cl;
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    int code;
    try {
      code = dev.bitproof.cli.options.Terminal.with(dev.bitproof.cli.options.Terminal.detect(), () -> run(out, err, args));
    } catch (Exception e) {
      throw new IllegalStateException(e); // run catches what a command throws
    }
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs the CLI with the given writers; returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = commandLineFor(args);
    // --help follows the same rule as --color auto (the flag itself is not parsed yet when help is printed)
    cl.setColorScheme(CommandLine.Help.defaultColorScheme(dev.bitproof.cli.render.Colors.enabled(
        dev.bitproof.cli.render.Colors.ColorMode.auto, dev.bitproof.cli.options.Terminal.current().stdout(),
        dev.bitproof.cli.options.Environment.get()) ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler((ex, a) -> {
      if (jsonRequested(args)) {
        new Output(out, err, Format.json).printJson(Output.errorJson(CheckException.usage(CommonCode.USAGE, ex.getMessage()),
            commandName(ex.getCommandLine())));
      }
      err.println("bitproof: " + ex.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
      err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
      err.flush();
      return ExitCodes.USAGE;
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) ->
        handle(ex, out, err, jsonRequested(args), commandName(commandLine), parseResult));
    int code;
    try {
      code = cl.execute(args);
    } catch (OutOfMemoryError oom) {
      // picocli lets Errors through; by now the stack that filled the heap is gone, so reporting it fits
      code = outOfMemory(out, err, jsonRequested(args), "");
    }
    out.flush();
    err.flush();
    return code;
  }

  /** {@code "apk verify"}: the command as typed, without the tool's name; empty for the tool itself. */
  static String commandName(CommandLine cl) {
    String q = cl.getCommandSpec().qualifiedName();
    return q.startsWith("bitproof") ? q.substring("bitproof".length()).trim() : q;
  }

  private static boolean jsonRequested(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--format=json") || (args[i].equals("--format") && i + 1 < args.length && args[i + 1].equalsIgnoreCase("json"))) {
        return true;
      }
    }
    return false;
  }

  /** The heap was too small: exit 4 with the remedy (scripts match on {@code OUT_OF_MEMORY}). */
  static final String OUT_OF_MEMORY_MESSAGE = "out of memory: rerun with a larger heap, e.g. BITPROOF_JAVA_OPTS=-Xmx2g";

  static int outOfMemory(PrintWriter out, PrintWriter err, boolean json, String command) {
    if (json) {
      new Output(out, err, Format.json).printJson(Output.internalErrorJson(CommonCode.OUT_OF_MEMORY, OUT_OF_MEMORY_MESSAGE,
          command));
    }
    err.println("bitproof: " + CommonCode.OUT_OF_MEMORY + ": " + OUT_OF_MEMORY_MESSAGE);
    err.flush();
    return ExitCodes.INTERNAL;
  }

  /** Maps an exception escaping a command to the exit-code contract. */
  static int handle(Exception ex, PrintWriter out, PrintWriter err, boolean json, String command,
      CommandLine.ParseResult parsed) {
    for (Throwable c = ex; c != null; c = c.getCause()) {
      // an OutOfMemoryError some library wrapped (an executor, an IOException) is still the heap, not the input
      if (c instanceof OutOfMemoryError) {
        return outOfMemory(out, err, json, command);
      }
    }
    CheckException ce = unwrap(ex);
    if (ce == null) {
      ce = fromIo(ex, parsed);
    }
    if (ce != null) {
      if (json) {
        new Output(out, err, Format.json).printJson(Output.errorJson(ce, command));
      }
      err.println("bitproof: " + ce.code() + (ce.subject().isEmpty() ? "" : " (" + ce.subject() + ")") + ": " + ce.getMessage());
      err.flush();
      return switch (ce.kind()) {
        case USAGE -> ExitCodes.USAGE;
        case INTEGRITY -> ExitCodes.FAILED;
        case CANNOT_CHECK -> ExitCodes.CANNOT_CHECK;
      };
    }
    err.println("bitproof: internal error (please report): " + ex);
    ex.printStackTrace(err);
    err.flush();
    return ExitCodes.INTERNAL;
  }

  /**
   * An I/O failure as "could not check" with its subject: the file the JDK names, or, for "Is a directory" (which
   * names none), the file argument that is a directory.
   */
  private static CheckException fromIo(Exception ex, CommandLine.ParseResult parsed) {
    if (ex instanceof java.nio.file.NoSuchFileException nsf) {
      return new CheckException(IoCode.FILE_NOT_FOUND, nsf.getFile(), "no such file", ex);
    }
    if (!(ex instanceof java.io.IOException io)) {
      return null;
    }
    String file = io instanceof java.nio.file.FileSystemException fse && fse.getFile() != null ? fse.getFile() : "";
    String reason = io instanceof java.nio.file.FileSystemException fse && fse.getReason() != null ? fse.getReason()
        : String.valueOf(io.getMessage());
    if (reason.contains("Is a directory") || (!file.isEmpty() && java.nio.file.Files.isDirectory(java.nio.file.Path.of(file)))) {
      String subject = file.isEmpty() ? directoryArgument(parsed) : file;
      return new CheckException(IoCode.FILE_IS_DIRECTORY, subject, "is a directory, but a file is expected here", ex);
    }
    if (io instanceof java.nio.file.AccessDeniedException) {
      return new CheckException(IoCode.FILE_ACCESS_DENIED, file, "permission denied", ex);
    }
    return new CheckException(IoCode.IO_ERROR, file, reason, ex);
  }

  /** The first file argument (not labelled DIR) of the command that ran that is a directory; empty when none is. */
  private static String directoryArgument(CommandLine.ParseResult parsed) {
    if (parsed == null) {
      return "";
    }
    CommandLine.ParseResult p = parsed;
    while (p.hasSubcommand()) {
      p = p.subcommand();
    }
    java.util.List<CommandLine.Model.ArgSpec> args = new java.util.ArrayList<>(p.matchedArgs());
    for (CommandLine.Model.ArgSpec a : args) {
      if (a.paramLabel() != null && a.paramLabel().contains("DIR")) {
        continue;
      }
      Object v = a.getValue();
      for (Object o : v instanceof java.util.Collection<?> c ? c : java.util.List.of(v == null ? "" : v)) {
        if (o instanceof java.nio.file.Path path && java.nio.file.Files.isDirectory(path)) {
          return path.toString();
        }
      }
    }
    return "";
  }

  private static CheckException unwrap(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof CheckException ce) {
        return ce;
      }
    }
    return null;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see --help)");
  }

  /** Version from the jar manifest, or the build's when run from classes. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"bitproof " + dev.bitproof.cli.render.Tool.version(), "Java " + System.getProperty("java.version")};
    }

  }
}
