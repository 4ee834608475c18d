package dev.bitproof.io;

import java.util.regex.Pattern;

/**
 * A glob over slash-separated names (paths in an image, repository names): {@code **} matches anything, {@code *}
 * anything within one segment, {@code ?} one character other than {@code /}; everything else literally.
 */
public final class SlashGlob {
  private SlashGlob() {}

  /** The whole-string pattern for {@code glob} (use {@code matcher(s).matches()}). */
  public static Pattern compile(String glob) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        re.append(".*");
        i++;
      } else if (c == '*') {
        re.append("[^/]*");
      } else if (c == '?') {
        re.append("[^/]");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }
}
