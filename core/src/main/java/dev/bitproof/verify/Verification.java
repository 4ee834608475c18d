package dev.bitproof.verify;

import dev.bitproof.compare.CompareOptions;
import dev.bitproof.compare.Verdict;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.policy.Policy;
import dev.bitproof.rebuild.LayerCompressor;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
   * @param context the directory relative paths in the config resolve against (apko's working directory)
   * @param compressor the rebuild's layer compressor; empty: the build's default (apko's exact bytes)
   * @param policy the hardening policy; empty: no policy check
   * @param enforcePolicy policy violations fail the verification (else they are advisory WARN findings)
   * @param keep keep the rebuilt image there; empty: a temporary directory, removed
   */
  public record Request(String command, Path config, String published, Optional<Path> lockfile, Optional<Path> keyring,
      OptionalLong sourceDateEpoch, Path context, Optional<LayerCompressor> compressor, CompareOptions compare,
      Verdict required, TransportOptions transport, Optional<Policy> policy, boolean enforcePolicy, Optional<Path> keep) {
    public Request {
      Objects.requireNonNull(command, "command");
      config = config.toAbsolutePath();
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
    }

    /** The defaults: strict comparison requiring CONTENT_IDENTICAL, advisory production policy, context = cwd. */
    public static Request of(Path config, String published) {
      return new Request("verify", config, published, Optional.empty(), Optional.empty(), OptionalLong.empty(),
          Path.of(""), Optional.empty(), CompareOptions.strict(), Verdict.CONTENT_IDENTICAL, TransportOptions.defaults(),
          Optional.of(Policy.of(dev.bitproof.policy.Rule.Profile.PRODUCTION)), false, Optional.empty());
    }

    public Request withCommand(String c) {
      return new Request(c, config, published, lockfile, keyring, sourceDateEpoch, context, compressor, compare, required, transport, policy, enforcePolicy, keep);
    }

    public Request withLockfile(Optional<Path> l) {
      return new Request(command, config, published, l, keyring, sourceDateEpoch, context, compressor, compare, required, transport, policy, enforcePolicy, keep);
    }

    public Request withKeyring(Optional<Path> k) {
      return new Request(command, config, published, lockfile, k, sourceDateEpoch, context, compressor, compare, required, transport, policy, enforcePolicy, keep);
    }

    public Request withSourceDateEpoch(OptionalLong e) {
      return new Request(command, config, published, lockfile, keyring, e, context, compressor, compare, required, transport, policy, enforcePolicy, keep);
    }

    public Request withContext(Path c) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, c, compressor, compare, required, transport, policy, enforcePolicy, keep);
    }

    public Request withCompressor(LayerCompressor c) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, context, Optional.of(c), compare, required, transport, policy, enforcePolicy, keep);
    }

    public Request withCompare(CompareOptions c, Verdict r) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, context, compressor, c, r, transport, policy, enforcePolicy, keep);
    }

    public Request withTransport(TransportOptions t) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, context, compressor, compare, required, t, policy, enforcePolicy, keep);
    }

    public Request withPolicy(Optional<Policy> p, boolean enforce) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, context, compressor, compare, required, transport, p, enforce, keep);
    }

    public Request withKeep(Optional<Path> k) {
      return new Request(command, config, published, lockfile, keyring, sourceDateEpoch, context, compressor, compare, required, transport, policy, enforcePolicy, k);
    }
  }

  /** Verifies; a missing config is CONFIG_NOT_FOUND (exit 3), a directory given as the config FILE_IS_DIRECTORY. */
  public static Report run(Request r) throws IOException {
    if (Files.isDirectory(r.config())) {
      throw new CheckException("FILE_IS_DIRECTORY", r.config().toString(), "is a directory; the config is an apko.yaml file");
    }
    if (!Files.isRegularFile(r.config())) {
      throw new CheckException("CONFIG_NOT_FOUND", r.config().toString(), "no such config file");
    }
    Path work = r.keep().isPresent() ? Files.createDirectories(r.keep().get()) : Files.createTempDirectory("bitproof-verify-");
    Verifier.Request req = new Verifier.Request(r.config(), r.lockfile(), r.keyring(), r.sourceDateEpoch(), r.published(),
        work, r.compare(), r.required(), r.transport());
    Rebuilder rebuilder = r.compressor().map(c -> new ApkoRebuilder(r.context(), c)).orElseGet(() -> new ApkoRebuilder(r.context()));
    Report report;
    try (ImageSource published = Transports.source(ImageReference.parse(r.published()), r.transport())) {
      List<PublishedCheck> extra = new ArrayList<>(List.of(PublishedCheck.sbom()));
      r.policy().ifPresent(p -> extra.add(PublishedCheck.policy(p, r.enforcePolicy())));
      report = Verifier.run(req, rebuilder, published, extra);
    } finally {
      if (r.keep().isEmpty()) {
        deleteTree(work);
      }
    }
    return report.command().equals(r.command()) ? report
        : new Report(r.command(), report.a(), report.b(), report.inputs(), report.notes(), report.checks(), report.comparison());
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
