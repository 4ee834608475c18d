package dev.bitproof.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.Json;
import dev.bitproof.report.CheckException;
import dev.bitproof.testing.TestImages;
import dev.bitproof.testing.TestImages.Entry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --report-dir: both versions of each differing file, hostile names kept inside, nothing half-written. */
class ReportDirectoryTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<Path> everything(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.toList();
    }
  }

  @Test
  void bothVersionsOfEachDifferingFileWithAnIndex(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    new TestImages().layer(Entry.file("etc/motd", 0644, "hi\n"), Entry.file("etc/same", 0644, "s"),
        Entry.file("etc/gone", 0644, "g")).writeTo(a);
    new TestImages().layer(Entry.file("etc/motd", 0644, "bye\n"), Entry.file("etc/same", 0644, "s"),
        Entry.file("etc/new", 0644, "n")).writeTo(b);
    Path out = tmp.resolve("report");
    Comparison c;
    try (ReportDirectory rd = ReportDirectory.open(out, ReportDirectory.DEFAULT_MAX_FILE)) {
      c = ImageComparatorTest.compare(a, b, CompareOptions.strict().withDifferingFiles(rd));
      rd.commit();
    }
    assertEquals(Verdict.DIFFERENT, c.verdict());
    Path layer = out.resolve("linux_amd64/layer-0");
    assertEquals("hi\n", Files.readString(layer.resolve("a/etc/motd")));
    assertEquals("bye\n", Files.readString(layer.resolve("b/etc/motd")));
    assertEquals("g", Files.readString(layer.resolve("a/etc/gone")));
    assertFalse(Files.exists(layer.resolve("b/etc/gone")));
    assertEquals("n", Files.readString(layer.resolve("b/etc/new")));
    assertFalse(Files.exists(layer.resolve("a/etc/same")), "identical files are not written");
    JsonNode index = Json.parse(Files.readAllBytes(out.resolve("index.json")), "index");
    assertEquals(3, index.get("files").size());
    JsonNode gone = index.get("files").get(1);
    assertEquals("etc/gone", gone.get("path").asText());
    assertEquals("linux_amd64/layer-0/a/etc/gone", gone.get("a").get("file").asText());
    assertFalse(gone.get("b").get("written").asBoolean());
    assertTrue(Files.exists(out.resolve("README.txt")));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains(".partial-")).toList(),
          "the staging directory became the report");
    }
  }

  @Test
  void hostileNamesStayInsideTheDirectory(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("report");
    try (ReportDirectory rd = ReportDirectory.open(out, 1024)) {
      for (String name : List.of("../../escape", "/etc/passwd", "a/../../../x", "..", "./.", "ctl\u0001\n/na me%",
          "x".repeat(400), "dir/file")) {
        rd.accept("linux/../amd64", "layer 0", name, Optional.of(utf8("A:" + name)), 3, Optional.of(utf8("B")), 1);
      }
      rd.accept("linux/amd64", "layer 0", "big", Optional.empty(), 5_000_000, Optional.of(utf8("small")), 5);
      rd.commit();
    }
    Path real = out.toRealPath();
    for (Path p : everything(out)) {
      assertTrue(p.toRealPath(LinkOption.NOFOLLOW_LINKS).startsWith(real), p + " is outside");
      assertFalse(Files.isSymbolicLink(p), p + " is a symlink");
    }
    assertFalse(Files.exists(tmp.resolve("escape")));
    assertFalse(Files.exists(tmp.getParent().resolve("escape")));
    Path base = out.resolve("linux_.._amd64/layer-0"); // one segment: its dots are harmless
    assertEquals("A:../../escape", Files.readString(base.resolve("a/%2e%2e/%2e%2e/escape")));
    assertEquals("A:/etc/passwd", Files.readString(base.resolve("a/etc/passwd")));
    assertEquals("A:ctl\u0001\n/na me%", Files.readString(base.resolve("a/ctl%01%0a/na%20me%25")));
    JsonNode index = Json.parse(Files.readAllBytes(out.resolve("index.json")), "index");
    JsonNode big = index.get("files").get(index.get("files").size() - 1);
    assertEquals("big", big.get("path").asText());
    assertFalse(big.get("a").get("written").asBoolean());
    assertEquals(5_000_000, big.get("a").get("size").asLong());
    assertTrue(big.get("b").get("written").asBoolean());
  }

  @Test
  void aDirectoryThatIsNotEmptyOrIsASymlinkIsRefusedBeforeAnyWork(@TempDir Path tmp) throws Exception {
    Path full = Files.createDirectories(tmp.resolve("full"));
    Files.writeString(full.resolve("keep.txt"), "mine");
    CheckException e = assertThrows(CheckException.class, () -> ReportDirectory.open(full, 1024));
    assertEquals(CompareCode.REPORT_DIR_NOT_EMPTY, e.code());
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), elsewhere);
    assertEquals(CompareCode.REPORT_DIR_NOT_EMPTY,
        assertThrows(CheckException.class, () -> ReportDirectory.open(link, 1024)).code());
    assertEquals(List.of(elsewhere), everything(elsewhere), "nothing was written through the link");
    assertEquals(CompareCode.REPORT_DIR_UNWRITABLE, assertThrows(CheckException.class,
        () -> ReportDirectory.open(tmp.resolve("no/such/parent/dir"), 1024)).code());
    // an empty directory is fine and is replaced by the report
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    try (ReportDirectory rd = ReportDirectory.open(empty, 1024)) {
      rd.accept("linux/amd64", "merged", "f", Optional.of(utf8("a")), 1, Optional.of(utf8("b")), 1);
      rd.commit();
    }
    assertArrayEquals(utf8("b"), Files.readAllBytes(empty.resolve("linux_amd64/merged/b/f")));
  }

  @Test
  void aComparisonThatFailsLeavesNothingBehind(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    new TestImages().layer(Entry.file("etc/motd", 0644, "hi\n")).writeTo(a);
    // an entry named ../evil: the tar reader refuses the layer (TAR_PATH_ESCAPE) after etc/motd was written
    new TestImages().layer(Entry.file("etc/motd", 0644, "bye\n"), Entry.file("../evil", 0644, "x")).writeTo(b);
    Path out = tmp.resolve("report");
    assertThrows(CheckException.class, () -> {
      try (ReportDirectory rd = ReportDirectory.open(out, 1024)) {
        ImageComparatorTest.compare(a, b, CompareOptions.strict().withDifferingFiles(rd));
        rd.commit();
      }
    });
    assertFalse(Files.exists(out), "no report directory");
    assertFalse(Files.exists(tmp.resolve("evil")));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of("a", "b"), s.map(p -> p.getFileName().toString()).sorted().toList(), "no staging left");
    }
  }
}
