package dev.bitproof.deb;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One deb822 paragraph (a control file, a {@code status} or {@code Packages} stanza, a Release file): fields in
 * file order. Field names compare case-insensitively, as dpkg and apt do. A multi-line value keeps its
 * continuation lines as written (leading space included), joined with {@code \n}; the first line is stripped.
 */
public final class ControlParagraph {
  /** A field as written: name and value (see the class comment for the value's form). */
  public record Field(String name, String value) {
    public Field {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }
  }

  private final List<Field> fields;
  private final Map<String, String> byName;
  private final int line;

  /** @param line 1-based line number of the paragraph's first field in its file, 0 if unknown */
  public ControlParagraph(List<Field> fields, int line) {
    this.fields = List.copyOf(fields);
    TreeMap<String, String> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Field f : this.fields) {
      m.putIfAbsent(f.name(), f.value());
    }
    this.byName = Collections.unmodifiableMap(m);
    this.line = line;
  }

  public List<Field> fields() {
    return fields;
  }

  public Optional<String> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The value, or "" when the field is absent. */
  public String value(String name) {
    return byName.getOrDefault(name, "");
  }

  public boolean has(String name) {
    return byName.containsKey(name);
  }

  /** The lines of a multi-line field after the first, stripped (Conffiles, MD5Sum/SHA256 lists, Files). */
  public List<String> continuationLines(String name) {
    String v = byName.get(name);
    if (v == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    String[] lines = v.split("\n", -1);
    for (int i = 1; i < lines.length; i++) {
      String s = lines[i].strip();
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  /** Field names in file order, lower-cased (for set comparisons). */
  public List<String> names() {
    return fields.stream().map(f -> f.name().toLowerCase(Locale.ROOT)).toList();
  }

  public int line() {
    return line;
  }

  /** The paragraph as deb822 text, newline-terminated, without a trailing blank line. */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    for (Field f : fields) {
      sb.append(f.name()).append(':');
      if (!f.value().isEmpty() && !f.value().startsWith("\n")) {
        sb.append(' ');
      }
      sb.append(f.value()).append('\n');
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ControlParagraph p && p.fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    return toText();
  }
}
