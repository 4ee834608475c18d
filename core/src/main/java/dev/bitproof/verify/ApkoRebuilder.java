package dev.bitproof.verify;

import dev.bitproof.apk.ApkCode;
import dev.bitproof.apk.ApkIndex;
import dev.bitproof.apk.ApkKeyring;
import dev.bitproof.apk.ApkPackage;
import dev.bitproof.apk.ApkVerifier;
import dev.bitproof.apko.ConfigLoader;
import dev.bitproof.apko.LockFile;
import dev.bitproof.io.IoCode;
import dev.bitproof.rebuild.BuildRequest;
import dev.bitproof.rebuild.BuildResult;
import dev.bitproof.fetch.FetchOptions;
import dev.bitproof.rebuild.Fetch;
import dev.bitproof.rebuild.LayerCompressor;
import dev.bitproof.rebuild.PackageLoader;
import dev.bitproof.rebuild.Rebuild;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@link Rebuilder} over {@code dev.bitproof.rebuild}: runs the apko rebuild, writes the OCI layout, then checks
 * the signature of every package and every APKINDEX the build used against the config's keyring (plus
 * {@code --keyring}), each as its own finding.
 *
 * <p>The build refuses a badly signed package outright. To still explain the image, a build that stopped on a
 * package signature is run again with package signature checks relaxed; the signature findings (which fail the
 * verification) come from the separate check here either way, and the report says the build was relaxed.
 */
public final class ApkoRebuilder implements Rebuilder {
  private static final long MAX_APK = 2L * 1024 * 1024 * 1024;
  private static final long MAX_INDEX = 512L * 1024 * 1024;

  private final Path workDir;
  private final Optional<LayerCompressor> compressor;
  private final FetchOptions fetchOptions;

  /** @param workDir the directory apko ran in: relative keyring, repository and package paths resolve against it */
  public ApkoRebuilder(Path workDir) {
    this(workDir, Optional.empty(), FetchOptions.defaults());
  }

  /** With a layer compressor other than the build's default (apko's exact gzip), e.g. {@code apko-legacy}. */
  public ApkoRebuilder(Path workDir, LayerCompressor compressor) {
    this(workDir, Optional.of(compressor), FetchOptions.defaults());
  }

  /** @param fetch how remote repositories are reached (proxy, CAs, cache, offline) */
  public ApkoRebuilder(Path workDir, Optional<LayerCompressor> compressor, FetchOptions fetch) {
    this.workDir = workDir;
    this.compressor = compressor;
    this.fetchOptions = fetch;
  }

  @Override
  public Rebuilt rebuild(Inputs in) throws IOException {
    List<String> notes = new ArrayList<>();
    List<Path> extraKeys = extraKeys(in.keyringDir());
    List<String> archs = in.archs();
    if (archs.isEmpty()) {
      List<String> declared = ConfigLoader.load(in.config(), workDir).config().archs();
      if (declared.isEmpty()) {
        archs = in.publishedArchs();
        notes.add("architectures " + archs + " taken from the published image's platforms: the config names none "
            + "(apko --arch)");
      } else {
        notes.add("architectures " + declared + " from the config's archs: the published image must have each");
      }
    } else {
      notes.add("architectures " + archs + " as narrowed on the command line (--arch)");
    }
    BuildRequest req = BuildRequest.of(in.config(), workDir).withArchs(archs).withAnnotations(in.annotations())
        .withKeyringAppend(extraKeys).withFetch(fetchOptions).withRules(in.rules());
    if (in.sourceDateEpoch().isPresent()) {
      req = req.withSourceDateEpoch(in.sourceDateEpoch().getAsLong());
    }
    if (in.lockfile().isPresent()) {
      req = req.withLockFile(in.lockfile().get());
    }
    if (compressor.isPresent()) {
      req = req.withCompressor(compressor.get());
    }
    BuildResult built;
    try {
      built = Rebuild.run(req);
    } catch (CheckException e) {
      if (!isPackageSignature(e.code())) {
        throw e;
      }
      notes.add("the build stopped on a package signature (" + e.code() + " " + e.subject() + "); it was run again "
          + "with package signature checks relaxed only to explain the image, and the verification fails on signatures");
      built = Rebuild.run(req.withSignaturePolicy(PackageLoader.SignaturePolicy.IGNORE));
    }
    notes.addAll(built.notes());
    Files.createDirectories(in.output());
    ImageReference out = ImageReference.parse("oci:" + in.output());
    try (ImageDestination d = Transports.destination(out, TransportOptions.defaults())) {
      built.writeTo(d, Optional.empty());
    }
    List<Finding> facts = new ArrayList<>();
    facts.add(Finding.ok(VerifyCode.REBUILD_OK, "index", "rebuilt from " + in.config().getFileName()
        + (in.lockfile().isPresent() ? " and its lock file" : ""))
        .with("index", built.index().digest()).with("apkoRules", built.rules().label()).with("compressor", built.images().isEmpty() ? ""
            : built.images().get(0).layers().isEmpty() ? "" : built.images().get(0).layers().get(0).compressor()));
    for (BuildResult.ArchImage img : built.images()) {
      Finding f = Finding.ok(VerifyCode.REBUILD_ARCH, img.arch().apk(), img.packages().size() + " packages installed")
          .with("manifest", img.manifest().digest()).with("buildDate", img.buildDate());
      for (BuildResult.InstalledPackage p : img.packages()) {
        f = f.with(p.name(), p.version());
      }
      facts.add(f);
    }
    return new Rebuilt(out, signatures(in, built, extraKeys), facts, notes);
  }

  @Override
  public boolean followsApkoRules() {
    return true;
  }

  static boolean isPackageSignature(Code code) {
    return ApkCode.PACKAGE_SIGNATURE.contains(code);
  }

  private List<Path> extraKeys(Optional<Path> dir) throws IOException {
    if (dir.isEmpty()) {
      return List.of();
    }
    Path d = workDir.resolve(dir.get());
    if (!Files.isDirectory(d)) {
      throw new CheckException(VerifyCode.KEYRING_NOT_FOUND, d.toString(), "--keyring must name a directory of public keys");
    }
    try (var s = Files.list(d)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".pub")).sorted().toList();
    }
  }

  /** One finding per package and per index: the signature that vouches for it. */
  private List<Finding> signatures(Inputs in, BuildResult built, List<Path> extraKeys) throws IOException {
    Fetch fetch = new Fetch(workDir, fetchOptions, n -> { });
    Map<String, byte[]> keys = new TreeMap<>();
    ConfigLoader.Loaded loaded = ConfigLoader.load(in.config(), workDir);
    for (String k : loaded.config().contents().keyring()) {
      keys.put(k.substring(k.lastIndexOf('/') + 1), fetch.readAll(k, 64 * 1024, IoCode.KEY_TOO_LARGE));
    }
    for (Path p : extraKeys) {
      keys.put(p.getFileName().toString(), Files.readAllBytes(p));
    }
    ApkKeyring keyring = ApkKeyring.of(keys);
    List<Finding> out = new ArrayList<>();
    Set<String> archs = new LinkedHashSet<>();
    built.images().forEach(i -> archs.add(i.arch().apk()));
    LockFile lock = built.lock();
    List<LockFile.Repository> repos = new ArrayList<>(lock.buildRepositories());
    repos.addAll(lock.repositories());
    Set<String> seen = new LinkedHashSet<>();
    for (LockFile.Repository r : repos) {
      if (!archs.contains(r.architecture()) || !seen.add(r.url())) {
        continue;
      }
      String subject = r.architecture() + "/APKINDEX.tar.gz (" + r.url() + ")";
      ApkIndex idx = ApkIndex.read(fetch.readAll(r.url(), MAX_INDEX, ApkCode.APKINDEX_TOO_LARGE), r.url());
      out.add(ApkVerifier.verify(idx, keyring, subject));
    }
    for (BuildResult.ArchImage img : built.images()) {
      for (BuildResult.InstalledPackage p : img.packages()) {
        String subject = p.arch() + "/" + p.name() + "-" + p.version() + ".apk";
        ApkPackage pkg;
        try (InputStream s = fetch.open(p.url(), MAX_APK, ApkCode.APK_TOO_LARGE)) {
          pkg = ApkPackage.read(s, subject, ApkPackage.Limits.defaults(), null);
        }
        for (Finding f : ApkVerifier.verify(pkg, keyring, subject)) {
          if (isPackageSignature(f.code()) || ApkCode.DATAHASH.contains(f.code())) {
            out.add(f.with("url", p.url()));
          } else if (f.fails()) {
            out.add(f);
          }
        }
        if (!pkg.checksum().equals(p.checksum())) {
          out.add(new Finding(ApkCode.APK_CHECKSUM_MISMATCH, Severity.FAIL, subject,
              "the package's control checksum is not the one the build pinned", Map.of())
              .with("pinned", p.checksum()).with("actual", pkg.checksum()));
        }
      }
    }
    return out;
  }
}
