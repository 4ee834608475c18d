package dev.bitproof.rebuild;

import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * apko's {@code installBusyboxLinks} ({@code pkg/build/busybox.go}) when {@code /bin/busybox} exists: a symlink to
 * {@code /bin/busybox} for every applet path, taken from {@code /etc/busybox-paths.d/<package>} (busybox ≥ 1.36.0-r8
 * ships it) or else from apko's built-in per-version table ({@code busybox_versions.go}: busybox 1.32.1 … 1.36.0,
 * any other version gets the 1.36.0 list), chosen by the package's {@code major.minor.patch}.
 *
 * <p>The owning package is found in the installed database in DB order (a base image's records first), as apko's
 * loop does: a package named {@code busybox} ends the search; otherwise the <em>last</em> package before it that
 * provides a name containing "busybox" wins (apko's {@code break} leaves only the inner loop).
 */
public final class BusyboxLinks {
  static final String BUSYBOX = "bin/busybox";
  static final String PATHS_DIR = "etc/busybox-paths.d/";
  /** Go's {@code ^v?((\d+)\.(\d+)\.(\d+))(?:-(\w+))?$} (RE2: ASCII classes). */
  private static final Pattern SEMVER = Pattern.compile("^v?(([0-9]+)\\.([0-9]+)\\.([0-9]+))(?:-([0-9A-Za-z_]+))?$");
  private static final Map<String, List<String>> TABLE = load();

  private BusyboxLinks() {}

  /** An installed-database record as apko's {@code GetInstalled} returns it (the fields this step reads). */
  public record Installed(String name, String version, List<String> provides) {
    public Installed {
      provides = List.copyOf(provides);
    }
  }

  /**
   * apko's rules over time: {@code chtimesDirs} (since v0.25.6, commit 4c14aaa2) gives each applet directory
   * busybox's mtime. (Before v0.15.0, commit 9bef363e, a name without a directory was not skipped; not modelled.)
   */
  public record Rules(boolean chtimesDirs) {
    public static final Rules CURRENT = new Rules(true);
    public static final Rules BEFORE_V0_25_6 = new Rules(false);
  }

  /** The installed database as apko reads it back: a base image's records, then this build's packages. */
  public static List<Installed> installed(BaseImage base, List<PackageContent> pkgs) {
    List<Installed> out = new ArrayList<>();
    if (base != null) {
      for (BaseImage.Record r : base.packages()) {
        out.add(new Installed(r.name(), r.version(),
            Arrays.stream(r.provides().split(" ")).filter(x -> !x.isEmpty()).toList()));
      }
    }
    for (PackageContent p : pkgs) {
      out.add(new Installed(p.name(), p.version(), p.provides()));
    }
    return out;
  }

  /** The built-in links for a busybox version string as apko picks them; empty when apko calls it invalid. */
  public static java.util.Optional<List<String>> table(String version) {
    Matcher m = SEMVER.matcher(version);
    if (!m.matches()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(TABLE.getOrDefault(m.group(1), TABLE.get("default")));
  }

  /** The busybox versions apko's table knows (without "default"). */
  public static List<String> knownVersions() {
    return TABLE.keySet().stream().filter(v -> !v.equals("default")).toList();
  }

  public static void install(MemFs fs, List<Installed> installed, Rules rules) {
    MemFs.Node bb = fs.get(BUSYBOX); // a symlink loop fails the build, as apko's Stat error does
    if (bb == null) {
      return;
    }
    Installed owner = null;
    for (Installed p : installed) {
      if (p.name().equals("busybox")) {
        owner = p;
        break;
      }
      if (p.provides().stream().anyMatch(x -> x.contains("busybox"))) {
        owner = p;
      }
    }
    if (owner == null || owner.version().isEmpty()) {
      throw new CheckException(RebuildCode.BUILD_BUSYBOX_UNOWNED, BUSYBOX, "/bin/busybox exists but no installed package is or "
          + "provides busybox (apko: busybox package not installed)");
    }
    List<String> links;
    MemFs.Node manifest = fs.get(PATHS_DIR + owner.name());
    if (manifest != null && manifest.kind() == MemFs.Kind.FILE) {
      links = Arrays.asList(new String(manifest.data(), StandardCharsets.UTF_8).split("\n", -1));
    } else {
      String v = owner.version();
      String name = owner.name();
      links = table(v).orElseThrow(() -> new CheckException(RebuildCode.BUILD_BUSYBOX_VERSION_INVALID, name,
          "invalid busybox version: " + v + " (apko's table needs major.minor.patch[-suffix])"));
    }
    for (String link : links) {
      if (link.isEmpty() || link.equals("/bin/busybox")) {
        continue;
      }
      if (link.indexOf('/') < 0) {
        continue; // filepath.Dir is "."
      }
      String p = RootfsSteps.rootPath(link, "busybox link");
      String dir = MemFs.parent(p);
      if (!dir.isEmpty()) {
        fs.mkdirAll(dir, 0755);
      }
      if (rules.chtimesDirs()) {
        if (dir.isEmpty()) {
          fs.root().mtime = bb.mtime(); // Chtimes("/"): the root is not in the layer
        } else {
          fs.chtimes(dir, bb.mtime());
        }
      }
      MemFs.Node existing = fs.lget(p);
      if (existing != null) {
        if (existing.kind() == MemFs.Kind.SYMLINK) {
          continue; // busybox --install -s keeps an existing link
        }
        MemFs.Node target = fs.get(p);
        if (target != null && target.kind() == MemFs.Kind.FILE) {
          continue; // and an existing regular file
        }
        throw new CheckException(RebuildCode.BUILD_PATH_EXISTS, p, "creating busybox link " + link + ": file exists");
      }
      fs.symlink("/bin/busybox", p);
    }
  }

  private static Map<String, List<String>> load() {
    Map<String, List<String>> t = new LinkedHashMap<>();
    try (InputStream in = BusyboxLinks.class.getResourceAsStream("busybox-links.txt")) {
      if (in == null) {
        throw new IllegalStateException("busybox-links.txt missing from the classpath");
      }
      List<String> cur = null;
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        if (line.startsWith("[default] = ")) {
          t.put("default", t.get(line.substring("[default] = ".length())));
        } else if (line.startsWith("[")) {
          cur = new ArrayList<>();
          t.put(line.substring(1, line.length() - 1), cur);
        } else {
          cur.add(line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    t.replaceAll((k, v) -> List.copyOf(v));
    return java.util.Collections.unmodifiableMap(t);
  }
}
