package dev.bitproof.json;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of JSON documents. The constant's name is the stable code; each is listed on its area's
 * docs page ({@code docs/verify.md} unless the constant names another area).
 */
public enum JsonCode implements Code {
  JSON_INVALID(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  JsonCode(Severity defaultSeverity) {
    this(Area.VERIFY, defaultSeverity);
  }

  JsonCode(Area area, Severity defaultSeverity) {
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
