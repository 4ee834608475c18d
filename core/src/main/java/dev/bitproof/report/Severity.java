package dev.bitproof.report;

/** How a finding weighs on the verdict. Only {@link #FAIL} makes a check fail. */
public enum Severity {
  /** A check passed; the finding records the evidence that it did. */
  OK,
  /** Worth knowing, never fails a check. */
  INFO,
  /** Suspicious but accepted under the active policy. */
  WARN,
  /** A check ran and found a failure. */
  FAIL;

  public boolean fails() {
    return this == FAIL;
  }
}
