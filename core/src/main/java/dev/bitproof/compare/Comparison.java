package dev.bitproof.compare;

import dev.bitproof.oci.Digest;
import dev.bitproof.report.Finding;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of comparing two images: the verdict, the root digests side by side, the index-level findings and
 * one {@link ImageComparison} per platform.
 *
 * @param ignoreSet what was ignored (empty for a strict comparison)
 */
public record Comparison(String referenceA, String referenceB, Digest rootA, Digest rootB, Verdict verdict,
    List<String> ignoreSet, List<Finding> findings, List<ImageComparison> images) {
  public Comparison {
    ignoreSet = List.copyOf(ignoreSet);
    findings = List.copyOf(findings);
    images = List.copyOf(images);
  }

  /** Every finding, top-down: index, then per image its own and its layers'. */
  public List<Finding> allFindings() {
    List<Finding> all = new ArrayList<>(findings);
    for (ImageComparison i : images) {
      all.addAll(i.findings());
      for (LayerComparison l : i.layers()) {
        all.addAll(l.findings());
      }
    }
    return List.copyOf(all);
  }

  /** The findings that count against the verdict. */
  public List<Finding> failures() {
    return allFindings().stream().filter(Finding::fails).toList();
  }
}
