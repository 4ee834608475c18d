package dev.bitproof.rebuild;

import dev.bitproof.fetch.FetchOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Everything a rebuild depends on, explicit (no environment reads): the config, the directory apko ran in
 * (relative keyring/repository/include paths resolve against it), the lock file, the arch override, the source
 * date epoch (apko's {@code SOURCE_DATE_EPOCH}), annotation overrides, appended keys and repositories, the layer
 * compressor, the package signature policy and the parallelism.
 *
 * @param archs CLI {@code --arch} values (empty: the config's, else all nine)
 * @param sourceDateEpoch when set, the build date and {@code scripts.tar} mtimes (else: newest package builddate)
 * @param keyringAppend extra public key files ({@code --keyring-append})
 * @param repositoryAppend extra repositories, build and runtime ({@code --repository-append})
 * @param parallelism arches built at once (1 = sequential)
 * @param fetch how remote repositories, keys and packages are reached (proxy, CAs, cache, offline)
 * @param compressor the layer compressor; null: apko's own, with the deflate of the rules' klauspost version
 * @param rules which apko release's behaviour to reproduce (default: the newest known)
 */
public record BuildRequest(Path config, Path workDir, Optional<Path> lockFile, List<String> archs,
    OptionalLong sourceDateEpoch, Map<String, String> annotations, List<Path> keyringAppend,
    List<String> repositoryAppend, LayerCompressor compressor, PackageLoader.SignaturePolicy signaturePolicy,
    int parallelism, FetchOptions fetch, ApkoRules rules) {

  public BuildRequest {
    Objects.requireNonNull(config, "config");
    workDir = workDir == null ? Path.of("") : workDir;
    lockFile = lockFile == null ? Optional.empty() : lockFile;
    archs = archs == null ? List.of() : List.copyOf(archs);
    sourceDateEpoch = sourceDateEpoch == null ? OptionalLong.empty() : sourceDateEpoch;
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    keyringAppend = keyringAppend == null ? List.of() : List.copyOf(keyringAppend);
    repositoryAppend = repositoryAppend == null ? List.of() : List.copyOf(repositoryAppend);
    rules = rules == null ? ApkoRules.newest() : rules;
    signaturePolicy = signaturePolicy == null ? PackageLoader.SignaturePolicy.REQUIRE : signaturePolicy;
    parallelism = Math.max(1, parallelism);
    fetch = fetch == null ? FetchOptions.defaults() : fetch;
  }

  /** The compressor the layers get: the one asked for, else apko's with the rules' deflate version. */
  public LayerCompressor layerCompressor() {
    return compressor != null ? compressor : LayerCompressor.apko(rules.flate());
  }

  public BuildRequest withRules(ApkoRules r) {
    return new BuildRequest(config, workDir, lockFile, archs, sourceDateEpoch, annotations, keyringAppend,
        repositoryAppend, compressor, signaturePolicy, parallelism, fetch, r);
  }

  /** Defaults: config's archs, no lock, no epoch, newest apko's rules and gzip, signatures required, both cores. */
  public static BuildRequest of(Path config, Path workDir) {
    return new BuildRequest(config, workDir, Optional.empty(), List.of(), OptionalLong.empty(), Map.of(), List.of(),
        List.of(), null, null, Math.min(2, Runtime.getRuntime().availableProcessors()), null, null);
  }

  public BuildRequest withLockFile(Path lock) {
    return new BuildRequest(config, workDir, Optional.of(lock), archs, sourceDateEpoch, annotations, keyringAppend,
        repositoryAppend, compressor, signaturePolicy, parallelism, fetch, rules);
  }

  public BuildRequest withArchs(List<String> a) {
    return new BuildRequest(config, workDir, lockFile, a, sourceDateEpoch, annotations, keyringAppend,
        repositoryAppend, compressor, signaturePolicy, parallelism, fetch, rules);
  }

  public BuildRequest withAnnotations(Map<String, String> a) {
    return new BuildRequest(config, workDir, lockFile, archs, sourceDateEpoch, a, keyringAppend, repositoryAppend,
        compressor, signaturePolicy, parallelism, fetch, rules);
  }

  public BuildRequest withSourceDateEpoch(long epoch) {
    return new BuildRequest(config, workDir, lockFile, archs, OptionalLong.of(epoch), annotations, keyringAppend,
        repositoryAppend, compressor, signaturePolicy, parallelism, fetch, rules);
  }

  public BuildRequest withCompressor(LayerCompressor c) {
    return new BuildRequest(config, workDir, lockFile, archs, sourceDateEpoch, annotations, keyringAppend,
        repositoryAppend, c, signaturePolicy, parallelism, fetch, rules);
  }

  public BuildRequest withSignaturePolicy(PackageLoader.SignaturePolicy p) {
    return new BuildRequest(config, workDir, lockFile, archs, sourceDateEpoch, annotations, keyringAppend,
        repositoryAppend, compressor, p, parallelism, fetch, rules);
  }

  public BuildRequest withKeyringAppend(List<Path> k) {
    return new BuildRequest(config, workDir, lockFile, archs, sourceDateEpoch, annotations, k, repositoryAppend,
        compressor, signaturePolicy, parallelism, fetch, rules);
  }

  public BuildRequest withRepositoryAppend(List<String> r) {
    return new BuildRequest(config, workDir, lockFile, archs, sourceDateEpoch, annotations, keyringAppend, r,
        compressor, signaturePolicy, parallelism, fetch, rules);
  }

  public BuildRequest withParallelism(int p) {
    return new BuildRequest(config, workDir, lockFile, archs, sourceDateEpoch, annotations, keyringAppend,
        repositoryAppend, compressor, signaturePolicy, p, fetch, rules);
  }

  public BuildRequest withFetch(FetchOptions f) {
    return new BuildRequest(config, workDir, lockFile, archs, sourceDateEpoch, annotations, keyringAppend,
        repositoryAppend, compressor, signaturePolicy, parallelism, f, rules);
  }
}
