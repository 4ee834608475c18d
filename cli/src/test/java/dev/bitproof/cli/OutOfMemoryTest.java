package dev.bitproof.cli;

import dev.bitproof.cli.options.ExitCodes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.Json;
import dev.bitproof.testing.ReportSchema;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Running out of heap is an internal error (exit 4) that says how to rerun, never "could not check" (exit 3). */
class OutOfMemoryTest {
  private record Handled(int code, String out, String err) {}

  private static Handled handle(Exception ex, boolean json) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.handle(ex, new PrintWriter(out), new PrintWriter(err), json, "build", null);
    return new Handled(code, out.toString(), err.toString());
  }

  @Test
  void oomWrappedInIoExceptionIsInternalWithTheRemedy() {
    // the shape the issue saw: an executor's OutOfMemoryError wrapped in an IOException
    Handled h = handle(new IOException(new OutOfMemoryError("Java heap space")), false);
    assertEquals(ExitCodes.INTERNAL, h.code());
    assertTrue(h.err().contains("OUT_OF_MEMORY"), h.err());
    assertTrue(h.err().contains("rerun with a larger heap, e.g. BITPROOF_JAVA_OPTS=-Xmx2g"), h.err());
    assertFalse(h.err().contains("IO_ERROR"), h.err());
  }

  @Test
  void oomDeepInACauseChainAsJsonFollowsTheSchema() {
    Handled h = handle(new IllegalStateException(new RuntimeException(new OutOfMemoryError())), true);
    assertEquals(ExitCodes.INTERNAL, h.code());
    JsonNode doc = Json.parse(h.out().getBytes(StandardCharsets.UTF_8), "stdout");
    assertEquals("OUT_OF_MEMORY", doc.get("error").get("code").asText());
    assertEquals("INTERNAL", doc.get("error").get("kind").asText());
    assertEquals(List.of(), ReportSchema.validate(doc));
  }

  @Test
  void plainIoErrorStaysCannotCheck() {
    Handled h = handle(new IOException("disk gone"), false);
    assertEquals(ExitCodes.CANNOT_CHECK, h.code());
    assertTrue(h.err().contains("IO_ERROR"), h.err());
  }
}
