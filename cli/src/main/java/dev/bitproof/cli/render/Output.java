package dev.bitproof.cli.render;

import dev.bitproof.report.Outcome;
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
  private final boolean quiet;
  private final boolean color;

  public Output(PrintWriter out, PrintWriter err, Format format) {
    this(out, err, format, false);
  }

  /** @param quiet drop {@link #progress} lines ({@code --quiet}) */
  public Output(PrintWriter out, PrintWriter err, Format format, boolean quiet) {
    this(out, err, format, quiet, false);
  }

  /** @param color colour the verdicts and severities of text output ({@code --color}, {@code NO_COLOR}) */
  public Output(PrintWriter out, PrintWriter err, Format format, boolean quiet, boolean color) {
    this.out = out;
    this.err = err;
    this.format = format;
    this.quiet = quiet;
    this.color = color;
  }

  /** Text for stdout: coloured when {@code --color} says so. */
  private String styled(String text) {
    return color ? Colors.highlight(text) : text;
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
    if (quiet) {
      return;
    }
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

  /**
   * An artifact the command made, as its whole stdout (the SBOM of {@code sbom generate} without {@code --output}): its
   * bytes as they are, so what is printed is what a file would hold.
   */
  public int printArtifact(byte[] bytes) {
    out.print(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
    out.flush();
    return 0;
  }

  /** Each finding as {@link #findingText} on stdout, in order. */
  public void printFindings(Collection<Finding> findings) {
    findings.forEach(f -> out.println(styled(findingText(f))));
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

  /**
   * Prints {@code r} (JSON under the shared envelope, or its text) and returns its exit code: PASS 0, FAIL 1.
   * The one renderer of every command's result.
   */
  public int render(Result r) {
    if (json()) {
      printDocument(r.command(), r.outcome(), r.body());
    } else if (color) {
      java.io.StringWriter text = new java.io.StringWriter();
      PrintWriter w = new PrintWriter(text);
      r.text().accept(w);
      w.flush();
      out.print(styled(text.toString()));
      out.flush();
    } else {
      r.text().accept(out);
      out.flush();
    }
    return exitCode(r.outcome());
  }

  /** The exit code of an outcome: PASS 0, FAIL 1, ERROR (could not check) 3. */
  public static int exitCode(Outcome outcome) {
    return switch (outcome) {
      case PASS -> 0;
      case FAIL -> 1;
      case ERROR -> 3;
    };
  }

  /**
   * The report of verify, compare and demo: its own versioned document ({@code docs/schema/report.json}, which
   * carries the same envelope) or its text; returns the exit code (PASS 0, FAIL 1).
   */
  public int render(dev.bitproof.verify.Report r, boolean verbose) {
    switch (format) {
      case json -> printJson(dev.bitproof.verify.ReportJson.toJson(r, Tool.version()));
      case sarif -> printJson(dev.bitproof.verify.render.ReportSarif.toJson(r, Tool.version(), verbose));
      case junit -> {
        out.print(dev.bitproof.verify.render.ReportJunit.render(r, Tool.version()));
        out.flush();
      }
      case text -> {
        out.print(styled(dev.bitproof.verify.ReportText.render(r, verbose)));
        out.flush();
      }
    }
    return r.passed() ? 0 : 1;
  }

  /**
   * Writes the report as one self-contained HTML page to {@code file}: through a temporary file in the same directory
   * moved into place, so a failed write leaves no half page behind.
   */
  public void writeHtml(dev.bitproof.verify.Report r, java.nio.file.Path file) {
    writeAtomically(file, dev.bitproof.verify.render.ReportHtml.render(r, Tool.version()));
    progress("bitproof: HTML report written to " + file);
  }

  /** Refuses, before any work, a report file that cannot be written: a directory, or a parent that is none. */
  public static void checkWritable(java.nio.file.Path file) {
    java.nio.file.Path abs = file.toAbsolutePath();
    if (java.nio.file.Files.isDirectory(abs)) {
      throw new CheckException(dev.bitproof.io.IoCode.OUTPUT_IS_DIRECTORY, file.toString(), "is a directory; give a file name");
    }
    if (abs.getParent() == null || !java.nio.file.Files.isDirectory(abs.getParent())) {
      throw new CheckException(dev.bitproof.verify.VerifyCode.REPORT_FILE_UNWRITABLE, file.toString(),
          "the directory it would be written in does not exist");
    }
  }

  private static void writeAtomically(java.nio.file.Path file, String content) {
    checkWritable(file);
    java.nio.file.Path abs = file.toAbsolutePath();
    java.nio.file.Path tmp = null;
    try {
      tmp = java.nio.file.Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
      java.nio.file.Files.writeString(tmp, content, java.nio.charset.StandardCharsets.UTF_8);
      java.nio.file.Files.move(tmp, abs, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (java.io.IOException e) {
      try {
        if (tmp != null) {
          java.nio.file.Files.deleteIfExists(tmp);
        }
      } catch (java.io.IOException ignored) {
        // the write failed already; that is the error to report
      }
      throw new CheckException(dev.bitproof.verify.VerifyCode.REPORT_FILE_UNWRITABLE, file.toString(),
          "failed to write the report: " + e.getMessage(), e);
    }
  }

  /** The JSON half of {@link #render}: the envelope, {@code result}, then {@code body}'s fields. */
  public void printDocument(String command, Outcome outcome, dev.bitproof.json.JsonBody body) {
    ObjectNode n = envelope(command, Result.schemaId(command));
    n.put("result", outcome.name());
    ObjectNode fields = Json.mapper().valueToTree(body);
    fields.fields().forEachRemaining(e -> {
      if (!n.has(e.getKey())) {
        n.set(e.getKey(), e.getValue());
      }
    });
    printJson(n);
  }

  /** {@code $schema}, {@code schemaVersion}, {@code tool}, {@code command}: the head of every JSON document. */
  public static ObjectNode envelope(String command, String schemaId) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("$schema", schemaId);
    n.put("schemaVersion", 1);
    n.putObject("tool").put("name", Tool.NAME).put("version", Tool.version());
    n.put("command", command);
    return n;
  }

  public static final String ERROR_SCHEMA_ID = "https://bitproof.dev/schemas/error-v1.json";

  /** The JSON error document for an internal error (exit 4) of {@code command}: kind {@code INTERNAL}, no subject. */
  public static ObjectNode internalErrorJson(dev.bitproof.report.Code code, String message, String command) {
    ObjectNode n = envelope(command, ERROR_SCHEMA_ID);
    n.put("result", "ERROR");
    ObjectNode err = n.putObject("error");
    err.put("code", code.name());
    err.put("kind", "INTERNAL");
    err.put("subject", "");
    err.put("message", message);
    return n;
  }

  /** The JSON error document for "could not check" / usage errors of {@code command} (empty when none was parsed). */
  public static ObjectNode errorJson(CheckException e, String command) {
    ObjectNode n = envelope(command, ERROR_SCHEMA_ID);
    n.put("result", "ERROR");
    ObjectNode err = n.putObject("error");
    err.put("code", e.code().name());
    err.put("kind", e.kind().name());
    err.put("subject", e.subject());
    err.put("message", e.getMessage());
    return n;
  }
}
