package dev.bitproof.cli.render;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.Json;
import dev.bitproof.json.JsonBody;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The text of a body that is a list of named facts ({@code apk info}): one {@code name: value} line per field, in the
 * JSON document's order, nested objects indented one level and arrays one item a line.
 */
public final class TextTree {
  private TextTree() {}

  public static void print(PrintWriter w, JsonBody body, Set<String> skip) {
    JsonNode doc = Json.mapper().valueToTree(body);
    doc.fields().forEachRemaining(e -> {
      if (skip.contains(e.getKey())) {
        return;
      }
      JsonNode v = e.getValue();
      if (v.isObject()) {
        w.println(e.getKey() + ":");
        v.fields().forEachRemaining(x -> w.println("  " + x.getKey() + ": " + flat(x.getValue())));
      } else if (v.isArray()) {
        w.println(e.getKey() + ": " + (v.isEmpty() ? "(none)" : ""));
        v.forEach(x -> w.println("  " + flat(x)));
      } else {
        w.println(e.getKey() + ": " + v.asText());
      }
    });
  }

  /** One line for a nested value: {@code a b} for arrays, {@code k=v, k=v} for objects. */
  private static String flat(JsonNode v) {
    if (v.isValueNode()) {
      return v.asText();
    }
    List<String> parts = new ArrayList<>();
    if (v.isArray()) {
      v.forEach(x -> parts.add(flat(x)));
    } else {
      v.fields().forEachRemaining(x -> parts.add(x.getKey() + "=" + flat(x.getValue())));
    }
    return String.join(v.isArray() ? " " : ", ", parts);
  }
}
