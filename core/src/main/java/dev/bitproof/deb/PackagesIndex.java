package dev.bitproof.deb;

import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A parsed {@code Packages} index. Every stanza is kept as a compact {@link Entry}; the full paragraph only for
 * the package names the caller asked for (the bookworm index has 63,440 stanzas, 50 MB).
 *
 * @param origin where it came from ({@code bookworm main/binary-amd64/Packages.xz}), for findings
 */
public record PackagesIndex(String origin, String suite, String component, String architecture, List<Entry> entries,
    Map<String, List<Entry>> byName) {

  /** One stanza's identity and archive fields; {@code paragraph} is null unless it was asked for. */
  public record Entry(String name, String version, String architecture, String filename, long size, Digest sha256,
      ControlParagraph paragraph) {}

  public PackagesIndex {
    entries = Collections.unmodifiableList(entries);
    byName = Collections.unmodifiableMap(byName);
  }

  public List<Entry> named(String name) {
    return byName.getOrDefault(name, List.of());
  }

  /** Parses an uncompressed Packages stream. Stanzas without Package/Version/Filename/SHA256 are DEB_PACKAGES_SYNTAX. */
  public static PackagesIndex parse(InputStream uncompressed, String origin, String suite, String component,
      String architecture, Predicate<String> keepParagraph) throws IOException {
    List<Entry> entries = new ArrayList<>();
    Map<String, List<Entry>> byName = new HashMap<>();
    Deb822.stream(uncompressed, origin, Deb822.Limits.defaults(), p -> {
      String name = p.value("Package");
      String sha = p.value("SHA256").toLowerCase(Locale.ROOT);
      if (name.isEmpty() || p.value("Version").isEmpty() || p.value("Filename").isEmpty() || sha.isEmpty()) {
        throw CheckException.integrity(DebCode.DEB_PACKAGES_SYNTAX, origin + ":" + p.line(),
            "stanza lacks Package, Version, Filename or SHA256 (MD5sum alone is never trusted)");
      }
      long size;
      Digest digest;
      try {
        size = Long.parseLong(p.value("Size").trim());
        digest = new Digest("sha256", sha);
      } catch (NumberFormatException | CheckException e) {
        throw CheckException.integrity(DebCode.DEB_PACKAGES_SYNTAX, origin + ":" + p.line(), "bad Size or SHA256 for " + name);
      }
      Entry e = new Entry(name, p.value("Version"), p.value("Architecture"), p.value("Filename"), size, digest,
          keepParagraph.test(name) ? p : null);
      entries.add(e);
      byName.computeIfAbsent(name, k -> new ArrayList<>(1)).add(e);
    });
    return new PackagesIndex(origin, suite, component, architecture, entries, byName);
  }
}
