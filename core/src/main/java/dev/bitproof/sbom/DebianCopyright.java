package dev.bitproof.sbom;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The licences a Debian machine-readable copyright file (DEP-5, {@code Format: .../copyright-format/1.0/})
 * declares: the {@code License:} of every {@code Files:} paragraph, split on {@code or}/{@code and}/{@code ,}, as
 * SPDX identifiers (Debian's short names mapped: {@code Expat} is MIT, {@code GPL-2+} is GPL-2.0-or-later ...).
 * Empty for a file in free form (not machine-readable) or with a licence name SPDX has no identifier for.
 */
final class DebianCopyright {
  private static final Map<String, String> NAMES = Map.ofEntries(
      Map.entry("expat", "MIT"), Map.entry("mit", "MIT"), Map.entry("isc", "ISC"), Map.entry("zlib", "Zlib"),
      Map.entry("apache-2.0", "Apache-2.0"), Map.entry("mpl-2.0", "MPL-2.0"), Map.entry("cc0-1.0", "CC0-1.0"),
      Map.entry("bsd-2-clause", "BSD-2-Clause"), Map.entry("bsd-3-clause", "BSD-3-Clause"),
      Map.entry("bsd-4-clause", "BSD-4-Clause"), Map.entry("artistic-2.0", "Artistic-2.0"),
      Map.entry("openssl", "OpenSSL"), Map.entry("unicode-dfs-2016", "Unicode-DFS-2016"));

  private DebianCopyright() {}

  static Optional<Set<String>> licenses(byte[] file) {
    String text = new String(file, StandardCharsets.UTF_8);
    String[] paras = text.split("\\r?\\n[ \\t]*\\r?\\n");
    if (paras.length == 0 || !paras[0].matches("(?s)(?i)^format:\\s*https?://www\\.debian\\.org/doc/packaging-manuals/copyright-format/1\\.0/?.*")) {
      return Optional.empty();
    }
    Set<String> out = new LinkedHashSet<>();
    for (String p : paras) {
      String files = field(p, "files");
      String lic = field(p, "license");
      if (files.isEmpty() || lic.isEmpty()) {
        continue;
      }
      for (String part : lic.split("(?i)\\s+or\\s+|\\s+and\\s+|,\\s*(?:or|and)?\\s*")) {
        String id = spdx(part.trim());
        if (id == null) {
          return Optional.empty(); // a licence we cannot name: no comparison rather than a false mismatch
        }
        out.add(id);
      }
    }
    return out.isEmpty() ? Optional.empty() : Optional.of(out);
  }

  private static String field(String para, String name) {
    for (String line : para.split("\\r?\\n")) {
      int c = line.indexOf(':');
      if (c > 0 && !line.startsWith(" ") && line.substring(0, c).trim().equalsIgnoreCase(name)) {
        return line.substring(c + 1).trim();
      }
    }
    return "";
  }

  /** Debian short name to SPDX identifier; null when unknown. */
  static String spdx(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    java.util.regex.Matcher g = java.util.regex.Pattern.compile("(a|l)?gpl-(\\d)(?:\\.(\\d))?(\\+)?").matcher(n);
    if (g.matches()) {
      String kind = g.group(1) == null ? "GPL" : g.group(1).toUpperCase(Locale.ROOT) + "GPL";
      return kind + "-" + g.group(2) + "." + (g.group(3) == null ? "0" : g.group(3)) + (g.group(4) != null ? "-or-later" : "-only");
    }
    return NAMES.get(n);
  }
}
