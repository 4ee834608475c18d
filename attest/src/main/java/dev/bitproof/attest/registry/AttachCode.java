package dev.bitproof.attest.registry;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of attaching attestations to images. The constant's name is the stable code; each is
 * listed on its area's docs page ({@code docs/attest.md} unless the constant names another area).
 */
public enum AttachCode implements Code {
  ATTACH_DIGEST_MISMATCH(Severity.FAIL),
  ATTACH_LAYOUT_INVALID(Severity.FAIL),
  ATTACH_TRANSPORT_UNSUPPORTED(Severity.FAIL),
  ATTACH_UNTAGGED_LAYOUT(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  AttachCode(Severity defaultSeverity) {
    this(Area.ATTEST, defaultSeverity);
  }

  AttachCode(Area area, Severity defaultSeverity) {
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
