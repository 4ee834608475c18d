package dev.bitproof.apk;

import dev.bitproof.report.CheckException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A dependency or world entry: {@code name[op version][@tag]}, or {@code !name...} for a conflict. Operators are
 * {@code = > < >= <= ~} ({@code =~} is taken as {@code ~}, as apk-tools reads it).
 *
 * <p>apko's special case is kept: an {@code so:} constraint with {@code =version} whose version lacks {@code -rN}
 * becomes {@code =0.<version>}, so it sorts below versioned provides (melange PR #1871).
 *
 * @param text the constraint as written
 * @param name the package or virtual name
 * @param op the operator ({@link Op#ANY} when no version is given)
 * @param version the version ("" for {@link Op#ANY})
 * @param pin the repository tag after {@code @}, "" when none
 * @param conflict true for {@code !name}
 */
public record ApkConstraint(String text, String name, Op op, String version, String pin, boolean conflict) {
  private static final Pattern SYNTAX = Pattern.compile("^([^@=><~]+)(([=><~]+)([^@]+))?(@([a-zA-Z0-9]+))?$");
  private static final Pattern RELEASE = Pattern.compile("-r\\d+$");

  /** Version operators. */
  public enum Op {
    ANY(""), EQ("="), GT(">"), LT("<"), GE(">="), LE("<="), TILDE("~");

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    /** Whether {@code actual} satisfies {@code op required}. */
    public boolean satisfies(String actual, String required) {
      if (this == ANY) {
        return true;
      }
      if (this == TILDE) {
        return ApkVersion.fuzzyMatches(actual, required);
      }
      int c = ApkVersion.compare(actual, required);
      return switch (this) {
        case EQ -> c == 0;
        case GT -> c > 0;
        case LT -> c < 0;
        case GE -> c >= 0;
        case LE -> c <= 0;
        default -> false;
      };
    }
  }

  /** Parses one constraint; a constraint that does not fit the syntax is a plain name, as in apko. */
  public static ApkConstraint parse(String text) {
    String s = text;
    boolean conflict = s.startsWith("!");
    if (conflict) {
      s = s.substring(1);
    }
    if (s.startsWith("so:")) {
      int eq = s.indexOf('=');
      if (eq > 0 && !RELEASE.matcher(s.substring(eq + 1)).find()) {
        s = s.substring(0, eq) + "=0." + s.substring(eq + 1);
      }
    }
    Matcher m = SYNTAX.matcher(s);
    if (!m.matches()) {
      return new ApkConstraint(text, s, Op.ANY, "", "", conflict);
    }
    String op = m.group(3) == null ? "" : m.group(3);
    Op o = switch (op) {
      case "" -> Op.ANY;
      case "=" -> Op.EQ;
      case ">" -> Op.GT;
      case "<" -> Op.LT;
      case ">=" -> Op.GE;
      case "<=" -> Op.LE;
      case "~", "=~" -> Op.TILDE;
      default -> throw CheckException.usage(ApkCode.APK_CONSTRAINT_INVALID, "unknown version operator '" + op + "' in '" + text + "'");
    };
    return new ApkConstraint(text, m.group(1), o, o == Op.ANY ? "" : m.group(4), m.group(6) == null ? "" : m.group(6), conflict);
  }

  /** Whether a package or provide of this version satisfies the constraint's version part. */
  public boolean versionSatisfied(String actual) {
    return op.satisfies(actual, version);
  }

  @Override
  public String toString() {
    return text;
  }
}
