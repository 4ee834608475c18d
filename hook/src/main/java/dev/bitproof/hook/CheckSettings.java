package dev.bitproof.hook;

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
    boolean enforcePolicy, Map<String, Mapping> mappings, Optional<Path> keyring, Path context, String toolVersion,
    Optional<Attester> attester, Path workDir) {

  /** A repository verified by rebuilding its apko config (and lock file). */
  public record Mapping(Path config, Optional<Path> lockfile) {}

  public CheckSettings {
    mappings = Map.copyOf(new LinkedHashMap<>(mappings));
    for (Mapping m : mappings.values()) {
      if (!Files.isRegularFile(m.config())) {
        throw new CheckException("FILE_NOT_FOUND", m.config().toString(), "no such config file");
      }
      if (m.lockfile().isPresent() && !Files.isRegularFile(m.lockfile().get())) {
        throw new CheckException("FILE_NOT_FOUND", m.lockfile().get().toString(), "no such lock file");
      }
    }
  }

  /**
   * The policy version of a repository's jobs: a digest of everything that decides its result (policy, enforcement,
   * config and lock file bytes, attestation). An image is verified once per policy version; changing the policy or a
   * config makes later pushes of the same image verify again.
   */
  public String policyVersion(String repository) {
    StringBuilder s = new StringBuilder("bitproof-hook-policy/1\n");
    s.append("policy=").append(policyId).append('\n');
    s.append("enforce=").append(enforcePolicy).append('\n');
    s.append("attest=").append(attester.isPresent()).append('\n');
    Mapping m = mappings.get(repository);
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
      throw new CheckException("FILE_NOT_FOUND", p.toString(), "no such file");
    } catch (IOException e) {
      throw new CheckException("IO_ERROR", p.toString(), "cannot read: " + e.getMessage(), e);
    }
  }
}
