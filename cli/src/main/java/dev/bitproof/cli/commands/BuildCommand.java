package dev.bitproof.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.apko.LockFile;
import dev.bitproof.rebuild.BuildRequest;
import dev.bitproof.rebuild.BuildResult;
import dev.bitproof.rebuild.LayerCompressor;
import dev.bitproof.rebuild.LayerReuse;
import dev.bitproof.rebuild.PackageLoader;
import dev.bitproof.rebuild.Rebuild;
import dev.bitproof.cli.Common;
import dev.bitproof.cli.ExitCodes;
import dev.bitproof.cli.render.Output;
import dev.bitproof.json.Json;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.file.Files;
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

  @Parameters(index = "0", paramLabel = "CONFIG", description = "The apko.yaml to build.")
  Path config;

  @Option(names = {"-o", "--output"}, paramLabel = "REF",
      description = "Where to write the image, e.g. oci:out (any writable transport). Required unless --lock-only.")
  String output;

  @Option(names = "--lockfile", paramLabel = "FILE", description = "Build exactly the packages of this apko.lock.json.")
  Path lockfile;

  @Option(names = "--arch", paramLabel = "ARCH", description = "Architecture (repeatable; apk or OCI names). "
      + "Default: the config's archs, else all nine.")
  List<String> archs = new ArrayList<>();

  @Option(names = "--source-date-epoch", paramLabel = "N",
      description = "Build date in unix seconds (apko's SOURCE_DATE_EPOCH). Default: newest package build date.")
  Long sourceDateEpoch;

  @Option(names = "--annotation", paramLabel = "K=V", description = "Annotation over the config's (repeatable).")
  List<String> annotations = new ArrayList<>();

  @Option(names = "--keyring", paramLabel = "PATH",
      description = "Extra public key file, or a directory of them (apko's --keyring-append; repeatable).")
  List<Path> keyrings = new ArrayList<>();

  @Option(names = "--repository", paramLabel = "R", description = "Extra repository (apko's --repository-append; repeatable).")
  List<String> repositories = new ArrayList<>();

  @Option(names = {"-C", "--workdir"}, paramLabel = "DIR",
      description = "Directory apko ran in: relative keyring, repository and include paths resolve here (default: .).")
  Path workdir;

  @Option(names = "--reuse-layers-from", paramLabel = "REF", description = "Take each published layer blob in place of "
      + "ours after proving it decompresses to exactly our tar (gives apko's manifest and index digests).")
  String reuseFrom;

  @Option(names = "--compression", paramLabel = "NAME", defaultValue = "apko",
      description = "Layer compression: apko (byte-exact pgzip + klauspost deflate level 5 as apko uses it now, "
          + "default), apko-legacy (klauspost v1.15.10-v1.18.1, apko from 2022-09 to 2025-11) or java "
          + "(java.util.zip, faster, other bytes).")
  String compression;

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

  @Override
  public Integer call() throws IOException {
    Output out = common.output();
    Path wd = workdir == null ? Path.of("") : workdir;
    if (lockOnly ? writeLock == null || output != null || lockfile != null || reuseFrom != null : output == null) {
      throw CheckException.usage("BUILD_OPTIONS_INVALID", lockOnly
          ? "--lock-only needs --write-lock FILE and takes no -o, --lockfile or --reuse-layers-from"
          : "-o REF is required (or --lock-only with --write-lock)");
    }
    BuildRequest req = BuildRequest.of(config.isAbsolute() ? config : wd.resolve(config), wd)
        .withArchs(archs)
        .withAnnotations(parseAnnotations(annotations))
        .withKeyringAppend(keyFiles(wd))
        .withRepositoryAppend(repositories)
        .withSignaturePolicy(allowUntrusted ? PackageLoader.SignaturePolicy.RELAX : PackageLoader.SignaturePolicy.REQUIRE)
        .withCompressor(LayerCompressor.named(compression));
    if (lockfile != null) {
      req = req.withLockFile(lockfile.isAbsolute() ? lockfile : wd.resolve(lockfile));
    }
    if (sourceDateEpoch != null) {
      if (sourceDateEpoch < 0) {
        throw CheckException.usage("BUILD_EPOCH_INVALID", "--source-date-epoch must be >= 0");
      }
      req = req.withSourceDateEpoch(sourceDateEpoch);
    }
    if (lockOnly) {
      out.progress("bitproof build: locking " + config);
      LockFile lock = Rebuild.lock(req);
      Files.write(writeLock, lock.toBytes());
      if (out.json()) {
        out.printJson(lockJson(lock));
      } else {
        out.out().println("lock     " + writeLock + "  (" + lock.packages().size() + " packages)");
      }
      return ExitCodes.OK;
    }
    ImageReference dest = ImageReference.parse(output);
    out.progress("bitproof build: " + config + (lockfile != null ? " with " + lockfile : ""));
    BuildResult r = Rebuild.run(req);
    if (reuseFrom != null) {
      try (ImageSource src = Transports.source(ImageReference.parse(reuseFrom), TransportOptions.defaults())) {
        r = LayerReuse.reuse(r, src);
      }
    }
    try (ImageDestination d = Transports.destination(dest, TransportOptions.defaults())) {
      r.writeTo(d, Optional.ofNullable(tag));
    }
    if (writeLock != null) {
      Files.write(writeLock, r.lock().toBytes());
    }
    r.steps().forEach((k, v) -> out.progress(String.format("  step %-28s %6d ms", k, v)));
    if (out.json()) {
      out.printJson(json(r, dest));
    } else {
      print(out, r, dest);
    }
    return ExitCodes.OK;
  }

  /** Key files or directories, read by the build under the keyring's one rule ({@code ApkKeyring.load}). */
  private List<Path> keyFiles(Path wd) {
    return keyrings.stream().map(k -> k.isAbsolute() ? k : wd.resolve(k)).toList();
  }

  static Map<String, String> parseAnnotations(List<String> kvs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String kv : kvs) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw CheckException.usage("ANNOTATION_INVALID", "--annotation must be KEY=VALUE: " + kv);
      }
      m.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return m;
  }

  private static void print(Output out, BuildResult r, ImageReference dest) {
    var w = out.out();
    w.println("index    " + r.index().digest() + "  -> " + dest);
    for (BuildResult.ArchImage img : r.images()) {
      w.println(img.arch().platform() + " (" + img.arch().apk() + ")");
      w.println("  manifest " + img.manifest().digest());
      w.println("  config   " + img.configDescriptor().digest());
      for (BuildResult.Layer l : img.layers()) {
        w.println("  diff_id  " + l.diffId() + "  (" + l.tarSize() + " B tar)");
        w.println("  layer    " + l.descriptor().digest() + "  (" + l.descriptor().size() + " B, " + l.compressor() + ")");
      }
      w.println("  packages " + img.packages().size() + ", build date " + img.buildDate());
      for (BuildResult.InstalledPackage p : img.packages()) {
        for (dev.bitproof.report.Finding f : p.findings()) {
          if (f.severity() != dev.bitproof.report.Severity.OK) {
            w.println("  " + f.severity() + "  " + f.code() + "  " + p.name() + "-" + p.version() + ": " + f.message());
          }
        }
      }
    }
    for (String n : r.notes()) {
      w.println("note: " + n);
    }
    w.flush();
  }

  private static ObjectNode lockJson(LockFile lock) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("schemaVersion", 1);
    n.put("result", "LOCKED");
    ArrayNode ps = n.putArray("packages");
    for (LockFile.LockedPackage p : lock.packages()) {
      ps.addObject().put("arch", p.architecture()).put("name", p.name()).put("version", p.version())
          .put("checksum", p.checksum()).put("url", p.url());
    }
    return n;
  }

  private static ObjectNode json(BuildResult r, ImageReference dest) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("schemaVersion", 1);
    n.put("result", "BUILT");
    n.put("output", dest.toString());
    n.put("index", r.index().digest().toString());
    ArrayNode imgs = n.putArray("images");
    for (BuildResult.ArchImage img : r.images()) {
      ObjectNode i = imgs.addObject();
      i.put("arch", img.arch().apk());
      i.put("platform", img.arch().platform().toString());
      i.put("manifest", img.manifest().digest().toString());
      i.put("config", img.configDescriptor().digest().toString());
      i.put("buildDate", img.buildDate());
      ArrayNode ls = i.putArray("layers");
      for (BuildResult.Layer l : img.layers()) {
        ObjectNode lo = ls.addObject();
        lo.put("diffId", l.diffId().toString());
        lo.put("tarSize", l.tarSize());
        lo.put("digest", l.descriptor().digest().toString());
        lo.put("size", l.descriptor().size());
        lo.put("compression", l.compressor());
      }
      ArrayNode ps = i.putArray("packages");
      for (BuildResult.InstalledPackage p : img.packages()) {
        ObjectNode po = ps.addObject().put("name", p.name()).put("version", p.version()).put("checksum", p.checksum())
            .put("url", p.url());
        ArrayNode fs = po.putArray("findings");
        for (dev.bitproof.report.Finding f : p.findings()) {
          ObjectNode fo = fs.addObject().put("code", f.code()).put("severity", f.severity().name())
              .put("message", f.message());
          f.evidence().forEach(fo.putObject("evidence")::put);
        }
      }
    }
    ObjectNode steps = n.putObject("stepsMillis");
    r.steps().forEach(steps::put);
    ArrayNode notes = n.putArray("notes");
    r.notes().forEach(notes::add);
    return n;
  }
}
