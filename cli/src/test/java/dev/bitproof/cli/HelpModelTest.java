package dev.bitproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.cli.CliRunner.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What is made from the picocli model: every command's {@code --help} has an example (and each example parses),
 * the completion script knows every command, and {@code bitproof man} writes a page for every command.
 */
class HelpModelTest {
  /** Every command of the tree (not {@code help}, aliases once). */
  static List<CommandLine> commands() {
    List<CommandLine> out = new ArrayList<>();
    walk(Main.commandLine(), out);
    return out;
  }

  private static void walk(CommandLine cl, List<CommandLine> out) {
    out.add(cl);
    new LinkedHashSet<>(cl.getSubcommands().values()).forEach(s -> walk(s, out));
  }

  @Test
  void everyCommandHasAnExampleInItsHelp() {
    List<String> missing = new ArrayList<>();
    for (CommandLine cl : commands()) {
      String[] footer = cl.getCommandSpec().usageMessage().footer();
      if (footer.length == 0 || Arrays.stream(footer).noneMatch(l -> l.contains("bitproof"))) {
        missing.add(cl.getCommandSpec().qualifiedName());
      }
    }
    assertEquals(List.of(), missing, "commands without an example: add them to cli/Examples.java");
    assertEquals(Set.of(), unknownExampleKeys(), "examples for commands that do not exist");
    Run help = CliRunner.run("copy", "--help");
    assertTrue(help.out().contains("\nExamples:\n  bitproof copy oci:out docker://"), help.out());
  }

  private static Set<String> unknownExampleKeys() {
    Set<String> names = new TreeSet<>(Examples.BY_COMMAND.keySet());
    commands().forEach(c -> names.remove(c.getCommandSpec().qualifiedName()));
    return names;
  }

  /** Each example's bitproof command line parses: the options it shows exist and take what it gives them. */
  @Test
  void everyExampleParses() {
    for (var e : Examples.BY_COMMAND.entrySet()) {
      for (String line : e.getValue()) {
        String cmd = line;
        for (String cut : new String[] {"  #", " > ", " | ", " && ", ")"}) {
          int i = cmd.indexOf(cut);
          if (i >= 0) {
            cmd = cmd.substring(0, i);
          }
        }
        cmd = cmd.replace("source <(", "").strip();
        if (!cmd.startsWith("bitproof ")) {
          continue;
        }
        String[] args = cmd.substring("bitproof ".length()).split("\\s+");
        try {
          Main.commandLine().setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        } catch (CommandLine.ParameterException ex) {
          throw new AssertionError(e.getKey() + ": example does not parse: " + line + ": " + ex.getMessage(), ex);
        }
      }
    }
  }

  @Test
  void completionScriptKnowsEveryCommand() {
    for (String shell : List.of("bash", "zsh")) {
      Run r = CliRunner.run("completion", shell);
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().contains("complete -F _complete_bitproof"), shell);
      assertTrue(r.out().contains("bashcompinit"), "the script loads zsh's bash completion itself");
      for (CommandLine cl : commands()) {
        String fn = "_picocli_" + cl.getCommandSpec().qualifiedName("_").replace("-", "");
        assertTrue(r.out().contains("function " + fn + "()"), shell + ": no completion for "
            + cl.getCommandSpec().qualifiedName());
        for (CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) {
          assertTrue(r.out().contains(o.longestName()), shell + ": " + cl.getCommandSpec().qualifiedName() + " "
              + o.longestName());
        }
      }
    }
    assertEquals(2, CliRunner.run("completion", "fish").code());
  }

  /** bash loads the script and completes a subcommand from it (bash is on every machine this runs on). */
  @Test
  void bashLoadsTheScriptAndCompletesSubcommands(@TempDir Path tmp) throws Exception {
    Path script = tmp.resolve("bitproof.bash");
    Files.writeString(script, CliRunner.run("completion", "bash").out());
    Process p = new ProcessBuilder("bash", "-c", "source \"$0\"; complete -p bitproof; "
        + "COMP_WORDS=(bitproof apk ve); COMP_CWORD=2; COMP_LINE='bitproof apk ve'; COMP_POINT=${#COMP_LINE}; "
        + "_complete_bitproof; printf '%s\\n' \"${COMPREPLY[@]}\"", script.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(5, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("complete -o default -F _complete_bitproof bitproof"), out);
    assertTrue(out.lines().anyMatch(l -> l.strip().equals("verify")), "apk ve<TAB> offers verify: " + out);
  }

  /**
   * A real interactive zsh (in a pseudo-terminal, zsh's own zpty module) loads the script through compinit and
   * completes {@code bitproof apk ve<TAB>} to {@code bitproof apk verify}: what a zsh user sees, not a simulation of
   * bashcompinit. Skips without zsh ({@code .ci/run} installs it).
   */
  @Test
  void zshCompletesFromTheScriptInAnInteractiveShell(@TempDir Path tmp) throws Exception {
    dev.bitproof.attest.Peers.requireTool("zsh");
    Path script = tmp.resolve("_bitproof");
    Files.writeString(script, CliRunner.run("completion", "zsh").out());
    Path driver = tmp.resolve("drive.zsh");
    Files.writeString(driver, String.join("\n",
        "zmodload zsh/zpty",
        "zpty z zsh -f -i",
        "zpty -w z \"PS1='> '; autoload -U compinit; compinit -u -d $2; source $1\"",
        "zpty -w z 'print READY'",
        "zpty -r z line '*READY*READY*'",
        "zpty -w -n z 'bitproof apk ve'$'\\t'",
        "zpty -r z line '*verify*'",
        "print -r -- \"GOT: $line\"",
        "zpty -d z", ""));
    Path log = tmp.resolve("zsh.log");
    Process p = new ProcessBuilder("zsh", "-f", driver.toString(), script.toString(), tmp.resolve("zcompdump").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    p.getOutputStream().close();
    // the bound only ends a completion that never comes (the driver would wait for it forever); a pass never nears it
    boolean ended = p.waitFor(3, TimeUnit.MINUTES);
    if (!ended) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    String out = Files.readString(log, java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(ended, "zsh never completed apk ve<TAB> to verify: " + out);
    assertEquals(0, p.exitValue(), out);
    String screen = out.replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "").replaceAll("[\b\r]", "");
    assertTrue(screen.contains("bitproof apk verify"), "zsh completed apk ve<TAB> to verify: " + screen);
  }

  @Test
  void manWritesAPageForEveryCommand(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("man1");
    Run r = CliRunner.run("man", "--dir", dir.toString(), "--format", "json");
    assertEquals(0, r.code(), r.err());
    assertEquals(List.of(), JsonSchemaTest.validate(r.json()));
    Set<String> want = new TreeSet<>();
    commands().forEach(c -> want.add(c.getCommandSpec().qualifiedName("-") + ".1"));
    Set<String> have = new TreeSet<>();
    try (var s = Files.list(dir)) {
      s.forEach(p -> have.add(p.getFileName().toString()));
    }
    assertEquals(want, have, "one page per command and no leftover temporary file");
    String verify = Files.readString(dir.resolve("bitproof-verify.1"));
    assertTrue(verify.startsWith(".\\\" generated by"), verify);
    assertTrue(verify.contains(".TH \"BITPROOF-VERIFY\" \"1\""), verify);
    assertTrue(verify.contains(".SH EXAMPLES\n.nf\nbitproof verify apko.yaml"), verify);
    assertTrue(verify.contains(".SH EXIT STATUS"), verify);
    assertTrue(verify.contains("\\fB\\-\\-format\\fR=\\fItext|json|sarif|junit\\fR"), verify);
    for (String page : have) {
      for (String line : Files.readAllLines(dir.resolve(page))) {
        assertFalse(line.chars().anyMatch(c -> c > 126), page + ": non-ASCII left unescaped: " + line);
      }
    }
    Run again = CliRunner.run("man", "--dir", dir.toString());
    assertEquals(0, again.code());
    assertEquals(verify, Files.readString(dir.resolve("bitproof-verify.1")), "the same bytes each time");
    groffReadsEveryPage(dir, have);
  }

  /** With groff on the machine, every page renders without a warning (skipped, with a line, when it is not). */
  private static void groffReadsEveryPage(Path dir, Set<String> pages) throws IOException, InterruptedException {
    if (!Files.isExecutable(Path.of("/usr/bin/groff"))) {
      if (System.getenv("BITPROOF_REQUIRE_PEERS") != null) {
        throw new AssertionError("groff is required (BITPROOF_REQUIRE_PEERS is set) but is not installed");
      }
      System.out.println("skipped the groff rendering: /usr/bin/groff is not installed (apt-get install groff-base)");
      return;
    }
    for (String page : pages) {
      Process p = new ProcessBuilder("/usr/bin/groff", "-man", "-Tutf8", "-ww", "-z", dir.resolve(page).toString())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertEquals("", out, page);
    }
  }
}
