package dev.bitproof.gocompat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bitproof.apko.LockFile;
import dev.bitproof.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GoJsonTest {
  static String marshal(GoJson.Value v) {
    return new String(GoJson.marshal(v), StandardCharsets.UTF_8);
  }

  @Test
  void stringsAreEscapedAsGoDoes() {
    assertEquals("\"\\u003ca\\u003e \\u0026 \\\"q\\\" \\\\ \\n\\r\\t\\b\\f \\u0001 \\u2028\\u2029 é 😀\"",
        marshal(GoJson.string("<a> & \"q\" \\ \n\r\t\b\f \u0001 \u2028\u2029 é 😀")));
    assertEquals("\"\ufffd\"", marshal(GoJson.string("\ud800")), "a lone surrogate is invalid UTF-8: U+FFFD");
  }

  @Test
  void mapsSortByteWiseStructsKeepOrder() {
    GoJson.Obj o = GoJson.object().put("z", 1).put("a", GoJson.stringMap(Map.of("b", "2", "B", "1", "é", "3", "a", "0")));
    assertEquals("{\"z\":1,\"a\":{\"B\":\"1\",\"a\":\"0\",\"b\":\"2\",\"é\":\"3\"}}", marshal(o));
    assertEquals("{}", marshal(GoJson.object().putIfNotEmpty("x", "").putIfNotZero("n", 0)
        .putIfNotEmpty("l", GoJson.stringArray(List.of()))));
  }

  @Test
  void indentMatchesMarshalIndent() {
    GoJson.Obj o = GoJson.object().put("a", GoJson.array()).put("b", GoJson.object())
        .put("c", GoJson.array().add("x").add(GoJson.object().put("k", "v:,{}")));
    assertEquals("{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    \"x\",\n    {\n      \"k\": \"v:,{}\"\n    }\n  ]\n}",
        GoJson.indent(GoJson.marshal(o)));
  }

  @Test
  void nullAndNumberTokensAreWrittenAsGiven() {
    assertEquals("[null,1.5,-2E+10,7]", marshal(GoJson.array().add(GoJson.nullValue()).add(GoJson.number("1.5"))
        .add(GoJson.number("-2E+10")).add(GoJson.number(7))));
    assertEquals("{}", marshal(GoJson.object().putIfNotEmpty("p", GoJson.nullValue())), "nil is empty to omitempty");
    for (String bad : List.of("", "01", "1.", "NaN", "1,2", "\"1\"", "1 ")) {
      org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> GoJson.number(bad), bad);
    }
  }

  /** apko's lock files round-trip to the same bytes (MarshalIndent + newline), including the pre-0.13 form. */
  @Test
  void lockFilesRoundTripByteForByte() throws IOException {
    Path td = SharedData.apkoTestdata();
    for (String f : List.of("apko.lock.json", "apko-discover.lock.json", "apko.pre-0.13.lock.json")) {
      byte[] b = Files.readAllBytes(td.resolve(f));
      LockFile l = LockFile.parse(b, f);
      if (!f.contains("pre-0.13")) {
        assertEquals(new String(b, StandardCharsets.UTF_8), new String(l.toBytes(), StandardCharsets.UTF_8), f);
      } else {
        assertEquals(true, l.isPre013(), f);
      }
    }
  }
}
