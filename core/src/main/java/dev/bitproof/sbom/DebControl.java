package dev.bitproof.sbom;

import dev.bitproof.report.CheckException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal deb822 stanza reader (dpkg {@code status}, distroless {@code status.d/<pkg>}): only what the SBOM check
 * needs. The Debian trust chain has its own full parser in {@code dev.bitproof.deb}; this one stays private to
 * the SBOM check until that lands.
 */
final class DebControl {
  static final int MAX_STANZAS = 200_000;

  private DebControl() {}

  static List<Map<String, String>> stanzas(byte[] bytes, String subject) {
    List<Map<String, String>> out = new ArrayList<>();
    Map<String, String> cur = new LinkedHashMap<>();
    String last = null;
    int lineNo = 0;
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n", -1)) {
      lineNo++;
      if (line.isBlank()) {
        if (!cur.isEmpty()) {
          out.add(cur);
          if (out.size() > MAX_STANZAS) {
            throw new CheckException("DPKG_DB_TOO_LARGE", subject, "more than " + MAX_STANZAS + " stanzas");
          }
          cur = new LinkedHashMap<>();
          last = null;
        }
        continue;
      }
      if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        if (last == null) {
          throw CheckException.integrity("DPKG_DB_INVALID", subject + ":" + lineNo, "continuation line before any field");
        }
        cur.put(last, cur.get(last) + "\n" + line.substring(1));
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw CheckException.integrity("DPKG_DB_INVALID", subject + ":" + lineNo, "expected 'Field: value'");
      }
      last = line.substring(0, colon);
      cur.put(last, line.substring(colon + 1).strip());
    }
    if (!cur.isEmpty()) {
      out.add(cur);
    }
    return out;
  }
}
