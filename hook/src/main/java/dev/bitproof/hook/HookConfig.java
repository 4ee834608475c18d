package dev.bitproof.hook;

import dev.bitproof.io.IoCode;
import dev.bitproof.oci.Digest;
import dev.bitproof.policy.Policy;
import dev.bitproof.policy.Rule;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The hook's config file ({@code --config FILE}, reloaded on SIGHUP): the registry, the default policy, and the
 * repository rules, first match wins:
 *
 * <pre>
 * registry: registry.example:5000
 * profile: production            # or policy: FILE
 * enforcePolicy: false
 * repositories:
 *   - match: "apps/web"          # * within a path segment, ** across segments, ? one character
 *     config: web/apko.yaml      # rebuild and compare (paths relative to this file)
 *     lockfile: web/apko.lock.json
 *   - match: "base/**"
 *     policy: strict-policy.yaml # or profile: dev
 *     enforcePolicy: true
 * </pre>
 *
 * Unknown keys are {@code HOOK_CONFIG_INVALID}: a typo never silently relaxes a check.
 */
public record HookConfig(Optional<String> registry, Optional<Policy> policy, Optional<String> policyId,
    Optional<Boolean> enforcePolicy, List<CheckSettings.RepositoryRule> repositories) {
  public static final int MAX_BYTES = 1024 * 1024;

  public HookConfig {
    repositories = List.copyOf(repositories);
  }

  public static HookConfig load(Path file) {
    byte[] b;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw invalid(file, "over " + MAX_BYTES + " bytes");
      }
      b = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CheckException(IoCode.FILE_NOT_FOUND, file.toString(), "no such config file");
    } catch (IOException e) {
      throw new CheckException(IoCode.IO_ERROR, file.toString(), "cannot read the config: " + e.getMessage(), e);
    }
    Object doc;
    try {
      LoadSettings s = LoadSettings.builder().setAllowDuplicateKeys(false).setMaxAliasesForCollections(10)
          .setAllowRecursiveKeys(false).setCodePointLimit(MAX_BYTES).build();
      doc = new Load(s).loadFromString(new String(b, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw invalid(file, "not valid YAML: " + e.getMessage());
    }
    Path base = file.toAbsolutePath().getParent();
    Map<?, ?> top = doc == null ? Map.of() : map(doc, file, "the document");
    keys(top, file, "the document", Set.of("registry", "profile", "policy", "enforcePolicy", "repositories"));
    Optional<String> registry = Optional.ofNullable(top.get("registry")).map(String::valueOf);
    PolicyChoice p = policy(top, file, base, "the document");
    List<CheckSettings.RepositoryRule> rules = new ArrayList<>();
    Object rs = top.get("repositories");
    if (rs != null) {
      if (!(rs instanceof List<?> list)) {
        throw invalid(file, "repositories must be a list");
      }
      int i = 0;
      for (Object o : list) {
        String where = "repositories[" + i++ + "]";
        Map<?, ?> r = map(o, file, where);
        keys(r, file, where, Set.of("match", "config", "lockfile", "profile", "policy", "enforcePolicy"));
        Object match = r.get("match");
        if (match == null || String.valueOf(match).isBlank()) {
          throw invalid(file, where + " needs match");
        }
        Optional<CheckSettings.Mapping> verify = Optional.empty();
        if (r.get("config") != null) {
          verify = Optional.of(new CheckSettings.Mapping(base.resolve(String.valueOf(r.get("config"))),
              Optional.ofNullable(r.get("lockfile")).map(l -> base.resolve(String.valueOf(l)))));
        } else if (r.get("lockfile") != null) {
          throw invalid(file, where + ": lockfile without config");
        }
        PolicyChoice rp = policy(r, file, base, where);
        rules.add(new CheckSettings.RepositoryRule(String.valueOf(match), verify, rp.policy(), rp.id(),
            bool(r, "enforcePolicy", file, where)));
      }
    }
    return new HookConfig(registry, p.policy(), p.id(), bool(top, "enforcePolicy", file, "the document"), rules);
  }

  /** These settings with the file's values over them (the file wins where it says something). */
  public CheckSettings over(CheckSettings s) {
    return new CheckSettings(registry.orElse(s.registry()), s.transport(), policy.orElse(s.policy()),
        policyId.orElse(s.policyId()), enforcePolicy.orElse(s.enforcePolicy()), s.mappings(), repositories,
        s.keyring(), s.context(), s.toolVersion(), s.attester(), s.workDir());
  }

  private record PolicyChoice(Optional<Policy> policy, Optional<String> id) {}

  private static PolicyChoice policy(Map<?, ?> m, Path file, Path base, String where) {
    Object profile = m.get("profile");
    Object policy = m.get("policy");
    if (profile != null && policy != null) {
      throw invalid(file, where + ": profile and policy are exclusive (put profile: in the policy file)");
    }
    if (profile != null) {
      try {
        Rule.Profile p = Rule.Profile.valueOf(String.valueOf(profile).toUpperCase(Locale.ROOT));
        return new PolicyChoice(Optional.of(Policy.of(p)), Optional.of("profile:" + p.name().toLowerCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw invalid(file, where + ": unknown profile '" + profile + "' (production or dev)");
      }
    }
    if (policy != null) {
      Path f = base.resolve(String.valueOf(policy));
      try {
        byte[] b = Files.readAllBytes(f);
        return new PolicyChoice(Optional.of(Policy.parse(b, f.toString())), Optional.of("file:" + Digest.sha256(b)));
      } catch (NoSuchFileException e) {
        throw new CheckException(IoCode.FILE_NOT_FOUND, f.toString(), "policy file not found");
      } catch (IOException e) {
        throw new CheckException(IoCode.IO_ERROR, f.toString(), "cannot read the policy: " + e.getMessage(), e);
      }
    }
    return new PolicyChoice(Optional.empty(), Optional.empty());
  }

  private static Optional<Boolean> bool(Map<?, ?> m, String key, Path file, String where) {
    Object v = m.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (!(v instanceof Boolean b)) {
      throw invalid(file, where + ": " + key + " must be true or false");
    }
    return Optional.of(b);
  }

  private static Map<?, ?> map(Object o, Path file, String where) {
    if (!(o instanceof Map<?, ?> m)) {
      throw invalid(file, where + " must be a mapping");
    }
    return m;
  }

  private static void keys(Map<?, ?> m, Path file, String where, Set<String> allowed) {
    for (Object k : m.keySet()) {
      if (!allowed.contains(String.valueOf(k))) {
        throw invalid(file, where + ": unknown key '" + k + "' (expected " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
      }
    }
  }

  private static CheckException invalid(Path file, String message) {
    return CheckException.usage(HookCode.HOOK_CONFIG_INVALID, file + ": " + message);
  }
}
