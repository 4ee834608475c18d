package dev.bitproof.verify.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report: self-contained, every image-derived string escaped; and, when Debian's {@code chromium} is installed
 * (.ci/run installs it), rendered headless: the page loads with no console message (a script or a fetch would be
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

  static Path chromium() {
    for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(c))) {
        return Path.of(c);
      }
    }
    if (System.getenv("BITPROOF_REQUIRE_PEERS") != null) {
      throw new AssertionError("chromium is required (BITPROOF_REQUIRE_PEERS is set) but is not installed");
    }
    Assumptions.assumeTrue(false, "skipped: chromium is not installed (apt-get install chromium; .ci/run does)");
    return null;
  }

  /** Runs headless chromium with {@code args} on {@code page}; returns stdout, and the console log in {@code log}. */
  static String chromium(Path tmp, Path page, Path log, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(chromium().toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--no-first-run", "--user-data-dir=" + tmp.resolve("profile"), "--enable-logging=stderr", "--v=0"));
    cmd.addAll(List.of(args));
    cmd.add(page.toUri().toString());
    Path out = tmp.resolve("stdout-" + System.nanoTime());
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(log.toFile()).start();
    // a hang guard only, far beyond any normal run: this is no timing assertion
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish: " + Files.readString(log));
    }
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  @Test
  void rendersInHeadlessChromiumWithNoConsoleMessage(@TempDir Path tmp) throws Exception {
    chromium();
    Path page = tmp.resolve("report.html");
    Files.writeString(page, ReportHtml.render(HostileReport.tampered(), "1.2.3"), StandardCharsets.UTF_8);
    Path log = tmp.resolve("chromium.log");
    String dom = chromium(tmp, page, log, "--dump-dom");
    List<String> console = Files.readAllLines(log).stream().filter(l -> l.contains(":CONSOLE")).toList();
    assertEquals(List.of(), console, "the page logged to the console (a blocked script or fetch?)");
    assertTrue(dom.contains("<span id=\"result\">FAIL</span>"), dom);
    assertTrue(dom.contains("id=\"check-signatures\""));
    assertTrue(dom.contains("id=\"digests\""));
    assertTrue(dom.contains("APKINDEX_SIGNATURE_INVALID"));
    // after parsing, the hostile names are still text: the DOM has no script or img element
    assertFalse(dom.contains("<script"), dom);
    assertFalse(dom.contains("<img"), dom);
    assertTrue(dom.contains("usr/bin/&lt;script&gt;alert(1)&lt;/script&gt;"));

    Path shots = Path.of("target", "report-html").toAbsolutePath();
    Files.createDirectories(shots);
    Path shot = shots.resolve("tampered.png");
    Files.deleteIfExists(shot);
    chromium(tmp, page, tmp.resolve("shot.log"), "--hide-scrollbars", "--window-size=1280,2400", "--screenshot=" + shot);
    assertTrue(Files.size(shot) > 10_000, "screenshot " + shot + " is " + Files.size(shot) + " bytes");
    byte[] png = Files.readAllBytes(shot);
    assertEquals((byte) 0x89, png[0]);
    assertEquals('P', png[1]);
    System.out.println("ReportHtmlTest: screenshot kept at " + shot);
  }
}
