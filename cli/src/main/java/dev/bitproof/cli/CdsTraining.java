package dev.bitproof.cli;

import java.io.PrintWriter;
import java.io.Writer;

/**
 * The run the launcher records its class-data-sharing archive from ({@code -XX:ArchiveClassesAtExit}): the classes
 * that {@code --version}, {@code --help} and every command's {@code --help} load, so a short command starts from
 * the archive instead of parsing and verifying classes out of the jar. Output is discarded. Not a command.
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) {
    PrintWriter sink = new PrintWriter(Writer.nullWriter());
    Main.run(sink, sink, "--version");
    Main.run(sink, sink, "--help");
    Main.run(sink, sink, "no-such-command");
    Main.commandLine().getSubcommands().forEach((name, sub) -> {
      Main.run(sink, sink, name, "--help");
      sub.getSubcommands().keySet().forEach(child -> Main.run(sink, sink, name, child, "--help"));
    });
    sink.flush();
  }
}
