package dev.bitproof.attest.dsse;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of DSSE envelopes. The constant's name is the stable code; each is listed on its area's
 * docs page ({@code docs/attest.md} unless the constant names another area).
 */
public enum DsseCode implements Code {
  DSSE_INVALID(Severity.FAIL),
  DSSE_KEYID_MISMATCH(Severity.WARN),
  DSSE_NO_SIGNATURE(Severity.FAIL),
  DSSE_PAYLOAD_TYPE(Severity.FAIL),
  DSSE_SIGNATURE_COUNT(Severity.FAIL),
  DSSE_SIGNATURE_INVALID(Severity.FAIL),
  DSSE_SIGNATURE_VALID(Severity.OK);

  private final Area area;
  private final Severity defaultSeverity;

  DsseCode(Severity defaultSeverity) {
    this(Area.ATTEST, defaultSeverity);
  }

  DsseCode(Area area, Severity defaultSeverity) {
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
