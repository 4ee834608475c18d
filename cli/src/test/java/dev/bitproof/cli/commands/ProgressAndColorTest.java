package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.cli.options.Environment;
import dev.bitproof.cli.options.Terminal;
import dev.bitproof.testing.ReportSchema;
import dev.bitproof.testing.TestLayouts;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress on stderr and colour on stdout through the CLI: captured writers are not terminals, so progress comes as
 * plain lines (a done line per task that did something), {@code --quiet} silences it, and stdout (JSON above all)
 * is the same with or without it. The timing of periodic lines is {@code StderrProgressTest}'s, on a stepped clock.
 */
class ProgressAndColorTest {
  private static final String ESC = "\033[";

  static Path demo() {
    return CompareCommandTest.golden();
  }

  /** Only the command's own line and progress lines (if the run took long enough for any) reach stderr. */
  private static void onlyProgress(String err, String command) {
    assertTrue(err.lines().allMatch(l -> l.startsWith("bitproof " + command + ": ") || l.startsWith("bitproof: ")), err);
    assertFalse(err.contains("\r"), "not a terminal: no redrawn line");
  }

  @Test
  void progressStaysOnStderrAndQuietSilencesIt(@TempDir Path tmp) {
    Path re = TestLayouts.rewrite(demo(), tmp.resolve("re"), null, null, true);
    Run loud = run("compare", "oci:" + demo(), "oci:" + re, "--format", "json");
    assertEquals(0, loud.code(), loud.err());
    assertEquals(List.of(), ReportSchema.validate(loud.json()));
    onlyProgress(loud.err(), "compare");
    assertFalse(loud.out().contains("comparing layers"), "progress never reaches stdout");

    Run quiet = run("compare", "oci:" + demo(), "oci:" + re, "--format", "json", "--quiet");
    assertEquals(0, quiet.code());
    assertEquals("", quiet.err());
    assertEquals(loud.json().get("verdict"), quiet.json().get("verdict"));
    assertEquals(loud.json().get("checks"), quiet.json().get("checks"));
  }

  /** A terminal's progress line is redrawn in place and, for short work, wiped: nothing but the command's line stays. */
  @Test
  void onATerminalNoProgressLineIsLeftBehindByShortWork(@TempDir Path tmp) throws Exception {
    Path re = TestLayouts.rewrite(demo(), tmp.resolve("re"), null, null, true);
    Run r = Terminal.with(new Terminal(false, true), () -> run("compare", "oci:" + demo(), "oci:" + re, "--format=json"));
    assertEquals(0, r.code(), r.err());
    String kept = r.err().replaceAll("\r[^\r\n]*?\033\\[K", "");
    assertTrue(kept.lines().allMatch(l -> l.isEmpty() || l.startsWith("bitproof compare: ")),
        r.err());
    assertEquals(List.of(), ReportSchema.validate(r.json()));
  }

  @Test
  void copyNeverPrintsALinePerBlob(@TempDir Path tmp) {
    Run r = run("copy", "oci:" + demo(), "oci:" + tmp.resolve("copy"));
    assertEquals(0, r.code(), r.err());
    onlyProgress(r.err(), "copy");
    assertEquals("", run("copy", "oci:" + demo(), "oci:" + tmp.resolve("copy2"), "--quiet").err());
  }

  @Test
  void colorFollowsTheFlagTheTerminalTermAndNoColor(@TempDir Path tmp) throws Exception {
    Path t = TestLayouts.rewrite(demo(), tmp.resolve("t"), (arch, tar) -> TestLayouts.flipByte(tar, "etc/os-release"), null, false);
    String[] args = {"compare", "oci:" + demo(), "oci:" + t, "--quiet"};
    Run always = run(concat(args, "--color", "always"));
    assertEquals(1, always.code());
    assertTrue(always.out().contains(ESC + "1m" + ESC + "31mFAIL" + ESC), always.out());
    Run never = Terminal.with(new Terminal(true, true), () -> run(concat(args, "--color=never")));
    assertFalse(never.out().contains(ESC), never.out());
    assertEquals(strip(always.out()), never.out(), "colour adds escapes and nothing else");

    Terminal tty = new Terminal(true, false);
    assertTrue(auto(tty, Map.of("TERM", "xterm"), args).contains(ESC));
    assertFalse(auto(tty, Map.of("TERM", "xterm", "NO_COLOR", "1"), args).contains(ESC), "NO_COLOR");
    assertTrue(auto(tty, Map.of("TERM", "xterm", "NO_COLOR", ""), args).contains(ESC), "an empty NO_COLOR is unset");
    assertFalse(auto(tty, Map.of("TERM", "dumb"), args).contains(ESC), "TERM=dumb");
    assertFalse(auto(Terminal.NONE, Map.of("TERM", "xterm"), args).contains(ESC), "stdout not a terminal");
    assertTrue(Environment.with(Map.of("NO_COLOR", "1"), () -> run(concat(args, "--color=always"))).out().contains(ESC),
        "the flag wins over NO_COLOR");
    Run json = run(concat(args, "--color=always", "--format=json"));
    assertFalse(json.out().contains(ESC), "JSON is never coloured");
    assertEquals(List.of(), ReportSchema.validate(json.json()));
  }

  @Test
  void helpIsColouredOnlyWhereTextOutputWouldBe() throws Exception {
    assertFalse(run("compare", "--help").out().contains(ESC), "not a terminal");
    Terminal tty = new Terminal(true, true);
    assertTrue(Terminal.with(tty, () -> Environment.with(Map.of("TERM", "xterm"), () -> run("compare", "--help"))).out()
        .contains(ESC));
    assertFalse(Terminal.with(tty, () -> Environment.with(Map.of("TERM", "xterm", "NO_COLOR", "1"),
        () -> run("compare", "--help"))).out().contains(ESC), "NO_COLOR");
  }

  @Test
  void hostileTextIsNotReadAsMarkup() {
    String hostile = "@|bold,red x|@ FAIL\033[2J";
    String s = dev.bitproof.cli.render.Colors.highlight(hostile);
    assertTrue(s.startsWith("@|bold,red x|@ "), s);
    assertTrue(s.endsWith("\033[2J"), s);
  }

  private static String auto(Terminal t, Map<String, String> env, String[] args) throws Exception {
    return Terminal.with(t, () -> Environment.with(env, () -> run(args))).out();
  }

  private static String strip(String s) {
    return s.replaceAll("\033\\[[0-9;]*m", "");
  }

  private static String[] concat(String[] a, String... b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
