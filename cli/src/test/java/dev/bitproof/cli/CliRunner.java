package dev.bitproof.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Runs the CLI in-process through {@link Main#run} with captured writers, as every CLI test does. */
public final class CliRunner {
  private CliRunner() {}

  /** One run: the exit code and what went to stdout and stderr. */
  public record Run(int code, String out, String err) {
    /** stdout as one JSON document ({@code --format json}). */
    public JsonNode json() {
      return Json.parse(out.getBytes(StandardCharsets.UTF_8), "stdout");
    }

    /** The {@code code} of each entry of the report's {@code findings}, in order. */
    public List<String> codes() {
      List<String> c = new ArrayList<>();
      json().get("findings").forEach(f -> c.add(f.get("code").asText()));
      return c;
    }
  }

  public static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }
}
