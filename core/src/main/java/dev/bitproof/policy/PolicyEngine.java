package dev.bitproof.policy;

import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.util.ArrayList;
import java.util.List;

/** Judges {@link ImageFacts} against a {@link Policy}: one finding per violation, one OK per rule that passed. */
public final class PolicyEngine {
  /** Code of the finding that records a passed rule (subject = the rule's code). */
  public static final PolicyCode RULE_PASSED = PolicyCode.POLICY_RULE_PASSED;
  public static final PolicyCode BASE_FAMILY = PolicyCode.POLICY_BASE_FAMILY;

  private PolicyEngine() {}

  public static List<Finding> evaluate(ImageFacts f, Policy policy, String image) {
    List<Finding> out = new ArrayList<>();
    out.add(Finding.of(BASE_FAMILY, Severity.INFO, image, "base family " + f.baseFamily()
        + (f.osReleaseId().isEmpty() ? "" : " (os-release ID " + f.osReleaseId() + ")"))
        .with("packages", f.packageCount()).with("imageSize", f.imageSize()).with("layers", f.layerSizes().size()));
    for (Rule r : Rule.values()) {
      Policy.RuleSettings s = policy.settings(r);
      if (!s.enabled()) {
        continue;
      }
      List<Finding> violations = check(r, f, policy, s.severity());
      if (violations.isEmpty()) {
        out.add(Finding.ok(RULE_PASSED, r.name(), passMessage(r, f)));
      } else {
        out.addAll(violations);
      }
    }
    return out;
  }

  private static List<Finding> check(Rule r, ImageFacts f, Policy p, Severity sev) {
    List<Finding> v = new ArrayList<>();
    switch (r) {
      case RUNS_AS_ROOT -> {
        if (f.user().isRoot()) {
          v.add(new Finding(r, sev, "config.User", "runs as root"
              + (f.user().configured().isEmpty() ? " (User is empty)" : " (User is '" + f.user().configured() + "')"),
              java.util.Map.of()).with("uid", 0));
        }
      }
      case USER_NOT_IN_PASSWD -> f.user().problem().ifPresent(msg ->
          v.add(new Finding(r, sev, "config.User", msg, java.util.Map.of()).with("user", f.user().configured())));
      case SHELL_PRESENT -> f.shells().stream().filter(s -> !p.allowed(r, s)).forEach(s ->
          v.add(new Finding(r, sev, s, "shell present", java.util.Map.of())));
      case PACKAGE_MANAGER_PRESENT -> f.packageManagers().stream().filter(s -> !p.allowed(r, s)).forEach(s ->
          v.add(new Finding(r, sev, s, "package manager present", java.util.Map.of())));
      case SETUID_FILE -> f.setuidFiles().stream().filter(x -> !p.allowed(r, x.path())).forEach(x ->
          v.add(new Finding(r, sev, x.path(), ((x.mode() & 04000) != 0 ? "setuid" : "setgid") + " file",
              java.util.Map.of()).with("mode", String.format("%04o", x.mode())).with("uid", x.uid())));
      case WORLD_WRITABLE -> f.worldWritable().stream().filter(x -> !p.allowed(r, x.path())).forEach(x ->
          v.add(new Finding(r, sev, x.path(), "world-writable", java.util.Map.of())
              .with("mode", String.format("%04o", x.mode()))));
      case NO_CA_CERTIFICATES -> {
        if (f.caBundles().isEmpty()) {
          v.add(new Finding(r, sev, "/etc/ssl/certs", "no CA certificate bundle in the image", java.util.Map.of()));
        }
      }
      case DEBUG_SYMBOLS -> f.binariesWithDebugInfo().stream().filter(s -> !p.allowed(r, s)).forEach(s ->
          v.add(new Finding(r, sev, s, "binary is not stripped (debug info or .symtab)", java.util.Map.of())));
      case ENTRYPOINT_MISSING -> {
        if (f.mainBinary().isEmpty()) {
          v.add(new Finding(r, sev, "config.Entrypoint", "neither Entrypoint nor Cmd is set", java.util.Map.of()));
        } else if (!f.mainBinary().get().present()) {
          v.add(new Finding(r, sev, f.mainBinary().get().resolvedPath(),
              "entrypoint program '" + f.mainBinary().get().configured() + "' is not in the image", java.util.Map.of()));
        }
      }
      case ACCOUNTS_MALFORMED -> {
        if (f.malformedAccountLines() > 0) {
          v.add(new Finding(r, sev, "/etc/passwd", f.malformedAccountLines() + " malformed line(s) skipped",
              java.util.Map.of()));
        }
      }
    }
    return v;
  }

  private static String passMessage(Rule r, ImageFacts f) {
    return switch (r) {
      case RUNS_AS_ROOT -> "runs as uid " + f.user().uid().map(String::valueOf).orElse("?")
          + f.user().name().map(n -> " (" + n + ")").orElse("");
      case ENTRYPOINT_MISSING -> f.mainBinary().map(b -> b.resolvedPath()
          + b.isStatic().map(s -> s ? " (static ELF)" : " (dynamic ELF, interpreter " + b.interpreter().orElse("?") + ")")
              .orElse("")).orElse("");
      case DEBUG_SYMBOLS -> f.elfFilesScanned() + " ELF file(s) scanned, all stripped";
      case NO_CA_CERTIFICATES -> String.join(", ", f.caBundles());
      default -> r.description().replaceFirst("^a |^an |^the |^no ", "no ");
    };
  }
}
