package dev.bitproof.cli.render;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import java.io.PrintWriter;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What every command returns: which command, the outcome in the one result vocabulary, the command's own fields
 * (the JSON body) and its text for people. {@link Output#render} prints it as JSON, under the envelope every
 * command shares ({@code $schema}, {@code schemaVersion}, {@code tool}, {@code command}, {@code result}), or as text,
 * and maps the outcome to the exit code.
 *
 * @param command the command as typed, {@code "apk verify"}; its schema is {@code docs/schema/apk-verify.json}
 * @param body the command's own fields, added after the envelope's
 * @param text the text rendering (stdout)
 */
public record Result(String command, Outcome outcome, ObjectNode body, Consumer<PrintWriter> text) {
  public Result {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(outcome, "outcome");
    body = body == null ? Json.mapper().createObjectNode() : body;
    text = text == null ? w -> {} : text;
  }

  /** The one result vocabulary: {@code result} of every document, and of every item inside one. */
  public enum Outcome {
    /** Done as asked and every check passed: exit 0. */
    PASS,
    /** A check ran and failed: exit 1. */
    FAIL,
    /** Could not check (only ever an item inside a document, or the error document itself): exit 3 or 2. */
    ERROR;

    public static Outcome of(boolean passed) {
      return passed ? PASS : FAIL;
    }
  }

  /** The schema id of a command's document: {@code https://bitproof.dev/schemas/apk-verify-v1.json}. */
  public static String schemaId(String command) {
    return "https://bitproof.dev/schemas/" + command.trim().replace(' ', '-') + "-v1.json";
  }
}
