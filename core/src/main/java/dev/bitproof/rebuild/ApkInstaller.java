package dev.bitproof.rebuild;

import dev.bitproof.apk.ApkCode;
import dev.bitproof.gocompat.GoTarWriter;

import dev.bitproof.report.CheckException;
import dev.bitproof.tar.TarEntryInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Installs packages into a {@link MemFs} the way apko's {@code InstallPackages} does with its in-memory tarfs
 * (reference apko.md §1.2, §1.4): files in archive order with the conflict rules, then {@code scripts.tar} and
 * {@code triggers} per package, then the installed database in install order with overwritten files dropped,
 * then the {@code lib/apk} symlink. apko never runs install scripts and neither do we.
 */
public final class ApkInstaller {
  /** Where the installed database is since usrmerge (apko v0.27.2); {@link #installed(ApkoRules)} per release. */
  public static final String INSTALLED = "usr/lib/apk/db/installed";

  private final MemFs fs;
  private final long sourceDateEpoch;
  private final ApkoRules rules;
  private final String scripts;
  private final String triggers;
  private final String installed;
  /** Regular files: path → the package that finally owns it. */
  private final Map<String, PackageContent> installedFiles = new HashMap<>();

  /** One installed package and the DB record it produced (layering needs the per-package diffs). */
  public record Installed(PackageContent pkg, byte[] dbRecord) {}

  public ApkInstaller(MemFs fs, long sourceDateEpoch, ApkoRules rules) {
    this.fs = fs;
    this.sourceDateEpoch = sourceDateEpoch;
    this.rules = rules;
    this.scripts = rules.apkDbDir() + "/scripts.tar";
    this.triggers = rules.apkDbDir() + "/triggers";
    this.installed = installed(rules);
  }

  /** The installed database's path under these rules. */
  public static String installed(ApkoRules rules) {
    return rules.apkDbDir() + "/installed";
  }

  /** Installs all packages in order and writes the DB. */
  public List<Installed> install(List<PackageContent> pkgs) throws IOException {
    return install(pkgs, dev.bitproof.report.Progress.NONE.start("", 0, 0));
  }

  /** {@link #install(List)}, telling {@code task} each package installed. */
  public List<Installed> install(List<PackageContent> pkgs, dev.bitproof.report.Progress.Task task) throws IOException {
    List<List<TarEntryInfo>> allFiles = new ArrayList<>();
    List<PackageContent> done = new ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (PackageContent p : pkgs) {
      if (!names.add(p.name())) {
        allFiles.add(null);
        done.add(null);
        continue;
      }
      allFiles.add(installFiles(p));
      done.add(p);
      updateScriptsTar(p);
      updateTriggers(p);
      task.add(1, p.installedSize());
    }
    List<Installed> out = new ArrayList<>();
    for (int i = 0; i < done.size(); i++) {
      PackageContent p = done.get(i);
      if (p == null) {
        continue;
      }
      List<TarEntryInfo> files = new ArrayList<>(allFiles.get(i));
      files.removeIf(h -> {
        PackageContent owner = installedFiles.get(h.path());
        return owner != null && owner != p;
      });
      byte[] rec = InstalledDb.record(p, files, InstalledDb.Format.of(rules));
      fs.append(installed, rec, 0644);
      out.add(new Installed(p, rec));
    }
    if (rules.has(ApkoChange.USRMERGE_DB)) {
      resolveApkDb();
    }
    return out;
  }

  private List<TarEntryInfo> installFiles(PackageContent p) {
    List<TarEntryInfo> files = new ArrayList<>();
    boolean startedData = false;
    for (TarEntryInfo e : p.dataEntries()) {
      String name = e.path();
      if (!startedData && name.startsWith(".") && !name.contains("/")) {
        continue;
      }
      startedData = true;
      boolean installed = writeHeader(e, p);
      if (installed && e.type() == TarEntryInfo.Type.FILE) {
        installedFiles.put(name, p);
      }
      files.add(e);
    }
    return files;
  }

  /** apko's memFS.WriteHeader. */
  private boolean writeHeader(TarEntryInfo e, PackageContent p) {
    String name = e.path();
    switch (e.type()) {
      case DIRECTORY -> {
        MemFs.Node existing = fs.lget(name);
        if (existing != null && existing.kind() == MemFs.Kind.SYMLINK) {
          MemFs.Node t = fs.get(name);
          if (t != null && t.kind() == MemFs.Kind.DIR) {
            return false;
          }
        }
        fs.mkdirAll(name, e.mode() & 07777);
        fs.chtimes(name, e.mtimeSeconds());
        e.xattrs().forEach((k, v) -> fs.setXattr(name, k, v));
        return true;
      }
      case FILE, SYMLINK -> {
        if (e.type() == TarEntryInfo.Type.SYMLINK) {
          MemFs.Node existing = fs.lget(name);
          if (existing != null && existing.kind() == MemFs.Kind.SYMLINK && existing.linkTarget().equals(e.linkTarget())) {
            return false;
          }
        }
        byte[] checksum = checksumFromHeader(e);
        if (checksum == null) {
          throw CheckException.integrity(ApkCode.APK_FILE_CHECKSUM_MISSING, p.id() + ": " + name,
              "data entry has no APK-TOOLS.checksum.SHA1 record");
        }
        boolean installed = put(name, e, p, checksum);
        e.xattrs().forEach((k, v) -> fs.setXattr(name, k, v));
        return installed;
      }
      case HARDLINK -> {
        fs.link(e.linkTarget(), name, e.linkTarget());
        return true;
      }
      default -> throw new CheckException(ApkCode.APK_UNSUPPORTED_ENTRY, p.id() + ": " + name,
          "unsupported file type " + e.type() + " in package data");
    }
  }

  private boolean put(String name, TarEntryInfo e, PackageContent p, byte[] checksum) {
    MemFs.Node existing = fs.lget(name);
    if (existing != null) {
      MemFs.PackageEntry got = existing.owner();
      if (got == null) {
        // a file apko wrote itself (e.g. a keyring key also shipped by a package): equal bytes are fine
        if (existing.kind() == MemFs.Kind.FILE && java.util.Arrays.equals(sha1(existing.data()), checksum)) {
          return false;
        }
        throw CheckException.integrity(RebuildCode.BUILD_FILE_CONFLICT, name,
            "package " + p.id() + " writes " + name + ", which the build already created with different content");
      }
      if (java.util.Arrays.equals(got.sha1(), checksum)) {
        return false;
      }
      if (got.replaces().contains(p.name())) {
        return false;
      }
      boolean replaces = p.replaces().contains(got.pkgName());
      boolean sameOrigin = got.origin().equals(p.origin());
      if (!sameOrigin && !replaces) {
        throw CheckException.integrity(RebuildCode.BUILD_FILE_CONFLICT, name,
            "packages " + got.pkgName() + " (origin " + got.origin() + ") and " + p.name() + " (origin " + p.origin()
                + ") both write " + name + " with different content, and neither replaces the other");
      }
    }
    MemFs.Node n = new MemFs.Node(e.type() == TarEntryInfo.Type.SYMLINK ? MemFs.Kind.SYMLINK : MemFs.Kind.FILE,
        e.mode() & 07777);
    n.mtime = e.mtimeSeconds();
    n.linkTarget = e.linkTarget();
    MemFs.Content spilled = e.type() == TarEntryInfo.Type.FILE ? p.spilled().get(e.index()) : null;
    if (spilled != null) {
      n.setContent(spilled);
    } else {
      n.setData(e.type() == TarEntryInfo.Type.FILE ? e.content().orElseThrow(
          () -> new IllegalStateException("package file content not kept: " + name)) : new byte[0]);
    }
    n.owner = new MemFs.PackageEntry(p.name(), p.origin(), p.replaces(), checksum);
    fs.putPackageNode(name, n);
    return true;
  }

  static byte[] checksumFromHeader(TarEntryInfo e) {
    String v = e.paxHeaders().get("APK-TOOLS.checksum.SHA1");
    if (v == null) {
      return null;
    }
    try {
      if (v.startsWith("Q1")) {
        return Base64.getDecoder().decode(v.substring(2));
      }
      return HexFormat.of().parseHex(v);
    } catch (IllegalArgumentException ex) {
      throw CheckException.integrity(ApkCode.APK_FILE_CHECKSUM_INVALID, e.path(), "malformed APK-TOOLS.checksum.SHA1: " + v);
    }
  }

  static byte[] sha1(byte[] data) {
    try {
      return java.security.MessageDigest.getInstance("SHA-1").digest(data);
    } catch (java.security.NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /** Appends the package's executable control entries, renamed, before the tar trailer (apko's updateScriptsTar). */
  private void updateScriptsTar(PackageContent p) throws IOException {
    byte[] old = fs.readFile(scripts);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    bos.write(old, 0, old.length >= 1024 ? old.length - 1024 : old.length);
    GoTarWriter tw = new GoTarWriter(bos);
    for (TarEntryInfo c : p.controlEntries()) {
      if (c.path().equals(".PKGINFO")) {
        continue;
      }
      if ((c.mode() & 0555) != 0555) {
        continue;
      }
      byte[] data = c.content().orElse(new byte[0]);
      Map<String, String> pax = new HashMap<>(c.paxHeaders());
      tw.writeHeader(new GoTarWriter.Header(p.id() + "." + p.q1() + c.rawName(), typeOf(c), c.mode() & 07777,
          c.uid(), c.gid(), c.uname(), c.gname(), data.length, sourceDateEpoch, c.linkTarget(), c.devMajor(),
          c.devMinor(), pax));
      if (c.type() == TarEntryInfo.Type.FILE) {
        tw.write(data);
      }
    }
    tw.close();
    MemFs.Node n = fs.get(scripts);
    n.setData(bos.toByteArray());
  }

  private static byte typeOf(TarEntryInfo c) {
    return switch (c.type()) {
      case DIRECTORY -> GoTarWriter.TYPE_DIR;
      case SYMLINK -> GoTarWriter.TYPE_SYMLINK;
      case HARDLINK -> GoTarWriter.TYPE_LINK;
      case CHAR_DEVICE -> GoTarWriter.TYPE_CHAR;
      case BLOCK_DEVICE -> GoTarWriter.TYPE_BLOCK;
      case FIFO -> GoTarWriter.TYPE_FIFO;
      default -> GoTarWriter.TYPE_REG;
    };
  }

  private void updateTriggers(PackageContent p) {
    if (p.triggers().isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    for (String t : p.triggers()) {
      sb.append(p.q1()).append(' ').append(t).append('\n');
    }
    fs.append(triggers, sb.toString().getBytes(StandardCharsets.UTF_8), 0644);
  }

  /** {@code lib/apk → ../usr/lib/apk}; {@code lib} is created 0755 unless it exists (or is a symlink). */
  private void resolveApkDb() {
    MemFs.Node lib = fs.lget("lib");
    if (lib == null) {
      fs.mkdir("lib", 0755);
    }
    if (fs.lget("lib/apk") == null) {
      fs.symlink("../usr/lib/apk", "lib/apk");
    }
  }
}
