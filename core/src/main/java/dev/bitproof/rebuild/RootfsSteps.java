package dev.bitproof.rebuild;

import dev.bitproof.apko.ApkoDefaults;
import dev.bitproof.gocompat.GoCompatCode;
import dev.bitproof.gocompat.GoJson;

import dev.bitproof.apko.ImageConfiguration;
import dev.bitproof.apko.ImageConfiguration.PathMutation;
import dev.bitproof.apko.ImageConfiguration.User;
import dev.bitproof.report.CheckException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The files apko generates around the packages (reference apko.md §1.1 steps 1 and 3-9, §1.4), each a small
 * function over the {@link MemFs}.
 */
public final class RootfsSteps {
  private RootfsSteps() {}

  /** {@code initializeApk}: base and apk directories, init files, device nodes, keys, repositories, world. */
  public static void initApk(MemFs fs, ApkoRules rules, String apkArch, Map<String, byte[]> keyring,
      List<String> buildRepos, List<String> world) {
    List<String> base = new ArrayList<>(List.of("tmp", "dev", "etc", "opt", "proc", "var", "usr"));
    List<Integer> perms = new ArrayList<>(List.of(01777, 0755, 0755, 0755, 0555, 0755, 0755));
    if (!rules.has(ApkoChange.USRMERGE_DB)) {
      perms.remove(base.indexOf("usr"));
      base.remove("usr");
    }
    if (!rules.has(ApkoChange.OPT_DIR)) {
      perms.remove(base.indexOf("opt"));
      base.remove("opt");
    }
    for (int i = 0; i < base.size(); i++) {
      String d = base.get(i);
      int perm = perms.get(i);
      MemFs.Node n = fs.lget(d);
      if (n == null) {
        fs.mkdir(d, perm);
      } else if (n.kind() != MemFs.Kind.DIR || n.mode() != perm) {
        throw new CheckException(RebuildCode.BUILD_BASE_DIR_MODE, d, "exists with mode " + Integer.toOctalString(n.mode())
            + ", apko requires " + Integer.toOctalString(perm));
      }
    }
    String db = rules.apkDbDir();
    List<String> dirs = rules.has(ApkoChange.USRMERGE_DB)
        ? List.of("etc/apk", "etc/apk/keys", "usr/lib", "usr/lib/apk", db, "usr/lib/apk/exec", "var/cache",
            "var/cache/apk", "var/cache/misc")
        : List.of("etc/apk", "etc/apk/keys", "lib/apk", db, "var/cache", "var/cache/apk", "var/cache/misc");
    for (String d : dirs) {
      fs.mkdirAll(d, 0755);
    }
    fs.writeFile("etc/apk/world", "\n".getBytes(StandardCharsets.UTF_8), 0644);
    fs.writeFile("etc/apk/repositories", "\n".getBytes(StandardCharsets.UTF_8), 0644);
    fs.writeFile(db + "/lock", new byte[0], 0600);
    fs.writeFile(db + "/triggers", new byte[0], 0644);
    fs.writeFile(db + "/installed", new byte[0], 0644);
    fs.writeFile("etc/apk/arch", (apkArch + "\n").getBytes(StandardCharsets.UTF_8), 0644);
    fs.writeFile(db + "/scripts.tar", new byte[1024], 0644);
    initDevices(fs);
    keyring.forEach((name, bytes) -> fs.writeFile("etc/apk/keys/" + name, bytes, 0644));
    fs.writeFile("etc/apk/repositories", lines(sortedSet(buildRepos)), 0644);
    // SetWorld: sorted, duplicates kept
    List<String> w = new ArrayList<>(world);
    w.sort(GoJson::compareUtf8);
    fs.writeFile("etc/apk/world", lines(w), 0644);
  }

  /** The five character devices with their modes (apko's initDeviceFiles); existing ones are left alone. */
  public static void initDevices(MemFs fs) {
    initDevices(fs, false);
  }

  /**
   * @param zeroPerm apko's later {@code installCharDevices} recreates a missing device with perm 0
   */
  public static void initDevices(MemFs fs, boolean zeroPerm) {
    Object[][] devs = {{"dev/zero", 0666, 1, 5}, {"dev/urandom", 0666, 1, 9}, {"dev/null", 0666, 1, 3},
        {"dev/random", 0666, 1, 8}, {"dev/console", 0620, 5, 1}};
    for (Object[] d : devs) {
      if (fs.lget((String) d[0]) == null) {
        fs.mknod((String) d[0], zeroPerm ? 0 : (Integer) d[1], (Integer) d[2], (Integer) d[3]);
      }
    }
  }

  static List<String> sortedSet(List<String> l) {
    return new ArrayList<>(new TreeSet<>(l));
  }

  /** {@code join(l, "\n") + "\n"}. */
  static byte[] lines(List<String> l) {
    return (String.join("\n", l) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** {@code mutateAccounts}: passwd always rewritten; group and shadow when configured; home directories. */
  public static void accounts(MemFs fs, ImageConfiguration.Accounts accounts) {
    List<String[]> users = readColonFile(fs, "etc/passwd", 7);
    List<String[]> shadowAdd = new ArrayList<>();
    for (User u : accounts.users()) {
      if (u.username().isEmpty()) {
        throw new CheckException(GoCompatCode.APKO_CONFIG_INVALID, "accounts.users", "a user has no username");
      }
      if (u.uid() == 0) {
        throw new CheckException(GoCompatCode.APKO_CONFIG_INVALID, "accounts.users." + u.username(), "uid 0 is not allowed");
      }
      long gid = u.gid() == null ? u.uid() : u.gid();
      String home = ApkoDefaults.homedir(u);
      String shell = ApkoDefaults.shell(u);
      users.add(new String[] {u.username(), "x", Long.toString(u.uid()), Long.toString(gid), "Account created by apko",
          home, shell});
      shadowAdd.add(new String[] {u.username(), "!", "", "", "", "", "", "", ""});
    }
    writeColonFile(fs, "etc/passwd", users);
    for (String[] ue : users) {
      String home = ue[5];
      if (home.isEmpty() || home.equals("/") || home.equals("/dev/null") || home.equals("/var/empty")) {
        continue;
      }
      boolean ours = false;
      for (User u : accounts.users()) {
        ours |= u.username().equals(ue[0]);
      }
      if (!ours) {
        continue;
      }
      String rel = MemFs.cleanJoin(home);
      if (fs.lget(rel) == null) {
        fs.mkdirAll(MemFs.parent(rel), 0755);
        fs.mkdir(rel, 0700);
        fs.chown(rel, Integer.parseInt(ue[2]), Integer.parseInt(ue[3]));
      }
    }
    if (!accounts.groups().isEmpty()) {
      List<String[]> groups = readColonFile(fs, "etc/group", 4);
      for (ImageConfiguration.Group g : accounts.groups()) {
        if (g.groupname().isEmpty() || g.gid() == 0) {
          throw new CheckException(GoCompatCode.APKO_CONFIG_INVALID, "accounts.groups", "a group has no name or gid 0");
        }
        groups.add(new String[] {g.groupname(), "x", Long.toString(g.gid()), String.join(",", g.members())});
      }
      writeColonFile(fs, "etc/group", groups);
    }
    if (!shadowAdd.isEmpty()) {
      List<String[]> shadow = readColonFile(fs, "etc/shadow", 9);
      shadow.addAll(shadowAdd);
      writeColonFile(fs, "etc/shadow", shadow);
    }
  }

  private static List<String[]> readColonFile(MemFs fs, String path, int fields) {
    List<String[]> out = new ArrayList<>();
    MemFs.Node n = fs.get(path);
    if (n == null) {
      return out;
    }
    for (String line : new String(n.data(), StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(":", -1);
      if (f.length != fields) {
        throw new CheckException(RebuildCode.BUILD_ACCOUNTS_INVALID, path, "line has " + f.length + " fields, expected " + fields
            + ": " + line);
      }
      out.add(f);
    }
    return out;
  }

  private static void writeColonFile(MemFs fs, String path, List<String[]> entries) {
    StringBuilder sb = new StringBuilder();
    for (String[] e : entries) {
      sb.append(String.join(":", e)).append('\n');
    }
    MemFs.Node existing = fs.get(path);
    fs.writeFile(path, sb.toString().getBytes(StandardCharsets.UTF_8), existing == null ? 0644 : existing.mode());
  }

  /** {@code /etc/apko.json}: Go's Encoder output (HTML-escaped, trailing newline), mode 0444. */
  public static void apkoJson(MemFs fs, ImageConfiguration locked) {
    fs.writeFile("etc/apko.json", GoJson.encode(locked.toGoJson()), 0444);
    fs.chmod("etc/apko.json", 0444);
  }

  /** {@code mutatePaths}: each entry in order; a path outside the root is {@code BUILD_PATH_ESCAPES_ROOT}. */
  public static void paths(MemFs fs, List<PathMutation> paths) {
    for (PathMutation m : paths) {
      String p = rootPath(m.path(), "paths.path");
      int perm = (int) (m.permissions() & 07777);
      switch (m.type()) {
        case "directory" -> {
          fs.mkdirAll(p, perm);
          fs.chmod(p, perm);
          if (m.recursive()) {
            recurse(fs, p, n -> n.mode = perm);
          }
        }
        case "empty-file" -> {
          fs.mkdirAll(MemFs.parent(p), 0755);
          fs.writeFile(p, new byte[0], perm);
          fs.chmod(p, perm);
        }
        case "hardlink" -> {
          String src = rootPath(m.source(), "paths.source");
          fs.mkdirAll(MemFs.parent(p), 0755);
          if (fs.lget(p) != null) {
            fs.remove(p); // apko overwrites an existing link
          }
          fs.link(src, p, null);
          fs.chmod(p, perm);
        }
        case "symlink" -> {
          rootPath(m.source(), "paths.source");
          fs.mkdirAll(MemFs.parent(p), 0755);
          fs.symlink(m.source(), p);
        }
        case "permissions" -> {
          if (fs.get(p) == null) {
            throw new CheckException(RebuildCode.BUILD_PATH_MISSING, m.path(), "paths: permissions on a path that does not exist");
          }
          fs.chmod(p, perm);
        }
        default -> throw new CheckException(GoCompatCode.APKO_CONFIG_INVALID, m.path(), "unknown paths type '" + m.type() + "'");
      }
      if (m.uid() != null || m.gid() != null) {
        int uid = m.uid() == null ? 0 : m.uid().intValue();
        int gid = m.gid() == null ? 0 : m.gid().intValue();
        if (!m.type().equals("symlink")) {
          fs.chown(p, uid, gid);
          if (m.recursive() && m.type().equals("directory")) {
            recurse(fs, p, n -> {
              n.uid = uid;
              n.gid = gid;
            });
          }
        }
      }
    }
  }

  private static void recurse(MemFs fs, String p, java.util.function.Consumer<MemFs.Node> f) {
    MemFs.Node n = fs.get(p);
    if (n == null || n.kind() != MemFs.Kind.DIR) {
      return;
    }
    java.util.ArrayDeque<MemFs.Node> todo = new java.util.ArrayDeque<>(n.children.values());
    while (!todo.isEmpty()) {
      MemFs.Node c = todo.pop();
      f.accept(c);
      if (c.kind() == MemFs.Kind.DIR) {
        todo.addAll(c.children.values());
      }
    }
  }

  /** An absolute or relative config path as a path inside the root; {@code ..} escaping it is refused. */
  static String rootPath(String path, String field) {
    int depth = 0;
    for (String part : path.split("/")) {
      if (part.equals("..")) {
        if (--depth < 0) {
          throw new CheckException(RebuildCode.BUILD_PATH_ESCAPES_ROOT, path, field + " leaves the image root");
        }
      } else if (!part.isEmpty() && !part.equals(".")) {
        depth++;
      }
    }
    String clean = MemFs.cleanJoin(path);
    if (clean.isEmpty()) {
      throw new CheckException(RebuildCode.BUILD_PATH_ESCAPES_ROOT, path, field + " names the image root itself");
    }
    return clean;
  }

  /** {@code runtime_keyring}: inline keys into {@code etc/apk/keys}, mtime = build date. */
  public static void runtimeKeyring(MemFs fs, List<ImageConfiguration.NamedContent> keys, long buildDate) {
    List<ImageConfiguration.NamedContent> sorted = new ArrayList<>(keys);
    sorted.sort((a, b) -> a.name().compareTo(b.name()));
    for (ImageConfiguration.NamedContent k : sorted) {
      if (k.name().contains("/") || k.name().isEmpty()) {
        throw new CheckException(RebuildCode.BUILD_PATH_ESCAPES_ROOT, k.name(), "runtime_keyring name must be a file name");
      }
      String p = "etc/apk/keys/" + k.name();
      fs.writeFile(p, k.content().getBytes(StandardCharsets.UTF_8), 0644);
      fs.chtimes(p, buildDate);
    }
  }

  /** s6 service bundle: {@code sv/<name>/run} = {@code #!/bin/execlineb\n<cmd>\n}, 0755. */
  public static void supervisionTree(MemFs fs, Map<String, String> services) {
    if (services.isEmpty()) {
      return;
    }
    fs.mkdirAll("sv", 0755);
    for (Map.Entry<String, String> s : new java.util.TreeMap<>(services).entrySet()) {
      if (s.getKey().contains("/") || s.getKey().equals("..")) {
        throw new CheckException(RebuildCode.BUILD_PATH_ESCAPES_ROOT, s.getKey(), "service name must be a file name");
      }
      fs.mkdirAll("sv/" + s.getKey(), 0755);
      fs.writeFile("sv/" + s.getKey() + "/run",
          ("#!/bin/execlineb\n" + s.getValue() + "\n").getBytes(StandardCharsets.UTF_8), 0755);
    }
  }

  /** {@code postBuildSetApk}: the image's repositories file lists runtime repositories only. */
  public static void runtimeRepositories(MemFs fs, List<String> runtimeRepos) {
    fs.writeFile("etc/apk/repositories", lines(sortedSet(runtimeRepos)), 0644);
  }
}
