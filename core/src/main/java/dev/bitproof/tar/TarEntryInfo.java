package dev.bitproof.tar;

import dev.bitproof.oci.Digest;
import java.util.Map;
import java.util.Optional;

/**
 * One tar entry as read from a layer: normalized path, header fields, and for regular files the content
 * digests. {@code content} holds the bytes only when the reader was asked to keep them.
 *
 * @param index position of the entry in its tar (0-based)
 * @param rawName the name exactly as in the header (before normalization)
 * @param paxHeaders PAX records of the entry (including {@code SCHILY.xattr.*})
 */
public record TarEntryInfo(int index, String path, String rawName, Type type, int mode, long uid, long gid,
    String uname, String gname, long size, long mtimeSeconds, String linkTarget, int devMajor, int devMinor,
    Map<String, String> paxHeaders, Optional<Digest> sha256, Optional<String> sha1Hex, Optional<String> md5Hex,
    Optional<byte[]> content) {

  public enum Type { FILE, DIRECTORY, SYMLINK, HARDLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO, OTHER }

  public TarEntryInfo {
    paxHeaders = Map.copyOf(paxHeaders);
    linkTarget = linkTarget == null ? "" : linkTarget;
    uname = uname == null ? "" : uname;
    gname = gname == null ? "" : gname;
  }

  /** Extended attributes (PAX {@code SCHILY.xattr.NAME}) by name. */
  public Map<String, String> xattrs() {
    java.util.TreeMap<String, String> x = new java.util.TreeMap<>();
    paxHeaders.forEach((k, v) -> {
      if (k.startsWith("SCHILY.xattr.")) {
        x.put(k.substring("SCHILY.xattr.".length()), v);
      }
    });
    return x;
  }

  public boolean isWhiteout() {
    return TarPaths.baseName(path).startsWith(".wh.");
  }

  public boolean isOpaqueWhiteout() {
    return TarPaths.baseName(path).equals(".wh..wh..opq");
  }
}
