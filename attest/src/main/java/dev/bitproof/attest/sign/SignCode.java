package dev.bitproof.attest.sign;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of signing keys. The constant's name is the stable code; each is listed on its area's docs
 * page ({@code docs/attest.md} unless the constant names another area).
 */
public enum SignCode implements Code {
  FILE_EXISTS(Severity.FAIL),
  KEY_INVALID(Severity.FAIL),
  KEY_NOT_PRIVATE(Severity.FAIL),
  KEY_PASSPHRASE_MISSING(Severity.FAIL),
  KEY_PASSPHRASE_WRONG(Severity.FAIL),
  KEY_TYPE_UNSUPPORTED(Severity.FAIL),
  KEY_UNSUPPORTED(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  SignCode(Severity defaultSeverity) {
    this(Area.ATTEST, defaultSeverity);
  }

  SignCode(Area area, Severity defaultSeverity) {
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
