package dev.bitproof.sbom;

import dev.bitproof.report.CheckException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A package URL ({@code pkg:type/namespace/name@version?qualifiers#subpath}), decoded. Parsing is strict: a bad
 * percent-escape or bytes that are not UTF-8 after decoding is {@code PURL_INVALID}, never a silent replacement
 * character (two tools would then disagree on the name).
 */
public record Purl(String type, String namespace, String name, String version, Map<String, String> qualifiers,
    String subpath) {
  /** Longer purls are refused: no real one comes close. */
  public static final int MAX_LENGTH = 4096;

  public Purl {
    Objects.requireNonNull(type);
    Objects.requireNonNull(name);
    namespace = namespace == null ? "" : namespace;
    version = version == null ? "" : version;
    subpath = subpath == null ? "" : subpath;
    qualifiers = Collections.unmodifiableMap(new TreeMap<>(qualifiers));
  }

  public Optional<String> qualifier(String key) {
    return Optional.ofNullable(qualifiers.get(key));
  }

  public static Purl parse(String s) {
    if (s == null || s.length() > MAX_LENGTH) {
      throw bad(s, "missing or longer than " + MAX_LENGTH + " characters");
    }
    if (!s.startsWith("pkg:")) {
      throw bad(s, "does not start with 'pkg:'");
    }
    String rest = s.substring(4);
    while (rest.startsWith("/")) {
      rest = rest.substring(1);
    }
    String subpath = "";
    int hash = rest.indexOf('#');
    if (hash >= 0) {
      subpath = decode(rest.substring(hash + 1), s);
      rest = rest.substring(0, hash);
    }
    Map<String, String> q = new TreeMap<>();
    int qm = rest.indexOf('?');
    if (qm >= 0) {
      for (String kv : rest.substring(qm + 1).split("&")) {
        if (kv.isEmpty()) {
          continue;
        }
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw bad(s, "qualifier '" + kv + "' has no key=value form");
        }
        String key = kv.substring(0, eq).toLowerCase(java.util.Locale.ROOT);
        String value = decode(kv.substring(eq + 1), s);
        if (q.put(key, value) != null) {
          throw bad(s, "qualifier '" + key + "' appears twice");
        }
      }
      rest = rest.substring(0, qm);
    }
    String version = "";
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      version = decode(rest.substring(at + 1), s);
      rest = rest.substring(0, at);
    }
    int slash = rest.indexOf('/');
    if (slash <= 0) {
      throw bad(s, "has no type/name");
    }
    String type = rest.substring(0, slash).toLowerCase(java.util.Locale.ROOT);
    String path = rest.substring(slash + 1);
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    int last = path.lastIndexOf('/');
    String name = decode(last < 0 ? path : path.substring(last + 1), s);
    String ns = "";
    if (last > 0) {
      StringBuilder sb = new StringBuilder();
      for (String seg : path.substring(0, last).split("/")) {
        if (!seg.isEmpty()) {
          sb.append(sb.length() == 0 ? "" : "/").append(decode(seg, s));
        }
      }
      ns = sb.toString();
    }
    if (name.isEmpty()) {
      throw bad(s, "has an empty name");
    }
    return new Purl(type, ns, name, version, q, subpath);
  }

  private static String decode(String part, String whole) {
    if (part.indexOf('%') < 0) {
      return part;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(part.length());
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c == '%') {
        if (i + 2 >= part.length()) {
          throw bad(whole, "truncated percent-escape");
        }
        int hi = Character.digit(part.charAt(i + 1), 16);
        int lo = Character.digit(part.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw bad(whole, "bad percent-escape '" + part.substring(i, i + 3) + "'");
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < part.length()) {
          b = part.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        bytes.write(b, 0, b.length);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw bad(whole, "percent-escapes do not decode to UTF-8");
    }
  }

  private static CheckException bad(String s, String why) {
    String shown = s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    return CheckException.integrity(SbomCode.PURL_INVALID, shown, "not a valid package URL: " + why);
  }

  /** The canonical text form (percent-encoding what the spec requires, qualifiers sorted). */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("pkg:").append(type).append('/');
    if (!namespace.isEmpty()) {
      for (String seg : namespace.split("/")) {
        sb.append(encode(seg, false)).append('/');
      }
    }
    sb.append(encode(name, false));
    if (!version.isEmpty()) {
      sb.append('@').append(encode(version, true));
    }
    if (!qualifiers.isEmpty()) {
      sb.append('?');
      boolean first = true;
      for (var e : qualifiers.entrySet()) {
        if (e.getValue().isEmpty()) {
          continue;
        }
        sb.append(first ? "" : "&").append(e.getKey()).append('=').append(encode(e.getValue(), true));
        first = false;
      }
    }
    if (!subpath.isEmpty()) {
      sb.append('#').append(encode(subpath, false).replace("%2F", "/"));
    }
    return sb.toString();
  }

  /** Percent-encodes all but unreserved characters (and ':' where the purl spec lets it stand). */
  static String encode(String s, boolean keepColon) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
          || c == '_' || c == '~' || (keepColon && c == ':')) {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }
}
