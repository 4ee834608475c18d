package dev.bitproof.verify;

import dev.bitproof.apk.ApkCode;
import dev.bitproof.apk.ApkIndex;
import dev.bitproof.apk.ApkKeyring;
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
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link Rebuilder} over {@code dev.bitproof.rebuild}: runs the apko rebuild once, writes the OCI layout, and
 * reports the signature of every package and every APKINDEX the build used against the config's keyring (plus
 * {@code --keyring}), each as its own finding.
 *
 * <p>The package findings are the ones the build made while it fetched each package (one fetch per package): by
 * default ({@link PackageLoader.SignaturePolicy#REPORT}) a package whose signature fails is still installed so the
 * image can be explained, and its FAIL fails the verification; relaxed
 * ({@link PackageLoader.SignaturePolicy#RELAX}, {@code --allow-untrusted-packages}) the same finding is kept as a
 * WARN.
 */
public final class ApkoRebuilder implements Rebuilder {
  private static final long MAX_INDEX = 512L * 1024 * 1024;

  private final Path workDir;
  private final Optional<LayerCompressor> compressor;
  private final FetchOptions fetchOptions;
  private final PackageLoader.SignaturePolicy signaturePolicy;

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
    this(workDir, compressor, fetch, PackageLoader.SignaturePolicy.REPORT);
  }

  private ApkoRebuilder(Path workDir, Optional<LayerCompressor> compressor, FetchOptions fetch,
      PackageLoader.SignaturePolicy policy) {
    this.workDir = workDir;
    this.compressor = compressor;
    this.fetchOptions = fetch;
    this.signaturePolicy = policy;
  }

  /** The same rebuilder under another package signature policy (REQUIRE stops at the first bad package). */
  public ApkoRebuilder withSignaturePolicy(PackageLoader.SignaturePolicy policy) {
    return new ApkoRebuilder(workDir, compressor, fetchOptions, policy);
  }

  @Override
  public Rebuilt rebuild(Inputs in) throws IOException {
    List<String> notes = new ArrayList<>();
    List<Path> extraKeys = in.keyringDir().map(d -> List.of(workDir.resolve(d))).orElse(List.of());
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
        .withKeyringAppend(extraKeys).withFetch(fetchOptions).withRules(in.rules())
        .withSignaturePolicy(signaturePolicy);
    if (in.sourceDateEpoch().isPresent()) {
      req = req.withSourceDateEpoch(in.sourceDateEpoch().getAsLong());
    }
    if (in.lockfile().isPresent()) {
      req = req.withLockFile(in.lockfile().get());
    }
    if (compressor.isPresent()) {
      req = req.withCompressor(compressor.get());
    }
    BuildResult built = Rebuild.run(req);
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
    List<Finding> signatures = indexSignatures(in, built, extraKeys);
    boolean relaxed = false;
    for (BuildResult.ArchImage img : built.images()) {
      for (BuildResult.InstalledPackage p : img.packages()) {
        String subject = p.arch() + "/" + p.name() + "-" + p.version() + ".apk";
        for (Finding f : p.findings()) {
          relaxed |= f.severity() == Severity.WARN;
          signatures.add(new Finding(f.code(), f.severity(), subject, f.message(), f.evidence()).with("url", p.url()));
        }
      }
    }
    if (relaxed) {
      notes.add("package signature checks were relaxed (--allow-untrusted-packages): packages whose signature does "
          + "not verify were installed and are reported as WARN");
    }
    return new Rebuilt(out, signatures, facts, notes);
  }

  @Override
  public boolean followsApkoRules() {
    return true;
  }

  /**
   * One finding per index the lock names for the built arches. The build reads no index when it has a lock file,
   * so the indexes are fetched here (once each); packages are not fetched again.
   */
  private List<Finding> indexSignatures(Inputs in, BuildResult built, List<Path> extraKeys) throws IOException {
    Fetch fetch = new Fetch(workDir, fetchOptions, n -> { });
    ConfigLoader.Loaded loaded = ConfigLoader.load(in.config(), workDir);
    ApkKeyring.Builder keys = ApkKeyring.builder();
    for (String k : loaded.config().contents().keyring()) {
      keys.add(k.substring(k.lastIndexOf('/') + 1), fetch.readAll(k, ApkKeyring.MAX_KEY_FILE, IoCode.KEY_TOO_LARGE));
    }
    ApkKeyring keyring = keys.addPaths(extraKeys).build();
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
    return out;
  }
}
