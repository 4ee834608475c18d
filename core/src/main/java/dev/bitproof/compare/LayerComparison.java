package dev.bitproof.compare;

import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.Finding;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Two layers at the same position (or one layer with no counterpart).
 *
 * @param index position in the manifests
 * @param a the layer descriptor in image A, empty when only B has a layer here
 * @param b the layer descriptor in image B
 * @param diffIdA the uncompressed digest of A's layer: computed when the layer was read, else the config's claim
 * @param diffIdB the same for B
 * @param verdict how alike the two are
 * @param explained false when the file-level explanation was cut short by a memory bound
 * @param findings the layer's summary finding first, then one finding per file difference
 * @param ignoredRules how many entries each ignore rule hid in this layer (rules that hid nothing are absent)
 */
public record LayerComparison(int index, Optional<Descriptor> a, Optional<Descriptor> b, Optional<Digest> diffIdA,
    Optional<Digest> diffIdB, Verdict verdict, boolean explained, List<Finding> findings,
    Map<String, Integer> ignoredRules) {
  public LayerComparison {
    findings = List.copyOf(findings);
    ignoredRules = Map.copyOf(ignoredRules);
  }

  /** A layer pair in which no ignore rule hid anything. */
  public LayerComparison(int index, Optional<Descriptor> a, Optional<Descriptor> b, Optional<Digest> diffIdA,
      Optional<Digest> diffIdB, Verdict verdict, boolean explained, List<Finding> findings) {
    this(index, a, b, diffIdA, diffIdB, verdict, explained, findings, Map.of());
  }
}
