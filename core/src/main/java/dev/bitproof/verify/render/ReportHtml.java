package dev.bitproof.verify.render;

import dev.bitproof.oci.Digest;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.verify.DigestTree;
import dev.bitproof.verify.Report;
import java.util.List;
import java.util.Optional;

/**
 * A {@link Report} as one self-contained HTML page for an auditor: the verdict banner, both subjects, the inputs, the
 * digest tree (manifest → config → layers, A beside B), every finding grouped by check with its code and evidence.
 * No script, no external resource: the page's Content-Security-Policy forbids both, so it reads the same offline and
 * cannot be made to fetch anything. Everything that may come from an image (file names, contents, config values,
 * references) goes through {@link #esc}; the page holds no other way to write text.
 */
public final class ReportHtml {
  /** Findings of one check beyond this many are listed collapsed. */
  static final int OPEN_LIMIT = 200;
  /** Evidence values longer than this are cut (the JSON report keeps them whole). */
  static final int VALUE_LIMIT = 64 * 1024;

  private ReportHtml() {}

  public static String render(Report r, String toolVersion) {
    StringBuilder h = new StringBuilder(16 * 1024);
    String result = r.passed() ? "PASS" : "FAIL";
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>bitproof ").append(esc(r.command())).append(": ").append(result).append("</title>\n")
        .append("<style>").append(CSS).append("</style>\n</head>\n<body>\n");
    h.append("<header id=\"verdict\" class=\"banner ").append(result.toLowerCase(java.util.Locale.ROOT)).append("\">")
        .append("<h1>bitproof ").append(esc(r.command())).append(": <span id=\"result\">").append(result).append("</span>");
    r.verdict().ifPresent(v -> h.append(" <span class=\"verdict\" id=\"comparison-verdict\">").append(esc(v.name())).append("</span>"));
    h.append("</h1>\n<p>").append(r.findings().stream().filter(Finding::fails).count()).append(" failing findings in ")
        .append(r.checks().stream().filter(c -> c.status() == Report.Status.FAIL).count()).append(" of ")
        .append(r.checks().size()).append(" checks</p></header>\n<main>\n");

    h.append("<section id=\"subjects\"><h2>Images</h2><table><tr><th></th><th>role</th><th>reference</th><th>digest</th></tr>\n");
    subject(h, "A", r.a());
    subject(h, "B", r.b());
    h.append("</table></section>\n");

    h.append("<section id=\"checks\"><h2>Checks</h2><table><tr><th>status</th><th>check</th><th>summary</th><th>findings</th></tr>\n");
    for (Report.Check c : r.checks()) {
      h.append("<tr class=\"").append(c.status().name().toLowerCase(java.util.Locale.ROOT)).append("\"><td>")
          .append(c.status()).append("</td><td><a href=\"#check-").append(anchor(c.name())).append("\">").append(esc(c.name()))
          .append("</a></td><td>").append(esc(c.summary())).append("</td><td>").append(c.findings().size()).append("</td></tr>\n");
    }
    h.append("</table></section>\n");

    if (!r.inputs().isEmpty() || !r.notes().isEmpty()) {
      h.append("<section id=\"inputs\"><h2>Inputs</h2><table>\n");
      r.inputs().forEach((k, v) -> h.append("<tr><th>").append(esc(k)).append("</th><td><code>").append(esc(v)).append("</code></td></tr>\n"));
      h.append("<tr><th>tool</th><td><code>bitproof ").append(esc(toolVersion)).append("</code></td></tr>\n</table>\n");
      if (!r.notes().isEmpty()) {
        h.append("<ul class=\"notes\">");
        r.notes().forEach(n -> h.append("<li>").append(esc(n)).append("</li>"));
        h.append("</ul>\n");
      }
      h.append("</section>\n");
    }

    r.tree().ifPresent(t -> tree(h, t));

    h.append("<section id=\"findings\"><h2>Findings by check</h2>\n");
    for (Report.Check c : r.checks()) {
      check(h, c);
    }
    h.append("</section>\n</main>\n<footer>bitproof ").append(esc(toolVersion))
        .append(" · report schema v").append(Report.SCHEMA_VERSION).append("</footer>\n</body>\n</html>\n");
    return h.toString();
  }

  private static void subject(StringBuilder h, String side, Report.Subject s) {
    h.append("<tr><th>").append(side).append("</th><td>").append(esc(s.label())).append("</td><td><code>")
        .append(esc(s.reference())).append("</code></td><td><code class=\"digest\">")
        .append(s.digest().map(d -> esc(d.toString())).orElse("—")).append("</code></td></tr>\n");
  }

  private static void tree(StringBuilder h, DigestTree t) {
    h.append("<section id=\"digests\"><h2>Digest tree</h2>\n<table class=\"tree\"><tr><th>node</th><th>verdict</th><th>A</th><th>B</th></tr>\n");
    row(h, "index", "", t.root().a(), t.root().b(), 0);
    for (DigestTree.Image i : t.images()) {
      h.append("<tr class=\"platform\"><th colspan=\"4\">").append(esc(i.platform())).append(" — ").append(esc(i.verdict().name()))
          .append("</th></tr>\n");
      row(h, "manifest", "", i.manifest().a(), i.manifest().b(), 1);
      row(h, "config", "", i.config().a(), i.config().b(), 2);
      for (DigestTree.Layer l : i.layers()) {
        row(h, "layer " + l.index(), l.verdict().name() + (l.explained() ? "" : " (explanation cut short)"),
            l.digest().a(), l.digest().b(), 2);
        row(h, "diff_id", "", l.diffId().a(), l.diffId().b(), 3);
      }
    }
    h.append("</table>\n");
    if (!t.ignored().isEmpty()) {
      // every rule in force with what it hid: an ignore that hides something is never silent
      h.append("<table class=\"ignored\" id=\"ignored\"><tr><th>ignore rule</th><th>differences hidden</th></tr>\n");
      t.ignored().forEach((rule, hid) -> h.append("<tr class=\"").append(hid == 0 ? "same" : "differs")
          .append("\"><td><code>").append(esc(rule)).append("</code></td><td>").append(hid).append("</td></tr>\n"));
      h.append("</table>\n");
    }
    h.append("</section>\n");
  }

  private static void row(StringBuilder h, String node, String verdict, Optional<Digest> a, Optional<Digest> b, int depth) {
    boolean same = a.equals(b);
    h.append("<tr class=\"").append(same ? "same" : "differs").append("\"><td class=\"d").append(depth).append("\">")
        .append(esc(node)).append("</td><td>").append(esc(verdict)).append("</td><td><code class=\"digest\">")
        .append(a.map(d -> esc(d.toString())).orElse("—")).append("</code></td><td><code class=\"digest\">")
        .append(b.map(d -> esc(d.toString())).orElse("—")).append("</code></td></tr>\n");
  }

  private static void check(StringBuilder h, Report.Check c) {
    List<Finding> problems = c.findings().stream().filter(f -> f.severity() != Severity.OK).toList();
    List<Finding> passed = c.findings().stream().filter(f -> f.severity() == Severity.OK).toList();
    h.append("<details class=\"check ").append(c.status().name().toLowerCase(java.util.Locale.ROOT)).append("\" id=\"check-")
        .append(anchor(c.name())).append("\"").append(c.status() == Report.Status.FAIL && problems.size() <= OPEN_LIMIT ? " open" : "")
        .append("><summary><span class=\"status\">").append(c.status()).append("</span> <b>").append(esc(c.name()))
        .append("</b> ").append(esc(c.summary())).append(" (").append(problems.size()).append(" to look at, ")
        .append(passed.size()).append(" passed)</summary>\n");
    if (!problems.isEmpty()) {
      findings(h, problems);
    }
    if (!passed.isEmpty()) {
      h.append("<details class=\"passed\"><summary>").append(passed.size()).append(" passed</summary>\n");
      findings(h, passed);
      h.append("</details>\n");
    }
    h.append("</details>\n");
  }

  private static void findings(StringBuilder h, List<Finding> fs) {
    h.append("<table class=\"findings\"><tr><th>severity</th><th>code</th><th>subject</th><th>evidence</th></tr>\n");
    for (Finding f : fs) {
      boolean nested = f.subject().contains("!/"); // an entry inside a differing file (tar in tar)
      h.append("<tr class=\"finding ").append(f.severity().name().toLowerCase(java.util.Locale.ROOT))
          .append(nested ? " nested" : "").append("\"><td>")
          .append(f.severity()).append("</td><td><code class=\"code\">").append(esc(f.code().name()))
          .append("</code><br><a class=\"doc\" href=\"").append(esc(ReportSarif.DOCS_BASE + f.code().area().page()))
          .append("\">").append(esc(f.code().area().page())).append("</a></td><td><code>").append(esc(f.subject()))
          .append("</code><div>").append(esc(f.message())).append("</div></td><td>");
      if (!f.evidence().isEmpty()) {
        h.append("<dl>");
        f.evidence().forEach((k, v) -> {
          String shown = v.length() > VALUE_LIMIT ? v.substring(0, VALUE_LIMIT) + "\n… (" + v.length() + " characters; the JSON report has all)" : v;
          h.append("<dt>").append(esc(k)).append("</dt><dd>");
          if (shown.indexOf('\n') >= 0) {
            h.append("<pre class=\"").append(k.equals("diff") || k.endsWith(".diff") ? "diff" : "value").append("\">")
                .append(esc(shown)).append("</pre>");
          } else {
            h.append("<code>").append(esc(shown)).append("</code>");
          }
          h.append("</dd>");
        });
        h.append("</dl>");
      }
      h.append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  /** An id from a check name: letters, digits and '-' kept, anything else '-'. */
  static String anchor(String s) {
    return s.replaceAll("[^A-Za-z0-9-]", "-");
  }

  /**
   * Text as HTML character data or a quoted attribute value: {@code & < > " '} as entities, NUL and the other
   * controls HTML forbids as U+FFFD.
   */
  public static String esc(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f ? '\uFFFD' : c);
      }
    }
    return sb.toString();
  }

  private static final String CSS = """
      body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fff}
      main{padding:0 1.5rem 2rem}footer{padding:1rem 1.5rem;color:#57606a;font-size:12px}
      .banner{padding:1rem 1.5rem;color:#fff}.banner h1{margin:0;font-size:1.6rem}.banner p{margin:.3rem 0 0}
      .banner.pass{background:#1a7f37}.banner.fail{background:#cf222e}.verdict{font-weight:400;opacity:.9}
      h2{margin-top:1.6rem;border-bottom:1px solid #d0d7de}
      table{border-collapse:collapse;margin:.4rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
      code{font:12px ui-monospace,monospace;word-break:break-all}pre{font:12px ui-monospace,monospace;white-space:pre-wrap;
      word-break:break-all;margin:0;max-height:30rem;overflow:auto;background:#f6f8fa;padding:.3rem}
      tr.fail td:first-child,tr.finding.fail td:first-child{color:#cf222e;font-weight:600}
      tr.pass td:first-child{color:#1a7f37;font-weight:600}tr.warn td:first-child{color:#9a6700;font-weight:600}
      tr.differs td{background:#fff1f0}.tree .d1{padding-left:1.2rem}.tree .d2{padding-left:2.2rem}.tree .d3{padding-left:3.2rem}
      tr.platform th{background:#f6f8fa}details.check{margin:.5rem 0;border:1px solid #d0d7de;padding:.3rem .6rem}
      details.check.fail{border-color:#cf222e}summary{cursor:pointer}dl{margin:0}dt{font-weight:600}dd{margin:0 0 .3rem .8rem}
      a.doc{font-size:11px;color:#57606a}tr.finding.nested td:nth-child(3){padding-left:1.6rem;border-left:3px solid #d0d7de}
      table.ignored tr.differs td{background:#fff8c5}
      """;
}
