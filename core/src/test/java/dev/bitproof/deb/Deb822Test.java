package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.CheckException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Deb822Test {
  @Test
  void multiLineFieldsKeepContinuationsAndOrder() {
    String text = "# suite: bookworm\nPackage: base-files\nVersion: 12.4+deb12u15\nTag: admin::configuring,\n"
        + " role::app-data, suite::debian\nDescription: short\n more\n .\n last\n\n\n"
        + "package: second\nVERSION:1.0\n";
    List<ControlParagraph> ps = Deb822.parse(text, "t");
    assertEquals(2, ps.size());
    ControlParagraph p = ps.get(0);
    assertEquals(List.of("package", "version", "tag", "description"), p.names());
    assertEquals("admin::configuring,\n role::app-data, suite::debian", p.value("Tag"));
    assertEquals("short\n more\n .\n last", p.value("description"));
    assertEquals(List.of("role::app-data, suite::debian"), p.continuationLines("Tag"));
    assertEquals("1.0", ps.get(1).value("Version"));
    assertEquals(2, p.line());
    assertEquals(p, Deb822.parseOne(p.toText(), "again"));
  }

  @Test
  void crlfAndMissingFinalNewline() {
    ControlParagraph p = Deb822.parseOne("A: 1\r\nB: x\r\n y", "t");
    assertEquals("1", p.value("A"));
    assertEquals("x\n y", p.value("b"));
  }

  @Test
  void continuationWithoutFieldIsSyntaxError() {
    CheckException e = assertThrows(CheckException.class, () -> Deb822.parse(" orphan\n", "t"));
    assertEquals(DebCode.DEB822_SYNTAX, e.code());
    e = assertThrows(CheckException.class, () -> Deb822.parse("no colon here\n", "t"));
    assertEquals(DebCode.DEB822_SYNTAX, e.code());
  }

  @Test
  void limitsHoldOnHostileInput() {
    Deb822.Limits tiny = new Deb822.Limits(100, 3, 2, 50);
    List<ControlParagraph> out = new ArrayList<>();
    CheckException e = assertThrows(CheckException.class,
        () -> Deb822.stream(new StringReader("A: " + "x".repeat(200) + "\n"), "t", tiny, out::add));
    assertEquals(DebCode.DEB822_LIMIT, e.code());
    e = assertThrows(CheckException.class, () -> Deb822.stream(new StringReader("A: 1\nB: 2\nC: 3\nD: 4\n"), "t", tiny, out::add));
    assertEquals(DebCode.DEB822_LIMIT, e.code());
    e = assertThrows(CheckException.class, () -> Deb822.stream(new StringReader("A: 1\n\nA: 2\n\nA: 3\n"), "t", tiny, out::add));
    assertEquals(DebCode.DEB822_LIMIT, e.code());
    e = assertThrows(CheckException.class,
        () -> Deb822.stream(new StringReader("A: 1\n" + " 0123456789\n".repeat(10)), "t", tiny, out::add));
    assertEquals(DebCode.DEB822_LIMIT, e.code());
    assertTrue(out.size() <= 2);
  }
}
