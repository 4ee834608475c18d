package dev.bitproof.report;

/**
 * The one result vocabulary: the {@code result} of every JSON document, and of every item inside one (a file, an
 * image, a check). The exit code follows it: PASS 0, FAIL 1, ERROR 3.
 */
public enum Outcome {
  /** Done as asked and every check passed: exit 0. */
  PASS,
  /** A check ran and failed: exit 1. */
  FAIL,
  /** Could not check (an item inside a document, or the error document itself): exit 3 or 2. */
  ERROR;

  public static Outcome of(boolean passed) {
    return passed ? PASS : FAIL;
  }

  /** FAIL when any finding fails, else PASS. */
  public static Outcome of(java.util.Collection<Finding> findings) {
    return of(findings.stream().noneMatch(Finding::fails));
  }
}
