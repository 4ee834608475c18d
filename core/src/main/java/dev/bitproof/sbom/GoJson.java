package dev.bitproof.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes JSON the way Go's {@code json.Encoder} with {@code SetIndent("", "  ")} and HTML escaping does (what apko
 * uses for its SBOMs): {@code "key": value}, two-space indent, {@code []}/{@code {}} when empty, {@code <>&} and
 * U+2028/U+2029 escaped as {@code \\u00XX}, and a trailing newline.
 */
final class GoJson {
  private GoJson() {}

  static byte[] render(JsonNode n) {
    StringBuilder sb = new StringBuilder();
    write(n, sb, 0);
    sb.append('\n');
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void write(JsonNode n, StringBuilder sb, int depth) {
    if (n.isObject()) {
      if (n.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append("{\n");
      Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        indent(sb, depth + 1);
        string(e.getKey(), sb);
        sb.append(": ");
        write(e.getValue(), sb, depth + 1);
        sb.append(it.hasNext() ? ",\n" : "\n");
      }
      indent(sb, depth);
      sb.append('}');
    } else if (n.isArray()) {
      if (n.isEmpty()) {
        sb.append("[]");
        return;
      }
      sb.append("[\n");
      for (int i = 0; i < n.size(); i++) {
        indent(sb, depth + 1);
        write(n.get(i), sb, depth + 1);
        sb.append(i + 1 < n.size() ? ",\n" : "\n");
      }
      indent(sb, depth);
      sb.append(']');
    } else if (n.isTextual()) {
      string(n.asText(), sb);
    } else {
      sb.append(n.toString());
    }
  }

  private static void indent(StringBuilder sb, int depth) {
    sb.append("  ".repeat(depth));
  }

  private static void string(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) c));
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
