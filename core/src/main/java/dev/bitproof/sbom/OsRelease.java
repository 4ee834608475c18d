package dev.bitproof.sbom;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@code /etc/os-release} as the os-release(5) shell-like syntax defines it: {@code KEY=value}, optionally quoted. */
public record OsRelease(Map<String, String> fields) {
  public OsRelease {
    fields = Map.copyOf(fields);
  }

  public static OsRelease empty() {
    return new OsRelease(Map.of());
  }

  public static OsRelease parse(byte[] bytes) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      int eq = l.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String v = l.substring(eq + 1);
      if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0)) {
        v = v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\").replace("\\$", "$").replace("\\`", "`");
      }
      out.put(l.substring(0, eq), v);
    }
    return new OsRelease(out);
  }

  public Optional<String> get(String key) {
    return Optional.ofNullable(fields.get(key));
  }

  public String id() {
    return fields.getOrDefault("ID", "");
  }

  public String versionId() {
    return fields.getOrDefault("VERSION_ID", "");
  }

  public String name() {
    return fields.getOrDefault("NAME", "");
  }

  public boolean isEmpty() {
    return fields.isEmpty();
  }
}
