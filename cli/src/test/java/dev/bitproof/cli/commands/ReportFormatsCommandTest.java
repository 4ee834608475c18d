package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.testing.TestLayouts;
import dev.bitproof.testing.SarifSchema;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * {@code --format sarif|junit} and {@code --report-html} end to end: two images the test builds, the second with
 * files whose names are markup, compared through the CLI.
 */
class ReportFormatsCommandTest {
  static final String SCRIPT = "usr/bin/<script>alert(1)</script>";
  static final String IMG = "etc/\"><img src=x onerror=alert(2)>";

  static Path[] images(Path tmp) throws Exception {
    Path a = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), TestLayouts.tar(0, "etc/os-release", "ID=x\n", SCRIPT, "1"));
    Path b = TestLayouts.singleImage(tmp.resolve("b"), "amd64", List.of(),
        TestLayouts.tar(0, "etc/os-release", "ID=y\n", SCRIPT, "2", IMG, "3"));
    return new Path[] {a, b};
  }

  @Test
  void sarifValidatesAndNamesEachDifference(@TempDir Path tmp) throws Exception {
    Path[] im = images(tmp);
    Run r = run("compare", "oci:" + im[0], "oci:" + im[1], "--format", "sarif");
    assertEquals(1, r.code(), r.err());
    JsonNode log = r.json();
    assertEquals(List.of(), SarifSchema.validate(log));
    List<String> subjects = new ArrayList<>();
    List<String> rules = new ArrayList<>();
    log.get("runs").get(0).get("results").forEach(x -> {
      rules.add(x.get("ruleId").asText());
      subjects.add(x.get("locations").get(0).get("logicalLocations").get(0).get("name").asText());
    });
    assertTrue(rules.contains("FILE_ADDED") && rules.contains("FILE_CHANGED") && rules.contains("COMPARE_VERDICT_BELOW_REQUIRED"), rules.toString());
    assertTrue(subjects.stream().anyMatch(s -> s.endsWith(IMG)), subjects.toString());
    assertTrue(subjects.stream().anyMatch(s -> s.endsWith(SCRIPT)), subjects.toString());
    assertTrue(subjects.stream().anyMatch(s -> s.endsWith("etc/os-release")), subjects.toString());
  }

  @Test
  void junitParsesBackWithOneFailingPlatform(@TempDir Path tmp) throws Exception {
    Path[] im = images(tmp);
    Run r = run("compare", "oci:" + im[0], "oci:" + im[1], "--format", "junit");
    assertEquals(1, r.code(), r.err());
    javax.xml.validation.SchemaFactory.newInstance(javax.xml.XMLConstants.W3C_XML_SCHEMA_NS_URI)
        .newSchema(getClass().getResource("/junit/junit-10.xsd")).newValidator()
        .validate(new javax.xml.transform.stream.StreamSource(new java.io.StringReader(r.out())));
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(r.out().getBytes(StandardCharsets.UTF_8)));
    Element root = doc.getDocumentElement();
    assertEquals("2", root.getAttribute("tests")); // index, linux/amd64
    assertEquals("2", root.getAttribute("failures")); // the verdict below required; the platform's files
    Element amd = (Element) doc.getElementsByTagName("testcase").item(1);
    assertEquals("linux/amd64", amd.getAttribute("name"));
    String failure = amd.getElementsByTagName("failure").item(0).getTextContent();
    assertTrue(failure.contains("FILE_ADDED") && failure.contains(IMG), failure);
  }

  @Test
  void htmlReportIsWrittenWithHostileNamesEscaped(@TempDir Path tmp) throws Exception {
    Path[] im = images(tmp);
    Path html = tmp.resolve("report.html");
    Run r = run("compare", "oci:" + im[0], "oci:" + im[1], "--report-html", html.toString(), "--format", "json");
    assertEquals(1, r.code(), r.err());
    assertEquals("FAIL", r.json().get("result").asText());
    String page = Files.readString(html);
    assertTrue(page.contains("<span id=\"result\">FAIL</span>"));
    assertTrue(page.contains("usr/bin/&lt;script&gt;alert(1)&lt;/script&gt;"));
    assertTrue(page.contains("etc/&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    assertFalse(page.contains("<script") || page.contains("<img"));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of(), s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList(), "temporary file left behind");
    }
    Run same = run("compare", "oci:" + im[0], "oci:" + im[0], "--report-html", html.toString());
    assertEquals(0, same.code(), same.err());
    assertTrue(Files.readString(html).contains("<span id=\"result\">PASS</span>"));
  }

  @Test
  void unwritableReportFileIsRefusedBeforeTheWork(@TempDir Path tmp) throws Exception {
    Path[] im = images(tmp);
    Run r = run("compare", "oci:" + im[0], "oci:" + im[1], "--report-html", tmp.resolve("no/such/dir/r.html").toString(),
        "--format", "json");
    assertEquals(3, r.code(), r.err());
    assertEquals("REPORT_FILE_UNWRITABLE", r.json().get("error").get("code").asText());
    Run dir = run("compare", "oci:" + im[0], "oci:" + im[1], "--report-html", tmp.toString());
    assertEquals(3, dir.code(), dir.err());
    assertTrue(dir.err().contains("OUTPUT_IS_DIRECTORY"), dir.err());
  }

  @Test
  void quietDropsProgressButNotTheReport(@TempDir Path tmp) throws Exception {
    Path[] im = images(tmp);
    Run loud = run("compare", "oci:" + im[0], "oci:" + im[1], "--report-html", tmp.resolve("r.html").toString());
    assertTrue(loud.err().contains("bitproof compare: ") && loud.err().contains("HTML report written to"), loud.err());
    Run quiet = run("compare", "oci:" + im[0], "oci:" + im[1], "--quiet", "--report-html", tmp.resolve("r.html").toString());
    assertEquals(1, quiet.code());
    assertEquals("", quiet.err());
    assertEquals(loud.out(), quiet.out());
    // a usage error is still printed
    Run bad = run("compare", "oci:" + im[0], "oci:" + im[1], "--quiet", "--require", "fuzzy");
    assertEquals(2, bad.code());
    assertFalse(bad.err().isEmpty());
  }

  @Test
  void sarifAndJunitAreOnlyForReports(@TempDir Path tmp) throws Exception {
    Path[] im = images(tmp);
    Run r = run("inspect", "oci:" + im[0], "--format", "sarif");
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("--format sarif is for the report of verify, compare and demo"), r.err());
  }
}
