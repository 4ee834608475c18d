package dev.bitproof.cli.commands;

import dev.bitproof.report.Outcome;
import dev.bitproof.cli.render.Tool;
import dev.bitproof.rebuild.ApkoRules;
import dev.bitproof.rebuild.BuildRequest;
import dev.bitproof.rebuild.ImageBuild;
import dev.bitproof.rebuild.LayerCompressor;
import dev.bitproof.rebuild.PackageLoader;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.options.Environment;
import dev.bitproof.cli.options.FetchMixin;
import dev.bitproof.cli.options.WorkDir;
import dev.bitproof.cli.render.Output;
import dev.bitproof.cli.render.Result;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.rebuild.RebuildCode;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bitproof build}: apko.yaml (+ lock) → an OCI image, with apko's bytes. */
@Command(name = "build", mixinStandardHelpOptions = true,
    description = {"Rebuild an image from its apko config (and lock file) the way apko builds it, and write it.",
        "Prints the index digest and, per arch, the manifest, config, layer and diff_id digests.",
        "Layers are compressed exactly as apko does (pgzip + klauspost deflate level 5), so layer, manifest and "
            + "index digests can equal apko's; --compression java is faster but only diff_ids and configs then match."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
      "0:built and written",
      "1:an input was proved wrong (package checksum or signature, lock does not match the config, reused layer differs)",
      "2:usage error (unknown arch, bad option)",
      "3:could not build (missing file, unresolvable package, unsupported config feature)",
      "4:internal error"})
public final class BuildCommand implements Callable<Integer> {
  @Mixin
  Common common;

  @Parameters(index = "0", paramLabel = "CONFIG", description = "The apko.yaml to build (relative to -C).")
  Path config;

  @Parameters(index = "1", arity = "0..1", paramLabel = "TAG", description = "apko's form CONFIG TAG OUTPUT: the "
      + "image's tag (names the images in a tarball as TAG-<arch>, and the SBOMs' purls).")
  String apkoTag;

  @Parameters(index = "2", arity = "0..1", paramLabel = "OUTPUT", description = "apko's form: an existing directory "
      + "gets an OCI layout, anything else apko's docker-loadable tarball (relative to -C).")
  Path apkoOutput;

  @Option(names = {"-o", "--output"}, paramLabel = "REF",
      description = "Where to write the image, e.g. oci:out (any writable transport; a relative local path resolves "
          + "against -C). Required unless --lock-only or apko's positional TAG OUTPUT.")
  String output;

  @Option(names = "--lockfile", paramLabel = "FILE", description = "Build exactly the packages of this apko.lock.json.")
  Path lockfile;

  @Option(names = "--arch", paramLabel = "ARCH", split = ",", description = "Architecture, repeatable or "
      + "comma-separated (apk or OCI names), or 'all' or 'host' alone, as apko. Default: the config's archs, else all nine.")
  List<String> archs = new ArrayList<>();

  @Option(names = "--source-date-epoch", paramLabel = "N",
      description = "Build date in unix seconds. Default: --build-date, else $SOURCE_DATE_EPOCH (as apko), else the "
          + "newest package build date.")
  Long sourceDateEpoch;

  @Option(names = "--build-date", paramLabel = "RFC3339", description = "apko's --build-date: the build date as an "
      + "RFC 3339 time (e.g. 2024-01-02T03:04:05Z).")
  String buildDate;

  @Option(names = "--annotation", paramLabel = "K=V", description = "Annotation over the config's (repeatable).")
  List<String> annotations = new ArrayList<>();

  @Option(names = "--annotations", paramLabel = "K:V", split = ",", description = "apko's form of --annotation "
      + "(key:value, repeatable or comma-separated).")
  List<String> apkoAnnotations = new ArrayList<>();

  @Option(names = {"--keyring", "-k", "--keyring-append"}, paramLabel = "PATH", split = ",",
      description = "Extra public key file, or a directory of them (apko's --keyring-append; repeatable).")
  List<Path> keyrings = new ArrayList<>();

  @Option(names = {"--repository", "-r", "--repository-append"}, paramLabel = "R", split = ",",
      description = "Extra repository (apko's --repository-append; repeatable).")
  List<String> repositories = new ArrayList<>();

  @Option(names = {"-C", "--workdir"}, paramLabel = "DIR",
      description = "apko's working directory: every relative path, on the command line and in the config, resolves "
          + "here (default: .).")
  Path workdir;

  @Option(names = "--sbom-path", paramLabel = "DIR", description = "Write apko's SBOMs (sbom-<arch>.spdx.json, "
      + "sbom-index.spdx.json) here. Default with apko's TAG OUTPUT form: the working directory, as apko.")
  Path sbomPath;

  @Option(names = "--sbom", arity = "0..1", paramLabel = "BOOL", description = "Write SBOMs (default: true with "
      + "apko's TAG OUTPUT form or --sbom-path, else false).")
  Boolean sbom;

  @Option(names = "--sbom-formats", paramLabel = "FORMAT", split = ",", description = "SBOM formats: spdx (the only "
      + "one apko still writes).")
  List<String> sbomFormats = new ArrayList<>();

  @Mixin
  FetchMixin fetch;

  @Option(names = "--reuse-layers-from", paramLabel = "REF", description = "Take each published layer blob in place of "
      + "ours after proving it decompresses to exactly our tar (gives apko's manifest and index digests).")
  String reuseFrom;

  @Option(names = "--compression", paramLabel = "NAME", defaultValue = "apko",
      description = "Layer compression: apko (byte-exact pgzip + klauspost deflate level 5 as the --apko-version used it, "
          + "default), apko-legacy (klauspost v1.15.10-v1.18.1, apko from 2022-09 to 2025-11) or java "
          + "(java.util.zip, faster, other bytes).")
  String compression;

  @Option(names = "--apko-version", paramLabel = "VERSION",
      description = "Reproduce the output of this apko release (v0.27.2), of a build between releases "
          + "(v0.27.1-4-gbed5f073) or of a prefix naming releases with one rule set; default: the newest. Unknown or "
          + "ambiguous: usage error listing the known versions (docs/rebuild.md, apko versions).")
  String apkoVersion;

  @Option(names = "--write-lock", paramLabel = "FILE", description = "Also write the resolution as an apko lock file.")
  Path writeLock;

  @Option(names = "--lock-only", description = "Only resolve and write the lock file given by --write-lock, as "
      + "apko lock does (in base-image mode the base's packages are left out); no image is built or written.")
  boolean lockOnly;

  @Option(names = "--allow-untrusted-packages",
      description = "Do not stop when a package's .SIGN signature does not verify with the keyring (apko does not "
          + "check it); the failure is still reported, as WARN.")
  boolean allowUntrusted;

  @Option(names = "--tag", paramLabel = "TAG", description = "Tag to give the image in the destination.")
  String tag;

  /** {@code apko} (the default) follows the apko version's rules; other names force a compressor. */
  static LayerCompressor compressorFor(String name) {
    return LayerCompressor.forOption(name).orElse(null);
  }

  @Override
  public Integer call() throws IOException {
    Output out = common.output();
    Path wd = WorkDir.of(workdir);
    boolean apkoForm = apkoTag != null;
    if (apkoForm && apkoOutput == null) {
      throw CheckException.usage(RebuildCode.BUILD_OPTIONS_INVALID, "apko's form takes three arguments: CONFIG TAG OUTPUT");
    }
    if (apkoForm && (output != null || lockOnly || tag != null)) {
      throw CheckException.usage(RebuildCode.BUILD_OPTIONS_INVALID, "apko's CONFIG TAG OUTPUT form takes no -o, --tag or --lock-only");
    }
    if (!apkoForm && (lockOnly ? writeLock == null || output != null || lockfile != null || reuseFrom != null
        : output == null)) {
      throw CheckException.usage(RebuildCode.BUILD_OPTIONS_INVALID, lockOnly
          ? "--lock-only needs --write-lock FILE and takes no -o, --lockfile or --reuse-layers-from"
          : "-o REF is required (or apko's CONFIG TAG OUTPUT, or --lock-only with --write-lock)");
    }
    for (String f : sbomFormats) {
      if (!f.equals("spdx")) {
        throw CheckException.usage(RebuildCode.BUILD_SBOM_FORMAT_UNSUPPORTED, "SBOM format '" + f + "' is not written (apko "
            + "writes only spdx since v0.14.9)");
      }
    }
    boolean wantSbom = !lockOnly && (sbom != null ? sbom : apkoForm || sbomPath != null);
    Map<String, String> ann = parseAnnotations(annotations);
    parseApkoAnnotations(apkoAnnotations).forEach((k, v) -> {
      if (ann.containsKey(k)) {
        throw CheckException.usage(CliCode.ANNOTATION_INVALID, "annotation " + k + " defined more than once");
      }
      ann.put(k, v);
    });
    Path cfg = WorkDir.resolve(wd, config);
    BuildRequest req = BuildRequest.of(cfg, wd)
        .withArchs(archs(archs, System.getProperty("os.arch", "")))
        .withAnnotations(ann)
        .withKeyringAppend(keyFiles(wd))
        .withRepositoryAppend(repositories)
        .withSignaturePolicy(allowUntrusted ? PackageLoader.SignaturePolicy.RELAX : PackageLoader.SignaturePolicy.REQUIRE)
        .withCompressor(compressorFor(compression))
        .withFetch(fetch.options(wd).withProgress(common.progress()));
    if (apkoVersion != null) {
      req = req.withRules(ApkoRules.select(apkoVersion));
    }
    if (lockfile != null) {
      req = req.withLockFile(WorkDir.resolve(wd, lockfile));
    }
    OptionalLong epoch = epoch(sourceDateEpoch, buildDate, Environment.get().get("SOURCE_DATE_EPOCH"));
    if (epoch.isPresent()) {
      req = req.withSourceDateEpoch(epoch.getAsLong());
    }
    if (lockOnly) {
      out.progress("bitproof build: locking " + config);
      ImageBuild.Locked locked = ImageBuild.lock(req, WorkDir.resolve(wd, writeLock), writeLock.toString());
      return out.render(new Result("build", Outcome.PASS, locked,
          w -> w.println("lock     " + locked.lockfile() + "  (" + locked.packages().size() + " packages)")));
    }
    out.progress("bitproof build: " + config + (lockfile != null ? " with " + lockfile : ""));
    ImageBuild.Destination dest = apkoForm ? new ImageBuild.ToApkoOutput(WorkDir.resolve(wd, apkoOutput), apkoTag)
        : new ImageBuild.ToReference(ImageReference.parse(WorkDir.resolveRef(wd, output)), Optional.ofNullable(tag));
    ImageBuild.Built built = ImageBuild.run(new ImageBuild.Request(req,
        Optional.ofNullable(reuseFrom).map(r -> ImageReference.parse(WorkDir.resolveRef(wd, r))), dest,
        wantSbom ? Optional.of(sbomPath != null ? WorkDir.resolve(wd, sbomPath) : wd) : Optional.empty(),
        "Tool: bitproof (" + Tool.version() + ")", Optional.ofNullable(writeLock).map(l -> WorkDir.resolve(wd, l))),
        out::progress);
    return out.render(new Result("build", Outcome.PASS, built, w -> text(w, built)));
  }

  /** apko's {@code ParseArchitectures}: 'all' or 'host' alone, else the names (either spelling). */
  static List<String> archs(List<String> in, String hostArch) {
    if (in.size() == 1 && in.get(0).equals("all")) {
      return java.util.Arrays.stream(dev.bitproof.apko.Arch.values()).map(dev.bitproof.apko.Arch::oci).toList();
    }
    if (in.size() == 1 && in.get(0).equals("host")) {
      return List.of(switch (hostArch) {
        case "amd64", "x86_64" -> "amd64";
        case "aarch64", "arm64" -> "arm64";
        case "x86", "i386", "i686" -> "386";
        default -> hostArch;
      });
    }
    return in;
  }

  /** {@code --source-date-epoch}, else {@code --build-date}, else {@code $SOURCE_DATE_EPOCH}, as apko orders them. */
  static OptionalLong epoch(Long seconds, String buildDate, String env) {
    if (seconds != null) {
      if (seconds < 0) {
        throw CheckException.usage(RebuildCode.BUILD_EPOCH_INVALID, "--source-date-epoch must be >= 0");
      }
      return OptionalLong.of(seconds);
    }
    if (buildDate != null && !buildDate.isEmpty()) {
      try {
        return OptionalLong.of(java.time.OffsetDateTime.parse(buildDate).toEpochSecond());
      } catch (java.time.format.DateTimeParseException e) {
        throw CheckException.usage(RebuildCode.BUILD_EPOCH_INVALID, "--build-date must be an RFC 3339 time such as "
            + "2024-01-02T03:04:05Z, not '" + buildDate + "'");
      }
    }
    if (env != null && !env.isEmpty()) {
      try {
        long v = Long.parseLong(env.strip());
        if (v >= 0) {
          return OptionalLong.of(v);
        }
      } catch (NumberFormatException e) {
        // fall through
      }
      throw CheckException.usage(RebuildCode.BUILD_EPOCH_INVALID, "SOURCE_DATE_EPOCH must be unix seconds, not '" + env + "'");
    }
    return OptionalLong.empty();
  }

  /** apko's {@code --annotations key:value} rules (key {@code [a-z0-9-.]+}, value not empty, each key once). */
  static Map<String, String> parseApkoAnnotations(List<String> kvs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String kv : kvs) {
      int c = kv.indexOf(':');
      if (c < 0) {
        throw CheckException.usage(CliCode.ANNOTATION_INVALID, "unable to parse annotation: " + kv + " (--annotations takes key:value)");
      }
      String k = kv.substring(0, c);
      String v = kv.substring(c + 1);
      if (m.containsKey(k)) {
        throw CheckException.usage(CliCode.ANNOTATION_INVALID, "annotation " + k + " defined more than once");
      }
      if (!k.matches("[a-z0-9\\-.]+")) {
        throw CheckException.usage(CliCode.ANNOTATION_INVALID, "annotation key malformed: " + k);
      }
      if (v.isEmpty()) {
        throw CheckException.usage(CliCode.ANNOTATION_INVALID, "annotation " + k + " value is empty");
      }
      m.put(k, v);
    }
    return m;
  }

  /** Key files or directories, read by the build under the keyring's one rule ({@code ApkKeyring.load}). */
  private List<Path> keyFiles(Path wd) {
    return keyrings.stream().map(k -> WorkDir.resolve(wd, k)).toList();
  }

  static Map<String, String> parseAnnotations(List<String> kvs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String kv : kvs) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw CheckException.usage(CliCode.ANNOTATION_INVALID, "--annotation must be KEY=VALUE: " + kv);
      }
      m.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return m;
  }

  private static void text(java.io.PrintWriter w, ImageBuild.Built r) {
    w.println("index    " + r.index() + "  -> " + r.output());
    w.println("apko     rules of " + r.apkoRules());
    for (ImageBuild.Image img : r.images()) {
      w.println(img.platform() + " (" + img.arch() + ")");
      w.println("  manifest " + img.manifest());
      w.println("  config   " + img.config());
      for (ImageBuild.Layer l : img.layers()) {
        w.println("  diff_id  " + l.diffId() + "  (" + l.tarSize() + " B tar)");
        w.println("  layer    " + l.digest() + "  (" + l.size() + " B, " + l.compression() + ")");
      }
      w.println("  packages " + img.packages().size() + ", build date " + img.buildDate());
      for (ImageBuild.Package p : img.packages()) {
        for (dev.bitproof.report.Finding f : p.findings()) {
          if (f.severity() != dev.bitproof.report.Severity.OK) {
            w.println("  " + f.severity() + "  " + f.code() + "  " + p.name() + "-" + p.version() + ": " + f.message());
          }
        }
      }
    }
    r.sboms().forEach(p -> w.println("sbom     " + p));
    r.notes().forEach(n -> w.println("note: " + n));
  }
}
