package dev.bitproof.cli.render;

import dev.bitproof.json.JsonBody;
import dev.bitproof.report.Outcome;
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
 * @param body the command's own fields, added after the envelope's: a typed record serialized by {@code Json.mapper()}
 * @param text the text rendering (stdout)
 */
public record Result(String command, Outcome outcome, JsonBody body, Consumer<PrintWriter> text) {
  public Result {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(body, "body");
    text = text == null ? w -> {} : text;
  }

  /** The schema id of a command's document: {@code https://bitproof.dev/schemas/apk-verify-v1.json}. */
  public static String schemaId(String command) {
    return "https://bitproof.dev/schemas/" + command.trim().replace(' ', '-') + "-v1.json";
  }
}
