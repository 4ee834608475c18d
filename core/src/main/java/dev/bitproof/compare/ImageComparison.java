package dev.bitproof.compare;

import dev.bitproof.oci.Digest;
import dev.bitproof.report.Finding;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The images of one platform in A and B (one side is empty when only the other has that platform).
 *
 * @param platform os/arch[/variant]
 * @param findings the image's summary finding first, then manifest and config differences
 * @param layers layer by layer, by position
 * @param ignoredRules entries each ignore rule hid in the merged filesystems (when those were compared; the
 *     layers' own counts are in {@link LayerComparison#ignoredRules()})
 */
public record ImageComparison(String platform, Optional<Digest> manifestA, Optional<Digest> manifestB,
    Optional<Digest> configA, Optional<Digest> configB, Verdict verdict, List<Finding> findings,
    List<LayerComparison> layers, Map<String, Integer> ignoredRules) {
  public ImageComparison {
    findings = List.copyOf(findings);
    layers = List.copyOf(layers);
    ignoredRules = Map.copyOf(ignoredRules);
  }

  public ImageComparison(String platform, Optional<Digest> manifestA, Optional<Digest> manifestB,
      Optional<Digest> configA, Optional<Digest> configB, Verdict verdict, List<Finding> findings,
      List<LayerComparison> layers) {
    this(platform, manifestA, manifestB, configA, configB, verdict, findings, layers, Map.of());
  }
}
