package dev.bitproof.compare;

import dev.bitproof.apk.db.ApkInstalledDb;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * When the apk installed database differs, says which packages differ: a package added, removed or at another
 * version is what a reader wants named, not line 57 of a text file.
 */
final class InstalledDbDiff {
  /** The installed DB is read whole for this; larger ones only get the file-level finding. */
  static final long MAX_SIZE = 16L * 1024 * 1024;

  private InstalledDbDiff() {}

  static boolean isInstalledDb(String path) {
    return path.equals("usr/lib/apk/db/installed") || path.equals("lib/apk/db/installed");
  }

  static List<Finding> diff(String where, byte[] a, byte[] b) {
    Map<String, String> x = versions(a);
    Map<String, String> y = versions(b);
    Set<String> names = new LinkedHashSet<>(x.keySet());
    names.addAll(y.keySet());
    List<Finding> out = new ArrayList<>();
    for (String n : names) {
      String va = x.get(n);
      String vb = y.get(n);
      if (Objects.equals(va, vb)) {
        continue;
      }
      Code code = va == null ? CompareCode.PACKAGE_ADDED : vb == null ? CompareCode.PACKAGE_REMOVED : CompareCode.PACKAGE_VERSION_DIFFERS;
      String msg = va == null ? "package " + n + " " + vb + " installed only in B"
          : vb == null ? "package " + n + " " + va + " installed only in A" : "package " + n + " is " + va + " in A, " + vb + " in B";
      Map<String, String> ev = new LinkedHashMap<>();
      ev.put("a", va == null ? "(absent)" : va);
      ev.put("b", vb == null ? "(absent)" : vb);
      out.add(new Finding(code, Severity.FAIL, where + " " + n, msg, ev));
    }
    return out;
  }

  /**
   * Package name → version, read by the one installed-db reader; a database it refuses gets no package-level
   * findings (the file-level difference is reported either way).
   */
  private static Map<String, String> versions(byte[] db) {
    Map<String, String> out = new LinkedHashMap<>();
    try {
      for (ApkInstalledDb.Package p : ApkInstalledDb.parse(db, "installed").packages()) {
        out.put(p.name(), p.version());
      }
    } catch (CheckException e) {
      return Map.of();
    }
    return out;
  }
}
