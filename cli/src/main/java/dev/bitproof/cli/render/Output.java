package dev.bitproof.cli.render;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import java.io.PrintWriter;
import java.util.Collection;

/** Writes reports: JSON to stdout, text to stdout, progress and logs to stderr. */
public final class Output {
  private final PrintWriter out;
  private final PrintWriter err;
  private final Format format;

  public Output(PrintWriter out, PrintWriter err, Format format) {
    this.out = out;
    this.err = err;
    this.format = format;
  }

  public boolean json() {
    return format == Format.json;
  }

  public PrintWriter out() {
    return out;
  }

  public PrintWriter err() {
    return err;
  }

  /** Progress for long operations: stderr only, never mixed into JSON. */
  public void progress(String line) {
    err.println(line);
    err.flush();
  }

  /** Pretty JSON document on stdout, newline-terminated. */
  public void printJson(Object node) {
    try {
      out.println(Json.mapper().writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node));
      out.flush();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Each finding as {@link #findingText} on stdout, in order. */
  public void printFindings(Collection<Finding> findings) {
    findings.forEach(f -> out.println(findingText(f)));
  }

  public static ObjectNode findingJson(Finding f) {
    return dev.bitproof.verify.ReportJson.finding(f);
  }

  public static com.fasterxml.jackson.databind.node.ArrayNode findingsJson(Collection<Finding> fs) {
    var a = Json.mapper().createArrayNode();
    fs.forEach(f -> a.add(findingJson(f)));
    return a;
  }

  public static String findingText(Finding f) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-5s %s", f.severity(), f.code()));
    if (!f.subject().isEmpty()) {
      sb.append("  ").append(f.subject());
    }
    if (!f.message().isEmpty()) {
      sb.append(": ").append(f.message());
    }
    f.evidence().forEach((k, v) -> sb.append("\n        ").append(k).append(": ").append(v));
    return sb.toString();
  }

  /** The JSON error document for an internal error (exit 4): kind {@code INTERNAL}, no subject. */
  public static ObjectNode internalErrorJson(dev.bitproof.report.Code code, String message) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("schemaVersion", 1);
    n.put("result", "ERROR");
    ObjectNode err = n.putObject("error");
    err.put("code", code.name());
    err.put("kind", "INTERNAL");
    err.put("subject", "");
    err.put("message", message);
    return n;
  }

  /** The JSON error document for "could not check" / usage errors. */
  public static ObjectNode errorJson(CheckException e) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("schemaVersion", 1);
    n.put("result", "ERROR");
    ObjectNode err = n.putObject("error");
    err.put("code", e.code().name());
    err.put("kind", e.kind().name());
    err.put("subject", e.subject());
    err.put("message", e.getMessage());
    return n;
  }
}
