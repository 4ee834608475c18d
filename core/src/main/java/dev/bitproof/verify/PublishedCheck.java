package dev.bitproof.verify;

import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.sbom.SbomVerification;
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
            List.of(new Finding("SBOM_NONE", Severity.INFO, ref.toString(), "no SBOM to check", Map.of())));
      }
      SbomVerification.Result res = r.get();
      return Report.Check.of("sbom", res.sboms().size() + " SBOMs checked (" + res.publishedSboms() + " published)",
          res.findings(), Report.Status.PASS);
    };
  }
}
