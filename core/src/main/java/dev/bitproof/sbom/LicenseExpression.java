package dev.bitproof.sbom;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An SPDX licence expression (SPDX 2.3 annex D): identifiers ({@code MIT}, {@code GPL-2.0+},
 * {@code LicenseRef-x}, {@code DocumentRef-d:LicenseRef-x}), {@code WITH} an exception, {@code AND}, {@code OR},
 * parentheses; precedence WITH, AND, OR. Two expressions are the same licence when their canonical forms are
 * equal: identifiers compared case-insensitively, the deprecated GNU forms ({@code GPL-2.0}, {@code GPL-2.0+}) read
 * as their {@code -only}/{@code -or-later} names, operands of AND and OR in any order. No SPDX licence list is
 * bundled, so an unknown identifier is still a well-formed identifier.
 */
public final class LicenseExpression {
  private static final Pattern TOKEN = Pattern.compile("\\s*(\\(|\\)|[A-Za-z0-9.+:\\-]+)");
  private static final Pattern ID = Pattern.compile("(?:DocumentRef-[A-Za-z0-9.\\-]+:)?[A-Za-z0-9.\\-]+\\+?");
  private static final Pattern GNU = Pattern.compile("((?:A|L)?GPL|GFDL)-(\\d\\.\\d)(\\+)?", Pattern.CASE_INSENSITIVE);
  static final int MAX_TOKENS = 10_000;

  private final String canonical;
  private final Set<String> ids;

  private LicenseExpression(String canonical, Set<String> ids) {
    this.canonical = canonical;
    this.ids = Set.copyOf(ids);
  }

  /** The expression, or empty when {@code text} is not SPDX expression syntax (free text such as "MIT License"). */
  public static Optional<LicenseExpression> parse(String text) {
    List<String> tokens = new ArrayList<>();
    Matcher m = TOKEN.matcher(text);
    int at = 0;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at || tokens.size() > MAX_TOKENS) {
        if (text.substring(at).isBlank()) {
          break;
        }
        return Optional.empty();
      }
      tokens.add(m.group(1));
      at = m.end();
    }
    if (tokens.isEmpty()) {
      return Optional.empty();
    }
    Parser p = new Parser(tokens);
    try {
      String c = p.or();
      if (p.i != tokens.size()) {
        return Optional.empty();
      }
      return Optional.of(new LicenseExpression(c, p.ids));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  public String canonical() {
    return canonical;
  }

  /** The licence identifiers it names (normalized), without operators or exceptions. */
  public Set<String> ids() {
    return ids;
  }

  public boolean sameAs(LicenseExpression o) {
    return canonical.equals(o.canonical);
  }

  @Override
  public String toString() {
    return canonical;
  }

  /** An identifier as compared: lowercase, GNU {@code X-N.N} is {@code -only}, {@code X-N.N+} is {@code -or-later}. */
  static String normalizeId(String id) {
    Matcher g = GNU.matcher(id);
    if (g.matches()) {
      return (g.group(1) + "-" + g.group(2) + (g.group(3) != null ? "-or-later" : "-only")).toLowerCase(Locale.ROOT);
    }
    return id.toLowerCase(Locale.ROOT);
  }

  private static final class Parser {
    final List<String> t;
    int i;
    final Set<String> ids = new TreeSet<>();
    int depth;

    Parser(List<String> t) {
      this.t = t;
    }

    String or() {
      return nary("OR", this::and);
    }

    String and() {
      return nary("AND", this::with);
    }

    private String nary(String op, java.util.function.Supplier<String> next) {
      List<String> parts = new ArrayList<>();
      parts.add(next.get());
      while (i < t.size() && t.get(i).equalsIgnoreCase(op)) {
        i++;
        parts.add(next.get());
      }
      if (parts.size() == 1) {
        return parts.get(0);
      }
      // flatten nested same operators, then order: AND/OR are commutative
      List<String> flat = new ArrayList<>();
      for (String p : parts) {
        if (p.startsWith(op + "(") && p.endsWith(")")) {
          flat.addAll(split(p.substring(op.length() + 1, p.length() - 1)));
        } else {
          flat.add(p);
        }
      }
      return op + "(" + String.join(",", new TreeSet<>(flat)) + ")";
    }

    /** Top-level comma-separated operands of a canonical form. */
    private static List<String> split(String s) {
      List<String> out = new ArrayList<>();
      int level = 0;
      int start = 0;
      for (int k = 0; k < s.length(); k++) {
        char c = s.charAt(k);
        if (c == '(') {
          level++;
        } else if (c == ')') {
          level--;
        } else if (c == ',' && level == 0) {
          out.add(s.substring(start, k));
          start = k + 1;
        }
      }
      out.add(s.substring(start));
      return out;
    }

    String with() {
      String left = primary();
      if (i < t.size() && t.get(i).equalsIgnoreCase("WITH")) {
        i++;
        String exc = token();
        if (!ID.matcher(exc).matches() || isOperator(exc)) {
          throw new IllegalArgumentException("exception expected");
        }
        return "WITH(" + left + "," + exc.toLowerCase(Locale.ROOT) + ")";
      }
      return left;
    }

    String primary() {
      String tok = token();
      if (tok.equals("(")) {
        if (++depth > 64) {
          throw new IllegalArgumentException("nested too deep");
        }
        String inner = or();
        depth--;
        if (!token().equals(")")) {
          throw new IllegalArgumentException(") expected");
        }
        return inner;
      }
      if (isOperator(tok) || !ID.matcher(tok).matches()) {
        throw new IllegalArgumentException("licence identifier expected");
      }
      String id = normalizeId(tok);
      ids.add(id);
      return id;
    }

    String token() {
      if (i >= t.size()) {
        throw new IllegalArgumentException("unexpected end");
      }
      return t.get(i++);
    }

    static boolean isOperator(String s) {
      return s.equalsIgnoreCase("AND") || s.equalsIgnoreCase("OR") || s.equalsIgnoreCase("WITH") || s.equals(")")
          || s.equals("(");
    }
  }
}
