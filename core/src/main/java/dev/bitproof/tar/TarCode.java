package dev.bitproof.tar;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of tar archives. The constant's name is the stable code; each is listed on its area's docs
 * page ({@code docs/transport.md} unless the constant names another area).
 */
public enum TarCode implements Code {
  TAR_CORRUPT(Area.VERIFY, Severity.FAIL),
  TAR_PATH_ESCAPE(Severity.FAIL),
  TAR_PATH_INVALID(Severity.FAIL),
  TAR_TOO_LARGE(Severity.FAIL),
  TAR_TOO_MANY_ENTRIES(Area.VERIFY, Severity.FAIL),
  TAR_TRUNCATED(Area.VERIFY, Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  TarCode(Severity defaultSeverity) {
    this(Area.TRANSPORT, defaultSeverity);
  }

  TarCode(Area area, Severity defaultSeverity) {
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
