package dev.bitproof.apk.db;

import dev.bitproof.report.CheckException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * apk's installed database ({@code usr/lib/apk/db/installed}, formerly {@code lib/apk/db/installed}; a base image's
 * APKINDEX in apko's base-image mode has the same form): one record per package, blank-line separated,
 * {@code X:value} lines; file lines ({@code F:} directory, {@code R:} file, {@code Z:} checksum) are turned into
 * full paths. The one reader of this format, in two {@link Mode}s: strict for a verifier, apko's for a rebuild.
 *
 * <p>Strict parsing refuses structural oddities (a file before any directory line, a checksum without a file, an
 * unknown checksum encoding); both modes are bounded in size, because the database comes from an untrusted layer.
 */
public final class ApkInstalledDb {
  /** More packages than this is {@code APK_DB_TOO_LARGE}: real images have a few thousand. */
  public static final int MAX_PACKAGES = 100_000;
  /** More file lines than this is {@code APK_DB_TOO_LARGE}. */
  public static final int MAX_FILES = 5_000_000;

  /** A file or symlink the package installed, with apk's checksum of it when the database has one. */
  public record InstalledFile(String path, Optional<Checksum> checksum) {}

  /**
   * apk's checksum: {@code Q1} + base64 SHA-1 (the usual), or {@code Q2} + base64 SHA-256; a hex value is SHA-1
   * (or SHA-256 by length) as older databases wrote it.
   */
  public record Checksum(String algorithm, byte[] value, String text) {
    public Checksum {
      value = value.clone();
    }

    public static Checksum parse(String s, String subject) {
      try {
        if (s.startsWith("Q1")) {
          byte[] v = Base64.getDecoder().decode(s.substring(2));
          if (v.length == 20) {
            return new Checksum("SHA-1", v, s);
          }
        } else if (s.startsWith("Q2")) {
          byte[] v = Base64.getDecoder().decode(s.substring(2));
          if (v.length == 32) {
            return new Checksum("SHA-256", v, s);
          }
        } else if (s.length() == 40 || s.length() == 64) {
          byte[] v = HexFormat.of().parseHex(s);
          return new Checksum(v.length == 20 ? "SHA-1" : "SHA-256", v, s);
        }
      } catch (IllegalArgumentException e) {
        // falls through to the error below
      }
      throw CheckException.integrity(ApkDbCode.APK_DB_CHECKSUM_INVALID, subject, "not an apk checksum: '" + s + "'");
    }

    public String hex() {
      return HexFormat.of().formatHex(value);
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Checksum c && c.algorithm.equals(algorithm) && java.util.Arrays.equals(c.value, value);
    }

    @Override
    public int hashCode() {
      return algorithm.hashCode() * 31 + java.util.Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /**
   * One line of the file list, in database order: an {@code F:} directory (never the empty top one) or an
   * {@code R:} file with its {@code Z:} checksum (strict mode only: apko's reader ignores {@code Z:}).
   */
  public record Entry(String path, boolean directory, Optional<Checksum> checksum) {}

  /**
   * One package record.
   *
   * @param depends {@code D:} as written (space-separated)
   * @param provides {@code p:} as written (space-separated)
   * @param replaces {@code r:}, empty when the record has no such line (apko writes it back only then)
   * @param installIf {@code i:}, empty when the record has no such line
   * @param controlChecksum {@code C:} the Q1 SHA-1 of the package's control stream
   * @param directories every {@code F:} line, in order
   * @param entries directories and files as they come, for a writer that must put them back in apko's order
   */
  public record Package(String name, String version, String arch, String license, String description, String origin,
      String maintainer, String url, String depends, String provides, Optional<String> replaces, String commit,
      long buildTime, Optional<String> installIf, long size, long installedSize, long providerPriority,
      Optional<Checksum> controlChecksum, List<String> directories, List<InstalledFile> files, List<Entry> entries) {
    public Package {
      directories = List.copyOf(directories);
      files = List.copyOf(files);
      entries = List.copyOf(entries);
    }

    /** The {@code p:} names, without empty ones. */
    public List<String> provideNames() {
      return java.util.Arrays.stream(provides.split(" ")).filter(x -> !x.isEmpty()).toList();
    }

    /** {@code name=version}. */
    public String pin() {
      return name + "=" + version;
    }
  }

  /**
   * How a database is read. {@link #STRICT} is for verifying an image: every structural oddity is an error with a
   * stable code. {@link #APKO} is go-apk's {@code ParseInstalled} (what apko reads a base image's packages and its
   * own database back with), quirks included because they decide bytes apko writes: records end only at an empty
   * line (the last one, when the file does not end in an empty line, is dropped), a record without {@code P:} is
   * skipped, one trailing {@code \r} per line is dropped, {@code Z:} lines are ignored and a {@code C:} that is not
   * {@code Q1} is left out, {@code R:} paths are joined and cleaned as Go's {@code filepath.Join} (a path that then
   * leaves the root is refused: ours, apko has no such check), {@code M:} needs a directory and {@code a:} a file.
   */
  public enum Mode { STRICT, APKO }

  private final List<Package> packages;

  private ApkInstalledDb(List<Package> packages) {
    this.packages = List.copyOf(packages);
  }

  /** Packages in database order (apko writes them in install order). */
  public List<Package> packages() {
    return packages;
  }

  public Optional<Package> get(String name) {
    return packages.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** Reads a database strictly (see {@link Mode#STRICT}). */
  public static ApkInstalledDb parse(byte[] bytes, String subject) {
    return parse(bytes, subject, Mode.STRICT);
  }

  /**
   * Reads a database. Errors are {@code APK_DB_INVALID} (structure), {@code APK_DB_CHECKSUM_INVALID} and
   * {@code APK_DB_TOO_LARGE}, whose subject is {@code subject:line}.
   */
  public static ApkInstalledDb parse(byte[] bytes, String subject, Mode mode) {
    boolean apko = mode == Mode.APKO;
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
    int n = lines.length;
    if (n > 0 && lines[n - 1].isEmpty()) {
      n--; // a trailing newline ends the last line; it is not an empty line of its own
    }
    List<Package> out = new ArrayList<>();
    Rec r = null;
    int files = 0;
    for (int i = 0; i < n; i++) {
      String line = lines[i];
      if (apko && line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1); // bufio.ScanLines drops one trailing \r
      }
      if (line.isEmpty()) {
        if (r != null && (!apko || !r.name.isEmpty())) {
          out.add(r.build(subject, apko));
          if (out.size() > MAX_PACKAGES) {
            throw new CheckException(ApkDbCode.APK_DB_TOO_LARGE, subject, "more than " + MAX_PACKAGES + " packages");
          }
        }
        r = null;
        continue;
      }
      String where = subject + ":" + (i + 1);
      if (line.length() < 2 || line.charAt(1) != ':') {
        throw CheckException.integrity(ApkDbCode.APK_DB_INVALID, where, "expected 'X:value', found '" + cut(line) + "'");
      }
      if (r == null) {
        r = new Rec();
      }
      char key = line.charAt(0);
      String v = line.substring(2);
      switch (key) {
        case 'P' -> r.name = v;
        case 'V' -> r.version = v;
        case 'A' -> r.arch = v;
        case 'L' -> r.license = v;
        case 'T' -> r.description = v;
        case 'o' -> r.origin = v;
        case 'm' -> r.maintainer = v;
        case 'U' -> r.url = v;
        case 'D' -> r.depends = v;
        case 'p' -> r.provides = v;
        case 'r' -> r.replaces = Optional.of(v);
        case 'i' -> r.installIf = Optional.of(v);
        case 'c' -> r.commit = v;
        case 't' -> r.buildTime = number(v, where, false);
        case 'S' -> r.size = number(v, where, apko);
        case 'I' -> r.installedSize = number(v, where, apko);
        case 'k' -> r.providerPriority = number(v, where, apko);
        case 'C' -> {
          if (!apko) {
            r.control = Optional.of(Checksum.parse(v, where));
          } else if (v.startsWith("Q1")) {
            r.control = Optional.of(Checksum.parse(v, where));
          }
        }
        case 'F' -> {
          r.dir = v;
          r.lastFile = -1;
          r.dirs.add(v);
          if (!v.isEmpty()) {
            r.entries.add(new Entry(v, true, Optional.empty()));
          }
        }
        case 'M' -> {
          if (apko && (r.dir == null || r.dir.isEmpty())) {
            throw CheckException.integrity(ApkDbCode.APK_DB_INVALID, where, "'M:' line without a directory");
          }
        }
        case 'R' -> {
          String path;
          if (apko) {
            path = r.dir == null ? v : joinClean(r.dir, v);
            if (path.equals("..") || path.startsWith("../")) {
              throw CheckException.integrity(ApkDbCode.APK_DB_INVALID, where, "file path escapes its directory: '" + cut(v) + "'");
            }
          } else {
            if (r.dir == null) {
              throw CheckException.integrity(ApkDbCode.APK_DB_INVALID, where, "file line 'R:" + cut(v) + "' before any 'F:' directory line");
            }
            if (v.isEmpty() || v.contains("/")) {
              throw CheckException.integrity(ApkDbCode.APK_DB_INVALID, where, "file name must be one path component: '" + cut(v) + "'");
            }
            path = r.dir.isEmpty() ? v : r.dir + "/" + v;
          }
          if (++files > MAX_FILES) {
            throw new CheckException(ApkDbCode.APK_DB_TOO_LARGE, subject, "more than " + MAX_FILES + " files");
          }
          r.files.add(new InstalledFile(path, Optional.empty()));
          r.entries.add(new Entry(path, false, Optional.empty()));
          r.lastFile = r.files.size() - 1;
        }
        case 'a' -> {
          if (apko && r.lastFile < 0) {
            throw CheckException.integrity(ApkDbCode.APK_DB_INVALID, where, "'a:' line without a file");
          }
        }
        case 'Z' -> {
          if (apko) {
            break; // go-apk does not read file checksums back
          }
          if (r.lastFile < 0) {
            throw CheckException.integrity(ApkDbCode.APK_DB_INVALID, where, "checksum line 'Z:' without a file line before it");
          }
          InstalledFile f = r.files.get(r.lastFile);
          Optional<Checksum> sum = Optional.of(Checksum.parse(v, where));
          r.files.set(r.lastFile, new InstalledFile(f.path(), sum));
          r.entries.set(r.entries.size() - 1, new Entry(f.path(), false, sum));
        }
        default -> {
          // other fields (s, f, q ...) carry nothing a reader here uses
        }
      }
    }
    if (r != null && !apko) {
      out.add(r.build(subject, false));
    }
    return new ApkInstalledDb(out);
  }

  /** Go's {@code filepath.Join(dir, name)} for relative paths. */
  static String joinClean(String dir, String name) {
    String joined = dir.isEmpty() ? name : dir + "/" + name;
    List<String> parts = new ArrayList<>();
    for (String p : joined.split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..") && !parts.isEmpty() && !parts.get(parts.size() - 1).equals("..")) {
        parts.remove(parts.size() - 1);
      } else {
        parts.add(p);
      }
    }
    return parts.isEmpty() ? "." : String.join("/", parts);
  }

  /** A decimal number; {@code unsigned} as Go's {@code ParseUint} (S:, I:, k: in apko mode). */
  private static long number(String v, String where, boolean unsigned) {
    try {
      return unsigned ? Long.parseUnsignedLong(v) : Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw CheckException.integrity(ApkDbCode.APK_DB_INVALID, where, "not a number: '" + cut(v) + "'");
    }
  }

  private static String cut(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private static final class Rec {
    String name = "";
    String version = "";
    String arch = "";
    String license = "";
    String description = "";
    String origin = "";
    String maintainer = "";
    String url = "";
    String depends = "";
    String provides = "";
    Optional<String> replaces = Optional.empty();
    Optional<String> installIf = Optional.empty();
    String commit = "";
    long buildTime;
    long size;
    long installedSize;
    long providerPriority;
    Optional<Checksum> control = Optional.empty();
    String dir;
    int lastFile = -1;
    final List<String> dirs = new ArrayList<>();
    final List<InstalledFile> files = new ArrayList<>();
    final List<Entry> entries = new ArrayList<>();

    Package build(String subject, boolean apko) {
      if (!apko && (name.isEmpty() || version.isEmpty())) {
        throw CheckException.integrity(ApkDbCode.APK_DB_INVALID, subject, "package record without P: name or V: version"
            + (name.isEmpty() ? "" : " (P:" + name + ")"));
      }
      return new Package(name, version, arch, license, description, origin, maintainer, url, depends, provides,
          replaces, commit, buildTime, installIf, size, installedSize, providerPriority, control, dirs, files, entries);
    }
  }
}
