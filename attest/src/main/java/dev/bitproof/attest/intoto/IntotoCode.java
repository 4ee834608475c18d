package dev.bitproof.attest.intoto;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of in-toto statements and verification reports. The constant's name is the stable code;
 * each is listed on its area's docs page ({@code docs/attest.md} unless the constant names another area).
 */
public enum IntotoCode implements Code {
  REPORT_INVALID(Severity.FAIL),
  REPORT_TOO_LARGE(Severity.FAIL),
  STATEMENT_INVALID(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  IntotoCode(Severity defaultSeverity) {
    this(Area.ATTEST, defaultSeverity);
  }

  IntotoCode(Area area, Severity defaultSeverity) {
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
