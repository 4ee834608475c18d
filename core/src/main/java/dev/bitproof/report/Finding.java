package dev.bitproof.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The result of one check: a stable machine-readable code, a severity, what it is about and the evidence.
 *
 * <p>Codes are part of the CLI contract: scripts match on them, so a code never changes meaning.
 *
 * @param code stable code such as {@code ApkCode.APK_SIGNATURE_UNTRUSTED_KEY}
 * @param severity how it weighs on the verdict
 * @param subject what the finding is about (a file, a package, a digest, a JSON field)
 * @param message one human sentence
 * @param evidence ordered facts (expected, actual, key, path ...)
 */
public record Finding(Code code, Severity severity, String subject, String message, Map<String, String> evidence) {
  public Finding {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(severity, "severity");
    subject = subject == null ? "" : subject;
    message = message == null ? "" : message;
    evidence = evidence == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
  }

  public static Finding ok(Code code, String subject, String message) {
    return new Finding(code, Severity.OK, subject, message, Map.of());
  }

  public static Finding fail(Code code, String subject, String message) {
    return new Finding(code, Severity.FAIL, subject, message, Map.of());
  }

  public static Finding of(Code code, Severity severity, String subject, String message) {
    return new Finding(code, severity, subject, message, Map.of());
  }

  /** A copy with one more evidence entry (insertion order kept). */
  public Finding with(String key, Object value) {
    Map<String, String> e = new LinkedHashMap<>(evidence);
    e.put(key, String.valueOf(value));
    return new Finding(code, severity, subject, message, e);
  }

  public boolean fails() {
    return severity.fails();
  }

  @Override
  public String toString() {
    return severity + " " + code.name() + " " + subject + ": " + message + (evidence.isEmpty() ? "" : " " + evidence);
  }
}
