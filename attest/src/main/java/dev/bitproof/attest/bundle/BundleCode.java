package dev.bitproof.attest.bundle;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of Sigstore bundles and keyless verification. The constant's name is the stable code; each
 * is listed on its area's docs page ({@code docs/attest.md} unless the constant names another area).
 */
public enum BundleCode implements Code {
  BUNDLE_INVALID(Severity.FAIL),
  BUNDLE_KEYLESS(Severity.FAIL),
  BUNDLE_KEY_HINT_MISMATCH(Severity.FAIL),
  BUNDLE_KEY_HINT_MISSING(Severity.FAIL),
  BUNDLE_UNSUPPORTED(Severity.FAIL),
  KEYLESS_BUNDLE_INVALID(Severity.FAIL),
  KEYLESS_INVALID(Severity.FAIL),
  KEYLESS_UNSUPPORTED(Severity.FAIL),
  KEYLESS_VERIFIED(Severity.OK),
  TRUSTED_ROOT_INVALID(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  BundleCode(Severity defaultSeverity) {
    this(Area.ATTEST, defaultSeverity);
  }

  BundleCode(Area area, Severity defaultSeverity) {
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
