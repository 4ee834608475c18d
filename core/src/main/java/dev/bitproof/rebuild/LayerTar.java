package dev.bitproof.rebuild;

import dev.bitproof.gocompat.GoTarWriter;

import dev.bitproof.io.IoCode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Serializes a {@link MemFs} as apko's {@code writeTar}/{@code walkFS} does (reference apko.md §1.3): depth-first,
 * children in byte order, no root entry; names without leading or trailing slash; uname/gname looked up in the
 * image's final {@code etc/passwd}/{@code etc/group}; xattrs as {@code SCHILY.xattr.*} on files and directories;
 * package hard links as tar hard links.
 */
public final class LayerTar {
  private LayerTar() {}

  /** Decides per path whether it goes into this layer (layering); null = everything. */
  public interface Filter {
    boolean include(String path, MemFs.Node node);
  }

  public static byte[] write(MemFs fs) throws IOException {
    // a counting pass first: the array is allocated once at its final size (no doubling copies of big layers)
    long[] size = {0};
    write(fs, new OutputStream() {
      @Override
      public void write(int b) {
        size[0]++;
      }

      @Override
      public void write(byte[] b, int off, int len) {
        size[0] += len;
      }
    });
    if (size[0] > Integer.MAX_VALUE - 64) {
      throw new dev.bitproof.report.CheckException(IoCode.LAYER_TOO_LARGE, "layer", "layer tar is over 2 GiB");
    }
    ExactBuffer out = new ExactBuffer((int) size[0]);
    write(fs, out);
    return out.buf;
  }

  /** Exactly sized output: no growth, no copy at the end. */
  private static final class ExactBuffer extends OutputStream {
    final byte[] buf;
    int pos;

    ExactBuffer(int size) {
      buf = new byte[size];
    }

    @Override
    public void write(int b) {
      buf[pos++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      System.arraycopy(b, off, buf, pos, len);
      pos += len;
    }
  }

  public static void write(MemFs fs, OutputStream out) throws IOException {
    Map<Integer, String> users = names(fs, "etc/passwd");
    Map<Integer, String> groups = names(fs, "etc/group");
    GoTarWriter tw = new GoTarWriter(out);
    fs.walk((path, n) -> writeEntry(tw, path, n, users, groups, n.mtime()));
    tw.close();
  }

  /** One entry; {@code mtime} may differ from the node's (layering rewrites parent directories' mtimes). */
  static void writeEntry(GoTarWriter tw, String path, MemFs.Node n, Map<Integer, String> users,
      Map<Integer, String> groups, long mtime) throws IOException {
    byte type;
    long size = 0;
    String link = "";
    byte[] data = null;
    switch (n.kind()) {
      case DIR -> type = GoTarWriter.TYPE_DIR;
      case SYMLINK -> {
        type = GoTarWriter.TYPE_SYMLINK;
        link = n.linkTarget();
      }
      case CHAR -> type = GoTarWriter.TYPE_CHAR;
      default -> {
        String hl = n.hardlinks.get(path);
        if (hl != null) {
          type = GoTarWriter.TYPE_LINK;
          link = hl;
        } else {
          type = GoTarWriter.TYPE_REG;
          data = n.data();
          size = data.length;
        }
      }
    }
    Map<String, String> pax = new TreeMap<>();
    if (n.kind() == MemFs.Kind.DIR || n.kind() == MemFs.Kind.FILE) {
      n.xattrs().forEach((k, v) -> pax.put("SCHILY.xattr." + k, v));
    }
    tw.writeHeader(new GoTarWriter.Header(path, type, n.mode(), n.uid(), n.gid(), users.getOrDefault(n.uid(), ""),
        groups.getOrDefault(n.gid(), ""), size, mtime, link, n.kind() == MemFs.Kind.CHAR ? n.major() : 0,
        n.kind() == MemFs.Kind.CHAR ? n.minor() : 0, pax));
    if (data != null) {
      tw.write(data);
    }
  }

  /** id → name from a passwd/group file; the last line for an id wins. */
  static Map<Integer, String> names(MemFs fs, String file) {
    Map<Integer, String> m = new HashMap<>();
    MemFs.Node n;
    try {
      n = fs.get(file);
    } catch (RuntimeException e) {
      return m;
    }
    if (n == null || n.kind() != MemFs.Kind.FILE) {
      return m;
    }
    for (String line : new String(n.data(), StandardCharsets.UTF_8).split("\n")) {
      String[] f = line.split(":", -1);
      if (f.length < 3) {
        continue;
      }
      try {
        m.put(Integer.parseInt(f[2].trim()), f[0]);
      } catch (NumberFormatException e) {
        // not an entry
      }
    }
    return m;
  }
}
