package dev.bitproof.verify;

import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.policy.ImageFacts;
import dev.bitproof.policy.Policy;
import dev.bitproof.policy.PolicyEngine;
import dev.bitproof.sbom.SbomVerification;
import java.util.ArrayList;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A check of the published image beside the rebuild and the comparison (its SBOMs …), as one report check. */
@FunctionalInterface
public interface PublishedCheck {
  Report.Check run(ImageReference reference, ImageSource published, TransportOptions transport) throws IOException;

  /**
   * The SBOMs published beside the image (cosign, OCI referrers) and shipped inside it, checked against the
   * layers ({@code dev.bitproof.sbom}). No SBOM at all is SKIPPED, never PASS.
   */
  static PublishedCheck sbom() {
    return (ref, src, to) -> {
      Optional<SbomVerification.Result> r = SbomVerification.ifPresent(ref, src, to);
      if (r.isEmpty()) {
        return new Report.Check("sbom", Report.Status.SKIPPED, "no SBOM published beside or shipped inside the image",
            List.of(new Finding(VerifyCode.SBOM_NONE, Severity.INFO, ref.toString(), "no SBOM to check", Map.of())));
      }
      SbomVerification.Result res = r.get();
      return Report.Check.of("sbom", res.sboms().size() + " SBOMs checked (" + res.publishedSboms() + " published)",
          res.findings(), Report.Status.PASS);
    };
  }

  /**
   * The hardening policy ({@code dev.bitproof.policy}) over every image of the published tree. Enforced, the check is
   * named {@code policy} and fails on a FAIL-severity violation; advisory, it is named {@code policy-advisory}, the
   * violations are reported at WARN with {@code advisory=true} evidence, and it never fails the verification.
   */
  static PublishedCheck policy(Policy policy, boolean enforce) {
    return (ref, src, to) -> {
      List<Finding> findings = new ArrayList<>();
      int violations = 0;
      for (Images.Resolved img : Images.walk(src).images()) {
        String platform = img.config().platform().toString();
        ImageFacts facts = ImageFacts.gather(src, img.manifest(), img.config());
        for (Finding f : PolicyEngine.evaluate(facts, policy, platform)) {
          String subject = f.subject().startsWith(platform) ? f.subject() : platform + " " + f.subject();
          Finding g = new Finding(f.code(), f.severity(), subject, f.message(), f.evidence());
          if (g.fails()) {
            violations++;
            if (!enforce) {
              g = new Finding(g.code(), Severity.WARN, g.subject(), g.message(), g.evidence()).with("advisory", true);
            }
          }
          findings.add(g);
        }
      }
      String profile = policy.profile().name().toLowerCase(java.util.Locale.ROOT);
      String summary = violations + " rule violation(s) at FAIL severity under the " + profile + " profile"
          + (enforce ? " (enforced)" : " (advisory: --enforce-policy gates on them)");
      return Report.Check.of(enforce ? "policy" : "policy-advisory", summary, findings, Report.Status.PASS);
    };
  }
}
