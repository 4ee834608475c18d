package dev.bitproof.hook;

import dev.bitproof.io.SlashGlob;
import dev.bitproof.io.IoCode;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.policy.Policy;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the hook checks and how: the registry images are fetched from (event URLs are never followed), the hardening
 * policy, and the repositories mapped to an apko config for a full rebuild-and-compare.
 *
 * @param policyId names the policy's source ({@code profile:production}, or the policy file's bytes digest)
 * @param workDir where rebuilds and attestation bundles are written
 */
public record CheckSettings(String registry, TransportOptions transport, Policy policy, String policyId,
    boolean enforcePolicy, Map<String, Mapping> mappings, List<RepositoryRule> rules, Optional<Path> keyring,
    Path context, String toolVersion, Optional<Attester> attester, Path workDir) {

  /** A repository verified by rebuilding its apko config (and lock file). */
  public record Mapping(Path config, Optional<Path> lockfile) {}

  /**
   * A config file's rule for the repositories matching a glob ({@code *} within a path segment, {@code **} across
   * segments, {@code ?} one character): a rebuild mapping and/or a policy of their own.
   */
  public record RepositoryRule(String match, Optional<Mapping> verify, Optional<Policy> policy, Optional<String> policyId,
      Optional<Boolean> enforcePolicy) {
    public boolean matches(String repository) {
      return SlashGlob.compile(match).matcher(repository).matches();
    }
  }

  /** What applies to one repository: an exact {@code --verify-config} first, then the first matching rule. */
  public record Resolved(Optional<Mapping> verify, Policy policy, String policyId, boolean enforcePolicy) {}

  public Resolved resolve(String repository) {
    Optional<Mapping> exact = Optional.ofNullable(mappings.get(repository));
    for (RepositoryRule r : rules) {
      if (r.matches(repository)) {
        return new Resolved(exact.isPresent() ? exact : r.verify(), r.policy().orElse(policy),
            r.policyId().orElse(policyId), r.enforcePolicy().orElse(enforcePolicy));
      }
    }
    return new Resolved(exact, policy, policyId, enforcePolicy);
  }

  public CheckSettings {
    mappings = Map.copyOf(new LinkedHashMap<>(mappings));
    rules = List.copyOf(rules);
    List<Mapping> all = new java.util.ArrayList<>(mappings.values());
    rules.forEach(r -> r.verify().ifPresent(all::add));
    for (Mapping m : all) {
      if (!Files.isRegularFile(m.config())) {
        throw new CheckException(IoCode.FILE_NOT_FOUND, m.config().toString(), "no such config file");
      }
      if (m.lockfile().isPresent() && !Files.isRegularFile(m.lockfile().get())) {
        throw new CheckException(IoCode.FILE_NOT_FOUND, m.lockfile().get().toString(), "no such lock file");
      }
    }
  }

  /**
   * The policy version of a repository's jobs: a digest of everything that decides its result (policy, enforcement,
   * config and lock file bytes, attestation). An image is verified once per policy version; changing the policy or a
   * config makes later pushes of the same image verify again.
   */
  public String policyVersion(String repository) {
    Resolved r = resolve(repository);
    StringBuilder s = new StringBuilder("bitproof-hook-policy/1\n");
    s.append("policy=").append(r.policyId()).append('\n');
    s.append("enforce=").append(r.enforcePolicy()).append('\n');
    s.append("attest=").append(attester.isPresent()).append('\n');
    Mapping m = r.verify().orElse(null);
    if (m != null) {
      s.append("config=").append(digestOf(m.config())).append('\n');
      m.lockfile().ifPresent(l -> s.append("lock=").append(digestOf(l)).append('\n'));
    }
    return Digest.sha256(s.toString().getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static String digestOf(Path p) {
    try {
      return Digest.sha256(Files.readAllBytes(p)).toString();
    } catch (NoSuchFileException e) {
      throw new CheckException(IoCode.FILE_NOT_FOUND, p.toString(), "no such file");
    } catch (IOException e) {
      throw new CheckException(IoCode.IO_ERROR, p.toString(), "cannot read: " + e.getMessage(), e);
    }
  }
}
