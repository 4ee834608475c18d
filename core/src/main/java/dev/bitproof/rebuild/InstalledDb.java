package dev.bitproof.rebuild;

import dev.bitproof.gocompat.GoJson;

import dev.bitproof.tar.TarEntryInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One package's record in {@code usr/lib/apk/db/installed}, byte for byte as apko writes it
 * ({@code PackageToInstalled} + {@code AddInstalledPackage}, reference apko.md §1.4): the package lines from
 * .PKGINFO, then the file lines sorted files-before-subdirectories, orphans dropped, ending in a blank line.
 * Releases before apko PR #1811 wrote the file lines differently ({@link Format#PRE_1811}).
 */
public final class InstalledDb {
  private InstalledDb() {}

  /** How the file lines are chosen and written. */
  public enum Format {
    /**
     * apko before v0.30.5 ({@code sortTarHeaders}): the tree walked from the top-level directories that have
     * children, so files in / and empty top-level directories are not recorded and there is no {@code F:} line;
     * permissions masked to 0777.
     */
    PRE_1811,
    /** apko v0.30.5 and later ({@code cleanTarHeaders}, PR #1811). */
    CURRENT;

    public static Format of(ApkoRules rules) {
      return rules.has(ApkoChange.DB_RECORD_1811) ? CURRENT : PRE_1811;
    }
  }

  public static byte[] record(PackageContent p, List<TarEntryInfo> files) {
    return record(p, files, Format.CURRENT);
  }

  public static byte[] record(PackageContent p, List<TarEntryInfo> files, Format format) {
    List<String> lines = new ArrayList<>();
    lines.add("P:" + p.name());
    lines.add("V:" + p.version());
    lines.add("A:" + p.arch());
    lines.add("L:" + p.license());
    lines.add("T:" + p.description());
    lines.add("o:" + p.origin());
    lines.add("m:" + p.maintainer());
    lines.add("U:" + p.url());
    lines.add("D:" + String.join(" ", p.depends()));
    lines.add("p:" + String.join(" ", p.provides()));
    if (!p.replaces().isEmpty()) {
      lines.add("r:" + String.join(" ", p.replaces()));
    }
    lines.add("c:" + p.commit());
    // Go's %s of a []string: the brackets are part of the value, as apko writes it
    lines.add("i:[" + String.join(" ", p.installIf()) + "]");
    lines.add("t:" + p.buildDate());
    lines.add("S:" + p.apkSize());
    lines.add("I:" + p.installedSize());
    lines.add("k:" + p.providerPriority());
    if (p.controlSha1() != null && p.controlSha1().length > 0) {
      lines.add("C:" + p.q1());
    }
    boolean topDirNeeded = format == Format.CURRENT;
    for (TarEntryInfo f : format == Format.CURRENT ? clean(files) : sortPre1811(files)) {
      int perm = f.mode() & (format == Format.CURRENT ? 07777 : 0777);
      long uid = f.uid();
      long gid = f.gid();
      if (f.type() == TarEntryInfo.Type.DIRECTORY) {
        lines.add("F:" + f.path());
        if (perm != 0755 || uid != 0 || gid != 0) {
          lines.add(String.format("M:%d:%d:%04o", uid, gid, perm));
        }
        topDirNeeded = false;
      } else {
        if (topDirNeeded) {
          lines.add("F:");
          topDirNeeded = false;
        }
        lines.add("R:" + MemFs.base(f.path()));
        if (perm != 0644 || uid != 0 || gid != 0) {
          lines.add(String.format("a:%d:%d:%04o", uid, gid, perm));
        }
        String sum = f.paxHeaders().get("APK-TOOLS.checksum.SHA1");
        if (sum != null && !sum.isEmpty()) {
          if (!sum.startsWith("Q1")) {
            sum = "Q1" + Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(sum));
          }
          lines.add("Z:" + sum);
        }
      }
    }
    return (String.join("\n", lines) + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * apko's old {@code sortTarHeaders}: children grouped by parent directory; from the top-level directories that
   * have children (sorted), each directory's non-directories (sorted) then its directories, each followed by its
   * own children. Entries not reachable that way (files in /, empty top-level directories, orphans) are left out.
   */
  static List<TarEntryInfo> sortPre1811(List<TarEntryInfo> files) {
    java.util.Map<String, List<String>> children = new java.util.HashMap<>();
    java.util.Map<String, TarEntryInfo> all = new java.util.HashMap<>();
    for (TarEntryInfo f : files) {
      String name = MemFs.cleanJoin(f.path());
      String dir = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : ".";
      children.computeIfAbsent(dir, k -> new ArrayList<>()).add(name);
      all.put(name, f);
    }
    List<String> top = new ArrayList<>();
    for (String d : children.keySet()) {
      if (!d.contains("/")) {
        top.add(d);
      }
    }
    List<TarEntryInfo> out = new ArrayList<>();
    walkPre1811(children, all, top, out);
    return out;
  }

  private static void walkPre1811(java.util.Map<String, List<String>> children, java.util.Map<String, TarEntryInfo> all,
      List<String> names, List<TarEntryInfo> out) {
    List<String> sorted = new ArrayList<>(names);
    sorted.sort(GoJson::compareUtf8);
    for (String n : sorted) {
      TarEntryInfo h = all.get(n);
      if (h != null && h.type() != TarEntryInfo.Type.DIRECTORY) {
        out.add(h);
      }
    }
    for (String n : sorted) {
      TarEntryInfo h = all.get(n);
      if (h != null && h.type() == TarEntryInfo.Type.DIRECTORY) {
        out.add(h);
        List<String> c = children.get(n);
        if (c != null && !c.isEmpty()) {
          walkPre1811(children, all, c, out);
        }
      }
    }
  }

  /** Stable sort by {@link #pathCompare}, then drop entries whose parent directories are not listed. */
  static List<TarEntryInfo> clean(List<TarEntryInfo> files) {
    List<TarEntryInfo> sorted = new ArrayList<>(files);
    sorted.sort((a, b) -> pathCompare(a.path(), a.type() == TarEntryInfo.Type.DIRECTORY, b.path(),
        b.type() == TarEntryInfo.Type.DIRECTORY));
    Set<String> dirs = new HashSet<>();
    for (TarEntryInfo f : sorted) {
      if (f.type() == TarEntryInfo.Type.DIRECTORY) {
        dirs.add(f.path());
      }
    }
    List<TarEntryInfo> out = new ArrayList<>();
    for (TarEntryInfo f : sorted) {
      boolean keep = true;
      String parent = MemFs.parent(f.path());
      while (!parent.isEmpty()) {
        if (!dirs.contains(parent)) {
          keep = false;
          break;
        }
        parent = MemFs.parent(parent);
      }
      if (keep) {
        out.add(f);
      }
    }
    return out;
  }

  /** apko's pathCompare: within a directory, non-directories sort before directories. */
  static int pathCompare(String a, boolean aIsDir, String b, boolean bIsDir) {
    if (a.equals(b)) {
      return 0;
    }
    String[] at = a.split("/", -1);
    String[] bt = b.split("/", -1);
    int n;
    for (n = 0; n < at.length - 1 && n < bt.length - 1; n++) {
      int r = GoJson.compareUtf8(at[n], bt[n]);
      if (r != 0) {
        return r;
      }
    }
    boolean aTokIsDir = n + 1 < at.length || aIsDir;
    boolean bTokIsDir = n + 1 < bt.length || bIsDir;
    if (aTokIsDir == bTokIsDir) {
      return GoJson.compareUtf8(at[n], bt[n]);
    }
    return aTokIsDir ? 1 : -1;
  }
}
