package dev.bitproof.compare;

import dev.bitproof.report.Finding;

/** The one finding of a comparison a test looks for, or an assertion error that lists them all. */
final class Found {
  private Found() {}

  static Finding bySubject(Comparison c, String subject) {
    return c.allFindings().stream().filter(f -> f.subject().equals(subject)).findFirst()
        .orElseThrow(() -> new AssertionError("no finding for " + subject + " in " + c.allFindings()));
  }

  static Finding byCode(Comparison c, CompareCode code) {
    return c.allFindings().stream().filter(f -> f.code() == code).findFirst()
        .orElseThrow(() -> new AssertionError("no " + code + " in " + c.allFindings()));
  }
}
