package dev.bitproof.deb;

import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.tar.TarEntryInfo;
import dev.bitproof.tar.TarPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a Debian-based root filesystem against its own dpkg database: every md5sums file's content (after
 * diversions and symlinks inside the root), conffile hashes from {@code status}, and the files no package
 * owns (allowed when {@link GeneratedFiles} or update-alternatives explains them). With verified Packages
 * indexes it also proves each installed package version is in the signed archive with the same control stanza.
 */
public final class DpkgImageCheck {
  /** Fields dpkg adds to status, and the archive may legitimately override, are not compared. */
  private static final Set<String> DPKG_ONLY = Set.of("status", "conffiles", "config-version", "description");
  private static final Set<String> OVERRIDES = Set.of("section", "priority");

  /**
   * @param failOnUnowned an unowned file no rule explains fails the check (default: WARN)
   */
  public record Options(boolean failOnUnowned) {
    public static Options defaults() {
      return new Options(false);
    }
  }

  /** What the check saw. {@code unowned} is every non-directory path no package claims (absolute, sorted). */
  public record Result(DpkgDatabase database, int filesChecked, int filesOk, List<String> unowned,
      Map<String, String> unownedExplained, List<Finding> findings) {
    public Result {
      unowned = List.copyOf(unowned);
      unownedExplained = java.util.Collections.unmodifiableMap(new TreeMap<>(unownedExplained));
      findings = List.copyOf(findings);
    }

    public boolean passed() {
      return findings.stream().noneMatch(Finding::fails);
    }
  }

  private DpkgImageCheck() {}

  public static Result check(ImageFilesystem fs, Options options) throws IOException {
    DpkgDatabase db = DpkgDatabase.read(DpkgDatabase.access(fs));
    List<Finding> out = new ArrayList<>();
    if (db.layout() == DpkgDatabase.Layout.NONE) {
      throw new CheckException(DebCode.DPKG_DB_MISSING, "/var/lib/dpkg",
          "no dpkg database (neither var/lib/dpkg/status nor status.d): not a Debian-based image");
    }
    Canon canon = new Canon(fs);
    Map<String, DpkgDatabase.Diversion> diversions = new HashMap<>();
    for (DpkgDatabase.Diversion d : db.diversions()) {
      diversions.put(d.path(), d);
    }
    int checked = 0;
    int ok = 0;
    Set<String> owned = new HashSet<>();
    for (DpkgDatabase.InstalledPackage p : db.installed()) {
      for (DpkgDatabase.Md5Entry e : p.md5sums()) {
        checked++;
        String where = diverted(e.path(), p.name(), diversions);
        Optional<ImageFilesystem.Node> n = resolve(fs, where);
        if (n.isEmpty() || n.get().entry().type() != TarEntryInfo.Type.FILE) {
          out.add(new Finding(DebCode.DPKG_FILE_MISSING, Severity.FAIL, where, "a file of " + p.name() + " is missing", null)
              .with("package", p.key()).with("expectedMd5", e.md5()));
          continue;
        }
        String actual = n.get().entry().md5Hex().orElse("");
        if (!actual.equals(e.md5())) {
          out.add(new Finding(DebCode.DPKG_FILE_MODIFIED, Severity.FAIL, where, "content differs from " + p.name() + "'s md5sums", null)
              .with("package", p.key()).with("expectedMd5", e.md5()).with("actualMd5", actual).with("layer", n.get().layer()));
          continue;
        }
        ok++;
      }
      for (DpkgDatabase.Conffile c : p.conffiles()) {
        if (c.obsolete() || !c.hasHash()) {
          continue;
        }
        Optional<ImageFilesystem.Node> n = resolve(fs, c.path());
        if (n.isEmpty() || n.get().entry().type() != TarEntryInfo.Type.FILE) {
          out.add(new Finding(DebCode.DPKG_CONFFILE_MISSING, Severity.WARN, c.path(), "a conffile of " + p.name() + " is missing", null)
              .with("package", p.key()));
        } else if (!n.get().entry().md5Hex().orElse("").equals(c.md5())) {
          out.add(new Finding(DebCode.DPKG_CONFFILE_CHANGED, Severity.WARN, c.path(), "conffile differs from the packaged one", null)
              .with("package", p.key()).with("expectedMd5", c.md5()).with("actualMd5", n.get().entry().md5Hex().orElse("")));
        }
      }
      List<String> claims = new ArrayList<>(p.listedPaths());
      if (!p.hasFileList()) {
        p.md5sums().forEach(e -> claims.add(e.path()));
      }
      for (String path : claims) {
        owned.add(canon.of(path));
        DpkgDatabase.Diversion d = diversions.get(path);
        if (d != null) {
          owned.add(canon.of(d.divertedTo()));
        }
      }
    }
    Map<String, String> alternatives = alternatives(fs);
    List<String> unowned = new ArrayList<>();
    Map<String, String> explained = new TreeMap<>();
    for (ImageFilesystem.Node n : fs.nodes()) {
      TarEntryInfo.Type t = n.entry().type();
      if (t == TarEntryInfo.Type.DIRECTORY || t == TarEntryInfo.Type.CHAR_DEVICE || t == TarEntryInfo.Type.BLOCK_DEVICE
          || t == TarEntryInfo.Type.FIFO) {
        continue;
      }
      String abs = "/" + n.path();
      if (owned.contains(canon.of(abs))) {
        continue;
      }
      unowned.add(abs);
      String why = GeneratedFiles.reason(abs);
      if (why == null && alternatives.containsKey(abs)) {
        why = "update-alternatives link (" + alternatives.get(abs) + ")";
      }
      if (why == null && t == TarEntryInfo.Type.SYMLINK && n.entry().linkTarget().startsWith("/etc/alternatives/")) {
        why = "update-alternatives link";
      }
      if (why == null && db.layout() == DpkgDatabase.Layout.STATUS_D) {
        // status.d has md5sums only: symlinks and conffiles are in the deb but not describable here
        if (t == TarEntryInfo.Type.SYMLINK || t == TarEntryInfo.Type.HARDLINK) {
          why = "symlink (status.d lists regular files only)";
        } else if (abs.startsWith("/etc/")) {
          why = "conffile (status.d md5sums leave conffiles out)";
        }
      }
      if (why != null) {
        explained.put(abs, why);
      } else {
        out.add(new Finding(DebCode.DPKG_UNOWNED_FILE, options.failOnUnowned() ? Severity.FAIL : Severity.WARN, abs,
            "no package owns this file and no rule explains it", null).with("layer", n.layer()).with("type", t));
      }
    }
    unowned.sort(null);
    out.add(0, new Finding(checked == ok ? DebCode.DPKG_FILES_OK : DebCode.DPKG_FILES_DIFFER, checked == ok ? Severity.OK : Severity.FAIL,
        "/var/lib/dpkg", ok + " of " + checked + " packaged files match their md5sums", null)
        .with("layout", db.layout().label()).with("packages", db.installed().size())
        .with("filesChecked", checked).with("ok", ok).with("unowned", unowned.size())
        .with("unownedExplained", explained.size()));
    return new Result(db, checked, ok, unowned, explained, out);
  }

  private static String diverted(String path, String pkg, Map<String, DpkgDatabase.Diversion> diversions) {
    DpkgDatabase.Diversion d = diversions.get(path);
    return d != null && !d.byPackage().equals(pkg) ? d.divertedTo() : path;
  }

  private static Optional<ImageFilesystem.Node> resolve(ImageFilesystem fs, String abs) {
    try {
      return fs.resolve(abs);
    } catch (CheckException e) {
      return Optional.empty(); // a symlink loop: the file is not there
    }
  }

  /** {@code /var/lib/dpkg/alternatives/<name>}: the master and slave link paths it manages. */
  static Map<String, String> alternatives(ImageFilesystem fs) {
    Map<String, String> out = new HashMap<>();
    String dir = DpkgDatabase.DPKG_DIR + "/alternatives/";
    for (ImageFilesystem.Node n : fs.nodes()) {
      if (!n.path().startsWith(dir) || n.entry().content().isEmpty()) {
        continue;
      }
      String name = n.path().substring(dir.length());
      String[] lines = new String(n.entry().content().get(), StandardCharsets.UTF_8).split("\n");
      if (lines.length < 2) {
        continue;
      }
      out.put(lines[1], name);
      for (int i = 2; i + 1 < lines.length && !lines[i].isEmpty(); i += 2) {
        out.put(lines[i + 1], name);
      }
    }
    return out;
  }

  /** Paths with their parent directories resolved through symlinks (the final component is not followed). */
  private static final class Canon {
    private final ImageFilesystem fs;
    private final Map<String, String> dirs = new HashMap<>();

    Canon(ImageFilesystem fs) {
      this.fs = fs;
    }

    String of(String abs) {
      String rel = abs.startsWith("/") ? abs.substring(1) : abs;
      if (rel.isEmpty() || rel.equals(".")) {
        return "/";
      }
      String norm;
      try {
        norm = TarPaths.normalize(rel, rel);
      } catch (CheckException e) {
        return abs;
      }
      String parent = TarPaths.parent(norm);
      String base = TarPaths.baseName(norm);
      String p = dir(parent);
      return "/" + (p.isEmpty() ? base : p + "/" + base);
    }

    private String dir(String d) {
      return dir(d, 0);
    }

    /** Resolves every component of a directory path through symlinks; works without directory entries. */
    private String dir(String d, int hops) {
      if (d.isEmpty()) {
        return "";
      }
      String cached = dirs.get(d);
      if (cached != null) {
        return cached;
      }
      String parent = dir(TarPaths.parent(d), hops);
      String cand = parent.isEmpty() ? TarPaths.baseName(d) : parent + "/" + TarPaths.baseName(d);
      String r = cand;
      Optional<ImageFilesystem.Node> n = fs.get(cand);
      if (n.isPresent() && n.get().entry().type() == TarEntryInfo.Type.SYMLINK && hops < 40) {
        r = dir(TarPaths.resolveLink(cand, n.get().entry().linkTarget()), hops + 1);
      }
      if (hops == 0) {
        dirs.put(d, r);
      }
      return r;
    }
  }

  /**
   * Compares installed packages with their .deb files: every data.tar regular file (conffiles included, which
   * md5sums leaves out) and every symlink target, at its installed path. This closes status.d's blind spots. A deb
   * matches an installed package by name, version and architecture; the installed control must equal the deb's
   * control ({@code DPKG_CONTROL_DIFFERS_FROM_DEB} otherwise). Installed packages without a deb are not mentioned.
   */
  public static List<Finding> compareWithDebs(ImageFilesystem fs, DpkgDatabase db, List<DebPackage> debs) {
    List<Finding> out = new ArrayList<>();
    Map<String, DpkgDatabase.Diversion> diversions = new HashMap<>();
    db.diversions().forEach(d -> diversions.put(d.path(), d));
    Canon canon = new Canon(fs);
    for (DebPackage deb : debs) {
      Optional<DpkgDatabase.InstalledPackage> ip = db.installed().stream()
          .filter(p -> p.name().equals(deb.name()) && p.architecture().equals(deb.architecture())
              && p.version().compareTo(DebVersion.parse(deb.version())) == 0)
          .findFirst();
      String subject = deb.subject();
      if (ip.isEmpty()) {
        out.add(new Finding(DebCode.DPKG_DEB_NOT_INSTALLED, Severity.INFO, subject,
            "the image has no installed " + deb.name() + " " + deb.version() + " " + deb.architecture(), null));
        continue;
      }
      DpkgDatabase.InstalledPackage p = ip.get();
      List<String> controlDiff = new ArrayList<>();
      for (ControlParagraph.Field f : deb.control().fields()) {
        if (!p.control().get(f.name()).map(v -> v.equals(f.value())).orElse(false)) {
          controlDiff.add(f.name());
        }
      }
      for (ControlParagraph.Field f : p.control().fields()) {
        String k = f.name().toLowerCase(java.util.Locale.ROOT);
        if (!deb.control().has(f.name()) && !DPKG_ONLY.contains(k)) {
          controlDiff.add(f.name());
        }
      }
      if (!controlDiff.isEmpty()) {
        out.add(new Finding(DebCode.DPKG_CONTROL_DIFFERS_FROM_DEB, Severity.FAIL, subject,
            "the installed control stanza differs from the deb's control file", null).with("fields", controlDiff));
      }
      java.util.Set<String> conffiles = new java.util.HashSet<>(deb.conffiles());
      int files = 0;
      int links = 0;
      int failures = 0;
      for (DebPackage.DataEntry e : deb.data()) {
        String where = diverted(e.path(), p.name(), diversions);
        if (e.type() == TarEntryInfo.Type.FILE) {
          files++;
          Optional<ImageFilesystem.Node> n = resolve(fs, where);
          if (n.isEmpty() || n.get().entry().type() != TarEntryInfo.Type.FILE) {
            out.add(new Finding(conffiles.contains(e.path()) ? DebCode.DPKG_CONFFILE_MISSING : DebCode.DPKG_FILE_MISSING,
                conffiles.contains(e.path()) ? Severity.WARN : Severity.FAIL, where, "a file of " + deb.subject() + " is missing", null)
                .with("package", p.key()));
            failures++;
          } else if (!n.get().entry().md5Hex().orElse("").equals(e.md5())) {
            boolean conf = conffiles.contains(e.path());
            out.add(new Finding(conf ? DebCode.DPKG_CONFFILE_CHANGED : DebCode.DPKG_FILE_MODIFIED, conf ? Severity.WARN : Severity.FAIL,
                where, "content differs from " + deb.subject(), null).with("package", p.key())
                .with("expectedMd5", e.md5()).with("actualMd5", n.get().entry().md5Hex().orElse("")).with("layer", n.get().layer()));
            failures++;
          }
        } else if (e.type() == TarEntryInfo.Type.SYMLINK) {
          links++;
          String c = canon.of(where);
          Optional<ImageFilesystem.Node> n = fs.get(c.substring(1));
          if (n.isEmpty() || n.get().entry().type() != TarEntryInfo.Type.SYMLINK
              || !n.get().entry().linkTarget().equals(e.linkTarget())) {
            out.add(new Finding(DebCode.DPKG_SYMLINK_DIFFERS, Severity.FAIL, where, "symlink differs from " + deb.subject(), null)
                .with("package", p.key()).with("expectedTarget", e.linkTarget())
                .with("actual", n.map(x -> x.entry().type() + " " + x.entry().linkTarget()).orElse("missing")));
            failures++;
          }
        }
      }
      if (failures == 0) {
        out.add(new Finding(DebCode.DPKG_DEB_CONTENT_OK, Severity.OK, subject,
            "every file and symlink of the deb is installed unchanged", null)
            .with("package", p.key()).with("files", files).with("symlinks", links).with("conffiles", conffiles.size()));
      }
    }
    return out;
  }

  /**
   * Proves each installed package against verified Packages indexes: the same name, version and architecture
   * exist with the same control fields ({@code Description} whole when the index carries it, else the short one and
   * {@code Description-md5}; archive overrides of
   * Section/Priority are INFO).
   */
  public static List<Finding> proveInArchive(DpkgDatabase db, List<PackagesIndex> indexes) {
    List<Finding> out = new ArrayList<>();
    for (DpkgDatabase.InstalledPackage p : db.installed()) {
      PackagesIndex.Entry hit = null;
      PackagesIndex from = null;
      for (PackagesIndex idx : indexes) {
        for (PackagesIndex.Entry e : idx.named(p.name())) {
          if (e.architecture().equals(p.architecture())
              && DebVersion.parse(e.version()).compareTo(p.version()) == 0 && e.paragraph() != null) {
            hit = e;
            from = idx;
            break;
          }
        }
        if (hit != null) {
          break;
        }
      }
      String subject = p.name() + " " + p.version() + " " + p.architecture();
      if (hit == null) {
        out.add(new Finding(DebCode.DPKG_PACKAGE_NOT_IN_ARCHIVE, Severity.FAIL, subject,
            "this installed version is in none of the verified Packages indexes", null)
            .with("searched", indexes.stream().map(PackagesIndex::origin).toList()));
        continue;
      }
      List<String> differ = new ArrayList<>();
      List<String> overridden = new ArrayList<>();
      ControlParagraph a = hit.paragraph();
      for (ControlParagraph.Field f : p.control().fields()) {
        String k = f.name().toLowerCase(java.util.Locale.ROOT);
        if (DPKG_ONLY.contains(k)) {
          continue;
        }
        String archive = a.get(f.name()).orElse(null);
        if (archive == null || !archive.equals(f.value())) {
          (OVERRIDES.contains(k) ? overridden : differ).add(f.name());
        }
      }
      String desc = p.control().value("Description");
      String archiveDesc = a.value("Description");
      if (!desc.isEmpty() && archiveDesc.contains("\n")) {
        // the index carries the long description itself (reprepro, aptly and most third-party archives): all of it
        if (!archiveDesc.equals(desc)) {
          differ.add("Description");
        }
      } else if (!desc.isEmpty()) {
        // Debian's own indexes: the short description, the long one only by its Description-md5
        String shortDesc = desc.split("\n", 2)[0];
        if (!archiveDesc.equals(shortDesc)) {
          differ.add("Description");
        } else if (a.has("Description-md5") && !a.value("Description-md5").equals(md5(desc + "\n"))) {
          differ.add("Description (Description-md5)");
        }
      }
      if (!differ.isEmpty()) {
        out.add(new Finding(DebCode.DPKG_CONTROL_MISMATCH, Severity.FAIL, subject,
            "the installed control stanza differs from the signed archive's", null)
            .with("index", from.origin()).with("fields", differ));
        continue;
      }
      Finding f = new Finding(DebCode.DPKG_PACKAGE_IN_ARCHIVE, Severity.OK, subject,
          "the signed archive has this version with the same control stanza", null)
          .with("index", from.origin()).with("filename", hit.filename()).with("sha256", hit.sha256());
      out.add(overridden.isEmpty() ? f : f.with("archiveOverrides", overridden));
    }
    return out;
  }

  private static String md5(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
