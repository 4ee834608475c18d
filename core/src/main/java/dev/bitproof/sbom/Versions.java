package dev.bitproof.sbom;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether an SBOM's version names the version the layers hold, by each ecosystem's own rule: Python by PEP 440
 * normalization ({@code 1.0.0-Alpha1} is {@code 1.0.0a1}), npm by semver (a leading {@code v} or {@code =} and build
 * metadata do not count), Go and Maven verbatim (a Go pseudo-version is exact by construction).
 */
public final class Versions {
  private static final Pattern PEP440 = Pattern.compile(
      "v?(?:(\\d+)!)?(\\d+(?:\\.\\d+)*)"
          + "(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\\d*))?"
          + "(?:-(\\d+)|[-_.]?(post|rev|r)[-_.]?(\\d*))?"
          + "(?:[-_.]?(dev)[-_.]?(\\d*))?"
          + "(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?");

  private Versions() {}

  public static boolean same(LanguagePackage.Ecosystem e, String sbom, String layers) {
    return switch (e) {
      case PYPI -> pep440(sbom).equals(pep440(layers));
      case NPM -> semver(sbom).equals(semver(layers));
      // a Go main module built from a work tree is "(devel)"; scanners write it without a version
      case GOLANG -> sbom.equals(layers) || (layers.equals("(devel)") && sbom.isEmpty());
      case MAVEN -> sbom.equals(layers);
    };
  }

  /** PEP 440 normal form; a string that is not a PEP 440 version is compared as written (trimmed, lowercase). */
  public static String pep440(String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    Matcher m = PEP440.matcher(s);
    if (!m.matches()) {
      return s;
    }
    StringBuilder out = new StringBuilder();
    if (m.group(1) != null && Long.parseLong(m.group(1)) != 0) {
      out.append(Long.parseLong(m.group(1))).append('!');
    }
    String[] rel = m.group(2).split("\\.");
    for (int i = 0; i < rel.length; i++) {
      out.append(i == 0 ? "" : ".").append(new java.math.BigInteger(rel[i]));
    }
    if (m.group(3) != null) {
      String pre = switch (m.group(3)) {
        case "alpha", "a" -> "a";
        case "beta", "b" -> "b";
        default -> "rc";
      };
      out.append(pre).append(num(m.group(4)));
    }
    if (m.group(5) != null) {
      out.append(".post").append(num(m.group(5)));
    } else if (m.group(6) != null) {
      out.append(".post").append(num(m.group(7)));
    }
    if (m.group(8) != null) {
      out.append(".dev").append(num(m.group(9)));
    }
    if (m.group(10) != null) {
      out.append('+').append(m.group(10).replaceAll("[-_]", "."));
    }
    return out.toString();
  }

  private static String num(String s) {
    return s == null || s.isEmpty() ? "0" : new java.math.BigInteger(s).toString();
  }

  /** semver: no leading {@code v}/{@code =}, no build metadata (it does not take part in identity or precedence). */
  public static String semver(String v) {
    String s = v.trim();
    while (s.startsWith("v") || s.startsWith("=")) {
      s = s.substring(1);
    }
    int plus = s.indexOf('+');
    return plus >= 0 ? s.substring(0, plus) : s;
  }
}
