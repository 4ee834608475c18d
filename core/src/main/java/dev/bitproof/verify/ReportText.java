package dev.bitproof.verify;

import dev.bitproof.oci.Digest;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.util.Optional;

/** A {@link Report} for people: verdict first, digests side by side, checks, then what differs and why. */
public final class ReportText {
  private ReportText() {}

  /** @param verbose also list OK findings (the evidence of what passed) */
  public static String render(Report r, boolean verbose) {
    StringBuilder sb = new StringBuilder();
    sb.append("bitproof ").append(r.command()).append(": ").append(r.passed() ? "PASS" : "FAIL");
    r.verdict().ifPresent(v -> sb.append(" — ").append(v));
    sb.append('\n');
    sb.append(String.format("  A %-12s %s%n", label(r.a()), r.a().reference()));
    r.a().digest().ifPresent(d -> sb.append("                 ").append(d).append('\n'));
    sb.append(String.format("  B %-12s %s%n", label(r.b()), r.b().reference()));
    r.b().digest().ifPresent(d -> sb.append("                 ").append(d).append('\n'));
    if (!r.inputs().isEmpty()) {
      sb.append("\ninputs:\n");
      r.inputs().forEach((k, v) -> sb.append(String.format("  %-18s %s%n", k, v)));
    }
    if (!r.notes().isEmpty()) {
      sb.append("\nnotes:\n");
      r.notes().forEach(n -> sb.append("  - ").append(n).append('\n'));
    }
    r.tree().filter(t -> !t.ignored().isEmpty()).ifPresent(t -> {
      sb.append("\nignored (rule: differences hidden):\n");
      t.ignored().forEach((rule, hid) -> sb.append(String.format("  %-34s %d%n", rule, hid)));
    });
    r.tree().ifPresent(t -> {
      sb.append("\ndigests (A | B):\n");
      for (DigestTree.Image i : t.images()) {
        sb.append("  ").append(i.platform()).append("  ").append(i.verdict()).append('\n');
        row(sb, "manifest", i.manifest().a(), i.manifest().b(), "");
        row(sb, "config", i.config().a(), i.config().b(), "");
        for (DigestTree.Layer l : i.layers()) {
          row(sb, "layer " + l.index(), l.digest().a(), l.digest().b(), l.verdict().name());
          row(sb, "  diff_id", l.diffId().a(), l.diffId().b(), "");
        }
      }
    });
    sb.append("\nchecks:\n");
    for (Report.Check c : r.checks()) {
      sb.append(String.format("  %-7s %-16s %s%n", c.status(), c.name(), c.summary()));
    }
    boolean header = false;
    for (Report.Check c : r.checks()) {
      for (Finding f : c.findings()) {
        if (!verbose && f.severity() == Severity.OK) {
          continue;
        }
        if (!header) {
          sb.append("\nfindings:\n");
          header = true;
        }
        sb.append("  ").append(String.format("%-5s %s", f.severity(), f.code()));
        if (!f.subject().isEmpty()) {
          sb.append("  ").append(f.subject());
        }
        if (!f.message().isEmpty()) {
          sb.append(": ").append(f.message());
        }
        sb.append('\n');
        f.evidence().forEach((k, v) -> {
          if (k.equals("diff")) {
            v.lines().forEach(line -> sb.append("          ").append(line).append('\n'));
          } else if (v.indexOf('\n') >= 0) {
            sb.append("          ").append(k).append(":\n");
            v.lines().forEach(line -> sb.append("            ").append(line).append('\n'));
          } else {
            sb.append("          ").append(k).append(": ").append(v).append('\n');
          }
        });
      }
    }
    return sb.toString();
  }

  /** "(rebuilt)", "(published)"; nothing for compare's plain a/b. */
  private static String label(Report.Subject s) {
    return s.label().equalsIgnoreCase("a") || s.label().equalsIgnoreCase("b") ? "" : "(" + s.label() + ")";
  }

  private static void row(StringBuilder sb, String what, Optional<Digest> a, Optional<Digest> b, String tail) {
    String x = a.map(ReportText::shortDigest).orElse("-");
    String y = b.map(ReportText::shortDigest).orElse("-");
    String same = a.isPresent() && a.equals(b) ? "=" : "≠";
    sb.append(String.format("    %-10s %-19s %s %-19s %s", what, x, same, y, tail).stripTrailing()).append("\n");
  }

  private static String shortDigest(Digest d) {
    return d.algorithm() + ":" + d.shortHex();
  }
}
