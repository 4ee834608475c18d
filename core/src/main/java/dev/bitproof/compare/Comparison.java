package dev.bitproof.compare;

import dev.bitproof.oci.Digest;
import dev.bitproof.report.Finding;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  /**
   * Every ignore rule in force ({@link #ignoreSet()} order, then any rule a difference was ignored under that the
   * set does not name, such as {@code digests-may-change}) with how many entries or fields it hid: a tar entry
   * counts once per rule, a config field, annotation or descriptor once. A rule that hid nothing is listed with 0.
   */
  public Map<String, Integer> ignoredCounts() {
    Map<String, Integer> m = new LinkedHashMap<>();
    ignoreSet.forEach(r -> m.put(r, 0));
    for (Finding f : allFindings()) {
      String rule = f.evidence().get("ignored");
      if (rule != null) {
        m.merge(rule, 1, Integer::sum);
      }
    }
    for (ImageComparison i : images) {
      i.ignoredRules().forEach((r, n) -> m.merge(r, n, Integer::sum));
      for (LayerComparison l : i.layers()) {
        l.ignoredRules().forEach((r, n) -> m.merge(r, n, Integer::sum));
      }
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /** The findings that count against the verdict. */
  public List<Finding> failures() {
    return allFindings().stream().filter(Finding::fails).toList();
  }
}
