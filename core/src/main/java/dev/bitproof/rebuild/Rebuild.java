package dev.bitproof.rebuild;

import dev.bitproof.fetch.FetchCode;
import dev.bitproof.report.Progress;
import dev.bitproof.apk.ApkCode;
import dev.bitproof.gocompat.GoCompatCode;
import dev.bitproof.gocompat.Shlex;

import dev.bitproof.gocompat.GoJson;

import dev.bitproof.apk.ApkIndex;
import dev.bitproof.apk.ApkKeyring;
import dev.bitproof.apk.ApkRepositories;
import dev.bitproof.apk.ApkResolver;
import dev.bitproof.apk.ApkVerifier;
import dev.bitproof.apko.ApkoDefaults;
import dev.bitproof.apko.Arch;
import dev.bitproof.apko.ConfigLoader;
import dev.bitproof.apko.ImageConfiguration;
import dev.bitproof.apko.LockFile;
import dev.bitproof.io.IoCode;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * apko's build as named steps (reference apko.md §1.1): load config → select archs → lock (from the lock file, or
 * resolve against signed indexes) → per arch: fetch+verify packages → install into an in-memory rootfs →
 * generated files → layer tar → compress → config; then manifests → index. A step that fails throws a
 * {@link CheckException} whose message starts "failed to STEP (arch):"; nothing is written anywhere by this class.
 */
public final class Rebuild {
  /** Packages over 2 GiB are refused (the in-memory rootfs holds their files). */
  static final long MAX_APK = 2L * 1024 * 1024 * 1024;
  static final long MAX_INDEX = 512L * 1024 * 1024;

  public static final String HISTORY_SINGLE = "This is an apko single-layer image";
  /** The repository name the base image's APKINDEX gets during resolution (never written anywhere). */
  static final String BASE_INDEX_URI = "base-image-apkindex";

  private final BuildRequest req;
  private final Fetch fetch;
  private final Map<String, AtomicLong> steps = Collections.synchronizedMap(new LinkedHashMap<>());
  private final List<String> notes = Collections.synchronizedList(new ArrayList<>());

  private Rebuild(BuildRequest req) {
    this.req = req;
    this.fetch = new Fetch(req.workDir(), req.fetch(), notes::add);
  }

  public static BuildResult run(BuildRequest req) throws IOException {
    return new Rebuild(req).build();
  }

  /**
   * apko's {@code lock}: resolves (against the signed indexes, plus the base image's APKINDEX in base-image mode),
   * fetches and verifies the packages to measure them, and returns the lock apko would write; builds no image.
   * In base-image mode the lock leaves out every package the base already has (apko {@code ResolveWithBase}).
   */
  public static LockFile lock(BuildRequest req) throws IOException {
    return new Rebuild(req).lockOnly();
  }

  private LockFile lockOnly() throws IOException {
    ConfigLoader.Loaded loaded = step("load config", null, () -> ConfigLoader.load(req.config(), req.workDir()));
    ImageConfiguration ic = step("validate config", null, () -> validate(loaded.config()));
    List<Arch> archs = step("select archs", null, () -> selectArchs(ic));
    ApkKeyring apkKeyring = step("read keyring", null, () -> keyring(ic));
    Map<String, byte[]> keys = apkKeyring.files();
    List<Planned> plans = step("resolve packages", null, () -> resolve(ic, archs, apkKeyring));
    List<PerArch> measured = new ArrayList<>();
    for (Planned p : plans) {
      List<PackageContent> pkgs;
      try (Spill spill = Spill.create()) {
        // the lock needs the packages' identities, not their files: those go to the spill and are dropped
        pkgs = step("fetch and verify packages", p.arch().apk(), () -> fetchAll(p, apkKeyring, spill));
      }
      List<BuildResult.InstalledPackage> ip = new ArrayList<>();
      for (int i = 0; i < pkgs.size(); i++) {
        PackageContent c = pkgs.get(i);
        ip.add(new BuildResult.InstalledPackage(c.name(), c.version(), c.arch(), c.q1(), p.packages().get(i).url(),
            c.findings()));
      }
      measured.add(new PerArch(p.arch(), List.of(), new byte[0], 0, ip, ic, new byte[0],
          pkgs.stream().map(PackageContent::withoutData).toList(), Map.of(), Map.of()));
    }
    return emitLock(loaded, ic, keys, measured);
  }

  /**
   * The CLI's archs, else the config's, else all of apko's (as apko does); the last case, and a config that installs
   * nothing, are said in a note: an empty apko.yaml builds, as with apko, but never silently.
   */
  private List<Arch> selectArchs(ImageConfiguration ic) {
    if (ic.contents().packages().isEmpty() && ic.contents().baseImage() == null) {
      notes.add("the config installs no packages: the image holds only the files apko generates itself");
    }
    List<Arch> archs = ApkoDefaults.archs(req.archs(), ic);
    if (req.archs().isEmpty() && ic.archs().isEmpty()) {
      notes.add("the config names no archs: building all " + archs.size() + " of apko's ("
          + String.join(", ", archs.stream().map(Arch::oci).toList()) + "), as apko does; name them with 'archs:' or --arch");
    }
    return archs;
  }

  /** A step's body. */
  @FunctionalInterface
  interface Body<T> {
    T run() throws IOException;
  }

  <T> T step(String name, String arch, Body<T> body) throws IOException {
    long t0 = System.nanoTime();
    try {
      return body.run();
    } catch (CheckException e) {
      String where = arch == null ? "" : " (" + arch + ")";
      if (!e.step().isEmpty()) {
        throw e;
      }
      String subj = e.subject().isEmpty() || String.valueOf(e.getMessage()).contains(e.subject()) ? "" : e.subject() + ": ";
      throw e.inStep(name, "failed to " + name + where + ": " + subj + e.getMessage());
    } finally {
      steps.computeIfAbsent(name, k -> new AtomicLong()).addAndGet((System.nanoTime() - t0) / 1_000_000);
    }
  }

  /** What one arch needs from the lock step. */
  record Planned(Arch arch, List<String> world, List<PlannedPackage> packages) {}

  record PlannedPackage(String name, String version, String url, String q1) {}

  private BuildResult build() throws IOException {
    ConfigLoader.Loaded loaded = step("load config", null, () -> ConfigLoader.load(req.config(), req.workDir()));
    ImageConfiguration ic0 = loaded.config();
    ImageConfiguration ic = step("validate config", null, () -> validate(ic0));
    List<Arch> archs = step("select archs", null, () -> selectArchs(ic));
    Optional<LockFile> lock = req.lockFile().isEmpty() ? Optional.empty() : Optional.of(step("read lock file", null,
        () -> readLock(req.lockFile().get(), loaded)));
    if (ic.contents().baseImage() != null && lock.isEmpty()) {
      throw CheckException.usage(RebuildCode.BUILD_BASE_IMAGE_NEEDS_LOCK, "building with base image is supported only with a "
          + "lockfile (as in apko)");
    }
    ApkKeyring apkKeyring = step("read keyring", null, () -> keyring(ic));
    Map<String, byte[]> keys = apkKeyring.files();
    Map<String, String> annotations = new TreeMap<>(ic.annotations());
    annotations.putAll(req.annotations());

    List<Planned> plans = new ArrayList<>();
    boolean lockIgnored = lock.isPresent() && req.rules().has(ApkoChange.LOCK_FILE_IGNORED);
    if (lockIgnored) {
      notes.add("lock file read but not used for resolution, as apko " + req.rules().label() + " did");
    }
    if (lock.isPresent() && !lockIgnored) {
      for (Arch a : archs) {
        plans.add(step("lock packages", a.apk(), () -> fromLock(lock.get(), a)));
      }
    } else {
      plans.addAll(step("resolve packages", null, () -> resolve(ic, archs, apkKeyring)));
    }
    List<java.util.concurrent.Callable<PerArch>> work = new ArrayList<>();
    for (Planned p : plans) {
      work.add(() -> buildArch(p, ic, keys, apkKeyring, annotations, lock.isPresent(),
          archs.stream().map(Arch::oci).toList()));
    }
    List<PerArch> built = inParallel(work, req.parallelism());
    LockFile emitted = lock.orElseGet(() -> emitLock(loaded, ic, keys, built));
    return step("assemble index", null, () -> assemble(built, ic, annotations, emitted));
  }

  /** The per-arch build before manifests: layers with blobs, config bytes, packages. */
  record PerArch(Arch arch, List<BuildResult.Layer> layers, byte[] config, long buildDate,
      List<BuildResult.InstalledPackage> packages, ImageConfiguration locked, byte[] installedDb,
      List<PackageContent> contents, Map<String, String> annotations, Map<String, String> baseAnnotations) {}

  private static boolean layered(ImageConfiguration ic) {
    return ic.layering() != null && !ic.layering().strategy().isEmpty() && ic.layering().budget() > 1;
  }

  private ImageConfiguration validate(ImageConfiguration ic) {
    if (ic.layering() != null && !ic.layering().strategy().isEmpty() && !req.rules().has(ApkoChange.LAYERING)) {
      throw new CheckException(RebuildCode.BUILD_UNSUPPORTED, "layering", "apko " + req.rules().label()
          + " has no layering (it came with v0.26.0)");
    }
    if (ic.contents().baseImage() != null && !req.rules().has(ApkoChange.BASE_IMAGE_MODE)) {
      throw new CheckException(RebuildCode.BUILD_UNSUPPORTED, "contents.baseimage", "apko " + req.rules().label()
          + " has no base-image mode (it came with v0.14.1)");
    }
    if (ic.contents().baseImage() != null && ic.layering() != null && !ic.layering().strategy().isEmpty()) {
      throw new CheckException(RebuildCode.BUILD_UNSUPPORTED, "layering", "layering cannot be combined with a base image (as in apko)");
    }
    if (!ic.format().isEmpty() && !ic.format().equals("tar")) {
      throw new CheckException(RebuildCode.BUILD_UNSUPPORTED, "format", "layer format '" + ic.format() + "' is not implemented");
    }
    if (ic.layering() != null && !ic.layering().strategy().isEmpty() && !ic.layering().strategy().equals("origin")) {
      throw new CheckException(GoCompatCode.APKO_CONFIG_INVALID, "layering.strategy", "unknown layering strategy '" + ic.layering().strategy() + "'");
    }
    ImageConfiguration out = ic;
    if (ic.entrypoint().type().equals("service-bundle")) {
      List<String> pk = new ArrayList<>(ic.contents().packages());
      pk.add("s6");
      out = out.withContents(ic.contents().withPackages(pk)).withEntrypoint(new ImageConfiguration.Entrypoint(
          ic.entrypoint().type(), "/bin/s6-svscan /sv", ic.entrypoint().shellFragment(), ic.entrypoint().services()));
    }
    // Validate() fills users' home directories, and they show in /etc/apko.json
    List<ImageConfiguration.User> users = new ArrayList<>();
    for (ImageConfiguration.User u : out.accounts().users()) {
      users.add(new ImageConfiguration.User(u.username(), u.uid(), u.gid(), u.shell(),
          ApkoDefaults.homedir(u)));
    }
    return out.withAccounts(new ImageConfiguration.Accounts(out.accounts().runAs(), users, out.accounts().groups()));
  }

  private LockFile readLock(java.nio.file.Path path, ConfigLoader.Loaded loaded) throws IOException {
    byte[] b;
    try {
      b = Files.readAllBytes(path);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new CheckException(RebuildCode.LOCK_NOT_FOUND, path.toString(), "no such lock file", e);
    }
    LockFile lf = LockFile.parse(b, path.toString());
    if (lf.isPre013()) {
      throw new CheckException(RebuildCode.LOCK_TOO_OLD, path.toString(),
          "lock file has no package checksums (written by apko before 0.13); regenerate it");
    }
    if (lf.config().isEmpty()) {
      notes.add("lock file has no config checksum; it was not checked against " + loaded.name());
    } else if (!lf.config().get().checksum().equals(loaded.checksum())) {
      throw CheckException.integrity(RebuildCode.LOCK_CONFIG_MISMATCH, path.toString(), "lock was made for a config with checksum "
          + lf.config().get().checksum() + ", but " + loaded.name() + " has " + loaded.checksum());
    }
    return lf;
  }

  /**
   * Config keyring files by base name (what lands in {@code etc/apk/keys}), then {@code --keyring-append} files and
   * key directories, by {@link ApkKeyring}'s one rule for keys on disk.
   */
  private ApkKeyring keyring(ImageConfiguration ic) throws IOException {
    ApkKeyring.Builder keys = ApkKeyring.builder();
    for (String k : new java.util.TreeSet<>(ic.contents().keyring())) {
      String base = k.substring(k.lastIndexOf('/') + 1);
      keys.add(base, fetch.readAll(k, ApkKeyring.MAX_KEY_FILE, IoCode.KEY_TOO_LARGE));
    }
    keys.addPaths(req.keyringAppend().stream().map(p -> req.workDir().resolve(p)).toList());
    return keys.build();
  }

  private Planned fromLock(LockFile lf, Arch a) {
    List<LockFile.LockedPackage> pk = lf.packagesFor(a.apk());
    if (pk.isEmpty()) {
      throw new CheckException(RebuildCode.LOCK_ARCH_MISSING, a.apk(), "the lock file lists no packages for " + a.apk());
    }
    List<PlannedPackage> out = new ArrayList<>();
    List<String> world = new ArrayList<>();
    for (LockFile.LockedPackage p : pk) {
      out.add(new PlannedPackage(p.name(), p.version(), p.url(), p.checksum()));
      world.add(p.pin());
    }
    Collections.sort(world);
    return new Planned(a, world, out);
  }

  /**
   * Reads and verifies every build repository's index per arch, then resolves all arches together; in base-image
   * mode each arch alone, with the base's APKINDEX as one more (unsigned) repository, the base's packages pinned in
   * the world and then left out of the plan, as apko's {@code ResolveWithBase} does.
   */
  private List<Planned> resolve(ImageConfiguration ic, List<Arch> archs, ApkKeyring keyring) throws IOException {
    List<ApkRepositories.RepositoryRef> repos = new ArrayList<>();
    for (String r : new java.util.LinkedHashSet<>(buildRepos(ic))) {
      repos.add(ApkRepositories.RepositoryRef.parse(r));
    }
    Map<String, List<ApkResolver.Repository>> byArch = new TreeMap<>();
    for (Arch a : archs) {
      List<ApkResolver.Repository> rs = new ArrayList<>();
      for (ApkRepositories.RepositoryRef r : repos) {
        String url = r.location() + "/" + a.apk() + "/APKINDEX.tar.gz";
        byte[] bytes;
        try {
          bytes = fetch.readAll(url, MAX_INDEX, ApkCode.APKINDEX_TOO_LARGE);
        } catch (CheckException e) {
          if (e.code() != FetchCode.FETCH_NOT_FOUND || Fetch.isRemote(url)) {
            throw e;
          }
          // apko (GetRepositoryIndexes) skips a local repository whose index does not exist, with a warning
          notes.add(a.apk() + ": local repository " + r.location() + " has no index (" + url + "); skipped, as apko does");
          continue;
        }
        ApkIndex idx = ApkIndex.read(bytes, url);
        Finding f = ApkVerifier.verify(idx, keyring, url);
        if (f.severity() != Severity.OK) {
          throw CheckException.integrity(f.code(), url, f.message() + " " + f.evidence());
        }
        rs.add(new ApkResolver.Repository(r.tag(), r.location(), idx.packages()));
      }
      byArch.put(a.apk(), rs);
    }
    ImageConfiguration.BaseImage bic = ic.contents().baseImage();
    Map<String, ApkResolver.Resolution> res = new TreeMap<>();
    Map<String, java.util.Set<String>> inBase = new TreeMap<>();
    if (bic == null) {
      res.putAll(ApkResolver.resolveAll(byArch, ic.contents().packages()));
    } else {
      for (Arch a : archs) {
        Path apkindex = req.workDir().resolve(bic.apkindex());
        BaseImage base = BaseImage.load(req.workDir().resolve(bic.image()), apkindex, a);
        String text = new String(Files.readAllBytes(apkindex.resolve(a.apk()).resolve("APKINDEX")), StandardCharsets.UTF_8);
        List<ApkResolver.Repository> rs = new ArrayList<>(byArch.get(a.apk()));
        rs.add(new ApkResolver.Repository("", BASE_INDEX_URI, ApkIndex.parseText(text, apkindex.toString(),
            ApkIndex.Limits.defaults())));
        List<String> world = new ArrayList<>(ic.contents().packages());
        base.packages().forEach(r -> world.add(r.pin()));
        res.putAll(ApkResolver.resolveAll(Map.of(a.apk(), rs), world));
        inBase.put(a.apk(), new java.util.HashSet<>(base.packages().stream().map(BaseImage.Record::name).toList()));
      }
    }
    List<Planned> plans = new ArrayList<>();
    for (Arch a : archs) {
      ApkResolver.Resolution r = res.get(a.apk());
      List<PlannedPackage> out = new ArrayList<>();
      java.util.Set<String> skip = inBase.getOrDefault(a.apk(), java.util.Set.of());
      for (ApkResolver.Candidate c : r.packages()) {
        if (skip.contains(c.name())) {
          continue;
        }
        if (c.repository().uri().equals(BASE_INDEX_URI)) {
          throw new CheckException(RebuildCode.BUILD_BASE_PACKAGE_UNAVAILABLE, c.name() + "-" + c.version(), "resolved to the "
              + "base image's APKINDEX but is not among the base's installed packages, so there is no .apk to fetch");
        }
        out.add(new PlannedPackage(c.name(), c.version(),
            c.repository().uri() + "/" + a.apk() + "/" + c.entry().fileName(), c.entry().checksum()));
      }
      plans.add(new Planned(a, r.pinned(), out));
    }
    return plans;
  }

  private List<String> buildRepos(ImageConfiguration ic) {
    List<String> r = new ArrayList<>(ic.contents().buildRepositories());
    r.addAll(ic.contents().repositories());
    r.addAll(req.repositoryAppend());
    return r;
  }

  private List<String> runtimeRepos(ImageConfiguration ic) {
    List<String> r = new ArrayList<>(ic.contents().repositories());
    r.addAll(ic.contents().runtimeRepositories());
    r.addAll(req.repositoryAppend());
    return r;
  }

  private PerArch buildArch(Planned plan, ImageConfiguration ic, Map<String, byte[]> keys, ApkKeyring keyring,
      Map<String, String> annotations, boolean withLock, List<String> allArchs) throws IOException {
    // package file contents live in the spill, not the heap, until the layer tars are written
    try (Spill spill = Spill.create()) {
      return buildArch(plan, ic, keys, keyring, annotations, withLock, allArchs, spill);
    }
  }

  private PerArch buildArch(Planned plan, ImageConfiguration ic, Map<String, byte[]> keys, ApkKeyring keyring,
      Map<String, String> annotations, boolean withLock, List<String> allArchs, Spill spill) throws IOException {
    ApkoRules rules = req.rules();
    String an = plan.arch().apk();
    ImageConfiguration.BaseImage bic = ic.contents().baseImage();
    BaseImage base = bic == null ? null : step("read base image", an, () -> BaseImage.load(
        req.workDir().resolve(bic.image()), req.workDir().resolve(bic.apkindex()), plan.arch()));
    List<PackageContent> pkgs = step("fetch and verify packages", an, () -> fetchAll(plan, keyring, spill));
    long baseDate = base == null ? 0 : base.packages().stream().mapToLong(BaseImage.Record::buildDate).max().orElse(0);
    long buildDate = req.sourceDateEpoch().orElseGet(() -> Math.max(Math.max(0, baseDate),
        pkgs.stream().mapToLong(PackageContent::buildDate).max().orElse(0)));
    // the packages world and apko.json list: the pinned closure once configs are locked before the build, the
    // config's own list before that, nothing while a lock file's packages were dropped (apko #1670)
    List<String> listed = !rules.has(ApkoChange.LOCKED_CONFIG) ? ic.contents().packages()
        : withLock && rules.has(ApkoChange.LOCKED_WORLD_EMPTY) ? List.of() : plan.world();
    // apko's world in base mode: those plus every base package pinned (SetWorld sorts, keeps duplicates)
    List<String> world = new ArrayList<>(listed);
    if (base != null) {
      base.packages().forEach(r -> world.add(r.pin()));
    }
    world.sort(GoJson::compareUtf8);
    long scriptsEpoch = req.sourceDateEpoch().orElse(0);
    // before configs were locked per arch, apko.json held the config's package list and every built arch
    ImageConfiguration locked = ic.withContents(ic.contents().withPackages(listed))
        .withArchs(rules.has(ApkoChange.LOCKED_CONFIG) ? List.of(plan.arch().oci()) : allArchs)
        .withAnnotations(annotations);
    locked = resolveRunAs(locked);
    MemFs fs = new MemFs();
    ImageConfiguration lockedF = locked;
    step("initialize apk database", an, () -> {
      RootfsSteps.initApk(fs, rules, an, keys, buildRepos(ic), world);
      if (base != null) {
        // the base's packages are recorded first, so the image's DB lists everything it contains
        fs.append(ApkInstaller.installed(rules), base.installedDb(), 0644);
      }
      return null;
    });
    List<ApkInstaller.Installed> installed = step("install packages", an, () -> {
      try (Progress.Task task = req.fetch().progress().start("installing packages (" + an + ")", pkgs.size(),
          pkgs.stream().mapToLong(PackageContent::installedSize).sum())) {
        return new ApkInstaller(fs, scriptsEpoch, rules).install(pkgs, task);
      }
    });
    step("generate files", an, () -> {
      if (base == null || rules.has(ApkoChange.BASE_IMAGE_ACCOUNTS)) {
        // apko leaves the base's accounts alone (and allows none to be added)
        RootfsSteps.accounts(fs, ic.accounts());
      }
      if (rules.has(ApkoChange.APKO_JSON)) {
        RootfsSteps.apkoJson(fs, lockedF);
      }
      RootfsSteps.paths(fs, ic.paths());
      CaCertificates.install(fs, ic.certificates(), buildDate);
      if (rules.has(ApkoChange.CA_BUNDLE_SIDECARS)) {
        CaCertificates.checksums(fs, buildDate);
      }
      RootfsSteps.runtimeKeyring(fs, ic.contents().runtimeKeyring(), buildDate);
      RootfsSteps.supervisionTree(fs, ic.entrypoint().services());
      BusyboxLinks.install(fs, BusyboxLinks.installed(base, pkgs), BusyboxLinks.Rules.CURRENT);
      RootfsSteps.initDevices(fs, true);
      LdsoCache.update(fs, LdsoCache.Rules.CURRENT);
      if (!(layered(ic) && rules.has(ApkoChange.LAYERED_BUILD_REPOSITORIES))) {
        RootfsSteps.runtimeRepositories(fs, runtimeRepos(ic));
      }
      if (!rules.has(ApkoChange.PACKAGE_MTIMES)) {
        // apko before v0.19.0 wrote every tar header with mtime SOURCE_DATE_EPOCH
        fs.setAllMtimes(req.sourceDateEpoch().orElse(0));
      }
      return null;
    });
    List<BuildResult.Layer> layers = new ArrayList<>();
    if (base != null) {
      layers.addAll(base.layers());
    }
    // one pass: the tar streams through its diff_id digest into the compressor, only the blob is kept
    layers.addAll(step("write and compress layers", an, () -> {
      try (Progress.Task task = req.fetch().progress().start("compressing layers (" + an + ")", 0, 0)) {
        return Layering.layers(fs, installed, ic.layering(), rules, reporting(req.layerCompressor(), task));
      }
    }));
    byte[] config = step("write config", an, () -> base == null
        ? configJson(rules, plan.arch(), lockedF, layers, buildDate, annotations)
        : BaseConfig.configJson(rules, plan.arch(), lockedF, base, layers.subList(base.layers().size(), layers.size()),
            buildDate, annotations));
    List<BuildResult.InstalledPackage> ip = new ArrayList<>();
    for (int i = 0; i < pkgs.size(); i++) {
      PackageContent c = pkgs.get(i);
      ip.add(new BuildResult.InstalledPackage(c.name(), c.version(), c.arch(), c.q1(), plan.packages().get(i).url(),
          c.findings()));
    }
    return new PerArch(plan.arch(), layers, config, buildDate, ip, locked, fs.readFile(ApkInstaller.installed(rules)),
        pkgs.stream().map(PackageContent::withoutData).toList(), annotations,
        base == null ? Map.of() : base.annotations());
  }

  /**
   * Fetches and verifies the arch's packages, each streamed once, a few at a time (apko fetches in parallel
   * too); the result keeps plan order, and the first failure in plan order is the one reported.
   */
  private List<PackageContent> fetchAll(Planned plan, ApkKeyring keyring, Spill spill) throws IOException {
    try (Progress.Task task = req.fetch().progress().start("fetching packages (" + plan.arch().apk() + ")",
        plan.packages().size(), 0)) {
      List<java.util.concurrent.Callable<PackageContent>> work = new ArrayList<>();
      for (PlannedPackage p : plan.packages()) {
        work.add(() -> {
          PackageContent c = fetchOne(p, keyring, spill, task);
          task.item();
          return c;
        });
      }
      return inParallel(work, req.parallelism());
    }
  }

  /**
   * The layer compressor, telling {@code task} the tar bytes it compresses (in batches) and each layer it finishes.
   * Only {@link LayerCompressor#compressing} is counted: {@link LayerCompressor#layer} streams through it.
   */
  private static LayerCompressor reporting(LayerCompressor c, Progress.Task task) {
    return new LayerCompressor() {
      @Override
      public byte[] compress(byte[] tar) throws IOException {
        byte[] z = c.compress(tar);
        task.add(1, tar.length);
        return z;
      }

      @Override
      public java.io.OutputStream compressing(java.io.OutputStream sink) throws IOException {
        java.io.OutputStream counted = task.counting(c.compressing(sink));
        return new java.io.FilterOutputStream(counted) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
          }

          @Override
          public void close() throws IOException {
            super.close();
            task.item();
          }
        };
      }

      @Override
      public dev.bitproof.oci.MediaType mediaType() {
        return c.mediaType();
      }

      @Override
      public String name() {
        return c.name();
      }
    };
  }

  /** Runs the tasks on up to {@code threads} threads; results in task order, the first failure in order rethrown. */
  static <T> List<T> inParallel(List<java.util.concurrent.Callable<T>> tasks, int threads) throws IOException {
    if (tasks.isEmpty()) {
      return List.of();
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, tasks.size())));
    try {
      List<Future<T>> fs = new ArrayList<>();
      for (java.util.concurrent.Callable<T> t : tasks) {
        fs.add(pool.submit(t));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : fs) {
        out.add(f.get());
      }
      return out;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        // an OutOfMemoryError in a worker stays an Error: wrapped in an IOException it read as "could not check"
        throw err;
      }
      throw new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }

  private PackageContent fetchOne(PlannedPackage p, ApkKeyring keyring, Spill spill, Progress.Task task)
      throws IOException {
    try {
      return fetchOnce(p, keyring, spill, task);
    } catch (CheckException e) {
      // a cached copy proved wrong is dropped and read once more from the network; bytes the server itself sends
      // wrong fail again and are dropped again, so a bad copy never stays in the cache
      if (e.kind() == CheckException.Kind.INTEGRITY && fetch.evict(p.url())) {
        notes.add("cached " + p.url() + " failed its check (" + e.code() + "); dropped from the cache and fetched again");
        try {
          return fetchOnce(p, keyring, spill, task);
        } catch (CheckException again) {
          if (again.kind() == CheckException.Kind.INTEGRITY) {
            fetch.evict(p.url());
          }
          throw again;
        }
      }
      throw e;
    }
  }

  private PackageContent fetchOnce(PlannedPackage p, ApkKeyring keyring, Spill spill, Progress.Task task)
      throws IOException {
    try (InputStream in = task.counting(fetch.open(p.url(), MAX_APK, ApkCode.APK_TOO_LARGE))) {
      PackageContent c = PackageLoader.load(in, p.url(), Optional.ofNullable(p.q1()).filter(s -> !s.isEmpty()),
          keyring, req.signaturePolicy(), spill);
      if (!c.name().equals(p.name()) || !c.version().equals(p.version())) {
        throw CheckException.integrity(ApkCode.APK_IDENTITY_MISMATCH, p.url(), "package is " + c.id() + ", expected "
            + p.name() + "-" + p.version());
      }
      return c;
    }
  }

  /** {@code accounts.run-as} naming a configured user becomes its numeric uid. */
  private static ImageConfiguration resolveRunAs(ImageConfiguration ic) {
    String runAs = ic.accounts().runAs();
    for (ImageConfiguration.User u : ic.accounts().users()) {
      if (u.username().equals(runAs)) {
        return ic.withAccounts(new ImageConfiguration.Accounts(Long.toString(u.uid()), ic.accounts().users(),
            ic.accounts().groups()));
      }
    }
    return ic;
  }

  static byte[] configJson(ApkoRules rules, Arch arch, ImageConfiguration ic, List<BuildResult.Layer> layers,
      long buildDate, Map<String, String> annotations) {
    Map<String, String> labels = new TreeMap<>(withCreated(rules, annotations, ic.vcsUrl(), buildDate));
    List<String> comments = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      comments.add(rules.historyComment(annotations, layers.size()));
    }
    List<String> entrypoint = !ic.entrypoint().shellFragment().isEmpty()
        ? List.of("/bin/sh", "-c", ic.entrypoint().shellFragment()) : Shlex.split(ic.entrypoint().command());
    Map<String, String> env = ApkoDefaults.environment(ic.environment(), rules.defaultPath());
    List<String> envList = new ArrayList<>();
    env.forEach((k, v) -> envList.add(k + "=" + v));
    envList.sort(GoJson::compareUtf8);
    return ImageJson.config(arch.platform(), buildDate, comments, layers.stream().map(BuildResult.Layer::diffId).toList(),
        new ImageJson.RunConfig(Shlex.split(ic.cmd()), entrypoint, envList, labels, ic.accounts().runAs(),
            ic.volumes(), ic.workDir(), ic.stopSignal()));
  }

  /** Annotations plus vcs source/revision plus {@code org.opencontainers.image.created} (apko v0.19.3 and later). */
  static Map<String, String> withCreated(ApkoRules rules, Map<String, String> annotations, String vcsUrl,
      long buildDate) {
    Map<String, String> m = new TreeMap<>(annotations);
    if (!vcsUrl.isEmpty()) {
      int at = vcsUrl.lastIndexOf('@');
      if (at > 0) {
        m.put("org.opencontainers.image.source", vcsUrl.substring(0, at));
        m.put("org.opencontainers.image.revision", vcsUrl.substring(at + 1));
      } else {
        m.put("org.opencontainers.image.source", vcsUrl);
      }
    }
    if (rules.has(ApkoChange.CREATED_ANNOTATION)) {
      m.put("org.opencontainers.image.created", ImageJson.rfc3339(buildDate));
    }
    return m;
  }

  private BuildResult assemble(List<PerArch> built, ImageConfiguration ic, Map<String, String> annotations,
      LockFile lock) {
    return finish(built.stream().map(p -> new Parts(p.arch(), p.layers(), p.config(), p.buildDate(), p.packages(),
        p.locked(), p.installedDb(), p.baseAnnotations())).toList(), ic.vcsUrl(), annotations, lock, timings(), notes,
        req.rules());
  }

  private Map<String, Long> timings() {
    Map<String, Long> m = new LinkedHashMap<>();
    synchronized (steps) {
      steps.forEach((k, v) -> m.put(k, v.get()));
    }
    return m;
  }

  /** What the manifests and the index are made from; reusing layers swaps the blobs and calls finish again. */
  public record Parts(Arch arch, List<BuildResult.Layer> layers, byte[] config, long buildDate,
      List<BuildResult.InstalledPackage> packages, ImageConfiguration locked, byte[] installedDb,
      Map<String, String> baseAnnotations) {}

  /** Manifests (per arch) and the index (sorted by OCI arch string, max build date). */
  public static BuildResult finish(List<Parts> parts, String vcsUrl, Map<String, String> annotations, LockFile lock,
      Map<String, Long> steps, List<String> notes, ApkoRules rules) {
    List<Parts> sorted = new ArrayList<>(parts);
    sorted.sort((a, b) -> a.arch().oci().compareTo(b.arch().oci()));
    List<BuildResult.ArchImage> images = new ArrayList<>();
    List<Descriptor> manifests = new ArrayList<>();
    long maxDate = 0;
    for (Parts p : sorted) {
      Descriptor cfg = Descriptor.ofBytes(MediaType.OCI_CONFIG, p.config());
      // ggcr's mutate.Annotations merges over what the base manifest carried
      Map<String, String> manifestAnnotations = new TreeMap<>(p.baseAnnotations());
      manifestAnnotations.putAll(withCreated(rules, annotations, vcsUrl, p.buildDate()));
      byte[] mb = ImageJson.manifest(cfg, p.layers().stream().map(BuildResult.Layer::descriptor).toList(),
          manifestAnnotations);
      RawManifest m = RawManifest.of(mb, MediaType.OCI_MANIFEST, p.arch().apk() + " manifest");
      Descriptor md = new Descriptor(MediaType.OCI_MANIFEST, m.digest(), mb.length, Map.of(),
          Optional.of(p.arch().platform()), rules.has(ApkoChange.INDEX_ARTIFACT_TYPE)
          ? Optional.of(MediaType.OCI_CONFIG.value()) : Optional.empty(), List.of(), null);
      manifests.add(md);
      images.add(new BuildResult.ArchImage(p.arch(), p.layers(), p.config(), cfg, m, md, p.packages(), p.buildDate(),
          p.locked(), p.installedDb(), p.baseAnnotations()));
      maxDate = Math.max(maxDate, p.buildDate());
    }
    byte[] ib = ImageJson.index(manifests, withCreated(rules, annotations, vcsUrl, maxDate));
    RawManifest index = RawManifest.of(ib, MediaType.OCI_INDEX, "index");
    return new BuildResult(index, images, lock, steps, notes, rules);
  }

  /** Lock repository entries: {@code <repo>/<arch>} with its index URL; {@code @tag}s removed as apko does. */
  private static void addRepos(List<LockFile.Repository> out, List<String> repos, Arch a) {
    for (String r : repos) {
      String loc = ApkRepositories.RepositoryRef.parse(r).location();
      String name = loc.replaceFirst("^https?://", "");
      out.add(new LockFile.Repository(name + "/" + a.apk(), loc + "/" + a.apk() + "/APKINDEX.tar.gz", a.apk()));
    }
  }

  /** A lock from this resolution, in apko's format (per arch, install order). */
  private LockFile emitLock(ConfigLoader.Loaded loaded, ImageConfiguration ic, Map<String, byte[]> keys,
      List<PerArch> built) {
    List<LockFile.KeyringEntry> kr = new ArrayList<>();
    for (String k : new java.util.TreeSet<>(ic.contents().keyring())) {
      String base = k.substring(k.lastIndexOf('/') + 1);
      kr.add(new LockFile.KeyringEntry(k.replaceFirst("^https?://", ""), k,
          new String(keys.getOrDefault(base, new byte[0]), StandardCharsets.UTF_8)));
    }
    List<LockFile.LockedPackage> pk = new ArrayList<>();
    List<LockFile.Repository> repos = new ArrayList<>();
    List<LockFile.Repository> buildRepos = new ArrayList<>();
    List<LockFile.Repository> runtime = new ArrayList<>();
    List<PerArch> sorted = new ArrayList<>(built);
    for (PerArch p : sorted) {
      addRepos(repos, ic.contents().repositories(), p.arch());
      addRepos(buildRepos, ic.contents().buildRepositories(), p.arch());
      addRepos(runtime, ic.contents().runtimeRepositories(), p.arch());
      for (int i = 0; i < p.contents().size(); i++) {
        PackageContent c = p.contents().get(i);
        PackageContent.Streams s = c.streams();
        Base64.Encoder b64 = Base64.getEncoder();
        LockFile.Range sig = s.sigLength() == 0 ? null : new LockFile.Range(
            "bytes=" + s.sigOffset() + "-" + (s.sigOffset() + s.sigLength() - 1), "sha1-" + b64.encodeToString(s.sigSha1()));
        LockFile.Range ctl = new LockFile.Range("bytes=" + s.controlOffset() + "-" + (s.controlOffset() + s.controlLength() - 1),
            "sha1-" + b64.encodeToString(c.controlSha1()));
        LockFile.Range dat = new LockFile.Range("bytes=" + s.dataOffset() + "-" + (s.dataOffset() + s.dataLength() - 1),
            "sha256-" + b64.encodeToString(s.dataSha256()));
        pk.add(new LockFile.LockedPackage(c.name(), p.packages().get(i).url(), c.version(), c.arch(), sig, ctl, dat, c.q1()));
      }
    }
    return new LockFile("v1", Optional.of(new LockFile.Config(loaded.name(), loaded.checksum())), kr, buildRepos, runtime,
        repos, pk);
  }
}
