package dev.bitproof.apk;

import dev.bitproof.report.CheckException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One APKINDEX stanza. Every {@code X:value} line is kept in {@link #fields()}; the accessors name the keys apk-tools
 * writes: {@code C} checksum, {@code P} name, {@code V} version, {@code A} arch, {@code S} package file size,
 * {@code I} installed size, {@code T} description, {@code U} url, {@code L} license, {@code o} origin,
 * {@code m} maintainer, {@code t} build time, {@code c} commit, {@code D} depends, {@code p} provides,
 * {@code i} install_if, {@code k} provider priority, {@code r} replaces, {@code q} replaces priority.
 */
public record IndexEntry(List<Field> fields) {
  public record Field(char key, String value) {}

  public IndexEntry {
    fields = List.copyOf(fields);
  }

  static IndexEntry of(List<Field> fields, String subject, int lineNo) {
    IndexEntry e = new IndexEntry(fields);
    if (e.first('P').isEmpty() || e.first('V').isEmpty()) {
      throw CheckException.integrity(ApkCode.APKINDEX_INVALID, subject, "stanza ending at line " + lineNo + " lacks P: or V:");
    }
    return e;
  }

  public Optional<String> first(char key) {
    for (Field f : fields) {
      if (f.key() == key) {
        return Optional.of(f.value());
      }
    }
    return Optional.empty();
  }

  private List<String> words(char key) {
    List<String> r = new ArrayList<>();
    for (Field f : fields) {
      if (f.key() == key) {
        Arrays.stream(f.value().split("\\s+")).filter(s -> !s.isEmpty()).forEach(r::add);
      }
    }
    return List.copyOf(r);
  }

  private long number(char key) {
    String v = first(key).orElse("");
    if (v.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw CheckException.integrity(ApkCode.APKINDEX_INVALID, name(), key + ": is not a number: " + v);
    }
  }

  /** {@code Q1<base64 sha1>} of the package's control stream. */
  public String checksum() {
    return first('C').orElse("");
  }

  public String name() {
    return first('P').orElseThrow();
  }

  public String version() {
    return first('V').orElseThrow();
  }

  public String arch() {
    return first('A').orElse("");
  }

  /** Size of the {@code .apk} file in bytes. */
  public long size() {
    return number('S');
  }

  public long installedSize() {
    return number('I');
  }

  public String description() {
    return first('T').orElse("");
  }

  public String url() {
    return first('U').orElse("");
  }

  public String license() {
    return first('L').orElse("");
  }

  public String origin() {
    return first('o').orElse("");
  }

  public String maintainer() {
    return first('m').orElse("");
  }

  public long buildTime() {
    return number('t');
  }

  public String commit() {
    return first('c').orElse("");
  }

  public List<String> depends() {
    return words('D');
  }

  public List<String> provides() {
    return words('p');
  }

  public List<String> installIf() {
    return words('i');
  }

  public List<String> replaces() {
    return words('r');
  }

  public long providerPriority() {
    return number('k');
  }

  public long replacesPriority() {
    return number('q');
  }

  /** {@code name-version}, the package file's base name without {@code .apk}. */
  public String id() {
    return name() + "-" + version();
  }

  public String fileName() {
    return id() + ".apk";
  }
}
