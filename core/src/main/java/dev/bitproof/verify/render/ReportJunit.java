package dev.bitproof.verify.render;

import dev.bitproof.compare.Comparison;
import dev.bitproof.compare.ImageComparison;
import dev.bitproof.compare.LayerComparison;
import dev.bitproof.report.Finding;
import dev.bitproof.verify.Report;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * A {@link Report} as JUnit XML, the format CI test reporters read: one {@code <testsuite>} per check; the
 * {@code compare} check has one {@code <testcase>} for the index and one per platform, every other check one; a
 * test case with failing findings carries one {@code <failure>} whose text lists them all, a skipped check a
 * {@code <skipped>}. The JDK's StAX writer does the escaping; characters XML 1.0 cannot carry (a file name may
 * hold any byte) are replaced by U+FFFD.
 */
public final class ReportJunit {
  private ReportJunit() {}

  /** One test case: its name and the findings that are its evidence. */
  record Case(String name, List<Finding> findings) {}

  public static String render(Report r, String toolVersion) {
    StringWriter sw = new StringWriter();
    try {
      XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(sw);
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      int tests = 0;
      int failures = 0;
      List<List<Case>> perCheck = new ArrayList<>();
      for (Report.Check c : r.checks()) {
        List<Case> cases = cases(c, r.comparison().filter(x2 -> c.name().equals("compare")));
        perCheck.add(cases);
        tests += cases.size();
        failures += (int) cases.stream().filter(k -> failing(k).size() > 0).count();
      }
      x.writeStartElement("testsuites");
      attr(x, "name", "bitproof " + r.command());
      attr(x, "tests", tests);
      attr(x, "failures", failures);
      attr(x, "errors", 0);
      // no "skipped" here: Jenkins' junit-10.xsd has it on <testsuite> only
      x.writeCharacters("\n");
      for (int i = 0; i < r.checks().size(); i++) {
        Report.Check c = r.checks().get(i);
        List<Case> cases = perCheck.get(i);
        x.writeStartElement("testsuite");
        attr(x, "name", c.name());
        attr(x, "tests", cases.size());
        attr(x, "failures", (int) cases.stream().filter(k -> failing(k).size() > 0).count());
        attr(x, "errors", 0);
        attr(x, "skipped", c.status() == Report.Status.SKIPPED ? cases.size() : 0);
        attr(x, "time", "0");
        x.writeCharacters("\n");
        x.writeStartElement("properties");
        property(x, "bitproof.version", toolVersion);
        property(x, "status", c.status().name());
        property(x, "summary", c.summary());
        property(x, "subject.a", r.a().reference() + r.a().digest().map(d -> "@" + d).orElse(""));
        property(x, "subject.b", r.b().reference() + r.b().digest().map(d -> "@" + d).orElse(""));
        for (Map.Entry<String, String> e : r.inputs().entrySet()) {
          property(x, "input." + e.getKey(), e.getValue());
        }
        x.writeEndElement();
        x.writeCharacters("\n");
        for (Case k : cases) {
          x.writeStartElement("testcase");
          attr(x, "classname", "bitproof." + r.command() + "." + c.name());
          attr(x, "name", k.name());
          attr(x, "time", "0");
          List<Finding> bad = failing(k);
          if (!bad.isEmpty()) {
            Finding first = bad.get(0);
            x.writeStartElement("failure");
            attr(x, "type", first.code().name());
            attr(x, "message", bad.size() + " failing finding" + (bad.size() == 1 ? "" : "s") + "; first: "
                + first.code().name() + " " + first.subject() + (first.message().isEmpty() ? "" : ": " + first.message()));
            StringBuilder body = new StringBuilder();
            bad.forEach(f -> body.append(findingText(f)).append('\n'));
            x.writeCharacters(clean(body.toString()));
            x.writeEndElement();
          } else if (c.status() == Report.Status.SKIPPED) {
            x.writeStartElement("skipped");
            attr(x, "message", c.summary());
            x.writeEndElement();
          }
          StringBuilder out = new StringBuilder();
          k.findings().stream().filter(f -> !f.fails()).forEach(f -> out.append(findingText(f)).append('\n'));
          if (out.length() > 0) {
            x.writeStartElement("system-out");
            x.writeCharacters(clean(out.toString()));
            x.writeEndElement();
          }
          x.writeEndElement();
          x.writeCharacters("\n");
        }
        x.writeEndElement();
        x.writeCharacters("\n");
      }
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndDocument();
      x.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("failed to write JUnit XML: " + e.getMessage(), e);
    }
    return sw.toString();
  }

  /**
   * The test cases of a check: for {@code compare}, the index (and the verdict) then one per platform, each with its
   * own findings and its layers'; any other check is one test case named after it.
   */
  static List<Case> cases(Report.Check c, java.util.Optional<Comparison> comparison) {
    if (comparison.isEmpty()) {
      return List.of(new Case(c.name(), c.findings()));
    }
    Comparison cmp = comparison.get();
    List<Finding> rest = new ArrayList<>(c.findings());
    List<Case> perPlatform = new ArrayList<>();
    for (ImageComparison i : cmp.images()) {
      List<Finding> fs = new ArrayList<>(i.findings());
      for (LayerComparison l : i.layers()) {
        fs.addAll(l.findings());
      }
      perPlatform.add(new Case(i.platform(), fs));
      fs.forEach(f -> removeOnce(rest, f));
    }
    List<Case> out = new ArrayList<>();
    out.add(new Case("index", rest));
    out.addAll(perPlatform);
    return out;
  }

  private static void removeOnce(List<Finding> l, Finding f) {
    for (int i = 0; i < l.size(); i++) {
      if (l.get(i) == f) {
        l.remove(i);
        return;
      }
    }
  }

  private static List<Finding> failing(Case k) {
    return k.findings().stream().filter(Finding::fails).toList();
  }

  static String findingText(Finding f) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-5s %s", f.severity(), f.code().name()));
    if (!f.subject().isEmpty()) {
      sb.append("  ").append(f.subject());
    }
    if (!f.message().isEmpty()) {
      sb.append(": ").append(f.message());
    }
    f.evidence().forEach((k, v) -> sb.append("\n    ").append(k).append(": ").append(v.replace("\n", "\n      ")));
    return sb.toString();
  }

  private static void attr(XMLStreamWriter x, String name, Object value) throws XMLStreamException {
    x.writeAttribute(name, clean(String.valueOf(value)));
  }

  private static void property(XMLStreamWriter x, String name, String value) throws XMLStreamException {
    x.writeEmptyElement("property");
    attr(x, "name", name);
    attr(x, "value", value);
  }

  /** Replaces what XML 1.0 cannot carry (controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) with U+FFFD. */
  static String clean(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok;
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        if (sb != null) {
          sb.append(c).append(s.charAt(i + 1));
        }
        i++;
        continue;
      }
      ok = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
      if (!ok && sb == null) {
        sb = new StringBuilder(s.length()).append(s, 0, i);
      }
      if (sb != null) {
        sb.append(ok ? c : '\uFFFD');
      }
    }
    return sb == null ? s : sb.toString();
  }
}
