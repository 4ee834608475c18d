package dev.bitproof.policy;

import dev.bitproof.apk.db.ApkInstalledDb;

import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.ImageConfig;
import dev.bitproof.oci.ImageManifest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.tar.TarEntryInfo;
import dev.bitproof.tar.TarPaths;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Facts about one image, read from its config and merged layers in one pass. Pure data: the rules in
 * {@link PolicyEngine} judge them.
 */
public record ImageFacts(
    BaseFamily baseFamily,
    String osReleaseId,
    EffectiveUser user,
    List<String> shells,
    List<String> packageManagers,
    List<String> packageDatabases,
    List<FileFact> setuidFiles,
    List<FileFact> worldWritable,
    List<String> caBundles,
    List<String> binariesWithDebugInfo,
    int elfFilesScanned,
    Optional<MainBinary> mainBinary,
    long imageSize,
    List<Long> layerSizes,
    int packageCount,
    int malformedAccountLines) {

  public enum BaseFamily { ALPINE, WOLFI, DEBIAN, UBUNTU, DISTROLESS, APK_BASED, SCRATCH, UNKNOWN }

  /** The user the container runs as, from config {@code User} resolved against passwd/group. */
  public record EffectiveUser(String configured, Optional<Long> uid, Optional<Long> gid, Optional<String> name,
      boolean inPasswd, Optional<String> problem) {
    public boolean isRoot() {
      return uid.map(u -> u == 0).orElse(false);
    }
  }

  public record FileFact(String path, int mode, long uid, long gid) {}

  /** The entrypoint (or cmd) binary. */
  public record MainBinary(String configured, String resolvedPath, boolean present, Optional<Boolean> isElf,
      Optional<Boolean> isStatic, Optional<String> interpreter) {}

  static final List<String> SHELLS = List.of("bin/sh", "bin/bash", "bin/ash", "bin/dash", "bin/zsh", "bin/ksh",
      "bin/mksh", "usr/bin/sh", "usr/bin/bash", "usr/bin/ash", "usr/bin/dash", "usr/bin/zsh", "bin/busybox",
      "usr/bin/busybox");
  static final List<String> PACKAGE_MANAGERS = List.of("sbin/apk", "usr/sbin/apk", "bin/apk", "usr/bin/apk",
      "usr/bin/dpkg", "bin/dpkg", "usr/bin/apt", "usr/bin/apt-get", "usr/bin/yum", "usr/bin/dnf", "usr/bin/rpm",
      "usr/bin/microdnf");
  static final List<String> PACKAGE_DATABASES = List.of("lib/apk/db/installed", "usr/lib/apk/db/installed",
      "var/lib/dpkg/status", "var/lib/dpkg/status.d", "var/lib/rpm");
  static final List<String> CA_BUNDLES = List.of("etc/ssl/certs/ca-certificates.crt", "etc/ssl/cert.pem",
      "etc/pki/tls/certs/ca-bundle.crt", "etc/ssl/ca-bundle.pem");
  static final Set<String> BIN_DIRS = Set.of("bin", "sbin", "usr/bin", "usr/sbin", "usr/local/bin", "usr/local/sbin");
  static final Set<String> KEEP_TEXT = Set.of("etc/passwd", "etc/group", "etc/os-release", "usr/lib/os-release",
      "lib/apk/db/installed", "usr/lib/apk/db/installed", "var/lib/dpkg/status");
  /** Binaries larger than this are not scanned for ELF sections (reported as not scanned). */
  static final long MAX_ELF_SCAN = 64L * 1024 * 1024;

  /** Reads the layers of {@code manifest} and gathers the facts. */
  public static ImageFacts gather(ImageSource source, ImageManifest manifest, ImageConfig config) throws IOException {
    List<String> mainCandidates = new ArrayList<>();
    for (String c : programCandidates(config)) {
      mainCandidates.add(TarPaths.normalize(c, "entrypoint"));
    }
    ImageFilesystem fs = ImageFilesystem.read(source, manifest, (path, size) ->
        KEEP_TEXT.contains(path) || path.startsWith("var/lib/dpkg/status.d/")
            || (size <= MAX_ELF_SCAN && (BIN_DIRS.contains(TarPaths.parent(path)) || mainCandidates.contains(path))));
    List<Long> layerSizes = manifest.layers().stream().map(Descriptor::size).toList();
    long total = manifest.config().size() + layerSizes.stream().mapToLong(Long::longValue).sum();
    return of(fs, config, total, layerSizes);
  }

  /** Facts from an already merged filesystem. */
  public static ImageFacts of(ImageFilesystem fs, ImageConfig config, long imageSize, List<Long> layerSizes) {
    Optional<String> osRelease = fs.content("etc/os-release").or(() -> fs.content("usr/lib/os-release"))
        .map(b -> new String(b, StandardCharsets.UTF_8));
    String osId = osRelease.map(s -> osReleaseField(s, "ID")).orElse("");

    List<String> shells = present(fs, SHELLS);
    List<String> pms = present(fs, PACKAGE_MANAGERS);
    List<String> dbs = new ArrayList<>();
    for (String p : PACKAGE_DATABASES) {
      if (fs.get(p).isPresent()) {
        dbs.add("/" + p);
      }
    }
    List<String> cas = present(fs, CA_BUNDLES);

    List<FileFact> setuid = new ArrayList<>();
    List<FileFact> writable = new ArrayList<>();
    List<String> debug = new ArrayList<>();
    int elfScanned = 0;
    for (ImageFilesystem.Node n : fs.nodes()) {
      TarEntryInfo e = n.entry();
      if (e.type() == TarEntryInfo.Type.FILE && (e.mode() & 06000) != 0) {
        setuid.add(new FileFact("/" + e.path(), e.mode() & 07777, e.uid(), e.gid()));
      }
      if ((e.type() == TarEntryInfo.Type.FILE || e.type() == TarEntryInfo.Type.DIRECTORY) && (e.mode() & 0002) != 0) {
        writable.add(new FileFact("/" + e.path(), e.mode() & 07777, e.uid(), e.gid()));
      }
      if (e.type() == TarEntryInfo.Type.FILE && e.content().isPresent() && Elf.looksLikeElf(e.content().get())) {
        elfScanned++;
        Elf.parse(e.content().get()).filter(Elf::hasDebugInfo).ifPresent(x -> debug.add("/" + e.path()));
      }
    }

    Accounts accounts = Accounts.parse(fs.content("etc/passwd"), fs.content("etc/group"));
    EffectiveUser user = resolveUser(config.user(), accounts);
    Optional<MainBinary> main = mainBinary(fs, config);
    int packages = countPackages(fs);
    BaseFamily family = family(osId, fs, shells, pms);
    return new ImageFacts(family, osId, user, shells, pms, dbs, setuid, writable, cas, debug, elfScanned, main,
        imageSize, layerSizes, packages, accounts.malformedLines());
  }

  static String osReleaseField(String osRelease, String key) {
    for (String line : osRelease.split("\n")) {
      if (line.startsWith(key + "=")) {
        String v = line.substring(key.length() + 1).strip();
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
          v = v.substring(1, v.length() - 1);
        }
        return v;
      }
    }
    return "";
  }

  private static List<String> present(ImageFilesystem fs, List<String> paths) {
    List<String> out = new ArrayList<>();
    for (String p : paths) {
      try {
        if (fs.resolve(p).isPresent()) {
          out.add("/" + p);
        }
      } catch (CheckException loop) {
        // a symlink loop is not a working binary
      }
    }
    return out;
  }

  private static BaseFamily family(String osId, ImageFilesystem fs, List<String> shells, List<String> pms) {
    boolean statusD = fs.get("var/lib/dpkg/status.d").isPresent();
    boolean apkDb = fs.get("lib/apk/db/installed").isPresent() || fs.get("usr/lib/apk/db/installed").isPresent();
    switch (osId) {
      case "alpine":
        return BaseFamily.ALPINE;
      case "wolfi", "chainguard":
        return BaseFamily.WOLFI;
      case "debian":
        return statusD && shells.isEmpty() && pms.isEmpty() ? BaseFamily.DISTROLESS : BaseFamily.DEBIAN;
      case "ubuntu":
        return BaseFamily.UBUNTU;
      default:
        break;
    }
    if (statusD) {
      return BaseFamily.DISTROLESS;
    }
    if (apkDb) {
      return BaseFamily.APK_BASED;
    }
    if (fs.get("var/lib/dpkg/status").isPresent()) {
      return BaseFamily.DEBIAN;
    }
    long files = fs.nodes().stream().filter(n -> n.entry().type() != TarEntryInfo.Type.DIRECTORY).count();
    return osId.isEmpty() && files <= 32 ? BaseFamily.SCRATCH : BaseFamily.UNKNOWN;
  }

  static EffectiveUser resolveUser(String configured, Accounts acc) {
    String spec = configured == null ? "" : configured.strip();
    if (spec.isEmpty()) {
      Optional<String> name = acc.userById(0).map(Accounts.User::name);
      return new EffectiveUser("", Optional.of(0L), Optional.of(0L), name.or(() -> Optional.of("root")), true, Optional.empty());
    }
    String userPart = spec;
    String groupPart = null;
    int colon = spec.indexOf(':');
    if (colon >= 0) {
      userPart = spec.substring(0, colon);
      groupPart = spec.substring(colon + 1);
    }
    Optional<Long> uid;
    Optional<String> name;
    boolean inPasswd;
    Optional<Long> gid = Optional.empty();
    Optional<String> problem = Optional.empty();
    if (!userPart.isEmpty() && userPart.chars().allMatch(Character::isDigit)) {
      uid = Accounts.id(userPart);
      if (uid.isEmpty()) {
        problem = Optional.of("uid '" + userPart + "' is out of range (max " + Accounts.MAX_ID + ")");
      }
      Optional<Accounts.User> u = uid.flatMap(acc::userById);
      name = u.map(Accounts.User::name);
      inPasswd = u.isPresent();
      gid = u.map(Accounts.User::gid);
    } else {
      Optional<Accounts.User> u = acc.user(userPart);
      uid = u.map(Accounts.User::uid);
      name = Optional.of(userPart);
      inPasswd = u.isPresent();
      gid = u.map(Accounts.User::gid);
      if (u.isEmpty()) {
        problem = Optional.of("user '" + userPart + "' is not in /etc/passwd: the runtime cannot start the container");
      }
    }
    if (groupPart != null) {
      if (!groupPart.isEmpty() && groupPart.chars().allMatch(Character::isDigit)) {
        gid = Accounts.id(groupPart);
        if (gid.isEmpty()) {
          problem = Optional.of("gid '" + groupPart + "' is out of range");
        }
      } else {
        Optional<Accounts.Group> g = acc.group(groupPart);
        gid = g.map(Accounts.Group::gid);
        if (g.isEmpty() && problem.isEmpty()) {
          problem = Optional.of("group '" + groupPart + "' is not in /etc/group");
        }
      }
    }
    return new EffectiveUser(spec, uid, gid, name, inPasswd, problem);
  }

  /** Where the runtime looks for the entrypoint's program: the path itself, or each PATH entry (runc's lookup). */
  static List<String> programCandidates(ImageConfig config) {
    List<String> argv = !config.entrypoint().isEmpty() ? config.entrypoint() : config.cmd();
    List<String> candidates = new ArrayList<>();
    if (argv.isEmpty() || argv.get(0).isBlank()) {
      return candidates;
    }
    String prog = argv.get(0);
    if (prog.contains("/")) {
      candidates.add(prog);
    } else {
      String path = config.env().stream().filter(e -> e.startsWith("PATH=")).map(e -> e.substring(5)).findFirst()
          .orElse("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
      for (String dir : path.split(":")) {
        if (!dir.isEmpty()) {
          candidates.add(dir + "/" + prog);
        }
      }
    }
    return candidates;
  }

  private static Optional<MainBinary> mainBinary(ImageFilesystem fs, ImageConfig config) {
    List<String> argv = !config.entrypoint().isEmpty() ? config.entrypoint() : config.cmd();
    if (argv.isEmpty() || argv.get(0).isBlank()) {
      return Optional.empty();
    }
    String prog = argv.get(0);
    List<String> candidates = programCandidates(config);
    for (String c : candidates) {
      Optional<ImageFilesystem.Node> n;
      try {
        n = fs.resolve(c);
      } catch (CheckException loop) {
        continue;
      }
      if (n.isPresent() && n.get().entry().type() == TarEntryInfo.Type.FILE) {
        Optional<byte[]> content = n.get().entry().content();
        Optional<Elf> elf = content.flatMap(Elf::parse);
        return Optional.of(new MainBinary(prog, "/" + n.get().path(), true,
            content.map(Elf::looksLikeElf), elf.map(Elf::isStatic), elf.flatMap(Elf::interpreter)));
      }
    }
    return Optional.of(new MainBinary(prog, candidates.get(0), false, Optional.empty(), Optional.empty(), Optional.empty()));
  }

  private static int countPackages(ImageFilesystem fs) {
    Optional<byte[]> apk = fs.content("usr/lib/apk/db/installed").or(() -> fs.content("lib/apk/db/installed"));
    if (apk.isPresent()) {
      try {
        return ApkInstalledDb.parse(apk.get(), "installed").packages().size();
      } catch (CheckException e) {
        return 0; // a database the reader refuses vouches for no package
      }
    }
    Optional<byte[]> dpkg = fs.content("var/lib/dpkg/status");
    if (dpkg.isPresent()) {
      int n = 0;
      for (String l : new String(dpkg.get(), StandardCharsets.UTF_8).split("\n")) {
        if (l.startsWith("Status:") && l.contains(" installed")) {
          n++;
        }
      }
      return n;
    }
    int n = 0;
    for (ImageFilesystem.Node node : fs.nodes()) {
      String p = node.path();
      if (p.startsWith("var/lib/dpkg/status.d/") && !p.endsWith(".md5sums") && node.entry().type() == TarEntryInfo.Type.FILE) {
        n++;
      }
    }
    return n;
  }

  /** A compact, ordered view for reports. */
  public Map<String, Object> summary() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("baseFamily", baseFamily.name());
    m.put("osReleaseId", osReleaseId);
    m.put("user", user.configured().isEmpty() ? "(empty: root)" : user.configured());
    m.put("uid", user.uid().map(String::valueOf).orElse("?"));
    m.put("shells", shells);
    m.put("packageManagers", packageManagers);
    m.put("packageDatabases", packageDatabases);
    m.put("setuidFiles", setuidFiles.size());
    m.put("worldWritable", worldWritable.size());
    m.put("caBundles", caBundles);
    m.put("elfFilesScanned", elfFilesScanned);
    m.put("binariesWithDebugInfo", binariesWithDebugInfo.size());
    m.put("mainBinary", mainBinary.map(b -> b.resolvedPath() + (b.present() ? "" : " (missing)")
        + b.isStatic().map(s -> s ? " static" : " dynamic").orElse("")).orElse("(none)"));
    m.put("imageSize", imageSize);
    m.put("layerSizes", layerSizes);
    m.put("packages", packageCount);
    return m;
  }
}
