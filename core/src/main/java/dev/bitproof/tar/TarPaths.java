package dev.bitproof.tar;

import dev.bitproof.report.CheckException;

/** Tar entry names as untrusted input: normalized to a relative path, never escaping the root. */
public final class TarPaths {
  private TarPaths() {}

  /**
   * {@code ./usr/bin/} → {@code usr/bin}. Rejects {@code ..} components, NUL and empty names with
   * {@code TAR_PATH_ESCAPE} / {@code TAR_PATH_INVALID}. Leading {@code /} is stripped (images use both forms).
   */
  public static String normalize(String name, String subject) {
    if (name == null || name.indexOf('\0') >= 0) {
      throw CheckException.integrity(TarCode.TAR_PATH_INVALID, subject, "entry name contains NUL");
    }
    String s = name;
    while (s.startsWith("/")) {
      s = s.substring(1);
    }
    StringBuilder out = new StringBuilder(s.length());
    for (String part : s.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        throw CheckException.integrity(TarCode.TAR_PATH_ESCAPE, subject, "entry '" + name + "' escapes the root with ..");
      }
      if (out.length() > 0) {
        out.append('/');
      }
      out.append(part);
    }
    return out.toString();
  }

  /** The parent of a normalized path, "" for top-level entries. */
  public static String parent(String path) {
    int i = path.lastIndexOf('/');
    return i < 0 ? "" : path.substring(0, i);
  }

  /** The last component of a normalized path. */
  public static String baseName(String path) {
    int i = path.lastIndexOf('/');
    return i < 0 ? path : path.substring(i + 1);
  }

  /**
   * Resolves a symlink target against the link's directory, as a path in the image root (absolute targets are
   * relative to the image root; {@code ..} above the root stays at the root, as in a chroot).
   */
  public static String resolveLink(String linkPath, String target) {
    String base = target.startsWith("/") ? "" : parent(linkPath);
    java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
    for (String p : (base + "/" + target).split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        parts.pollLast();
      } else {
        parts.addLast(p);
      }
    }
    return String.join("/", parts);
  }
}
