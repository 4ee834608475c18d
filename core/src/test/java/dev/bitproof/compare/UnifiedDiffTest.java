package dev.bitproof.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UnifiedDiffTest {
  @Test
  void oneChangedLineWithContext() {
    String a = "1\n2\n3\n4\n5\n6\n7\n8\n";
    String b = "1\n2\n3\n4\nFIVE\n6\n7\n8\n";
    assertEquals("--- a/f\n+++ b/f\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n",
        UnifiedDiff.diff("f", a, b).orElseThrow());
  }

  @Test
  void insertionAtTheEnd() {
    assertEquals("--- a/f\n+++ b/f\n@@ -1,1 +1,2 @@\n x\n+y\n", UnifiedDiff.diff("f", "x\n", "x\ny\n").orElseThrow());
  }

  @Test
  void binaryIsNotText() {
    assertTrue(UnifiedDiff.asText(new byte[] {'a', 0, 'b'}).isEmpty());
    assertTrue(UnifiedDiff.asText(new byte[] {(byte) 0xff, (byte) 0xfe}).isEmpty());
    assertTrue(UnifiedDiff.asText("grüß\n".getBytes(StandardCharsets.UTF_8)).isPresent());
  }

  @Test
  void longOutputIsCut() {
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      a.append("a").append(i).append('\n');
      b.append("b").append(i).append('\n');
    }
    String d = UnifiedDiff.diff("f", a.toString(), b.toString()).orElseThrow();
    assertTrue(d.contains("more lines)"), d);
    assertTrue(d.lines().count() <= UnifiedDiff.MAX_LINES + 4);
  }
}
