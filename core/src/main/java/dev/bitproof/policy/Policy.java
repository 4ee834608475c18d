package dev.bitproof.policy;

import dev.bitproof.report.CommonCode;
import dev.bitproof.io.IoCode;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Severity;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A policy: a built-in profile plus per-rule overrides (enable/disable, severity, allowlist of paths).
 *
 * <pre>
 * profile: production        # or dev
 * rules:
 *   SHELL_PRESENT: {enabled: false}
 *   DEBUG_SYMBOLS: {severity: FAIL}
 *   SETUID_FILE: {allow: [/usr/bin/su]}
 *   WORLD_WRITABLE: {allow: [/var/cache/app]}
 * </pre>
 */
public record Policy(Rule.Profile profile, Map<Rule, RuleSettings> rules) {
  /** World-writable paths always allowed (sticky temp dirs). */
  public static final List<String> DEFAULT_WRITABLE_ALLOW = List.of("/tmp", "/var/tmp", "/dev/shm", "/run/lock");

  public record RuleSettings(boolean enabled, Severity severity, List<String> allow) {
    public RuleSettings {
      allow = List.copyOf(allow);
    }
  }

  public Policy {
    rules = Map.copyOf(rules);
  }

  public static Policy of(Rule.Profile profile) {
    Map<Rule, RuleSettings> m = new EnumMap<>(Rule.class);
    for (Rule r : Rule.values()) {
      m.put(r, new RuleSettings(true, r.defaultSeverity(profile),
          r == Rule.WORLD_WRITABLE ? DEFAULT_WRITABLE_ALLOW : List.of()));
    }
    return new Policy(profile, m);
  }

  public RuleSettings settings(Rule r) {
    return rules.get(r);
  }

  /** Parses a policy file. Unknown keys, rules and severities are {@code POLICY_INVALID}. */
  /**
   * The policy a user named: a policy file, or a built-in profile by name (production or dev), or the production
   * profile when neither is given. Both at once is a usage error (put {@code profile:} in the file).
   */
  public static Policy load(java.util.Optional<java.nio.file.Path> file, java.util.Optional<String> profile)
      throws java.io.IOException {
    if (file.isPresent()) {
      if (profile.isPresent()) {
        throw CheckException.usage(CommonCode.USAGE, "--policy and --profile are exclusive: put 'profile:' in the policy file");
      }
      java.nio.file.Path f = file.get();
      if (java.nio.file.Files.isDirectory(f)) {
        throw new CheckException(IoCode.FILE_IS_DIRECTORY, f.toString(), "is a directory; the policy is a YAML file");
      }
      try {
        return parse(java.nio.file.Files.readAllBytes(f), f.toString());
      } catch (java.nio.file.NoSuchFileException e) {
        throw new CheckException(IoCode.FILE_NOT_FOUND, f.toString(), "policy file not found", e);
      }
    }
    if (profile.isEmpty()) {
      return of(Rule.Profile.PRODUCTION);
    }
    try {
      return of(Rule.Profile.valueOf(profile.get().toUpperCase(java.util.Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw CheckException.usage(CommonCode.USAGE, "unknown profile '" + profile.get() + "' (production or dev)");
    }
  }

  public static Policy parse(byte[] yaml, String subject) {
    if (yaml.length > 1024 * 1024) {
      throw new CheckException(PolicyCode.POLICY_INVALID, subject, "policy file over 1 MiB");
    }
    Object doc;
    try {
      LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(false).setMaxAliasesForCollections(10)
          .setAllowRecursiveKeys(false).setCodePointLimit(1024 * 1024).build();
      doc = new Load(settings).loadFromString(new String(yaml, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new CheckException(PolicyCode.POLICY_INVALID, subject, "not valid YAML: " + e.getMessage(), e);
    }
    if (doc == null) {
      return of(Rule.Profile.PRODUCTION);
    }
    Map<?, ?> top = map(doc, subject, "policy");
    for (Object k : top.keySet()) {
      if (!Set.of("profile", "rules").contains(String.valueOf(k))) {
        throw new CheckException(PolicyCode.POLICY_INVALID, subject, "unknown key '" + k + "' (expected profile, rules)");
      }
    }
    Rule.Profile profile = Rule.Profile.PRODUCTION;
    Object p = top.get("profile");
    if (p != null) {
      try {
        profile = Rule.Profile.valueOf(String.valueOf(p).toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CheckException(PolicyCode.POLICY_INVALID, subject, "unknown profile '" + p + "' (production or dev)");
      }
    }
    Policy base = of(profile);
    Map<Rule, RuleSettings> rules = new EnumMap<>(base.rules());
    Object rs = top.get("rules");
    if (rs != null) {
      for (Map.Entry<?, ?> e : map(rs, subject, "rules").entrySet()) {
        Rule rule;
        try {
          rule = Rule.valueOf(String.valueOf(e.getKey()));
        } catch (IllegalArgumentException ex) {
          throw new CheckException(PolicyCode.POLICY_INVALID, subject, "unknown rule '" + e.getKey() + "'");
        }
        RuleSettings cur = rules.get(rule);
        boolean enabled = cur.enabled();
        Severity sev = cur.severity();
        List<String> allow = new ArrayList<>(cur.allow());
        for (Map.Entry<?, ?> f : map(e.getValue(), subject, "rules." + rule).entrySet()) {
          String key = String.valueOf(f.getKey());
          switch (key) {
            case "enabled" -> {
              if (!(f.getValue() instanceof Boolean b)) {
                throw new CheckException(PolicyCode.POLICY_INVALID, subject, "rules." + rule + ".enabled must be true or false");
              }
              enabled = b;
            }
            case "severity" -> {
              try {
                sev = Severity.valueOf(String.valueOf(f.getValue()).toUpperCase(Locale.ROOT));
              } catch (IllegalArgumentException ex) {
                throw new CheckException(PolicyCode.POLICY_INVALID, subject, "rules." + rule + ".severity must be INFO, WARN or FAIL");
              }
              if (sev == Severity.OK) {
                throw new CheckException(PolicyCode.POLICY_INVALID, subject, "rules." + rule + ".severity must be INFO, WARN or FAIL");
              }
            }
            case "allow" -> {
              if (!(f.getValue() instanceof List<?> l)) {
                throw new CheckException(PolicyCode.POLICY_INVALID, subject, "rules." + rule + ".allow must be a list of paths");
              }
              for (Object o : l) {
                String s = String.valueOf(o);
                allow.add(s.startsWith("/") ? s : "/" + s);
              }
            }
            default -> throw new CheckException(PolicyCode.POLICY_INVALID, subject,
                "unknown key rules." + rule + "." + key + " (expected enabled, severity, allow)");
          }
        }
        rules.put(rule, new RuleSettings(enabled, sev, allow));
      }
    }
    return new Policy(profile, rules);
  }

  private static Map<?, ?> map(Object o, String subject, String where) {
    if (o == null) {
      return Map.of();
    }
    if (!(o instanceof Map<?, ?> m)) {
      throw new CheckException(PolicyCode.POLICY_INVALID, subject, where + " must be a mapping");
    }
    return m;
  }

  /** Is {@code path} under one of the rule's allowed paths? */
  public boolean allowed(Rule r, String path) {
    for (String a : settings(r).allow()) {
      if (path.equals(a) || path.startsWith(a.endsWith("/") ? a : a + "/")) {
        return true;
      }
    }
    return false;
  }
}
