package dev.bitproof.deb;

import dev.bitproof.report.CheckException;
import java.util.Objects;

/**
 * A Debian package version {@code [epoch:]upstream[-revision]}, ordered exactly as dpkg orders them
 * ({@code dpkg --compare-versions}): epochs numerically, then upstream and revision by dpkg's verrevcmp, where
 * {@code ~} sorts before everything, even the end of the string.
 *
 * <p>Equality is dpkg equality: {@code 0:1.0} equals {@code 1.0} and {@code 1.0-0} does not equal {@code 1.0}
 * textually but compares equal, so use {@link #compareTo} for ordering and {@link #toString} for the text.
 */
public record DebVersion(long epoch, String upstream, String revision) implements Comparable<DebVersion> {

  public DebVersion {
    Objects.requireNonNull(upstream, "upstream");
    revision = revision == null ? "" : revision;
    if (epoch < 0) {
      throw bad(upstream, "negative epoch");
    }
    if (upstream.isEmpty()) {
      throw bad(upstream, "empty upstream version");
    }
    for (int i = 0; i < upstream.length(); i++) {
      char c = upstream.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 128) && ".+~-:".indexOf(c) < 0) {
        throw bad(upstream, "invalid character '" + c + "' in upstream version");
      }
    }
    for (int i = 0; i < revision.length(); i++) {
      char c = revision.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 128) && ".+~".indexOf(c) < 0) {
        throw bad(revision, "invalid character '" + c + "' in revision");
      }
    }
  }

  /** Parses a version as dpkg does: epoch before the first {@code :}, revision after the last {@code -}. */
  public static DebVersion parse(String s) {
    Objects.requireNonNull(s, "version");
    String v = s.strip();
    if (v.isEmpty() || v.length() > 256) {
      throw bad(s, "version is empty or longer than 256 characters");
    }
    long epoch = 0;
    int colon = v.indexOf(':');
    if (colon >= 0) {
      String e = v.substring(0, colon);
      if (e.isEmpty() || e.length() > 9 || !e.chars().allMatch(Character::isDigit)) {
        throw bad(s, "epoch must be a number");
      }
      epoch = Long.parseLong(e);
      v = v.substring(colon + 1);
    }
    String rev = "";
    int dash = v.lastIndexOf('-');
    if (dash >= 0) {
      rev = v.substring(dash + 1);
      v = v.substring(0, dash);
      if (rev.isEmpty()) {
        throw bad(s, "empty revision after '-'");
      }
    }
    return new DebVersion(epoch, v, rev);
  }

  private static CheckException bad(String s, String why) {
    return new CheckException(DebCode.DEB_VERSION_INVALID, s, "not a Debian version: " + why);
  }

  @Override
  public int compareTo(DebVersion o) {
    int c = Long.compare(epoch, o.epoch);
    if (c != 0) {
      return c;
    }
    c = verrevcmp(upstream, o.upstream);
    if (c != 0) {
      return c;
    }
    return verrevcmp(revision, o.revision);
  }

  /** dpkg's ordering weight of one character: {@code ~} first, then end/digits, letters, other symbols. */
  private static int order(char c) {
    if (Character.isDigit(c)) {
      return 0;
    }
    if (c < 128 && Character.isLetter(c)) {
      return c;
    }
    if (c == '~') {
      return -1;
    }
    return c + 256;
  }

  /** Port of dpkg's lib/dpkg/version.c verrevcmp. */
  static int verrevcmp(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() || j < b.length()) {
      int firstDiff = 0;
      while ((i < a.length() && !Character.isDigit(a.charAt(i))) || (j < b.length() && !Character.isDigit(b.charAt(j)))) {
        int ac = i < a.length() ? order(a.charAt(i)) : 0;
        int bc = j < b.length() ? order(b.charAt(j)) : 0;
        if (ac != bc) {
          return Integer.signum(ac - bc);
        }
        i++;
        j++;
      }
      while (i < a.length() && a.charAt(i) == '0') {
        i++;
      }
      while (j < b.length() && b.charAt(j) == '0') {
        j++;
      }
      while (i < a.length() && Character.isDigit(a.charAt(i)) && j < b.length() && Character.isDigit(b.charAt(j))) {
        if (firstDiff == 0) {
          firstDiff = a.charAt(i) - b.charAt(j);
        }
        i++;
        j++;
      }
      if (i < a.length() && Character.isDigit(a.charAt(i))) {
        return 1;
      }
      if (j < b.length() && Character.isDigit(b.charAt(j))) {
        return -1;
      }
      if (firstDiff != 0) {
        return Integer.signum(firstDiff);
      }
    }
    return 0;
  }

  /** The canonical text: epoch only when non-zero, revision only when present. */
  @Override
  public String toString() {
    return (epoch != 0 ? epoch + ":" : "") + upstream + (revision.isEmpty() ? "" : "-" + revision);
  }
}
