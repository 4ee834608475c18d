package dev.bitproof.rebuild;

import dev.bitproof.gocompat.GoJson;

import dev.bitproof.report.CheckException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The in-memory root filesystem an image is assembled in, with apko's {@code pkg/tarfs} semantics (reference
 * apko.md §1.2): {@code mkdirAll} sets the mode only of directories it creates; device nodes and symlinks made by
 * apko inherit the parent's mtime; a hard link is a second name for the same node; package files are 0:0 unless
 * chowned. Paths are relative, slash-separated, already normalized ({@code ..} is refused).
 */
public final class MemFs {
  /** Node kinds. */
  public enum Kind { DIR, FILE, SYMLINK, CHAR }

  /** Mode bits we keep beside the permission bits (Go's ModeSetuid/ModeSetgid/ModeSticky as tar bits). */
  public static final int SETUID = 04000;
  public static final int SETGID = 02000;
  public static final int STICKY = 01000;

  /** A file, directory, symlink or device. Shared between names when hard-linked. */
  public static final class Node {
    Kind kind;
    /** perm | setuid/setgid/sticky as tar mode bits. */
    int mode;
    int uid;
    int gid;
    long mtime;
    byte[] data = new byte[0];
    String linkTarget = "";
    int major;
    int minor;
    final TreeMap<String, String> xattrs = new TreeMap<>();
    final Map<String, String> hardlinks = new HashMap<>();
    final TreeMap<String, Node> children;
    /** The package that wrote this file, with its checksum (null for files apko made). */
    PackageEntry owner;

    Node(Kind kind, int mode) {
      this.kind = kind;
      this.mode = mode;
      this.children = kind == Kind.DIR ? new TreeMap<>(GoJson::compareUtf8) : null;
    }

    public Kind kind() {
      return kind;
    }

    public int mode() {
      return mode;
    }

    public int uid() {
      return uid;
    }

    public int gid() {
      return gid;
    }

    public long mtime() {
      return mtime;
    }

    public byte[] data() {
      return data;
    }

    public String linkTarget() {
      return linkTarget;
    }

    public int major() {
      return major;
    }

    public int minor() {
      return minor;
    }

    public Map<String, String> xattrs() {
      return java.util.Collections.unmodifiableMap(xattrs);
    }

    public PackageEntry owner() {
      return owner;
    }
  }

  /** Who wrote a package file: its package and the SHA-1 from the package's tar header. */
  public record PackageEntry(String pkgName, String origin, List<String> replaces, byte[] sha1) {}

  private static final int MAX_LINKS = 40;
  private final Node root = new Node(Kind.DIR, 0755);

  public Node root() {
    return root;
  }

  private static List<String> parts(String path) {
    List<String> out = new ArrayList<>();
    for (String p : path.split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        throw new CheckException(RebuildCode.BUILD_PATH_ESCAPES_ROOT, path, "path leaves the image root");
      }
      out.add(p);
    }
    return out;
  }

  static String parent(String path) {
    String p = trim(path);
    int i = p.lastIndexOf('/');
    return i < 0 ? "" : p.substring(0, i);
  }

  static String base(String path) {
    String p = trim(path);
    int i = p.lastIndexOf('/');
    return i < 0 ? p : p.substring(i + 1);
  }

  private static String trim(String path) {
    String p = path;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  /** Resolves a path following symlinks at every component (apko's getNode); null if absent. */
  public Node get(String path) {
    return get(path, 0);
  }

  private Node get(String path, int depth) {
    Node node = root;
    List<String> traversed = new ArrayList<>();
    for (String part : parts(path)) {
      if (node.kind != Kind.DIR) {
        return null;
      }
      Node child = node.children.get(part);
      if (child == null) {
        return null;
      }
      if (child.kind == Kind.SYMLINK) {
        if (depth + 1 > MAX_LINKS) {
          throw new CheckException(RebuildCode.BUILD_SYMLINK_LOOP, path, "more than " + MAX_LINKS + " symlinks while resolving");
        }
        String target = child.linkTarget.startsWith("/") ? child.linkTarget
            : String.join("/", traversed) + "/" + child.linkTarget;
        child = get(cleanJoin(target), depth + 1);
        if (child == null) {
          return null;
        }
      }
      node = child;
      traversed.add(part);
    }
    return node;
  }

  /** Without following the last component (Lstat). */
  public Node lget(String path) {
    String p = trim(path);
    if (p.isEmpty()) {
      return root;
    }
    Node parent = get(parent(p));
    if (parent == null || parent.kind != Kind.DIR) {
      return null;
    }
    return parent.children.get(base(p));
  }

  public boolean exists(String path) {
    return lget(path) != null;
  }

  /** filepath.Clean of a slash path, relative to the root, refusing to leave it. */
  static String cleanJoin(String path) {
    List<String> out = new ArrayList<>();
    for (String p : path.split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        if (!out.isEmpty()) {
          out.remove(out.size() - 1);
        }
        // ".." at the root stays at the root, as in the kernel
        continue;
      }
      out.add(p);
    }
    return String.join("/", out);
  }

  private Node parentDir(String path) {
    Node parent = get(parent(path));
    if (parent == null) {
      throw new CheckException(RebuildCode.BUILD_PARENT_MISSING, path, "parent directory does not exist");
    }
    if (parent.kind != Kind.DIR) {
      throw new CheckException(RebuildCode.BUILD_PARENT_NOT_DIR, path, "parent is not a directory");
    }
    return parent;
  }

  /** Mkdir: fails if the name exists. */
  public Node mkdir(String path, int perm) {
    Node parent = parentDir(path);
    String name = base(path);
    if (parent.children.containsKey(name)) {
      throw new CheckException(RebuildCode.BUILD_PATH_EXISTS, path, "already exists");
    }
    Node n = new Node(Kind.DIR, perm);
    parent.children.put(name, n);
    return n;
  }

  /** MkdirAll: creates missing directories with {@code perm}; existing ones keep their mode. */
  public void mkdirAll(String path, int perm) {
    Node node = root;
    List<String> traversed = new ArrayList<>();
    for (String part : parts(path)) {
      Node child = node.children.get(part);
      if (child == null) {
        child = new Node(Kind.DIR, perm);
        node.children.put(part, child);
      }
      if (child.kind == Kind.SYMLINK) {
        String target = child.linkTarget.startsWith("/") ? child.linkTarget
            : String.join("/", traversed) + "/" + child.linkTarget;
        child = get(cleanJoin(target));
        if (child == null) {
          throw new CheckException(RebuildCode.BUILD_PARENT_MISSING, path, "symlink " + part + " points nowhere");
        }
      }
      if (child.kind != Kind.DIR) {
        throw new CheckException(RebuildCode.BUILD_PARENT_NOT_DIR, path, "path is not a directory");
      }
      node = child;
      traversed.add(part);
    }
  }

  /** Creates or truncates a regular file (apko's OpenFile O_CREATE|O_TRUNC), following a symlink at the name. */
  public Node writeFile(String path, byte[] data, int perm) {
    return writeFile(path, data, perm, 0);
  }

  private Node writeFile(String path, byte[] data, int perm, int depth) {
    Node parent = parentDir(path);
    String name = base(path);
    Node n = parent.children.get(name);
    if (n != null && n.kind == Kind.DIR) {
      throw new CheckException(RebuildCode.BUILD_IS_DIRECTORY, path, "is a directory");
    }
    if (n != null && n.kind == Kind.SYMLINK) {
      if (depth + 1 > MAX_LINKS) {
        throw new CheckException(RebuildCode.BUILD_SYMLINK_LOOP, path, "too many links");
      }
      String target = n.linkTarget.startsWith("/") ? n.linkTarget : parent(path) + "/" + n.linkTarget;
      return writeFile(cleanJoin(target), data, perm, depth + 1);
    }
    if (n == null) {
      n = new Node(Kind.FILE, perm);
      parent.children.put(name, n);
    }
    // a package's file rewritten by the build stays that package's (apko keeps the node's tar entry)
    n.data = data.clone();
    return n;
  }

  /** Appends to a file, creating it with {@code perm} when missing. */
  public Node append(String path, byte[] more, int perm) {
    Node n = lget(path);
    if (n == null) {
      return writeFile(path, more, perm);
    }
    Node target = get(path);
    byte[] joined = new byte[target.data.length + more.length];
    System.arraycopy(target.data, 0, joined, 0, target.data.length);
    System.arraycopy(more, 0, joined, target.data.length, more.length);
    target.data = joined;
    return target;
  }

  public byte[] readFile(String path) {
    Node n = get(path);
    if (n == null || n.kind != Kind.FILE) {
      throw new CheckException(RebuildCode.BUILD_FILE_MISSING, path, "no such file in the image");
    }
    return n.data.clone();
  }

  /** Symlink made by apko: mode 0777, mtime of the parent directory. */
  public void symlink(String target, String path) {
    Node parent = parentDir(path);
    String name = base(path);
    if (parent.children.containsKey(name)) {
      throw new CheckException(RebuildCode.BUILD_PATH_EXISTS, path, "already exists");
    }
    Node n = new Node(Kind.SYMLINK, 0777);
    n.linkTarget = target;
    n.mtime = parent.mtime;
    parent.children.put(name, n);
  }

  /** Character device: the given perm, mtime of the parent directory. */
  public void mknod(String path, int perm, int major, int minor) {
    Node parent = parentDir(path);
    String name = base(path);
    if (parent.children.containsKey(name)) {
      throw new CheckException(RebuildCode.BUILD_PATH_EXISTS, path, "already exists");
    }
    Node n = new Node(Kind.CHAR, perm);
    n.major = major;
    n.minor = minor;
    n.mtime = parent.mtime;
    parent.children.put(name, n);
  }

  /**
   * A second name for an existing node. {@code tarLinkname} is the package header's linkname when the link
   * came from a package (it is then written as a tar hard link); null for {@code paths:} hard links, which
   * apko writes as a second full file.
   */
  public void link(String existing, String path, String tarLinkname) {
    Node parent = parentDir(path);
    Node target = get(existing);
    if (target == null) {
      throw new CheckException(RebuildCode.BUILD_LINK_TARGET_MISSING, path, "hard link target " + existing + " does not exist");
    }
    String name = base(path);
    if (parent.children.containsKey(name)) {
      throw new CheckException(RebuildCode.BUILD_PATH_EXISTS, path, "already exists");
    }
    parent.children.put(name, target);
    if (tarLinkname != null) {
      target.hardlinks.put(trim(path), tarLinkname);
    }
  }

  public void remove(String path) {
    Node parent = parentDir(path);
    if (parent.children.remove(base(path)) == null) {
      throw new CheckException(RebuildCode.BUILD_FILE_MISSING, path, "no such file in the image");
    }
  }

  public void chmod(String path, int perm) {
    node(path).mode = perm;
  }

  public void chown(String path, int uid, int gid) {
    Node n = node(path);
    n.uid = uid;
    n.gid = gid;
  }

  public void chtimes(String path, long mtime) {
    node(path).mtime = mtime;
  }

  /** Every node's mtime (apko before v0.19.0 stamped all tar headers with SOURCE_DATE_EPOCH). */
  public void setAllMtimes(long mtime) {
    java.util.ArrayDeque<Node> todo = new java.util.ArrayDeque<>(root.children.values());
    root.mtime = mtime;
    while (!todo.isEmpty()) {
      Node n = todo.pop();
      n.mtime = mtime;
      if (n.kind == Kind.DIR) {
        todo.addAll(n.children.values());
      }
    }
  }

  public void setXattr(String path, String name, String value) {
    node(path).xattrs.put(name, value);
  }

  private Node node(String path) {
    Node n = get(path);
    if (n == null) {
      throw new CheckException(RebuildCode.BUILD_FILE_MISSING, path, "no such file in the image");
    }
    return n;
  }

  /** Puts a package's regular file or symlink at {@code path} (parent must exist); replaces the old node. */
  Node putPackageNode(String path, Node n) {
    Node parent = parentDir(path);
    parent.children.put(base(path), n);
    return n;
  }

  /** Visits every path depth-first, children in byte order, the root excluded (Go's fs.WalkDir). */
  public void walk(Visitor v) throws java.io.IOException {
    walk(root, "", v);
  }

  private void walk(Node dir, String prefix, Visitor v) throws java.io.IOException {
    for (Map.Entry<String, Node> e : dir.children.entrySet()) {
      String path = prefix.isEmpty() ? e.getKey() : prefix + "/" + e.getKey();
      Node n = e.getValue();
      v.visit(path, n);
      if (n.kind == Kind.DIR) {
        walk(n, path, v);
      }
    }
  }

  /** Walk callback. */
  @FunctionalInterface
  public interface Visitor {
    void visit(String path, Node node) throws java.io.IOException;
  }
}
