package dev.bitproof.cli;

import dev.bitproof.cli.commands.ApkCommand;
import dev.bitproof.cli.commands.BuildCommand;
import dev.bitproof.cli.commands.CompareCommand;
import dev.bitproof.cli.commands.CopyCommand;
import dev.bitproof.cli.commands.CompareCommand;
import dev.bitproof.cli.commands.DemoCommand;
import dev.bitproof.cli.commands.InspectCommand;
import dev.bitproof.cli.commands.BuildCommand;
import dev.bitproof.cli.commands.RecompressCommand;
import dev.bitproof.cli.render.Format;
import dev.bitproof.cli.render.Output;
import dev.bitproof.io.IoCode;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.CommonCode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
      "4:internal error"},
    subcommands = {
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
    })
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    int code = run(out, err, args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs the CLI with the given writers; returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler((ex, a) -> {
      err.println("bitproof: " + ex.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
      err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
      err.flush();
      return ExitCodes.USAGE;
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> handle(ex, out, err, jsonRequested(args)));
    int code;
    try {
      code = cl.execute(args);
    } catch (OutOfMemoryError oom) {
      // picocli lets Errors through; by now the stack that filled the heap is gone, so reporting it fits
      code = outOfMemory(out, err, jsonRequested(args));
    }
    out.flush();
    err.flush();
    return code;
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

  static int outOfMemory(PrintWriter out, PrintWriter err, boolean json) {
    if (json) {
      new Output(out, err, Format.json).printJson(Output.internalErrorJson(CommonCode.OUT_OF_MEMORY, OUT_OF_MEMORY_MESSAGE));
    }
    err.println("bitproof: " + CommonCode.OUT_OF_MEMORY + ": " + OUT_OF_MEMORY_MESSAGE);
    err.flush();
    return ExitCodes.INTERNAL;
  }

  /** Maps an exception escaping a command to the exit-code contract. */
  static int handle(Exception ex, PrintWriter out, PrintWriter err, boolean json) {
    for (Throwable c = ex; c != null; c = c.getCause()) {
      // an OutOfMemoryError some library wrapped (an executor, an IOException) is still the heap, not the input
      if (c instanceof OutOfMemoryError) {
        return outOfMemory(out, err, json);
      }
    }
    CheckException ce = unwrap(ex);
    if (ce != null) {
      if (json) {
        new Output(out, err, Format.json).printJson(Output.errorJson(ce));
      }
      err.println("bitproof: " + ce.code() + (ce.subject().isEmpty() ? "" : " (" + ce.subject() + ")") + ": " + ce.getMessage());
      err.flush();
      return switch (ce.kind()) {
        case USAGE -> ExitCodes.USAGE;
        case INTEGRITY -> ExitCodes.FAILED;
        case CANNOT_CHECK -> ExitCodes.CANNOT_CHECK;
      };
    }
    if (ex instanceof java.nio.file.NoSuchFileException nsf) {
      err.println("bitproof: FILE_NOT_FOUND: " + nsf.getFile());
      if (json) {
        new Output(out, err, Format.json).printJson(Output.errorJson(new CheckException(IoCode.FILE_NOT_FOUND, nsf.getFile(), "no such file")));
      }
      err.flush();
      return ExitCodes.CANNOT_CHECK;
    }
    if (ex instanceof java.io.IOException io) {
      err.println("bitproof: IO_ERROR: " + io);
      if (json) {
        new Output(out, err, Format.json).printJson(Output.errorJson(new CheckException(IoCode.IO_ERROR, "", String.valueOf(io.getMessage()))));
      }
      err.flush();
      return ExitCodes.CANNOT_CHECK;
    }
    err.println("bitproof: internal error (please report): " + ex);
    ex.printStackTrace(err);
    err.flush();
    return ExitCodes.INTERNAL;
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
      return new String[] {"bitproof " + number(), "Java " + System.getProperty("java.version")};
    }

    /** The bare version number ({@code 0.1.0-SNAPSHOT}), as reports record it. */
    public static String number() {
      String v = Main.class.getPackage().getImplementationVersion();
      return v == null ? "0.1.0-SNAPSHOT" : v;
    }
  }
}
