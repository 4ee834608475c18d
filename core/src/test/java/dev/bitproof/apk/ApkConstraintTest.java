package dev.bitproof.apk;

import static org.junit.jupiter.api.Assertions.*;

import dev.bitproof.apk.ApkConstraint.Op;
import dev.bitproof.report.CheckException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ApkConstraintTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(nullValues = "-", value = {
      "busybox, busybox, ANY, '', '', false",
      "busybox=1.36.1-r0, busybox, EQ, 1.36.1-r0, '', false",
      "musl>=1.2, musl, GE, 1.2, '', false",
      "musl<=1.2, musl, LE, 1.2, '', false",
      "musl>1.2, musl, GT, 1.2, '', false",
      "musl<1.2, musl, LT, 1.2, '', false",
      "musl~1.2, musl, TILDE, 1.2, '', false",
      "musl=~1.2, musl, TILDE, 1.2, '', false",
      "foo@edge, foo, ANY, '', edge, false",
      "foo>=2@testing, foo, GE, 2, testing, false",
      "!foo, foo, ANY, '', '', true",
      "!foo<2, foo, LT, 2, '', true",
      "so:libc.musl-x86_64.so.1, so:libc.musl-x86_64.so.1, ANY, '', '', false",
      "so:libfoo.so.1=1.2, so:libfoo.so.1, EQ, 0.1.2, '', false",
      "so:libfoo.so.1=1.2-r3, so:libfoo.so.1, EQ, 1.2-r3, '', false",
      "cmd:sh=1.36.1-r0, cmd:sh, EQ, 1.36.1-r0, '', false",
      "pc:zlib>=1.2, pc:zlib, GE, 1.2, '', false",
  })
  void parses(String text, String name, Op op, String version, String pin, boolean conflict) {
    ApkConstraint c = ApkConstraint.parse(text);
    assertEquals(name, c.name());
    assertEquals(op, c.op());
    assertEquals(version, c.version());
    assertEquals(pin, c.pin());
    assertEquals(conflict, c.conflict());
  }

  @Test
  void unknownOperatorIsAUsageError() {
    CheckException e = assertThrows(CheckException.class, () -> ApkConstraint.parse("foo><1"));
    assertEquals(ApkCode.APK_CONSTRAINT_INVALID, e.code());
    assertEquals(CheckException.Kind.USAGE, e.kind());
  }

  @ParameterizedTest(name = "{0} {1} {2} = {3}")
  @CsvSource({"1.2, GE, 1.2, true", "1.1, GE, 1.2, false", "1.10, GT, 1.9, true", "1.2_rc1, LT, 1.2, true",
      "1.2.3, TILDE, 1.2, true", "1.3, TILDE, 1.2, false", "1.2-r1, EQ, 1.2-r1, true", "1.2-r1, EQ, 1.2, false"})
  void satisfies(String actual, Op op, String required, boolean expected) {
    assertEquals(expected, op.satisfies(actual, required));
  }
}
