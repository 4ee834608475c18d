package dev.bitproof.verify.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The JUnit XML of a report parses back (well-formed, hostile names intact) with the counts CI reporters show. */
class ReportJunitTest {
  /** Jenkins' JUnit schema (src/test/resources/junit, see its README): what CI test reporters accept. */
  static void validate(String xml) throws Exception {
    SchemaFactory sf = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
    Schema schema = sf.newSchema(ReportJunitTest.class.getResource("/junit/junit-10.xsd"));
    schema.newValidator().validate(new StreamSource(new StringReader(xml)));
  }

  static Document parse(String xml) throws Exception {
    validate(xml);
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void tamperedReportOneCasePerCheckAndPlatform() throws Exception {
    Document doc = parse(ReportJunit.render(HostileReport.tampered(), "1.2.3"));
    Element root = doc.getDocumentElement();
    assertEquals("testsuites", root.getTagName());
    // compare: index + amd64 + arm64; signatures; sbom
    assertEquals("5", root.getAttribute("tests"));
    assertEquals("4", root.getAttribute("failures"));
    NodeList suites = root.getElementsByTagName("testsuite");
    assertEquals(3, suites.getLength());
    Element compare = (Element) suites.item(0);
    assertEquals("compare", compare.getAttribute("name"));
    assertEquals("3", compare.getAttribute("tests"));
    assertEquals("3", compare.getAttribute("failures"));
    List<String> names = new ArrayList<>();
    NodeList cases = compare.getElementsByTagName("testcase");
    for (int i = 0; i < cases.getLength(); i++) {
      names.add(((Element) cases.item(i)).getAttribute("name"));
    }
    assertEquals(List.of("index", "linux/amd64", "linux/arm64"), names);
    Element amd = (Element) cases.item(1);
    assertEquals("bitproof.verify.compare", amd.getAttribute("classname"));
    Element failure = (Element) amd.getElementsByTagName("failure").item(0);
    assertEquals("IMAGE_DIFFERENT", failure.getAttribute("type"));
    assertTrue(failure.getAttribute("message").startsWith("7 failing findings"), failure.getAttribute("message"));
    String text = failure.getTextContent();
    assertTrue(text.contains("FILE_CHANGED  linux/amd64 layer 0 " + HostileReport.SCRIPT_NAME + ": content differs"), text);
    assertTrue(text.contains("FILE_ADDED  linux/amd64 layer 0 " + HostileReport.IMG_NAME), text);
    assertTrue(text.contains("+</pre><script>x()</script>"), text);
    Element arm = (Element) cases.item(2);
    // the BEL and NUL of the file name cannot be XML: replaced, the rest of the name kept
    assertTrue(arm.getElementsByTagName("failure").item(0).getTextContent().contains("tmp/bell\uFFFD\uFFFDname"));

    Element sigs = (Element) suites.item(1);
    assertEquals("signatures", sigs.getAttribute("name"));
    Element sigCase = (Element) sigs.getElementsByTagName("testcase").item(0);
    assertEquals("APKINDEX_SIGNATURE_INVALID", ((Element) sigCase.getElementsByTagName("failure").item(0)).getAttribute("type"));
    assertTrue(sigCase.getElementsByTagName("system-out").item(0).getTextContent().contains("APKINDEX_SIGNATURE_OK"));

    Element sbom = (Element) suites.item(2);
    assertEquals(1, sbom.getElementsByTagName("skipped").getLength());
    assertEquals("1", sbom.getAttribute("skipped"));
    assertEquals(0, sbom.getElementsByTagName("failure").getLength());
    NodeList props = sbom.getElementsByTagName("property");
    boolean sawImage = false;
    for (int i = 0; i < props.getLength(); i++) {
      Element p = (Element) props.item(i);
      sawImage |= p.getAttribute("name").equals("input.image") && p.getAttribute("value").equals("oci:published <evil>");
    }
    assertTrue(sawImage);
  }

  @Test
  void passingReportHasNoFailure() throws Exception {
    Document doc = parse(ReportJunit.render(HostileReport.identical(), "1"));
    assertEquals("1", doc.getDocumentElement().getAttribute("tests"));
    assertEquals("0", doc.getDocumentElement().getAttribute("failures"));
    assertEquals(0, doc.getElementsByTagName("failure").getLength());
  }

  @Test
  void schemaRejectsWhatItShould() {
    String xml = ReportJunit.render(HostileReport.tampered(), "1");
    org.junit.jupiter.api.Assertions.assertThrows(org.xml.sax.SAXException.class,
        () -> validate(xml.replaceFirst("<testcase ", "<testcase bogus=\"1\" ")));
  }

  @Test
  void cleanKeepsSurrogatePairsAndDropsWhatXmlCannotCarry() {
    assertEquals("a\uFFFDb\uD83D\uDE00\uFFFD", ReportJunit.clean("a\u0001b\uD83D\uDE00\uD800"));
    assertEquals("plain\ttext\n", ReportJunit.clean("plain\ttext\n"));
  }
}
