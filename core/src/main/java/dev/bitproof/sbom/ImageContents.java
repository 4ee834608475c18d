package dev.bitproof.sbom;

import dev.bitproof.apk.db.ApkInstalledDb;
import dev.bitproof.deb.DebCode;
import dev.bitproof.deb.DpkgDatabase;
import dev.bitproof.report.CheckException;
import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.tar.TarReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.HashSet;
import java.util.Set;

/**
 * What an image's layers say about themselves: the installed packages from the image's own package database
 * (apk {@code installed}, dpkg {@code status} or distroless {@code status.d}), the os-release, and the per-package
 * SBOMs melange put in {@code var/lib/db/sbom}. Read from the merged filesystem (whiteouts applied).
 */
public final class ImageContents {
  /** The database and metadata files to keep in memory while the layers stream by. */
  public static final TarReader.KeepPredicate KEEP = (path, size) -> path.startsWith("usr/lib/apk/db/installed")
      || path.startsWith("lib/apk/db/installed") || (DpkgDatabase.isDatabasePath(path)
          && !(path.startsWith("var/lib/dpkg/info/") && !path.endsWith(".md5sums") && !path.endsWith(".list")))
      || path.equals("etc/os-release") || path.equals("usr/lib/os-release")
      || (path.startsWith("var/lib/db/sbom/") && path.endsWith(".spdx.json"))
      || (path.startsWith("usr/share/doc/") && path.endsWith("/copyright") && size <= 1 << 20); // licences

  /** Where the package database was found. */
  public enum Database { APK, DPKG_STATUS, DPKG_STATUS_D, NONE }

  private final ImageFilesystem fs;
  private final Database database;
  private final String databasePath;
  private final List<InstalledPackage> packages;
  private final OsRelease osRelease;
  private final Optional<ApkInstalledDb> apkDb;
  private final Set<String> listedPaths;

  private ImageContents(ImageFilesystem fs, Database database, String databasePath, List<InstalledPackage> packages,
      OsRelease osRelease, Optional<ApkInstalledDb> apkDb, Set<String> listedPaths) {
    this.listedPaths = Set.copyOf(listedPaths);
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
        return new ImageContents(fs, Database.APK, p, out, os, Optional.of(apk), Set.of());
      }
    }
    DpkgDatabase dpkg;
    try {
      dpkg = DpkgDatabase.read(DpkgDatabase.access(fs));
    } catch (java.io.IOException e) {
      throw new CheckException(DebCode.DPKG_DB_UNREADABLE, DpkgDatabase.DPKG_DIR, "cannot read the dpkg database: " + e.getMessage(), e);
    }
    if (dpkg.layout() != DpkgDatabase.Layout.NONE) {
      List<InstalledPackage> out = new ArrayList<>();
      Set<String> listed = new HashSet<>();
      for (DpkgDatabase.InstalledPackage dp : dpkg.installed()) {
        List<InstalledPackage.OwnedFile> files = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (DpkgDatabase.Md5Entry m : dp.md5sums()) {
          String path = SbomReader.normalizePath(m.path());
          if (seen.add(path)) {
            files.add(new InstalledPackage.OwnedFile(path, "MD5", m.md5()));
          }
        }
        // conffiles are not in md5sums; dpkg records their shipped md5 in Conffiles:
        for (DpkgDatabase.Conffile c : dp.conffiles()) {
          String path = SbomReader.normalizePath(c.path());
          if (!c.obsolete() && seen.add(path)) {
            files.add(new InstalledPackage.OwnedFile(path, "MD5", c.hasHash() ? c.md5().toLowerCase(java.util.Locale.ROOT) : "", true));
          }
        }
        dp.listedPaths().forEach(l -> listed.add(SbomReader.normalizePath(l)));
        out.add(new InstalledPackage(InstalledPackage.Ecosystem.DEB, dp.name(), dp.version().toString(), dp.architecture(),
            dp.sourceName(), files));
      }
      Database kind = dpkg.layout() == DpkgDatabase.Layout.STATUS_D ? Database.DPKG_STATUS_D : Database.DPKG_STATUS;
      String path = kind == Database.DPKG_STATUS_D ? DpkgDatabase.STATUS_D : DpkgDatabase.STATUS;
      return new ImageContents(fs, kind, path, out, os, Optional.empty(), listed);
    }
    return new ImageContents(fs, Database.NONE, "", List.of(), os, Optional.empty(), Set.of());
  }

  private static Optional<byte[]> safeContent(ImageFilesystem fs, String path) {
    return fs.content(path);
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

  /** The per-package SBOM melange shipped for an apk, found where apko looks for it. */
  public Optional<String> embeddedSbomPath(String name, String version) {
    return ApkoSpdx.embeddedSbomCandidates(name, version).stream().filter(p -> fs.get(p).isPresent()).findFirst();
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
    // dpkg's .list files also name the symlinks and directories a package shipped
    listedPaths.forEach(l -> owner.putIfAbsent(l, "(dpkg .list)"));
    return owner;
  }
}
