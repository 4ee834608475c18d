package dev.bitproof.gocompat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON bytes exactly as Go's {@code encoding/json} writes them: compact, fields in the order they are added
 * (Go's struct order), maps with keys sorted byte-wise, strings HTML-escaped ({@code < > &} as backslash-u003c
 * ...), U+2028/U+2029 escaped, {@code \b \f \n \r \t} short forms (Go 1.22+), other control characters as
 * backslash-u00XX. Digests are taken over these bytes, so nothing here may go through a general JSON library.
 *
 * <p>Build a value with {@link #object()}, {@link #array()} and the {@code put*} methods; {@code omitempty}
 * semantics are the caller's ({@link Obj#putIfNotEmpty}). The one Go JSON writer of the project: image JSON, lock
 * files and {@code /etc/apko.json} here, apko's SPDX documents ({@code sbom.ApkoSpdx}, Marshal + {@link #indent}).
 */
public final class GoJson {
  private GoJson() {}

  /** A JSON value that writes itself. */
  public interface Value {
    void write(StringBuilder sb);

    /** What Go's omitempty treats as empty: "", 0, false, nil, empty map/slice. Structs are never empty. */
    default boolean isEmpty() {
      return false;
    }
  }

  public static Obj object() {
    return new Obj();
  }

  public static Arr array() {
    return new Arr();
  }

  public static Value string(String s) {
    return new Str(s);
  }

  public static Value number(long n) {
    return new Num(n);
  }

  public static Value bool(boolean b) {
    return new Bool(b);
  }

  /** JSON {@code null} (a nil pointer, slice or map without omitempty). */
  public static Value nullValue() {
    return Literal.NULL;
  }

  /**
   * A number already spelled as a JSON number token (for values that are not a Go {@code int64}, carried through
   * as written); anything that is not one JSON number is rejected.
   */
  public static Value number(String token) {
    if (!NUMBER.matcher(token).matches()) {
      throw new IllegalArgumentException("not a JSON number: " + token);
    }
    return new Literal(token);
  }

  private static final java.util.regex.Pattern NUMBER =
      java.util.regex.Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

  /** A Go {@code map[string]string}: keys sorted. */
  public static Value stringMap(Map<String, String> m) {
    Obj o = new Obj();
    o.sortKeys = true;
    new TreeMap<>(m).forEach((k, v) -> o.put(k, new Str(v)));
    return o;
  }

  /** A Go {@code []string}; null for a nil slice is the caller's concern. */
  public static Arr stringArray(List<String> values) {
    Arr a = new Arr();
    values.forEach(a::add);
    return a;
  }

  /** Go's {@code json.Marshal} of the value. */
  public static byte[] marshal(Value v) {
    StringBuilder sb = new StringBuilder(256);
    v.write(sb);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** {@code json.NewEncoder(w).Encode(v)}: the same bytes plus a trailing newline. */
  public static byte[] encode(Value v) {
    StringBuilder sb = new StringBuilder(256);
    v.write(sb);
    sb.append('\n');
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Go's {@code json.Indent(dst, src, "", "  ")} over compact JSON: one value per line, {@code ": "} after keys,
   * empty {@code {}} and {@code []} kept on one line. No trailing newline.
   */
  public static String indent(byte[] compact) {
    String s = new String(compact, StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(s.length() * 2);
    int depth = 0;
    boolean inString = false;
    boolean needIndent = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (inString) {
        sb.append(c);
        if (c == '\\') {
          sb.append(s.charAt(++i));
        } else if (c == '"') {
          inString = false;
        }
        continue;
      }
      if (needIndent && c != ']' && c != '}') {
        newline(sb, depth);
        needIndent = false;
      }
      switch (c) {
        case '"' -> {
          inString = true;
          sb.append(c);
        }
        case '{', '[' -> {
          sb.append(c);
          depth++;
          needIndent = true;
        }
        case '}', ']' -> {
          depth--;
          if (needIndent) {
            needIndent = false; // empty: "{}" / "[]"
          } else {
            newline(sb, depth);
          }
          sb.append(c);
        }
        case ',' -> {
          sb.append(c);
          newline(sb, depth);
        }
        case ':' -> sb.append(": ");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  private static void newline(StringBuilder sb, int depth) {
    sb.append('\n');
    sb.append("  ".repeat(Math.max(0, depth)));
  }

  /** An object with fields in insertion order (a Go struct), or sorted (a Go map). */
  public static final class Obj implements Value {
    private final List<Map.Entry<String, Value>> fields = new ArrayList<>();
    private boolean sortKeys;

    public Obj put(String key, Value v) {
      fields.add(Map.entry(key, v));
      return this;
    }

    public Obj put(String key, String s) {
      return put(key, new Str(s));
    }

    public Obj put(String key, long n) {
      return put(key, new Num(n));
    }

    public Obj put(String key, boolean b) {
      return put(key, new Bool(b));
    }

    /** Go's {@code omitempty}: skip "", 0, false, null and empty collections. */
    public Obj putIfNotEmpty(String key, Value v) {
      if (v != null && !v.isEmpty()) {
        put(key, v);
      }
      return this;
    }

    public Obj putIfNotEmpty(String key, String s) {
      return s == null || s.isEmpty() ? this : put(key, s);
    }

    public Obj putIfNotZero(String key, long n) {
      return n == 0 ? this : put(key, n);
    }

    public int size() {
      return fields.size();
    }

    @Override
    public boolean isEmpty() {
      // only meaningful for maps; a struct is never "empty" to omitempty, callers put structs with put()
      return fields.isEmpty();
    }

    @Override
    public void write(StringBuilder sb) {
      List<Map.Entry<String, Value>> fs = fields;
      if (sortKeys) {
        fs = new ArrayList<>(fields);
        fs.sort((a, b) -> compareUtf8(a.getKey(), b.getKey()));
      }
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, Value> e : fs) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        quote(sb, e.getKey());
        sb.append(':');
        e.getValue().write(sb);
      }
      sb.append('}');
    }
  }

  /** An array. */
  public static final class Arr implements Value {
    private final List<Value> items = new ArrayList<>();

    public Arr add(Value v) {
      items.add(v);
      return this;
    }

    public Arr add(String s) {
      return add(new Str(s));
    }

    public int size() {
      return items.size();
    }

    @Override
    public boolean isEmpty() {
      return items.isEmpty();
    }

    @Override
    public void write(StringBuilder sb) {
      sb.append('[');
      for (int i = 0; i < items.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        items.get(i).write(sb);
      }
      sb.append(']');
    }
  }

  private record Str(String s) implements Value {
    @Override
    public void write(StringBuilder sb) {
      quote(sb, s);
    }

    @Override
    public boolean isEmpty() {
      return s.isEmpty();
    }
  }

  private record Num(long n) implements Value {
    @Override
    public void write(StringBuilder sb) {
      sb.append(n);
    }

    @Override
    public boolean isEmpty() {
      return n == 0;
    }
  }

  private record Bool(boolean b) implements Value {
    @Override
    public void write(StringBuilder sb) {
      sb.append(b);
    }

    @Override
    public boolean isEmpty() {
      return !b;
    }
  }

  private record Literal(String token) implements Value {
    static final Literal NULL = new Literal("null");

    @Override
    public void write(StringBuilder sb) {
      sb.append(token);
    }

    @Override
    public boolean isEmpty() {
      return token.equals("null");
    }
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Go's {@code appendString} with HTML escaping on. */
  public static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '<', '>', '&', '\u2028', '\u2029' -> unicode(sb, c);
        default -> {
          if (c < 0x20) {
            unicode(sb, c);
          } else if (Character.isSurrogate(c)) {
            // a lone surrogate is invalid UTF-8 to Go: it becomes U+FFFD
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
              sb.append(c).append(s.charAt(++i));
            } else {
              sb.append('\ufffd');
            }
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static void unicode(StringBuilder sb, char c) {
    sb.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
        .append(HEX[c & 0xf]);
  }

  /** Go compares map keys as byte strings (UTF-8), which differs from Java's UTF-16 order above the BMP. */
  public static int compareUtf8(String a, String b) {
    return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
