package dev.bitproof.policy;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/** The hardening rules. The name is the stable finding code. */
public enum Rule implements Code {
  RUNS_AS_ROOT("the container runs as root (config User empty, 0 or root)", Severity.FAIL, Severity.WARN),
  USER_NOT_IN_PASSWD("config User names a user or group missing from /etc/passwd or /etc/group, or an id out of range",
      Severity.FAIL, Severity.WARN),
  SHELL_PRESENT("a shell (sh, bash, ash, dash, busybox …) is present", Severity.FAIL, Severity.INFO),
  PACKAGE_MANAGER_PRESENT("a package manager (apk, dpkg, apt …) is present", Severity.FAIL, Severity.INFO),
  SETUID_FILE("a regular file has the setuid or setgid bit", Severity.FAIL, Severity.WARN),
  WORLD_WRITABLE("a file or directory outside the allowed temp dirs is world-writable", Severity.FAIL, Severity.WARN),
  NO_CA_CERTIFICATES("no CA bundle: TLS clients in the image cannot verify servers (informational: whether the "
      + "entrypoint needs TLS is unknown)", Severity.INFO, Severity.INFO),
  DEBUG_SYMBOLS("a binary carries debug info or a symbol table (not stripped)", Severity.WARN, Severity.INFO),
  ENTRYPOINT_MISSING("no entrypoint/cmd, or its program is not in the image", Severity.FAIL, Severity.WARN),
  ACCOUNTS_MALFORMED("/etc/passwd or /etc/group has malformed lines", Severity.WARN, Severity.INFO);

  private final String description;
  private final Severity production;
  private final Severity dev;

  Rule(String description, Severity production, Severity dev) {
    this.description = description;
    this.production = production;
    this.dev = dev;
  }

  public String description() {
    return description;
  }

  @Override
  public Area area() {
    return Area.POLICY;
  }

  /** The production profile's severity. */
  @Override
  public Severity defaultSeverity() {
    return production;
  }

  public Severity defaultSeverity(Profile p) {
    return p == Profile.PRODUCTION ? production : dev;
  }

  /** Built-in profiles. */
  public enum Profile {
    /** Images that ship to production: strict. */
    PRODUCTION,
    /** Build and development images: the same facts, mostly informational. */
    DEV
  }
}
