package dev.bitproof.apk;

import dev.bitproof.report.CheckException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A package's {@code .PKGINFO}: ini-like {@code key = value} lines, repeatable keys allowed. Every line is kept in
 * order in {@link #fields()} (so nothing is lost, including keys this class does not name); the accessors give the
 * typed view apk-tools and apko use.
 *
 * @param fields every {@code key = value} pair in file order
 */
public record PkgInfo(List<Field> fields) {
  /** One {@code key = value} line. */
  public record Field(String key, String value) {}

  public PkgInfo {
    fields = List.copyOf(fields);
  }

  /**
   * Parses {@code .PKGINFO} bytes (UTF-8). Comment ({@code #}) and blank lines are skipped; a line without
   * {@code =} is {@code APK_PKGINFO_INVALID}; {@code pkgname} and {@code pkgver} are required.
   */
  public static PkgInfo parse(byte[] bytes, String subject) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    List<Field> out = new ArrayList<>();
    int lineNo = 0;
    for (String line : text.split("\n", -1)) {
      lineNo++;
      String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      String t = l.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      int eq = t.indexOf('=');
      if (eq <= 0) {
        throw CheckException.integrity(ApkCode.APK_PKGINFO_INVALID, subject, ".PKGINFO line " + lineNo + " is not 'key = value'");
      }
      out.add(new Field(t.substring(0, eq).strip(), t.substring(eq + 1).strip()));
    }
    PkgInfo p = new PkgInfo(out);
    if (p.first("pkgname").isEmpty() || p.first("pkgver").isEmpty()) {
      throw CheckException.integrity(ApkCode.APK_PKGINFO_INVALID, subject, ".PKGINFO lacks pkgname or pkgver");
    }
    return p;
  }

  /** The first value of {@code key}. */
  public Optional<String> first(String key) {
    for (Field f : fields) {
      if (f.key().equals(key)) {
        return Optional.of(f.value());
      }
    }
    return Optional.empty();
  }

  /** Every value of a repeatable key, in order. */
  public List<String> all(String key) {
    List<String> r = new ArrayList<>();
    for (Field f : fields) {
      if (f.key().equals(key)) {
        r.add(f.value());
      }
    }
    return List.copyOf(r);
  }

  /** Every value of a key whose lines may each hold several space-separated items. */
  public List<String> allWords(String key) {
    List<String> r = new ArrayList<>();
    for (String v : all(key)) {
      Arrays.stream(v.split("\\s+")).filter(s -> !s.isEmpty()).forEach(r::add);
    }
    return List.copyOf(r);
  }

  public String name() {
    return first("pkgname").orElseThrow();
  }

  public String version() {
    return first("pkgver").orElseThrow();
  }

  public String arch() {
    return first("arch").orElse("");
  }

  public String description() {
    return first("pkgdesc").orElse("");
  }

  public String license() {
    return first("license").orElse("");
  }

  public String origin() {
    return first("origin").orElse("");
  }

  public String maintainer() {
    return first("maintainer").orElse("");
  }

  public String url() {
    return first("url").orElse("");
  }

  public String commit() {
    return first("commit").orElse("");
  }

  public String packager() {
    return first("packager").orElse("");
  }

  /** Lowercase hex SHA-256 of the data gzip stream, when present. */
  public Optional<String> datahash() {
    return first("datahash");
  }

  /** Installed size in bytes ({@code size}), 0 when absent. */
  public long installedSize() {
    return longOf("size");
  }

  /** Unix seconds ({@code builddate}); 0 when absent, as apko treats it. */
  public long buildDate() {
    return longOf("builddate");
  }

  public long providerPriority() {
    return longOf("provider_priority");
  }

  public long replacesPriority() {
    return longOf("replaces_priority");
  }

  public List<String> depends() {
    return allWords("depend");
  }

  public List<String> provides() {
    return allWords("provides");
  }

  public List<String> replaces() {
    return allWords("replaces");
  }

  public List<String> installIf() {
    return allWords("install_if");
  }

  public List<String> triggers() {
    return allWords("triggers");
  }

  private long longOf(String key) {
    Optional<String> v = first(key);
    if (v.isEmpty() || v.get().isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(v.get());
    } catch (NumberFormatException e) {
      throw CheckException.integrity(ApkCode.APK_PKGINFO_INVALID, name(), ".PKGINFO " + key + " is not a number: " + v.get());
    }
  }

  /** The fields as an ordered multimap view (for reports). */
  public Map<String, List<String>> asMap() {
    Map<String, List<String>> m = new java.util.LinkedHashMap<>();
    for (Field f : fields) {
      m.computeIfAbsent(f.key(), k -> new ArrayList<>()).add(f.value());
    }
    m.replaceAll((k, v) -> List.copyOf(v));
    return java.util.Collections.unmodifiableMap(m);
  }
}
