package dev.bitproof.verify.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.testing.Chromium;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report: self-contained, every image-derived string escaped; and, when Debian's {@code chromium} is installed
 * (.ci/run installs it), rendered headless ({@link Chromium}): the page loads with no console message (a script or a fetch would be
 * refused by the page's CSP and logged), the key elements are in the DOM, and a screenshot is kept under
 * {@code core/target/report-html/}.
 */
class ReportHtmlTest {
  @Test
  void hostileNamesAreTextNeverMarkup() {
    String html = ReportHtml.render(HostileReport.tampered(), "1.2.3");
    assertFalse(html.contains("<script"), "a <script> from a file name reached the page");
    assertFalse(html.contains("<img"), "an <img> from a file name reached the page");
    assertFalse(html.contains("\u0000") || html.contains("\u0007"));
    assertTrue(html.contains("usr/bin/&lt;script&gt;alert(1)&lt;/script&gt;"), html);
    assertTrue(html.contains("etc/&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    assertTrue(html.contains("+&lt;/pre&gt;&lt;script&gt;x()&lt;/script&gt;"));
    assertTrue(html.contains("tmp/bell\uFFFD\uFFFDname"));
    assertTrue(html.contains("+&lt;script&gt;nested()&lt;/script&gt;"), "a nested entry's diff");
    assertTrue(html.contains("$[&#39;&lt;img src=z&gt;&#39;]: &quot;a&quot; → &quot;&lt;/pre&gt;&lt;script&gt;j()"), html);
    assertTrue(html.contains("<code>path:var/&lt;b&gt;cache&lt;/b&gt;/**</code>"), "an ignore rule from the command line");
    // the only tags are the page's own: every '<' is followed by a known element name
    Matcher m = Pattern.compile("<(/?)([a-zA-Z!][a-zA-Z0-9]*)").matcher(html);
    List<String> unknown = new ArrayList<>();
    while (m.find()) {
      if (!List.of("!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "span", "p", "main",
          "section", "table", "tr", "th", "td", "a", "code", "ul", "li", "details", "summary", "b", "br", "div", "dl", "dt", "dd",
          "pre", "footer").contains(m.group(2))) {
        unknown.add(m.group());
      }
    }
    assertEquals(List.of(), unknown);
  }

  @Test
  void showsVerdictDigestsFindingsSignaturesAndInputs() {
    String html = ReportHtml.render(HostileReport.tampered(), "1.2.3");
    assertTrue(html.contains("<span id=\"result\">FAIL</span>"));
    assertTrue(html.contains("class=\"banner fail\""));
    assertTrue(html.contains("id=\"comparison-verdict\">DIFFERENT<"));
    // both sides of the digest tree, differing rows marked
    assertTrue(html.contains(HostileReport.d("lb2").toString()) && html.contains(HostileReport.d("la2").toString()));
    assertTrue(html.contains("<tr class=\"same\"><td class=\"d2\">config</td>"));
    assertTrue(html.contains("<tr class=\"differs\"><td class=\"d2\">layer 0</td><td>DIFFERENT</td>"));
    // findings grouped by check, failing checks open
    assertTrue(html.contains("<details class=\"check fail\" id=\"check-compare\" open>"));
    assertTrue(html.contains("<details class=\"check fail\" id=\"check-signatures\" open>"));
    assertTrue(html.contains("<details class=\"check skipped\" id=\"check-sbom\">"));
    assertTrue(html.contains("<code class=\"code\">APKINDEX_SIGNATURE_INVALID</code>"));
    assertTrue(html.contains("<dt>key</dt><dd><code>wolfi-signing.rsa.pub</code></dd>"));
    assertTrue(html.contains("<dt>algorithm</dt><dd><code>RSA/SHA-256</code></dd>"));
    assertTrue(html.contains("<pre class=\"diff\">--- a/usr/bin/&lt;script&gt;"));
    // nested evidence: the inner entry marked as nested, JSON paths shown as a diff, every ignore rule with its count
    assertTrue(html.contains("<tr class=\"finding fail nested\"><td>FAIL</td>"));
    assertTrue(html.contains("<code>linux/amd64 layer 0 usr/lib/scripts.tar!/usr/bin/&lt;script&gt;"));
    assertTrue(html.contains("<dt>nested.format</dt><dd><code>gzip &gt; tar</code></dd>"));
    assertTrue(html.contains("<dt>json.diff</dt><dd><pre class=\"diff\">$[&#39;"));
    assertTrue(html.contains("<tr class=\"differs\"><td><code>timestamps</code></td><td>2</td></tr>"));
    assertTrue(html.contains("<tr class=\"same\"><td><code>history</code></td><td>0</td></tr>"), "a rule that hid nothing");
    assertTrue(html.contains("<tr class=\"differs\"><td><code>path:var/&lt;b&gt;cache&lt;/b&gt;/**</code></td><td>3</td></tr>"));
    assertTrue(html.contains("<th>sourceDateEpoch</th><td><code>1700000000</code>"));
    assertTrue(html.contains("note with &lt;b&gt;markup&lt;/b&gt;"));
    // self-contained: no external reference of any kind
    assertFalse(Pattern.compile("(src|href)=\"(?!#|https://bitproof\\.dev/docs/)").matcher(html).find());
    assertTrue(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""));
  }

  @Test
  void passingReportHasAGreenBanner() {
    String html = ReportHtml.render(HostileReport.identical(), "1");
    assertTrue(html.contains("class=\"banner pass\""));
    assertTrue(html.contains("<span id=\"result\">PASS</span>"));
  }

  @Test
  void rendersInHeadlessChromiumWithNoConsoleMessage(@TempDir Path tmp) throws Exception {
    Chromium.require();
    Path page = tmp.resolve("report.html");
    Files.writeString(page, ReportHtml.render(HostileReport.tampered(), "1.2.3"), StandardCharsets.UTF_8);
    Chromium.Page loaded = Chromium.load(tmp, page);
    assertEquals(List.of(), loaded.console(), "the page logged to the console (a blocked script or fetch?)");
    String dom = loaded.dom();
    assertTrue(dom.contains("<span id=\"result\">FAIL</span>"), dom);
    assertTrue(dom.contains("id=\"check-signatures\""));
    assertTrue(dom.contains("id=\"digests\""));
    assertTrue(dom.contains("APKINDEX_SIGNATURE_INVALID"));
    assertTrue(dom.contains("id=\"ignored\""), "the ignore rules and their counts");
    assertTrue(dom.contains("class=\"finding fail nested\""), "an entry inside a differing tar");
    assertTrue(dom.contains("<dt>json.diff</dt>"), "a JSON path diff");
    // after parsing, the hostile names are still text: the DOM has no script or img element
    assertFalse(dom.contains("<script"), dom);
    assertFalse(dom.contains("<img"), dom);
    assertTrue(dom.contains("usr/bin/&lt;script&gt;alert(1)&lt;/script&gt;"));

    Path shot = Path.of("target", "report-html", "tampered.png").toAbsolutePath();
    Chromium.screenshot(tmp, page, shot, 1280, 2400);
    byte[] png = Files.readAllBytes(shot);
    assertTrue(png.length > 10_000, "screenshot " + shot + " is " + png.length + " bytes");
    assertEquals((byte) 0x89, png[0]);
    assertEquals('P', png[1]);
    System.out.println("ReportHtmlTest: screenshot kept at " + shot);
  }
}
