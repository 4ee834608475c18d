package dev.bitproof.policy;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of the hardening policy (besides its rules, {@link Rule}). The constant's name is the
 * stable code; each is listed on its area's docs page ({@code docs/policy.md} unless the constant names another
 * area).
 */
public enum PolicyCode implements Code {
  POLICY_BASE_FAMILY(Severity.FAIL),
  POLICY_INVALID(Severity.FAIL),
  POLICY_RULE_PASSED(Severity.FAIL),
  POLICY_TOO_LARGE(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  PolicyCode(Severity defaultSeverity) {
    this(Area.POLICY, defaultSeverity);
  }

  PolicyCode(Area area, Severity defaultSeverity) {
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
