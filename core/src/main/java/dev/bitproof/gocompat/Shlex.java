package dev.bitproof.gocompat;

import dev.bitproof.report.CheckException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code github.com/google/shlex} {@code Split}, which apko uses for {@code entrypoint.command} and {@code cmd}:
 * whitespace separates words; single quotes are literal; double quotes allow backslash escapes; a backslash
 * outside quotes escapes the next character; {@code #} at the start of a word begins a comment to end of line.
 */
public final class Shlex {
  private Shlex() {}

  public static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder word = null;
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (word == null) {
        if (Character.isWhitespace(c)) {
          i++;
          continue;
        }
        if (c == '#') {
          while (i < n && s.charAt(i) != '\n') {
            i++;
          }
          continue;
        }
        word = new StringBuilder();
      }
      if (Character.isWhitespace(c)) {
        out.add(word.toString());
        word = null;
        i++;
      } else if (c == '\\') {
        if (i + 1 >= n) {
          throw new CheckException(GoCompatCode.APKO_CONFIG_INVALID, s, "EOF found after escape character");
        }
        word.append(s.charAt(i + 1));
        i += 2;
      } else if (c == '\'') {
        int end = s.indexOf('\'', i + 1);
        if (end < 0) {
          throw new CheckException(GoCompatCode.APKO_CONFIG_INVALID, s, "EOF found when expecting closing quote");
        }
        word.append(s, i + 1, end);
        i = end + 1;
      } else if (c == '"') {
        i++;
        boolean closed = false;
        while (i < n) {
          char d = s.charAt(i);
          if (d == '"') {
            closed = true;
            i++;
            break;
          }
          if (d == '\\') {
            if (i + 1 >= n) {
              break;
            }
            word.append(s.charAt(i + 1));
            i += 2;
            continue;
          }
          word.append(d);
          i++;
        }
        if (!closed) {
          throw new CheckException(GoCompatCode.APKO_CONFIG_INVALID, s, "EOF found when expecting closing quote");
        }
      } else {
        word.append(c);
        i++;
      }
    }
    if (word != null) {
      out.add(word.toString());
    }
    return out;
  }
}
