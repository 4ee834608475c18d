package dev.bitproof.deb;

import dev.bitproof.report.CheckException;
import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.tar.TarEntryInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dpkg database of a root filesystem, in either layout:
 * <ul>
 *   <li>dpkg's own: {@code var/lib/dpkg/status} plus {@code info/<pkg>[:<arch>].{md5sums,list,conffiles}} and
 *       {@code diversions};</li>
 *   <li>distroless: {@code var/lib/dpkg/status.d/<pkg>} (the deb's control file, no {@code Status:}) plus
 *       {@code status.d/<pkg>.md5sums}; no {@code .list}, no conffiles list. The older
 *       {@code status.d/<pkg>/control} + {@code status.d/<pkg>/md5sums} form is read too.</li>
 * </ul>
 * Paths in this API are absolute ({@code /usr/bin/dash}), as dpkg writes them in {@code .list} files.
 */
public final class DpkgDatabase {
  public static final String DPKG_DIR = "var/lib/dpkg";
  public static final String STATUS = DPKG_DIR + "/status";
  public static final String STATUS_D = DPKG_DIR + "/status.d";
  public static final String INFO = DPKG_DIR + "/info";
  public static final String DIVERSIONS = DPKG_DIR + "/diversions";
  /** More packages than this is {@code DPKG_DB_LIMIT} (a full Debian install has a few thousand). */
  public static final int MAX_PACKAGES = 100_000;

  private static final Pattern MD5 = Pattern.compile("[0-9a-f]{32}");

  /** Where the package list came from. */
  public enum Layout {
    /** {@code var/lib/dpkg/status}. */
    STATUS("dpkg status"),
    /** {@code var/lib/dpkg/status.d} (distroless). */
    STATUS_D("status.d (distroless)"),
    /** Both present; packages from both are merged, status wins. */
    BOTH("dpkg status + status.d"),
    /** Neither present. */
    NONE("none");

    private final String label;

    Layout(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** Read access to a root filesystem; paths are relative and normalized ({@code var/lib/dpkg/status}). */
  public interface FileAccess {
    Optional<byte[]> read(String path) throws IOException;

    /** Names (not paths) of the entries directly in {@code dir}, sorted; empty when it is absent. */
    List<String> children(String dir) throws IOException;
  }

  /** One line of an md5sums file. @param path absolute */
  public record Md5Entry(String path, String md5) {}

  /** A status {@code Conffiles:} line. @param flags {@code obsolete}, {@code remove-on-upgrade} */
  public record Conffile(String path, String md5, List<String> flags) {
    public Conffile {
      flags = List.copyOf(flags);
    }

    public boolean obsolete() {
      return flags.contains("obsolete");
    }

    /** dpkg writes {@code newconffile} while the package is unpacked but not configured. */
    public boolean hasHash() {
      return MD5.matcher(md5).matches();
    }
  }

  /** A {@code diversions} record: {@code path} is moved to {@code divertedTo} by {@code byPackage} (":" = local). */
  public record Diversion(String path, String divertedTo, String byPackage) {}

  /**
   * One package of the database.
   *
   * @param status the {@code Status:} value ("install ok installed"); empty for status.d, where every listed
   *     package is installed
   * @param infoName the name of its {@code info/} files ({@code libc6:amd64} for Multi-Arch: same)
   * @param listedPaths the {@code .list} contents (absolute, directories included); empty without a .list
   * @param hasFileList whether a {@code .list} file was present
   */
  public record InstalledPackage(String name, String architecture, DebVersion version, String status,
      ControlParagraph control, String infoName, List<Md5Entry> md5sums, List<Conffile> conffiles,
      List<String> listedPaths, boolean hasFileList) {
    public InstalledPackage {
      md5sums = List.copyOf(md5sums);
      conffiles = List.copyOf(conffiles);
      listedPaths = List.copyOf(listedPaths);
    }

    /** True unless dpkg's state (third word of Status) says the files are not there. */
    public boolean isInstalled() {
      if (status.isEmpty()) {
        return true;
      }
      String[] w = status.trim().split("\\s+");
      String state = w[w.length - 1];
      return !state.equals("not-installed") && !state.equals("config-files");
    }

    /** The source package name ({@code Source:} without its version, or the package name). */
    public String sourceName() {
      String s = control.value("Source").trim();
      if (s.isEmpty()) {
        return name;
      }
      int sp = s.indexOf(' ');
      return sp < 0 ? s : s.substring(0, sp);
    }

    /** The source version: the one in parentheses in {@code Source:}, else the binary version. */
    public DebVersion sourceVersion() {
      String s = control.value("Source");
      int open = s.indexOf('(');
      int close = s.indexOf(')');
      if (open >= 0 && close > open) {
        return DebVersion.parse(s.substring(open + 1, close));
      }
      return version;
    }

    /** {@code name:arch}, dpkg's unambiguous key. */
    public String key() {
      return name + ":" + architecture;
    }
  }

  private final Layout layout;
  private final List<InstalledPackage> packages;
  private final List<Diversion> diversions;

  private DpkgDatabase(Layout layout, List<InstalledPackage> packages, List<Diversion> diversions) {
    this.layout = layout;
    this.packages = List.copyOf(packages);
    this.diversions = List.copyOf(diversions);
  }

  public Layout layout() {
    return layout;
  }

  /** Every package of the database, sorted by name then architecture. */
  public List<InstalledPackage> packages() {
    return packages;
  }

  /** Packages whose files should be on disk. */
  public List<InstalledPackage> installed() {
    return packages.stream().filter(InstalledPackage::isInstalled).toList();
  }

  public List<Diversion> diversions() {
    return diversions;
  }

  public Optional<InstalledPackage> find(String name) {
    return packages.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** Should a layer reader keep this file's bytes for {@link #read}? (normalized relative path) */
  public static boolean isDatabasePath(String path) {
    return path.startsWith(DPKG_DIR + "/");
  }

  /** Reads the database of {@code root}. A root with neither layout gives {@link Layout#NONE} and no packages. */
  public static DpkgDatabase read(FileAccess root) throws IOException {
    List<InstalledPackage> out = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    Optional<byte[]> status = root.read(STATUS);
    boolean hasStatusD = !root.children(STATUS_D).isEmpty();
    if (status.isPresent()) {
      for (ControlParagraph p : Deb822.parse(status.get(), STATUS)) {
        InstalledPackage ip = fromStatus(root, p);
        if (keys.add(ip.key())) {
          out.add(ip);
        }
        checkCount(out);
      }
    }
    if (hasStatusD) {
      for (InstalledPackage ip : readStatusD(root)) {
        if (keys.add(ip.key())) {
          out.add(ip);
        }
        checkCount(out);
      }
    }
    Layout layout = status.isPresent() ? (hasStatusD ? Layout.BOTH : Layout.STATUS)
        : (hasStatusD ? Layout.STATUS_D : Layout.NONE);
    out.sort(Comparator.comparing(InstalledPackage::name).thenComparing(InstalledPackage::architecture));
    return new DpkgDatabase(layout, out, readDiversions(root));
  }

  private static void checkCount(List<InstalledPackage> out) {
    if (out.size() > MAX_PACKAGES) {
      throw new CheckException(DebCode.DPKG_DB_LIMIT, STATUS, "more than " + MAX_PACKAGES + " packages");
    }
  }

  private static InstalledPackage fromStatus(FileAccess root, ControlParagraph p) throws IOException {
    String name = required(p, "Package", STATUS);
    String arch = p.value("Architecture");
    DebVersion version = DebVersion.parse(required(p, "Version", STATUS + " " + name));
    String infoName = name;
    List<Md5Entry> md5 = List.of();
    List<String> list = List.of();
    boolean hasList = false;
    // Multi-Arch: same packages use <pkg>:<arch>.*; others <pkg>.*; try the qualified name first
    for (String candidate : List.of(name + ":" + arch, name)) {
      Optional<byte[]> l = root.read(INFO + "/" + candidate + ".list");
      Optional<byte[]> m = root.read(INFO + "/" + candidate + ".md5sums");
      if (l.isPresent() || m.isPresent()) {
        infoName = candidate;
        hasList = l.isPresent();
        list = l.map(DpkgDatabase::parseList).orElse(List.of());
        md5 = m.isPresent() ? parseMd5sums(m.get(), INFO + "/" + candidate + ".md5sums") : List.of();
        break;
      }
    }
    return new InstalledPackage(name, arch, version, p.value("Status"), p, infoName, md5,
        parseConffiles(p, STATUS + " " + name), list, hasList);
  }

  private static List<InstalledPackage> readStatusD(FileAccess root) throws IOException {
    List<InstalledPackage> out = new ArrayList<>();
    List<String> names = root.children(STATUS_D);
    Set<String> nameSet = new HashSet<>(names);
    for (String n : names) {
      if (n.endsWith(".md5sums")) {
        continue;
      }
      String control = STATUS_D + "/" + n;
      Optional<byte[]> bytes = root.read(control);
      String md5Path = STATUS_D + "/" + n + ".md5sums";
      if (bytes.isEmpty()) {
        // the older rules_distroless layout: status.d/<pkg>/control and status.d/<pkg>/md5sums
        bytes = root.read(control + "/control");
        md5Path = control + "/md5sums";
        if (bytes.isEmpty()) {
          continue;
        }
        control = control + "/control";
      } else if (!nameSet.contains(n + ".md5sums")) {
        md5Path = null;
      }
      Optional<byte[]> md5 = md5Path == null ? Optional.empty() : root.read(md5Path);
      List<Md5Entry> sums = md5.isPresent() ? parseMd5sums(md5.get(), md5Path) : List.of();
      for (ControlParagraph p : Deb822.parse(bytes.get(), control)) {
        String name = required(p, "Package", control);
        out.add(new InstalledPackage(name, p.value("Architecture"),
            DebVersion.parse(required(p, "Version", control)), p.value("Status"), p, n, sums,
            parseConffiles(p, control), List.of(), false));
      }
    }
    return out;
  }

  private static String required(ControlParagraph p, String field, String subject) {
    String v = p.value(field).trim();
    if (v.isEmpty()) {
      throw CheckException.integrity(DebCode.DPKG_DB_SYNTAX, subject, "stanza at line " + p.line() + " has no " + field + ":");
    }
    return v;
  }

  /** Parses an md5sums file: {@code <md5>  <path>} per line, path relative to the root. */
  public static List<Md5Entry> parseMd5sums(byte[] bytes, String subject) {
    List<Md5Entry> out = new ArrayList<>();
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank()) {
        continue;
      }
      if (line.length() < 35 || !MD5.matcher(line.substring(0, 32).toLowerCase(Locale.ROOT)).matches()
          || line.charAt(32) != ' ' || (line.charAt(33) != ' ' && line.charAt(33) != '*')) {
        throw CheckException.integrity(DebCode.DPKG_MD5SUMS_SYNTAX, subject + ":" + (i + 1), "not '<md5>  <path>'");
      }
      String path = line.substring(34);
      out.add(new Md5Entry(absolute(path), line.substring(0, 32).toLowerCase(Locale.ROOT)));
    }
    return out;
  }

  /** A {@code .list} file: absolute paths, one per line, {@code /.} first. */
  public static List<String> parseList(byte[] bytes) {
    List<String> out = new ArrayList<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      if (!line.isEmpty()) {
        out.add(line);
      }
    }
    return out;
  }

  /** The status {@code Conffiles:} field: {@code  /etc/path <md5> [obsolete] [remove-on-upgrade]} per line. */
  public static List<Conffile> parseConffiles(ControlParagraph p, String subject) {
    List<Conffile> out = new ArrayList<>();
    for (String line : p.continuationLines("Conffiles")) {
      List<String> w = new ArrayList<>(List.of(line.split("\\s+")));
      List<String> flags = new ArrayList<>();
      while (w.size() > 2 && (w.get(w.size() - 1).equals("obsolete") || w.get(w.size() - 1).equals("remove-on-upgrade"))) {
        flags.add(0, w.remove(w.size() - 1));
      }
      if (w.size() < 2) {
        throw CheckException.integrity(DebCode.DPKG_DB_SYNTAX, subject, "bad Conffiles line '" + line + "'");
      }
      String md5 = w.remove(w.size() - 1);
      out.add(new Conffile(String.join(" ", w), md5, flags));
    }
    return out;
  }

  private static List<Diversion> readDiversions(FileAccess root) throws IOException {
    Optional<byte[]> d = root.read(DIVERSIONS);
    if (d.isEmpty()) {
      return List.of();
    }
    String[] lines = new String(d.get(), StandardCharsets.UTF_8).split("\n");
    List<Diversion> out = new ArrayList<>();
    for (int i = 0; i + 2 < lines.length; i += 3) {
      out.add(new Diversion(lines[i], lines[i + 1], lines[i + 2]));
    }
    if (lines.length % 3 != 0 && !(lines.length == 1 && lines[0].isEmpty())) {
      throw CheckException.integrity(DebCode.DPKG_DB_SYNTAX, DIVERSIONS, "diversions is not groups of 3 lines");
    }
    return out;
  }

  private static String absolute(String path) {
    return path.startsWith("/") ? path : "/" + path;
  }

  /** Reads from a merged image filesystem (its {@code var/lib/dpkg} files must have been kept). */
  public static FileAccess access(ImageFilesystem fs) {
    return new FileAccess() {
      @Override
      public Optional<byte[]> read(String path) {
        Optional<ImageFilesystem.Node> n = fs.resolve(path);
        if (n.isEmpty() || n.get().entry().type() != TarEntryInfo.Type.FILE) {
          return Optional.empty();
        }
        return n.get().entry().content();
      }

      @Override
      public List<String> children(String dir) {
        TreeSet<String> out = new TreeSet<>();
        String prefix = dir + "/";
        Map<String, ImageFilesystem.Node> m = fs.asMap();
        Iterable<String> keys = m instanceof NavigableMap<String, ImageFilesystem.Node> nm
            ? nm.subMap(prefix, true, prefix + Character.MAX_VALUE, true).keySet() : m.keySet();
        for (String k : keys) {
          if (k.startsWith(prefix) && k.indexOf('/', prefix.length()) < 0) {
            out.add(k.substring(prefix.length()));
          }
        }
        return List.copyOf(out);
      }
    };
  }

  /** Reads from an unpacked root directory on disk (symlinks are not followed out of it). */
  public static FileAccess access(Path rootDir) {
    return new FileAccess() {
      @Override
      public Optional<byte[]> read(String path) throws IOException {
        Path p = rootDir.resolve(path).normalize();
        if (!p.startsWith(rootDir.normalize()) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          return Optional.empty();
        }
        return Optional.of(Files.readAllBytes(p));
      }

      @Override
      public List<String> children(String dir) throws IOException {
        Path p = rootDir.resolve(dir).normalize();
        if (!p.startsWith(rootDir.normalize()) || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          return List.of();
        }
        try (Stream<Path> s = Files.list(p)) {
          return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
      }
    };
  }
}
