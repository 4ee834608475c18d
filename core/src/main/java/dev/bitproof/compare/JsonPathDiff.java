package dev.bitproof.compare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.Json;
import dev.bitproof.report.CheckException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Two JSON documents compared value by value, one line per difference in JSONPath notation:
 * {@code $.a.b[2]: "x" → "y"}, {@code $.c: (absent) → 1}. Read with {@link Json}'s bounds (nesting, duplicate keys);
 * values are shown as JSON, cut at {@value #MAX_VALUE} characters; at most {@code maxLines} lines, then a count.
 */
final class JsonPathDiff {
  static final int MAX_VALUE = 200;
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$-]*");

  private JsonPathDiff() {}

  /** The lines, or empty when either side is not JSON (or neither looks like it). */
  static Optional<List<String>> diff(String path, byte[] a, byte[] b, int maxLines) {
    if (!path.endsWith(".json") && !(looksLikeJson(a) && looksLikeJson(b))) {
      return Optional.empty();
    }
    JsonNode x;
    JsonNode y;
    try {
      x = Json.parse(a, path);
      y = Json.parse(b, path);
    } catch (CheckException e) {
      return Optional.empty();
    }
    List<String> out = new ArrayList<>();
    int[] total = {0};
    walk("$", x, y, out, maxLines, total);
    if (total[0] > out.size()) {
      out.add("… " + (total[0] - out.size()) + " more differences");
    }
    if (out.isEmpty()) {
      out.add("same JSON values, different encoding (whitespace, key order or number form)");
    }
    return Optional.of(out);
  }

  private static void walk(String at, JsonNode x, JsonNode y, List<String> out, int max, int[] total) {
    if (Objects.equals(x, y)) {
      return;
    }
    if (x != null && y != null && x.isObject() && y.isObject()) {
      Set<String> keys = new LinkedHashSet<>();
      x.fieldNames().forEachRemaining(keys::add);
      y.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        walk(at + key(k), x.get(k), y.get(k), out, max, total);
      }
      return;
    }
    if (x != null && y != null && x.isArray() && y.isArray()) {
      for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
        walk(at + "[" + i + "]", x.get(i), y.get(i), out, max, total);
      }
      return;
    }
    total[0]++;
    if (out.size() < max) {
      out.add(at + ": " + show(x) + " → " + show(y));
    }
  }

  private static String key(String k) {
    if (PLAIN_KEY.matcher(k).matches()) {
      return "." + k;
    }
    return "['" + k.replace("\\", "\\\\").replace("'", "\\'") + "']";
  }

  private static String show(JsonNode n) {
    if (n == null) {
      return "(absent)";
    }
    String s = n.toString();
    return s.length() > MAX_VALUE ? s.substring(0, MAX_VALUE) + "… (" + s.length() + " chars)" : s;
  }

  private static boolean looksLikeJson(byte[] b) {
    for (byte c : b) {
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        continue;
      }
      return c == '{' || c == '[';
    }
    return false;
  }
}
