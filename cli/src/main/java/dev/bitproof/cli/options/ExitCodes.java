package dev.bitproof.cli.options;

/** The exit codes scripts and CI depend on. Never renumber. */
public final class ExitCodes {
  /** Verified / ok. */
  public static final int OK = 0;
  /** Checked and found failures: bad or untrusted signature, tampered package, digest mismatch, difference. */
  public static final int FAILED = 1;
  /** Usage error. */
  public static final int USAGE = 2;
  /** Could not check: input unreachable or not of the expected kind, a named file missing. */
  public static final int CANNOT_CHECK = 3;
  /** Internal error (a bug): please report it. */
  public static final int INTERNAL = 4;

  private ExitCodes() {}

  /** The exit-code list printed by every {@code --help}. */
  public static final String[] HELP_LIST = {
    "0:verified / ok",
    "1:checked and found failures (bad or untrusted signature, tampered or corrupt input, digest mismatch, difference)",
    "2:usage error",
    "3:could not check (input unreachable or not of the expected kind, a named file is missing)",
    "4:internal error",
  };
}
