package dev.bitproof.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Field-by-field differences of the JSON documents above the layers: image configs and annotation maps. Each
 * difference is one finding naming the field; a difference in the declared ignore set is an INFO finding with
 * evidence {@code ignored}, any other is FAIL.
 */
final class FieldDiff {
  static final String CREATED = "org.opencontainers.image.created";
  static final Set<String> IMAGE_NAMES = Set.of("org.opencontainers.image.ref.name", "io.containerd.image.name");
  private static final int MAX_VALUE_CHARS = 400;

  private FieldDiff() {}

  static boolean isIgnored(Finding f) {
    return f.evidence().containsKey("ignored");
  }

  /** Config documents, walked as {@code created}, {@code config.Env PATH}, {@code rootfs.diff_ids[0]} … */
  static List<Finding> config(String where, ObjectNode a, ObjectNode b, CompareOptions o) {
    List<Finding> out = new ArrayList<>();
    for (String k : keys(a, b)) {
      JsonNode x = a.get(k);
      JsonNode y = b.get(k);
      if (Objects.equals(x, y)) {
        continue;
      }
      switch (k) {
        case "config" -> {
          if (x != null && x.isObject() && y != null && y.isObject()) {
            innerConfig(where, (ObjectNode) x, (ObjectNode) y, o, out);
          } else {
            out.add(value(where, "config", x, y, null));
          }
        }
        case "created" -> out.add(value(where, k, x, y, o.ignoreTimestamps() ? "timestamps" : null));
        case "history" -> history(where, x, y, o, out);
        case "rootfs" -> rootfs(where, x, y, o, out);
        default -> out.add(value(where, k, x, y, null));
      }
    }
    return out;
  }

  private static void innerConfig(String where, ObjectNode a, ObjectNode b, CompareOptions o, List<Finding> out) {
    for (String k : keys(a, b)) {
      JsonNode x = a.get(k);
      JsonNode y = b.get(k);
      if (Objects.equals(x, y)) {
        continue;
      }
      if (k.equals("Env") && isStrings(x) && isStrings(y)) {
        env(where, x, y, out);
      } else if (k.equals("Labels") && (x == null || x.isObject()) && (y == null || y.isObject())) {
        out.addAll(annotations(where, CompareCode.CONFIG_FIELD_DIFFERS, "config.Labels", stringMap(x), stringMap(y), o));
      } else {
        out.add(value(where, "config." + k, x, y, null));
      }
    }
  }

  private static void env(String where, JsonNode x, JsonNode y, List<Finding> out) {
    Map<String, String> a = envMap(x);
    Map<String, String> b = envMap(y);
    boolean any = false;
    for (String name : union(a.keySet(), b.keySet())) {
      String va = a.get(name);
      String vb = b.get(name);
      if (!Objects.equals(va, vb)) {
        any = true;
        out.add(new Finding(CompareCode.CONFIG_FIELD_DIFFERS, Severity.FAIL, where + " config.Env " + name,
            va == null ? "variable only in B" : vb == null ? "variable only in A" : "variable's value differs",
            evidence(va == null ? "(unset)" : name + "=" + va, vb == null ? "(unset)" : name + "=" + vb)));
      }
    }
    if (!any) {
      out.add(value(where, "config.Env", x, y, null).with("note", "same variables, different order"));
    }
  }

  private static void history(String where, JsonNode x, JsonNode y, CompareOptions o, List<Finding> out) {
    if (o.ignoreHistory()) {
      out.add(value(where, "history", x, y, "history"));
      return;
    }
    if (x != null && y != null && x.isArray() && y.isArray() && x.size() == y.size()) {
      for (int i = 0; i < x.size(); i++) {
        JsonNode hx = x.get(i);
        JsonNode hy = y.get(i);
        if (Objects.equals(hx, hy)) {
          continue;
        }
        if (hx.isObject() && hy.isObject()) {
          for (String k : keys((ObjectNode) hx, (ObjectNode) hy)) {
            if (!Objects.equals(hx.get(k), hy.get(k))) {
              out.add(value(where, "history[" + i + "]." + k, hx.get(k), hy.get(k),
                  k.equals("created") && o.ignoreTimestamps() ? "timestamps" : null));
            }
          }
        } else {
          out.add(value(where, "history[" + i + "]", hx, hy, null));
        }
      }
      return;
    }
    out.add(value(where, "history", x, y, null));
  }

  private static void rootfs(String where, JsonNode x, JsonNode y, CompareOptions o, List<Finding> out) {
    // any ignore flag means layer bytes may change, so diff_ids may too (diffoci's rule)
    String ign = o.ignoresAnything() ? CompareOptions.DIGESTS_MAY_CHANGE : null;
    JsonNode dx = x == null ? null : x.get("diff_ids");
    JsonNode dy = y == null ? null : y.get("diff_ids");
    if (dx != null && dy != null && dx.isArray() && dy.isArray() && Objects.equals(x.get("type"), y.get("type"))) {
      for (int i = 0; i < Math.max(dx.size(), dy.size()); i++) {
        JsonNode a = dx.get(i);
        JsonNode b = dy.get(i);
        if (!Objects.equals(a, b)) {
          out.add(value(where, "rootfs.diff_ids[" + i + "]", a, b, ign));
        }
      }
      return;
    }
    out.add(value(where, "rootfs", x, y, ign));
  }

  /** Annotation (or label) maps key by key; {@code created} and image names honour the ignore set. */
  static List<Finding> annotations(String where, Code code, String field, Map<String, String> a,
      Map<String, String> b, CompareOptions o) {
    List<Finding> out = new ArrayList<>();
    for (String k : new java.util.TreeSet<>(union(a.keySet(), b.keySet()))) {
      String va = a.get(k);
      String vb = b.get(k);
      if (Objects.equals(va, vb)) {
        continue;
      }
      String ign = o.ignoreAnnotations().contains(k) ? CompareOptions.annotationRule(k)
          : k.equals(CREATED) && o.ignoreTimestamps() ? CompareOptions.TIMESTAMPS
          : IMAGE_NAMES.contains(k) && o.ignoreImageName() ? CompareOptions.IMAGE_NAME : null;
      Finding f = new Finding(code, ign == null ? Severity.FAIL : Severity.INFO, where + " " + field + " " + k,
          va == null ? "only in B" : vb == null ? "only in A" : "value differs",
          evidence(va == null ? "(absent)" : va, vb == null ? "(absent)" : vb));
      out.add(ign == null ? f : f.with("ignored", ign));
    }
    return out;
  }

  static Finding value(String where, String field, JsonNode x, JsonNode y, String ignoredBecause) {
    Finding f = new Finding(CompareCode.CONFIG_FIELD_DIFFERS, ignoredBecause == null ? Severity.FAIL : Severity.INFO,
        where + " " + field, x == null ? "only in B" : y == null ? "only in A" : "value differs",
        evidence(show(x), show(y)));
    return ignoredBecause == null ? f : f.with("ignored", ignoredBecause);
  }

  static String show(JsonNode n) {
    if (n == null) {
      return "(absent)";
    }
    String s = n.isTextual() ? n.asText() : n.toString();
    return s.length() > MAX_VALUE_CHARS ? s.substring(0, MAX_VALUE_CHARS) + "… (" + s.length() + " chars)" : s;
  }

  static Map<String, String> evidence(String a, String b) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("a", a);
    m.put("b", b);
    return m;
  }

  private static Map<String, String> envMap(JsonNode n) {
    Map<String, String> m = new LinkedHashMap<>();
    for (JsonNode e : n) {
      String s = e.asText();
      int eq = s.indexOf('=');
      m.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
    }
    return m;
  }

  private static Map<String, String> stringMap(JsonNode n) {
    Map<String, String> m = new LinkedHashMap<>();
    if (n != null) {
      n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
    }
    return m;
  }

  private static boolean isStrings(JsonNode n) {
    if (n == null || !n.isArray()) {
      return false;
    }
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        return false;
      }
    }
    return true;
  }

  private static Set<String> keys(ObjectNode a, ObjectNode b) {
    Set<String> s = new LinkedHashSet<>();
    a.fieldNames().forEachRemaining(s::add);
    b.fieldNames().forEachRemaining(s::add);
    return s;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> s = new LinkedHashSet<>(a);
    s.addAll(b);
    return s;
  }
}
