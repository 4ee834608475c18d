package dev.bitproof.verify;

import dev.bitproof.compare.CompareOptions;
import dev.bitproof.fetch.FetchOptions;
import dev.bitproof.io.IoCode;
import dev.bitproof.rebuild.ApkoRules;
import dev.bitproof.rebuild.RebuildCode;
import dev.bitproof.compare.Verdict;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.policy.Policy;
import dev.bitproof.rebuild.LayerCompressor;
import dev.bitproof.rebuild.PackageLoader;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The one way to verify a published image against its apko config, used by {@code verify}, {@code demo} and the
 * registry hook: build a {@link Request} (secure defaults: strict comparison, CONTENT_IDENTICAL required, the
 * production hardening policy as advisory), then {@link #run}. It opens the published image, rebuilds in a work
 * directory (removed afterwards unless kept), runs {@link Verifier} with the SBOM and policy checks and returns the
 * {@link Report}.
 */
public final class Verification {
  private Verification() {}

  /**
   * Everything a verification depends on.
   *
   * @param command the report's command name ({@code verify}, {@code demo}, {@code hook})
   * @param config the apko config; empty: verify from the image alone (its own {@code etc/apko.json} and installed
   *     database, {@link Verifier#runFromImage})
   * @param context the directory relative paths in the config resolve against (apko's working directory)
   * @param compressor the rebuild's layer compressor; empty: the build's default (apko's exact bytes, as the apko
   *     version's rules compressed them)
   * @param policy the hardening policy; empty: no policy check
   * @param enforcePolicy policy violations fail the verification (else they are advisory WARN findings)
   * @param keep keep the rebuilt image there; empty: a temporary directory, removed
   * @param fetch how remote repositories, keys and packages are reached (proxy, CAs, cache, offline)
   * @param mirrors configured repository or key location → where it is read instead ({@code --repository FROM=TO})
   * @param apkoRules the apko version whose output rules to reproduce; empty: the newest, then what the image allows
   * @param archs apk architectures to narrow the rebuild to ({@code --arch}); empty: the config's, each required of
   *     the published image
   * @param allowUntrustedPackages a package whose signature does not verify is a WARN instead of a FAIL
   *     ({@code --allow-untrusted-packages}: {@link PackageLoader.SignaturePolicy#RELAX}; otherwise
   *     {@link PackageLoader.SignaturePolicy#REPORT}); the finding is in the report either way
   */
  public record Request(String command, Optional<Path> config, String published, Optional<Path> lockfile, Optional<Path> keyring, OptionalLong sourceDateEpoch, Path context, Optional<LayerCompressor> compressor, CompareOptions compare, Verdict required, TransportOptions transport, Optional<Policy> policy, boolean enforcePolicy, Optional<Path> keep, FetchOptions fetch, Map<String, String> mirrors, Optional<ApkoRules> apkoRules, List<String> archs, boolean allowUntrustedPackages) {
    public Request {
      Objects.requireNonNull(command, "command");
      config = config.map(Path::toAbsolutePath);
      Objects.requireNonNull(published, "published");
      lockfile = lockfile.map(Path::toAbsolutePath);
      keyring = keyring.map(Path::toAbsolutePath);
      Objects.requireNonNull(sourceDateEpoch, "sourceDateEpoch");
      context = context.toAbsolutePath();
      Objects.requireNonNull(compressor, "compressor");
      Objects.requireNonNull(compare, "compare");
      Objects.requireNonNull(required, "required");
      Objects.requireNonNull(transport, "transport");
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(keep, "keep");
      fetch = fetch == null ? FetchOptions.defaults() : fetch;
      mirrors = mirrors == null ? Map.of() : Map.copyOf(mirrors);
      Objects.requireNonNull(apkoRules, "apkoRules");
      archs = archs == null ? List.of() : List.copyOf(archs);
    }

    /** The defaults: strict comparison requiring CONTENT_IDENTICAL, advisory production policy, context = cwd. */
    public static Request of(Path config, String published) {
      return new Request("verify", Optional.ofNullable(config), published, Optional.empty(), Optional.empty(),
          OptionalLong.empty(), Path.of(""), Optional.empty(), CompareOptions.strict(), Verdict.CONTENT_IDENTICAL,
          TransportOptions.defaults(), Optional.of(Policy.of(dev.bitproof.policy.Rule.Profile.PRODUCTION)), false,
          Optional.empty(), FetchOptions.defaults(), Map.of(), Optional.empty(), List.of(), false);
    }

    public Request withCommand(String c) {
      return new Request(c, config, published, lockfile, keyring, sourceDateEpoch, context, compressor, compare, required, transport, policy, enforcePolicy, keep, fetch, mirrors, apkoRules, archs, allowUntrustedPackages);
    }

    public Request withLockfile(Optional<Path> l) {
      return new Request(command, config, published, l, keyring, sourceDateEpoch, context, compressor, compare, required, transport, policy, enforcePolicy, keep, fetch, mirrors, apkoRules, archs, allowUntrustedPackages);
    }

    public Request withKeyring(Optional<Path> k) {
      return new Request(command, config, published, lockfile, k, sourceDateEpoch, context, compressor, compare, required, transport, policy, enforcePolicy, keep, fetch, mirrors, apkoRules, archs, allowUntrustedPackages);
    }

    public Request withSourceDateEpoch(OptionalLong e) {
      return new Request(command, config, published, lockfile, keyring, e, context, compressor, compare, required, transport, policy, enforcePolicy, keep, fetch, mirrors, apkoRules, archs, allowUntrustedPackages);
    }

    public Request withContext(Path c) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, c, compressor, compare, required, transport, policy, enforcePolicy, keep, fetch, mirrors, apkoRules, archs, allowUntrustedPackages);
    }

    public Request withCompressor(LayerCompressor c) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, context, Optional.of(c), compare, required, transport, policy, enforcePolicy, keep, fetch, mirrors, apkoRules, archs, allowUntrustedPackages);
    }

    public Request withCompressor(Optional<LayerCompressor> c) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, context, c, compare, required, transport, policy, enforcePolicy, keep, fetch, mirrors, apkoRules, archs, allowUntrustedPackages);
    }

    public Request withCompare(CompareOptions c, Verdict r) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, context, compressor, c, r, transport, policy, enforcePolicy, keep, fetch, mirrors, apkoRules, archs, allowUntrustedPackages);
    }

    public Request withTransport(TransportOptions t) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, context, compressor, compare, required, t, policy, enforcePolicy, keep, fetch, mirrors, apkoRules, archs, allowUntrustedPackages);
    }

    public Request withPolicy(Optional<Policy> p, boolean enforce) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, context, compressor, compare, required, transport, p, enforce, keep, fetch, mirrors, apkoRules, archs, allowUntrustedPackages);
    }

    public Request withKeep(Optional<Path> k) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, context, compressor, compare, required, transport, policy, enforcePolicy, k, fetch, mirrors, apkoRules, archs, allowUntrustedPackages);
    }

    public Request withFetch(FetchOptions f, Map<String, String> m) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, context, compressor, compare, required, transport, policy, enforcePolicy, keep, f, m, apkoRules, archs, allowUntrustedPackages);
    }

    /** Narrows the rebuild to these apk architectures ({@code --arch}); empty: the config's, all required. */
    public Request withArchs(List<String> a) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, context, compressor, compare, required, transport, policy, enforcePolicy, keep, fetch, mirrors, apkoRules, a, allowUntrustedPackages);
    }

    public Request withApkoRules(Optional<ApkoRules> a) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, context, compressor, compare, required, transport, policy, enforcePolicy, keep, fetch, mirrors, a, archs, allowUntrustedPackages);
    }

    public Request withAllowUntrustedPackages(boolean allow) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, context, compressor, compare, required, transport, policy, enforcePolicy, keep, fetch, mirrors, apkoRules, archs, allow);
    }
  }

  /**
   * Verifies; a missing config is CONFIG_NOT_FOUND (exit 3), a directory given as the config FILE_IS_DIRECTORY. Without
   * a config, the image's own {@code etc/apko.json} and installed database are the recipe.
   */
  public static Report run(Request r) throws IOException {
    if (r.config().isPresent() && Files.isDirectory(r.config().get())) {
      throw new CheckException(IoCode.FILE_IS_DIRECTORY, r.config().get().toString(), "is a directory; the config is an apko.yaml file");
    }
    if (r.config().isPresent() && !Files.isRegularFile(r.config().get())) {
      throw new CheckException(RebuildCode.CONFIG_NOT_FOUND, r.config().get().toString(), "no such config file");
    }
    Path work = r.keep().isPresent() ? Files.createDirectories(r.keep().get()) : Files.createTempDirectory("bitproof-verify-");
    Verifier.Request req = new Verifier.Request(r.config().orElse(r.context().resolve("etc/apko.json")), r.lockfile(),
        r.keyring(), r.sourceDateEpoch(), r.published(), work, r.compare(), r.required(), r.transport(), r.apkoRules(), r.archs());
    Rebuilder rebuilder = new ApkoRebuilder(r.context(), r.compressor(), r.fetch().withMirrors(r.mirrors()))
        .withSignaturePolicy(r.allowUntrustedPackages() ? PackageLoader.SignaturePolicy.RELAX
            : PackageLoader.SignaturePolicy.REPORT);
    Report report;
    try (ImageSource source = Transports.source(ImageReference.parse(r.published()), r.transport());
        dev.bitproof.report.Progress.Task reading = r.fetch().progress().start("reading published layers", 0, 0)) {
      ImageSource published = dev.bitproof.oci.transport.CountingSource.of(source, reading);
      List<PublishedCheck> extra = new ArrayList<>(List.of(PublishedCheck.sbom()));
      r.policy().ifPresent(p -> extra.add(PublishedCheck.policy(p, r.enforcePolicy())));
      report = r.config().isPresent() ? Verifier.run(req, rebuilder, published, extra)
          : Verifier.runFromImage(req, rebuilder, published, extra, r.mirrors());
    } finally {
      if (r.keep().isEmpty()) {
        deleteTree(work);
      }
    }
    return report.command().equals(r.command()) ? report
        : new Report(r.command(), report.a(), report.b(), report.inputs(), report.notes(), report.checks(), report.comparison(), report.tree());
  }

  /** Removes a work directory, best effort: a temporary directory left behind is harmless. */
  public static void deleteTree(Path dir) {
    try (var s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort
        }
      });
    } catch (IOException e) {
      // same
    }
  }
}
