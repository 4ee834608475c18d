package dev.bitproof.cli.render;

/**
 * Output format of every command: text for people, JSON (on stdout) for scripts; for the report of verify, compare
 * and demo also SARIF 2.1.0 (code-scanning UIs) and JUnit XML (CI test reporters).
 */
public enum Format {
  text, json, sarif, junit;

  /** Formats only a report of findings (verify, compare, demo) can be written in. */
  public boolean reportOnly() {
    return this == sarif || this == junit;
  }
}
