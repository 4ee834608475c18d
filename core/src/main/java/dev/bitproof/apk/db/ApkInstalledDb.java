package dev.bitproof.apk.db;

import dev.bitproof.report.CheckException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * apk's installed database ({@code usr/lib/apk/db/installed}, formerly {@code lib/apk/db/installed}): one record
 * per package, blank-line separated, {@code X:value} lines. Only the fields a verifier needs are kept; file lines
 * ({@code F:} directory, {@code R:} file, {@code Z:} checksum) are turned into full paths.
 *
 * <p>Parsing is strict about structure (a file before any directory line, a checksum without a file, an unknown
 * checksum encoding) and bounded in size, because the database comes from an untrusted layer.
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
   * One package record.
   *
   * @param controlChecksum {@code C:} the Q1 SHA-1 of the package's control stream
   * @param directories every {@code F:} line, in order
   */
  public record Package(String name, String version, String arch, String license, String description, String origin,
      String maintainer, String url, String commit, long buildTime, Optional<Checksum> controlChecksum,
      List<String> directories, List<InstalledFile> files) {
    public Package {
      directories = List.copyOf(directories);
      files = List.copyOf(files);
    }
  }

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

  public static ApkInstalledDb parse(byte[] bytes, String subject) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    List<Package> out = new ArrayList<>();
    Rec r = null;
    int files = 0;
    int lineNo = 0;
    for (String line : text.split("\n", -1)) {
      lineNo++;
      if (line.isEmpty()) {
        if (r != null) {
          out.add(r.build(subject));
          if (out.size() > MAX_PACKAGES) {
            throw new CheckException(ApkDbCode.APK_DB_TOO_LARGE, subject, "more than " + MAX_PACKAGES + " packages");
          }
          r = null;
        }
        continue;
      }
      if (line.length() < 2 || line.charAt(1) != ':') {
        throw CheckException.integrity(ApkDbCode.APK_DB_INVALID, subject + ":" + lineNo, "expected 'X:value', found '" + cut(line) + "'");
      }
      if (r == null) {
        r = new Rec();
      }
      char key = line.charAt(0);
      String v = line.substring(2);
      String where = subject + ":" + lineNo;
      switch (key) {
        case 'P' -> r.name = v;
        case 'V' -> r.version = v;
        case 'A' -> r.arch = v;
        case 'L' -> r.license = v;
        case 'T' -> r.description = v;
        case 'o' -> r.origin = v;
        case 'm' -> r.maintainer = v;
        case 'U' -> r.url = v;
        case 'c' -> r.commit = v;
        case 't' -> r.buildTime = parseLong(v, where);
        case 'C' -> r.control = Optional.of(Checksum.parse(v, where));
        case 'F' -> {
          r.dir = v;
          r.dirs.add(v);
          r.lastFile = -1;
        }
        case 'R' -> {
          if (r.dir == null) {
            throw CheckException.integrity(ApkDbCode.APK_DB_INVALID, where, "file line 'R:" + cut(v) + "' before any 'F:' directory line");
          }
          if (v.isEmpty() || v.contains("/")) {
            throw CheckException.integrity(ApkDbCode.APK_DB_INVALID, where, "file name must be one path component: '" + cut(v) + "'");
          }
          if (++files > MAX_FILES) {
            throw new CheckException(ApkDbCode.APK_DB_TOO_LARGE, subject, "more than " + MAX_FILES + " files");
          }
          r.files.add(new InstalledFile(r.dir.isEmpty() ? v : r.dir + "/" + v, Optional.empty()));
          r.lastFile = r.files.size() - 1;
        }
        case 'Z' -> {
          if (r.lastFile < 0) {
            throw CheckException.integrity(ApkDbCode.APK_DB_INVALID, where, "checksum line 'Z:' without a file line before it");
          }
          InstalledFile f = r.files.get(r.lastFile);
          r.files.set(r.lastFile, new InstalledFile(f.path(), Optional.of(Checksum.parse(v, where))));
        }
        default -> {
          // other fields (D, p, r, i, S, I, k, M, a, q, s, f ...) carry nothing a content check uses
        }
      }
    }
    if (r != null) {
      out.add(r.build(subject));
    }
    return new ApkInstalledDb(out);
  }

  private static long parseLong(String v, String where) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw CheckException.integrity(ApkDbCode.APK_DB_INVALID, where, "not a number: '" + cut(v) + "'");
    }
  }

  private static String cut(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private static final class Rec {
    String name;
    String version;
    String arch = "";
    String license = "";
    String description = "";
    String origin = "";
    String maintainer = "";
    String url = "";
    String commit = "";
    long buildTime;
    Optional<Checksum> control = Optional.empty();
    String dir;
    int lastFile = -1;
    final List<String> dirs = new ArrayList<>();
    final List<InstalledFile> files = new ArrayList<>();

    Package build(String subject) {
      if (name == null || name.isEmpty() || version == null || version.isEmpty()) {
        throw CheckException.integrity(ApkDbCode.APK_DB_INVALID, subject, "package record without P: name or V: version"
            + (name == null ? "" : " (P:" + name + ")"));
      }
      return new Package(name, version, arch, license, description, origin, maintainer, url, commit, buildTime, control,
          dirs, files);
    }
  }
}
