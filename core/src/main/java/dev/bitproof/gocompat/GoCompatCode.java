package dev.bitproof.gocompat;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of the Go-compatible readers. The constant's name is the stable code; each is listed on
 * its area's docs page ({@code docs/rebuild.md} unless the constant names another area).
 */
public enum GoCompatCode implements Code {
  APKO_CONFIG_INVALID(Severity.FAIL),
  TAR_HEADER_INVALID(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  GoCompatCode(Severity defaultSeverity) {
    this(Area.REBUILD, defaultSeverity);
  }

  GoCompatCode(Area area, Severity defaultSeverity) {
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
