package dev.bitproof.report;

/**
 * A stable finding or error code. Each area has its own enum in its own package ({@code ApkCode},
 * {@code TransportCode}, {@code policy.Rule} …) whose constant names are the codes printed in text and JSON;
 * scripts match on them, so a constant never changes meaning. Code never matches a code's or a message's text:
 * what callers need to know about a code is a property of its enum.
 */
public interface Code {
  /** The printed code, e.g. {@code APK_SIGNATURE_UNTRUSTED_KEY}: the enum constant's name. */
  String name();

  /** Whose docs page lists the code. */
  Area area();

  /** The severity a finding of this code usually carries (exception codes: {@link Severity#FAIL}). */
  Severity defaultSeverity();
}
