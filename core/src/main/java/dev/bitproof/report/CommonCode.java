package dev.bitproof.report;

/**
 * Codes every front end shares (the CLI and the registry hook): an option that cannot be used, and a failure that is
 * a bug rather than a verdict. The constant's name is the stable code; each is listed on {@code docs/cli.md}.
 */
public enum CommonCode implements Code {
  INTERNAL_ERROR(Severity.FAIL),
  OPTION_INVALID(Area.VERIFY, Severity.FAIL),
  USAGE(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  CommonCode(Severity defaultSeverity) {
    this(Area.CLI, defaultSeverity);
  }

  CommonCode(Area area, Severity defaultSeverity) {
    this.area = area;
    this.defaultSeverity = defaultSeverity;
  }

  @Override
  public Area area() {
    return area;
  }

  @Override
  public Severity defaultSeverity() {
    return defaultSeverity;
  }
}
