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
 */
public final class InstalledDb {
  private InstalledDb() {}

  public static byte[] record(PackageContent p, List<TarEntryInfo> files) {
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
    boolean topDirNeeded = true;
    for (TarEntryInfo f : clean(files)) {
      int perm = f.mode() & 07777;
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
