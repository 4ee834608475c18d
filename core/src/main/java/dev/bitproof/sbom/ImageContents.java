package dev.bitproof.sbom;

import dev.bitproof.apk.db.ApkInstalledDb;
import dev.bitproof.report.CheckException;
import dev.bitproof.tar.ImageFilesystem;
import dev.bitproof.tar.TarEntryInfo;
import dev.bitproof.tar.TarReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What an image's layers say about themselves: the installed packages from the image's own package database
 * (apk {@code installed}, dpkg {@code status} or distroless {@code status.d}), the os-release, and the per-package
 * SBOMs melange put in {@code var/lib/db/sbom}. Read from the merged filesystem (whiteouts applied).
 */
public final class ImageContents {
  /** The database and metadata files to keep in memory while the layers stream by. */
  public static final TarReader.KeepPredicate KEEP = (path, size) -> path.startsWith("usr/lib/apk/db/installed")
      || path.startsWith("lib/apk/db/installed") || path.startsWith("var/lib/dpkg/status")
      || (path.startsWith("var/lib/dpkg/info/") && path.endsWith(".md5sums"))
      || path.equals("etc/os-release") || path.equals("usr/lib/os-release")
      || (path.startsWith("var/lib/db/sbom/") && path.endsWith(".spdx.json"));

  /** Where the package database was found. */
  public enum Database { APK, DPKG_STATUS, DPKG_STATUS_D, NONE }

  private final ImageFilesystem fs;
  private final Database database;
  private final String databasePath;
  private final List<InstalledPackage> packages;
  private final OsRelease osRelease;
  private final Optional<ApkInstalledDb> apkDb;

  private ImageContents(ImageFilesystem fs, Database database, String databasePath, List<InstalledPackage> packages,
      OsRelease osRelease, Optional<ApkInstalledDb> apkDb) {
    this.fs = fs;
    this.database = database;
    this.databasePath = databasePath;
    this.packages = List.copyOf(packages);
    this.osRelease = osRelease;
    this.apkDb = apkDb;
  }

  public static ImageContents of(ImageFilesystem fs) {
    OsRelease os = fs.content("etc/os-release").or(() -> fs.content("usr/lib/os-release"))
        .map(OsRelease::parse).orElse(OsRelease.empty());
    for (String p : List.of("usr/lib/apk/db/installed", "lib/apk/db/installed")) {
      Optional<byte[]> db = safeContent(fs, p);
      if (db.isPresent()) {
        ApkInstalledDb apk = ApkInstalledDb.parse(db.get(), p);
        List<InstalledPackage> out = new ArrayList<>();
        for (ApkInstalledDb.Package ap : apk.packages()) {
          List<InstalledPackage.OwnedFile> files = new ArrayList<>();
          for (ApkInstalledDb.InstalledFile f : ap.files()) {
            files.add(new InstalledPackage.OwnedFile(f.path(), f.checksum().map(ApkInstalledDb.Checksum::algorithm).orElse("SHA-1"),
                f.checksum().map(ApkInstalledDb.Checksum::hex).orElse("")));
          }
          out.add(new InstalledPackage(InstalledPackage.Ecosystem.APK, ap.name(), ap.version(), ap.arch(), ap.origin(), files));
        }
        return new ImageContents(fs, Database.APK, p, out, os, Optional.of(apk));
      }
    }
    Optional<byte[]> status = safeContent(fs, "var/lib/dpkg/status");
    if (status.isPresent()) {
      List<InstalledPackage> out = new ArrayList<>();
      for (Map<String, String> st : DebControl.stanzas(status.get(), "var/lib/dpkg/status")) {
        String state = st.getOrDefault("Status", "");
        if (!state.endsWith(" installed")) {
          continue;
        }
        String name = st.getOrDefault("Package", "");
        String arch = st.getOrDefault("Architecture", "");
        Optional<byte[]> sums = safeContent(fs, "var/lib/dpkg/info/" + name + ".md5sums")
            .or(() -> safeContent(fs, "var/lib/dpkg/info/" + name + ":" + arch + ".md5sums"));
        out.add(deb(st, sums, "var/lib/dpkg/info/" + name + ".md5sums"));
      }
      return new ImageContents(fs, Database.DPKG_STATUS, "var/lib/dpkg/status", out, os, Optional.empty());
    }
    Map<String, ImageFilesystem.Node> statusD = new TreeMap<>();
    fs.asMap().forEach((path, node) -> {
      if (path.startsWith("var/lib/dpkg/status.d/") && node.entry().type() == TarEntryInfo.Type.FILE) {
        statusD.put(path, node);
      }
    });
    if (!statusD.isEmpty()) {
      List<InstalledPackage> out = new ArrayList<>();
      for (String path : statusD.keySet()) {
        if (path.endsWith(".md5sums") || path.substring("var/lib/dpkg/status.d/".length()).contains("/")) {
          continue;
        }
        byte[] control = safeContent(fs, path).orElseThrow(() -> new CheckException("DPKG_DB_UNREADABLE", path,
            "status.d entry was not kept in memory"));
        for (Map<String, String> st : DebControl.stanzas(control, path)) {
          out.add(deb(st, safeContent(fs, path + ".md5sums"), path + ".md5sums"));
        }
      }
      return new ImageContents(fs, Database.DPKG_STATUS_D, "var/lib/dpkg/status.d", out, os, Optional.empty());
    }
    return new ImageContents(fs, Database.NONE, "", List.of(), os, Optional.empty());
  }

  private static Optional<byte[]> safeContent(ImageFilesystem fs, String path) {
    return fs.content(path);
  }

  private static InstalledPackage deb(Map<String, String> st, Optional<byte[]> md5sums, String sumsPath) {
    String source = st.getOrDefault("Source", "");
    int sp = source.indexOf(' ');
    if (sp > 0) {
      source = source.substring(0, sp);
    }
    List<InstalledPackage.OwnedFile> files = new ArrayList<>();
    if (md5sums.isPresent()) {
      int lineNo = 0;
      for (String line : new String(md5sums.get(), StandardCharsets.UTF_8).split("\n")) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        if (line.length() < 35 || line.charAt(32) != ' ' || !line.substring(0, 32).matches("[0-9a-f]{32}")) {
          throw CheckException.integrity("DPKG_MD5SUMS_INVALID", sumsPath + ":" + lineNo, "expected '<md5>  <path>'");
        }
        files.add(new InstalledPackage.OwnedFile(SbomReader.normalizePath(line.substring(34).strip()), "MD5", line.substring(0, 32)));
      }
    }
    return new InstalledPackage(InstalledPackage.Ecosystem.DEB, st.getOrDefault("Package", ""), st.getOrDefault("Version", ""),
        st.getOrDefault("Architecture", ""), source, files);
  }

  public ImageFilesystem filesystem() {
    return fs;
  }

  public Database database() {
    return database;
  }

  public String databasePath() {
    return databasePath;
  }

  public List<InstalledPackage> packages() {
    return packages;
  }

  public OsRelease osRelease() {
    return osRelease;
  }

  public Optional<ApkInstalledDb> apkDatabase() {
    return apkDb;
  }

  /**
   * The per-package SBOM melange shipped for an apk, where apko looks for it: {@code <name>-<version>},
   * {@code <name>-<version without -rN>}, then {@code <name>} ({@code .spdx.json} under {@code var/lib/db/sbom}).
   */
  public Optional<String> embeddedSbomPath(String name, String version) {
    for (String cand : List.of(name + "-" + version, name + "-" + version.replaceFirst("-r\\d+$", ""), name)) {
      String p = "var/lib/db/sbom/" + cand + ".spdx.json";
      Optional<ImageFilesystem.Node> n = fs.get(p);
      if (n.isPresent()) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Every path a package claims (files and, for apk, directories), for the "owned by no package" check. */
  public Map<String, String> ownerByPath() {
    Map<String, String> owner = new LinkedHashMap<>();
    for (InstalledPackage p : packages) {
      for (InstalledPackage.OwnedFile f : p.files()) {
        owner.put(f.path(), p.name());
      }
    }
    apkDb.ifPresent(db -> db.packages().forEach(p -> p.directories().forEach(d -> owner.putIfAbsent(d, p.name()))));
    return owner;
  }
}
