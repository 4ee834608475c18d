package dev.bitproof.gocompat;

import dev.bitproof.rebuild.TarDiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bitproof.report.CheckException;
import dev.bitproof.testing.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GoTarWriterTest {
  static GoTarWriter.Header h(String name, byte type, long mode, long size) {
    return new GoTarWriter.Header(name, type, mode, 0, 0, "", "", size, 0, "", 0, 0, Map.of());
  }

  /** Same headers as testdata/gotar/gen.go, written by Go's archive/tar. */
  @Test
  void bytesEqualGoArchiveTar() throws IOException {
    String lng = "d".repeat(60) + "/" + "e".repeat(60) + "/" + "f".repeat(50);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    GoTarWriter w = new GoTarWriter(bos);
    w.writeHeader(h("dir", GoTarWriter.TYPE_DIR, 0755, 0));
    w.writeHeader(new GoTarWriter.Header("dir/file", GoTarWriter.TYPE_REG, 0644, 0, 0, "", "", 5, 1700000000L, "", 0, 0, Map.of()));
    w.write("hello".getBytes(StandardCharsets.UTF_8));
    w.writeHeader(h("tmp", GoTarWriter.TYPE_DIR, 01777, 0));
    w.writeHeader(new GoTarWriter.Header("suid", GoTarWriter.TYPE_REG, 04755, 10000, 10000, "nonroot", "nonroot", 0, 0, "", 0, 0, Map.of()));
    w.writeHeader(h(lng, GoTarWriter.TYPE_REG, 0600, 3));
    w.write("abc".getBytes(StandardCharsets.UTF_8));
    w.writeHeader(h("x".repeat(120), GoTarWriter.TYPE_REG, 0644, 1));
    w.write("z".getBytes(StandardCharsets.UTF_8));
    w.writeHeader(new GoTarWriter.Header("xattr", GoTarWriter.TYPE_REG, 0755, 0, 0, "", "", 2, 0, "", 0, 0,
        Map.of("SCHILY.xattr.security.capability", "cap", "SCHILY.xattr.user.a", "b")));
    w.write("#!".getBytes(StandardCharsets.UTF_8));
    w.writeHeader(h("café", GoTarWriter.TYPE_REG, 0644, 0));
    w.writeHeader(new GoTarWriter.Header("link", GoTarWriter.TYPE_SYMLINK, 0777, 0, 0, "", "", 0, 0, "t".repeat(150), 0, 0, Map.of()));
    w.writeHeader(new GoTarWriter.Header("hard", GoTarWriter.TYPE_LINK, 0644, 0, 0, "", "", 0, 0, "dir/file", 0, 0, Map.of()));
    w.writeHeader(new GoTarWriter.Header("dev/console", GoTarWriter.TYPE_CHAR, 0620, 0, 0, "", "", 0, 0, "", 5, 1, Map.of()));
    w.writeHeader(new GoTarWriter.Header("biguid", GoTarWriter.TYPE_REG, 0644, 3000000, 5, "", "", 0, 0, "", 0, 0, Map.of()));
    w.writeHeader(new GoTarWriter.Header("longuname", GoTarWriter.TYPE_REG, 0644, 0, 0, "u".repeat(40), "", 0, 0, "", 0, 0, Map.of()));
    w.writeHeader(new GoTarWriter.Header("future", GoTarWriter.TYPE_REG, 0644, 0, 0, "", "", 0, 9000000000L, "", 0, 0, Map.of()));
    w.writeHeader(h("dir/PaxHeaders-escaped\u2028", GoTarWriter.TYPE_REG, 0644, 0));
    w.close();
    byte[] golden = Files.readAllBytes(SharedData.testdata("gotar/golden.tar"));
    assertEquals(Optional.empty(), TarDiff.firstDifference(golden, bos.toByteArray()));
    assertEquals(golden.length, bos.size());
  }

  @Test
  void paxRecordLengthCountsItsOwnDigits() {
    assertEquals("7 a=bc\n", GoTarWriter.formatPaxRecord("a", "bc"));
    // 99 + 3-digit length crosses a digit boundary: Go's second pass
    String v = "v".repeat(93);
    String rec = GoTarWriter.formatPaxRecord("k", v);
    assertEquals(Integer.parseInt(rec.substring(0, rec.indexOf(' '))), rec.length());
  }

  @Test
  void ustarSplitFollowsGo() {
    assertEquals(null, GoTarWriter.splitUstarPath("short"));
    String[] s = GoTarWriter.splitUstarPath("a".repeat(80) + "/" + "b".repeat(80));
    assertEquals("a".repeat(80), s[0]);
    assertEquals(null, GoTarWriter.splitUstarPath("a".repeat(200)), "no slash");
  }

  @Test
  void dataMustMatchHeaderSize() throws IOException {
    GoTarWriter w = new GoTarWriter(new ByteArrayOutputStream());
    w.writeHeader(h("f", GoTarWriter.TYPE_REG, 0644, 3));
    w.write(new byte[] {1});
    assertThrows(IllegalStateException.class, () -> w.writeHeader(h("g", GoTarWriter.TYPE_REG, 0644, 0)));
    assertThrows(CheckException.class, () -> new GoTarWriter(new ByteArrayOutputStream())
        .writeHeader(h("dir/", GoTarWriter.TYPE_REG, 0644, 0)));
  }
}
