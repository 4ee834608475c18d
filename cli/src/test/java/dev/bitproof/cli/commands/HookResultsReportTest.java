package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.testing.Chromium;
import dev.bitproof.testing.SarifSchema;
import dev.bitproof.testing.TestLayouts;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * {@code hook results REPO@DIGEST --report-html FILE} and {@code --format sarif|junit}: a stored result, served by a
 * loopback stand-in for the hook's results API, rendered through the report renderers. The stored document carries
 * hostile strings (an image's file names reach it through findings): every one is escaped.
 */
class HookResultsReportTest {
  static final String DIGEST = "sha256:" + "ab".repeat(32);
  static final String HOSTILE = "<script>alert(1)</script>\"'&]]><!--";

  @TempDir
  Path tmp;

  HttpServer server;
  String url;
  byte[] stored;

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/results/", x -> {
      boolean ours = x.getRequestURI().getPath().equals("/v1/results/app/x@" + DIGEST);
      byte[] b = ours ? stored : "{}".getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().add("Content-Type", "application/json");
      x.sendResponseHeaders(ours ? 200 : 404, b.length);
      x.getResponseBody().write(b);
      x.close();
    });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  /** A FAIL result as the hook stores it: a policy check failing on a file named by the image, an SBOM check passing. */
  static byte[] failing() {
    ObjectNode doc = Json.mapper().createObjectNode();
    doc.put("schemaVersion", 1).put("kind", "bitproof-hook-result").put("tool", "bitproof 0.1.0");
    doc.putObject("event").put("id", "e1").put("repository", "app/x").put("digest", DIGEST).put("tag", "v1");
    doc.put("image", "docker://registry.example/app/x@" + DIGEST).put("result", "FAIL");
    var checks = doc.putArray("checks");
    ObjectNode policy = checks.addObject().put("name", "policy").put("status", "FAIL").put("summary", "1 failed");
    ObjectNode f = policy.putArray("findings").addObject().put("code", "RUNS_AS_ROOT").put("severity", "FAIL")
        .put("subject", "usr/bin/" + HOSTILE).put("message", "runs as root " + HOSTILE);
    f.putObject("evidence").put("path", HOSTILE);
    policy.withArray("findings").addObject().put("code", "SOME_FUTURE_CODE").put("severity", "WARN")
        .put("subject", "x").put("message", "a code this build does not know").putObject("evidence");
    checks.addObject().put("name", "sbom").put("status", "PASS").put("summary", "matches").putArray("findings");
    return doc.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void htmlReportOfAStoredResultEscapesEverything() throws Exception {
    stored = failing();
    Path html = tmp.resolve("hook.html");
    Run r = run("hook", "results", "--url", url, "app/x@" + DIGEST, "--report-html", html.toString(), "--format", "json");
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals("hook results", r.json().path("command").asText());
    assertEquals(Json.parse(stored, "stored"), r.json().path("document"), "stdout is still the hook-results document");
    String page = Files.readString(html);
    assertFalse(page.contains("<script"), "hostile text is escaped, and the page has no scripts");
    assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), page);
    assertTrue(page.contains("RUNS_AS_ROOT") && page.contains("SOME_FUTURE_CODE"), page);
    assertTrue(page.contains("docker://registry.example/app/x@" + DIGEST), page);
    try (var s = Files.list(tmp)) {
      assertEquals(List.of(html), s.filter(p -> p.getFileName().toString().contains("hook.html")).toList(),
          "no temporary file left beside the report");
    }

    Chromium.require();
    Chromium.Page loaded = Chromium.load(tmp, html);
    assertEquals(List.of(), loaded.console());
    assertTrue(loaded.dom().contains("id=\"check-policy\""), loaded.dom());
    assertFalse(loaded.dom().contains("<script"));
    Path shot = Path.of("target", "report-html", "hook-results.png").toAbsolutePath();
    Chromium.screenshot(tmp, html, shot, 1280, 1600);
    assertTrue(Files.size(shot) > 10_000);
  }

  /**
   * The stored document carries the verification's report; its digest tree is drawn from that JSON, so the hook's
   * page has the layer table a fresh {@code compare --report-html} of the same images has, digest for digest.
   */
  @Test
  void theStoredReportsDigestTreeIsDrawnAsAFreshOneIs() throws Exception {
    Path a = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), TestLayouts.tar(0, "etc/os-release", "ID=x\n"));
    Path b = TestLayouts.singleImage(tmp.resolve("b"), "amd64", List.of(), TestLayouts.tar(0, "etc/os-release", "ID=y\n"));
    Path fresh = tmp.resolve("fresh.html");
    Run compared = run("compare", "oci:" + a, "oci:" + b, "--format", "json", "--report-html", fresh.toString());
    assertEquals(1, compared.code(), compared.err());
    ObjectNode doc = (ObjectNode) Json.parse(failing(), "stored");
    doc.set("verify", compared.json());
    stored = doc.toString().getBytes(StandardCharsets.UTF_8);

    Path html = tmp.resolve("hook.html");
    Run r = run("hook", "results", "--url", url, "app/x@" + DIGEST, "--report-html", html.toString());
    assertEquals(1, r.code(), r.out() + r.err());
    String page = Files.readString(html);
    String table = digestSection(page);
    assertEquals(digestSection(Files.readString(fresh)), table);
    JsonNode layer = compared.json().path("images").get(0).path("layers").get(0);
    assertTrue(table.contains(layer.path("digest").path("a").asText()) && table.contains(layer.path("digest").path("b").asText()),
        table);
    assertTrue(table.contains("<td class=\"d2\">layer 0</td><td>DIFFERENT</td>"), table);

    // a stored tree that is not report.json's shape is said, not drawn
    ((ObjectNode) doc.path("verify").path("images").get(0).path("manifest")).put("a", "sha256:<b>not-hex</b>");
    stored = doc.toString().getBytes(StandardCharsets.UTF_8);
    Run bad = run("hook", "results", "--url", url, "app/x@" + DIGEST, "--report-html", html.toString());
    assertEquals(1, bad.code(), bad.err());
    String badPage = Files.readString(html);
    assertFalse(badPage.contains("<section id=\"digests\">"), badPage);
    assertTrue(badPage.contains("the stored digest tree could not be read") && badPage.contains("&lt;b&gt;not-hex"), badPage);
  }

  private static String digestSection(String html) {
    int start = html.indexOf("<section id=\"digests\">");
    assertTrue(start >= 0, "the page has a digest tree: " + html);
    return html.substring(start, html.indexOf("</section>", start));
  }

  @Test
  void sarifAndJunitOfAStoredResult() throws Exception {
    stored = failing();
    Run sarif = run("hook", "results", "--url", url, "app/x@" + DIGEST, "--format", "sarif");
    assertEquals(1, sarif.code(), sarif.err());
    JsonNode log = sarif.json();
    assertEquals(List.of(), SarifSchema.validate(log));
    assertTrue(log.toString().contains("\"ruleId\":\"RUNS_AS_ROOT\""), log.toString());

    Run junit = run("hook", "results", "--url", url, "app/x@" + DIGEST, "--format", "junit");
    assertEquals(1, junit.code(), junit.err());
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document d = dbf.newDocumentBuilder().parse(new ByteArrayInputStream(junit.out().getBytes(StandardCharsets.UTF_8)));
    assertTrue(d.getElementsByTagName("failure").getLength() >= 1, junit.out());
    assertTrue(d.getDocumentElement().getTextContent().contains(HOSTILE), "the XML carries the text, escaped, intact");
  }

  @Test
  void anErrorResultIsAFailingHookCheckAndAListCannotBeAReport() throws Exception {
    ObjectNode doc = Json.mapper().createObjectNode();
    doc.putObject("event").put("repository", "app/x").put("digest", DIGEST);
    doc.put("result", "ERROR");
    doc.putObject("error").put("code", "BLOB_NOT_FOUND").put("subject", "x").put("message", "gone");
    stored = doc.toString().getBytes(StandardCharsets.UTF_8);
    Path html = tmp.resolve("e.html");
    Run r = run("hook", "results", "--url", url, "app/x@" + DIGEST, "--report-html", html.toString());
    assertEquals(3, r.code(), r.err());
    String page = Files.readString(html);
    assertTrue(page.contains("BLOB_NOT_FOUND") && page.contains("id=\"check-hook\""), page);

    Run list = run("hook", "results", "--url", url, "--report-html", tmp.resolve("l.html").toString());
    assertEquals(2, list.code(), list.err());
    assertFalse(Files.exists(tmp.resolve("l.html")));
    Run unwritable = run("hook", "results", "--url", url, "app/x@" + DIGEST, "--report-html",
        tmp.resolve("missing-dir/x.html").toString());
    assertEquals(3, unwritable.code(), unwritable.err());
    assertTrue(unwritable.err().contains("REPORT_FILE_UNWRITABLE"), unwritable.err());
  }
}
