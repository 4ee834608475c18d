package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.testing.Chromium;
import dev.bitproof.testing.SarifSchema;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The acceptance run: the bundled demo image against its tampered copy, written as SARIF, JUnit XML and the
 * HTML report, each showing the file, the config field and the signature evidence.
 */
class DemoReportsTest {
  @Test
  void tamperedDemoAsSarifJunitAndHtml(@TempDir Path tmp) throws Exception {
    Path html = tmp.resolve("audit.html");
    Run sarif = run("demo", "--tampered", "--format", "sarif", "--report-html", html.toString());
    assertEquals(1, sarif.code(), sarif.err());
    JsonNode log = sarif.json();
    assertEquals(List.of(), SarifSchema.validate(log));
    List<String> results = new ArrayList<>();
    log.get("runs").get(0).get("results").forEach(x -> results.add(x.get("level").asText() + " " + x.get("ruleId").asText()
        + " " + x.get("locations").get(0).get("logicalLocations").get(0).get("name").asText()));
    assertTrue(results.contains("error FILE_ADDED linux/amd64 layer 0 usr/bin/.cache"), results.toString());
    assertTrue(results.contains("error CONFIG_FIELD_DIFFERS linux/amd64 config config.Env GREETING"), results.toString());

    String page = Files.readString(html);
    assertTrue(page.contains("<span id=\"result\">FAIL</span>"));
    assertTrue(page.contains("<code>linux/amd64 layer 0 usr/bin/.cache</code>"), "file evidence");
    assertTrue(page.contains("<dt>b</dt><dd><code>GREETING=pwned</code></dd>"), "field evidence");
    assertTrue(page.contains("<code class=\"code\">APKINDEX_SIGNATURE_OK</code>"), "signature evidence");
    assertTrue(page.contains("<dt>key</dt><dd><code>bitproof-demo.rsa.pub</code></dd>"), "the key checked");
    assertTrue(page.contains("<dt>algorithm</dt><dd><code>RSA256</code></dd>"), "the algorithm");

    Run junit = run("demo", "--tampered", "--format", "junit");
    assertEquals(1, junit.code(), junit.err());
    javax.xml.validation.SchemaFactory.newInstance(javax.xml.XMLConstants.W3C_XML_SCHEMA_NS_URI)
        .newSchema(getClass().getResource("/junit/junit-10.xsd")).newValidator()
        .validate(new javax.xml.transform.stream.StreamSource(new java.io.StringReader(junit.out())));
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(junit.out().getBytes(StandardCharsets.UTF_8)));
    Element compare = null;
    for (int i = 0; i < doc.getElementsByTagName("testsuite").getLength(); i++) {
      Element s = (Element) doc.getElementsByTagName("testsuite").item(i);
      if (s.getAttribute("name").equals("compare")) {
        compare = s;
      }
    }
    assertEquals("3", compare.getAttribute("tests"), "index, linux/amd64, linux/arm64");
    Element amd = (Element) compare.getElementsByTagName("testcase").item(1);
    assertEquals("linux/amd64", amd.getAttribute("name"));
    String failure = amd.getElementsByTagName("failure").item(0).getTextContent();
    assertTrue(failure.contains("FILE_ADDED  linux/amd64 layer 0 usr/bin/.cache"), failure);
    assertTrue(failure.contains("b: GREETING=pwned"), failure);

    Chromium.require();
    Chromium.Page loaded = Chromium.load(tmp, html);
    assertEquals(List.of(), loaded.console());
    assertTrue(loaded.dom().contains("id=\"check-compare\""));
    assertFalse(loaded.dom().contains("<script"));
    Path shot = Path.of("target", "report-html", "demo-tampered.png").toAbsolutePath();
    Chromium.screenshot(tmp, html, shot, 1280, 3000);
    assertTrue(Files.size(shot) > 10_000);
    System.out.println("DemoReportsTest: screenshot kept at " + shot);
  }
}
