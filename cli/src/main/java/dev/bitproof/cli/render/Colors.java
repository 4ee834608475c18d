package dev.bitproof.cli.render;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Help.Ansi;

/**
 * Colours the verdicts and severities in text output: FAIL/DIFFERENT red, WARN yellow, PASS/OK and the identical
 * verdicts green, INFO dim. Only the vocabulary words are wrapped (through picocli's {@link Ansi}); the text around
 * them, which can come from an image, is copied as it is and never read as markup.
 */
public final class Colors {
  private static final Map<String, String> STYLE = Map.ofEntries(
      Map.entry("FAIL", "bold,red"), Map.entry("DIFFERENT", "bold,red"), Map.entry("ERROR", "bold,red"),
      Map.entry("WARN", "yellow"), Map.entry("SEMANTICALLY_IDENTICAL", "yellow"),
      Map.entry("PASS", "bold,green"), Map.entry("OK", "green"), Map.entry("BIT_IDENTICAL", "bold,green"),
      Map.entry("CONTENT_IDENTICAL", "green"), Map.entry("INFO", "faint"));
  private static final Pattern WORDS = Pattern.compile(
      "(?<![A-Za-z0-9_])(SEMANTICALLY_IDENTICAL|CONTENT_IDENTICAL|BIT_IDENTICAL|DIFFERENT|FAIL|ERROR|WARN|PASS|OK|INFO)(?![A-Za-z0-9_])");

  private Colors() {}

  /** {@code text} with its verdict and severity words coloured. */
  public static String highlight(String text) {
    Matcher m = WORDS.matcher(text);
    StringBuilder sb = new StringBuilder(text.length() + 64);
    int last = 0;
    while (m.find()) {
      sb.append(text, last, m.start());
      sb.append(Ansi.ON.string("@|" + STYLE.get(m.group(1)) + " " + m.group(1) + "|@"));
      last = m.end();
    }
    return sb.append(text, last, text.length()).toString();
  }

  /**
   * {@code --color}: {@code always} and {@code never} as said; {@code auto} colours when stdout is a terminal, TERM is
   * not {@code dumb} and {@code NO_COLOR} is unset or empty (no-color.org: a flag given on the command line wins).
   */
  public static boolean enabled(ColorMode mode, boolean stdoutTerminal, Map<String, String> env) {
    return switch (mode) {
      case always -> true;
      case never -> false;
      case auto -> stdoutTerminal && !"dumb".equals(env.get("TERM"))
          && (env.get("NO_COLOR") == null || env.get("NO_COLOR").isEmpty());
    };
  }

  /** The values of {@code --color}. */
  public enum ColorMode { auto, always, never }
}
