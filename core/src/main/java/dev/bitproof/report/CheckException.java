package dev.bitproof.report;

import java.util.Objects;

/**
 * "Could not check": the input was unreachable, not of the expected kind, over a limit, or corrupt before any
 * verdict could be formed. A check that ran and found a failure is a {@link Finding}, never an exception.
 *
 * <p>The {@link #code()} is stable (scripts match on it); the message is for people.
 */
public class CheckException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What the CLI maps the failure to. */
  public enum Kind {
    /** Input unreachable, missing, or not of the expected kind: exit 3. */
    CANNOT_CHECK,
    /** The input was read and proved wrong (digest mismatch while streaming, tampered bytes): exit 1. */
    INTEGRITY,
    /** The user asked for something impossible (bad flag combination, bad reference syntax): exit 2. */
    USAGE
  }

  private final Code code;
  private final Kind kind;
  private final String subject;
  private final String step;

  public CheckException(Code code, Kind kind, String subject, String message, Throwable cause) {
    this(code, kind, subject, message, cause, "");
  }

  private CheckException(Code code, Kind kind, String subject, String message, Throwable cause, String step) {
    super(message, cause);
    this.code = Objects.requireNonNull(code);
    this.kind = Objects.requireNonNull(kind);
    this.subject = subject == null ? "" : subject;
    this.step = Objects.requireNonNull(step);
  }

  public CheckException(Code code, String subject, String message) {
    this(code, Kind.CANNOT_CHECK, subject, message, null);
  }

  public CheckException(Code code, String subject, String message, Throwable cause) {
    this(code, Kind.CANNOT_CHECK, subject, message, cause);
  }

  public static CheckException integrity(Code code, String subject, String message) {
    return new CheckException(code, Kind.INTEGRITY, subject, message, null);
  }

  public static CheckException usage(Code code, String message) {
    return new CheckException(code, Kind.USAGE, "", message, null);
  }

  public Code code() {
    return code;
  }

  public Kind kind() {
    return kind;
  }

  public String subject() {
    return subject;
  }

  /** The named step (e.g. of a rebuild) this failure was attributed to, or "" when none was yet. */
  public String step() {
    return step;
  }

  /** This failure attributed to a named step: same code, kind and subject, the step's message, this as cause. */
  public CheckException inStep(String step, String message) {
    return new CheckException(code, kind, subject, message, this, step);
  }

  @Override
  public String toString() {
    return code.name() + (subject.isEmpty() ? "" : " " + subject) + ": " + getMessage();
  }
}
