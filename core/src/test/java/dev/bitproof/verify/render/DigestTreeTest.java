package dev.bitproof.verify.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.verify.DigestTree;
import dev.bitproof.verify.Report;
import dev.bitproof.verify.ReportJson;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A report's digest tree read back from its JSON (what the registry hook stores) is the tree of the comparison that
 * made it, and renders the same HTML table; a stored tree that is not report.json's shape is refused, never drawn.
 */
class DigestTreeTest {
  @Test
  void theTreeReadFromTheJsonIsTheComparisonsTreeAndRendersTheSameTable() {
    Report live = HostileReport.tampered();
    ObjectNode json = ReportJson.toJson(live, "1.2.3");
    DigestTree read = DigestTree.fromReportJson(json).orElseThrow();
    assertEquals(live.tree().orElseThrow(), read);
    assertTrue(read.images().stream().anyMatch(i -> !i.layers().isEmpty()), "the fixture has layers to compare");

    Report stored = new Report(live.command(), live.a(), live.b(), live.inputs(), live.notes(), live.checks(),
        Optional.empty(), Optional.of(read));
    assertEquals(digestSection(ReportHtml.render(live, "1.2.3")), digestSection(ReportHtml.render(stored, "1.2.3")));
    assertEquals(ReportJson.toJson(live, "1.2.3"), ReportJson.toJson(stored, "1.2.3"), "and the same JSON");
  }

  @Test
  void aReportThatComparedNothingHasNoTree() {
    ObjectNode json = ReportJson.toJson(HostileReport.tampered(), "1.2.3");
    json.put("verdict", "NOT_COMPARED");
    assertEquals(Optional.empty(), DigestTree.fromReportJson(json));
  }

  @Test
  void aTreeNotOfTheReportsShapeIsRefused() {
    refused(j -> j.put("verdict", "MOSTLY_IDENTICAL"));
    refused(j -> image(j).put("verdict", 3));
    refused(j -> ((ObjectNode) image(j).path("manifest")).put("a", "sha256:not-hex"));
    refused(j -> ((ObjectNode) image(j).path("config")).remove("b"));
    refused(j -> ((ObjectNode) image(j).withArray("layers").get(0)).put("index", -1));
    refused(j -> ((ObjectNode) j.path("subjects").path("a")).put("digest", "md5:00"));
    refused(j -> j.withArray("ignored").addObject().put("rule", "timestamps").put("hid", "many"));
  }

  private static ObjectNode image(ObjectNode j) {
    return (ObjectNode) j.withArray("images").get(0);
  }

  private static void refused(Consumer<ObjectNode> edit) {
    ObjectNode json = ReportJson.toJson(HostileReport.tampered(), "1.2.3");
    edit.accept(json);
    assertThrows(IllegalArgumentException.class, () -> DigestTree.fromReportJson(json), json::toString);
  }

  private static String digestSection(String html) {
    int start = html.indexOf("<section id=\"digests\">");
    assertTrue(start >= 0, "the page has a digest tree");
    return html.substring(start, html.indexOf("</section>", start));
  }
}
