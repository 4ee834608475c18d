package dev.bitproof.verify;

import dev.bitproof.compare.Comparison;
import dev.bitproof.compare.Verdict;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.Finding;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one report of {@code verify}, {@code compare} and {@code demo}: the verdict, each check with its findings,
 * and the digests side by side. {@link ReportJson} writes it as the versioned schema in
 * {@code docs/schema/report.json}; {@link ReportText} for people.
 *
 * @param command which command made it
 * @param a the expected side (for verify: our rebuild)
 * @param b the actual side (for verify: the published image)
 * @param inputs the inputs that decide the outcome (config, lock file, build date and where it came from …)
 * @param notes what the report wants a reader to know (values taken from the published image, skipped checks)
 * @param comparison the image comparison, when one ran
 * @param tree the comparison's digests side by side: the comparison's own, or one read back from a stored report
 *     (which has no live comparison)
 */
public record Report(String command, Subject a, Subject b, Map<String, String> inputs, List<String> notes,
    List<Check> checks, Optional<Comparison> comparison, Optional<DigestTree> tree) {
  public static final int SCHEMA_VERSION = 1;

  public Report {
    inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
    notes = List.copyOf(notes);
    checks = List.copyOf(checks);
    if (comparison.isPresent() && tree.isEmpty()) {
      tree = comparison.map(DigestTree::of);
    }
  }

  /** A report of a live comparison (or of none): its digest tree is the comparison's. */
  public Report(String command, Subject a, Subject b, Map<String, String> inputs, List<String> notes,
      List<Check> checks, Optional<Comparison> comparison) {
    this(command, a, b, inputs, notes, checks, comparison, comparison.map(DigestTree::of));
  }

  /** One side of the comparison. */
  public record Subject(String label, String reference, Optional<Digest> digest) {}

  /** How a check ended. SKIPPED never passes a verification on its own: see {@link #passed()}. */
  public enum Status { PASS, FAIL, SKIPPED }

  /** One named check and the findings that are its evidence. */
  public record Check(String name, Status status, String summary, List<Finding> findings) {
    public Check {
      findings = List.copyOf(findings);
    }

    /** PASS unless a finding fails; {@code empty} decides a check that produced no finding at all. */
    public static Check of(String name, String summary, List<Finding> findings, Status whenEmpty) {
      Status s = findings.isEmpty() ? whenEmpty : findings.stream().anyMatch(Finding::fails) ? Status.FAIL : Status.PASS;
      return new Check(name, s, summary, findings);
    }
  }

  /** The comparison's verdict, or empty when no comparison ran. */
  public Optional<Verdict> verdict() {
    return tree.map(DigestTree::verdict);
  }

  /** Every check passed (a skipped check is not a failure, but a report with no passing check is not a pass). */
  public boolean passed() {
    return checks.stream().noneMatch(c -> c.status() == Status.FAIL) && checks.stream().anyMatch(c -> c.status() == Status.PASS);
  }

  /** Every finding, checks first, in order. */
  public List<Finding> findings() {
    List<Finding> all = new ArrayList<>();
    checks.forEach(c -> all.addAll(c.findings()));
    return all;
  }

  /**
   * The report of a plain comparison: one check, {@code compare}, that passes when the verdict is at least
   * {@code required}.
   */
  public static Report ofComparison(String command, Comparison c, String labelA, String labelB, Verdict required,
      Map<String, String> inputs, List<String> notes) {
    return new Report(command, new Subject(labelA, c.referenceA(), Optional.of(c.rootA())),
        new Subject(labelB, c.referenceB(), Optional.of(c.rootB())), inputs, notes,
        List.of(compareCheck(c, required)), Optional.of(c));
  }

  /** The {@code compare} check: the comparison's findings plus the verdict against the required level. */
  public static Check compareCheck(Comparison c, Verdict required) {
    List<Finding> fs = new ArrayList<>(c.allFindings());
    boolean ok = c.verdict().atLeast(required);
    Finding v = new Finding(ok ? VerifyCode.COMPARE_VERDICT : VerifyCode.COMPARE_VERDICT_BELOW_REQUIRED,
        ok ? dev.bitproof.report.Severity.OK : dev.bitproof.report.Severity.FAIL, "images",
        "verdict " + c.verdict() + (ok ? "" : ", required at least " + required), Map.of())
        .with("verdict", c.verdict()).with("required", required);
    fs.add(0, v);
    return new Check("compare", ok ? Status.PASS : Status.FAIL, c.verdict().name(), fs);
  }
}
