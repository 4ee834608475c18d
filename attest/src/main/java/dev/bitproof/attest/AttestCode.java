package dev.bitproof.attest;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of attestation verification and signing. The constant's name is the stable code; each is
 * listed on its area's docs page ({@code docs/attest.md} unless the constant names another area).
 */
public enum AttestCode implements Code {
  ATTESTATION_INVALID(Severity.FAIL),
  ATTESTATION_TOO_LARGE(Severity.FAIL),
  ATTEST_FRESH(Severity.OK),
  ATTEST_KEY_REQUIRED(Severity.FAIL),
  ATTEST_LEVELS_MATCHED(Severity.OK),
  ATTEST_LEVEL_MISSING(Severity.FAIL),
  ATTEST_NONE_VALID(Severity.OK),
  ATTEST_OUTPUT_REQUIRED(Severity.FAIL),
  ATTEST_POLICY_MATCHED(Severity.OK),
  ATTEST_POLICY_MISMATCH(Severity.FAIL),
  ATTEST_RESOURCE_MATCHED(Severity.OK),
  ATTEST_RESOURCE_MISMATCH(Severity.FAIL),
  ATTEST_RESULT_FAILED(Severity.FAIL),
  ATTEST_RESULT_PASSED(Severity.OK),
  ATTEST_STALE(Severity.FAIL),
  ATTEST_SUBJECT_MATCHED(Severity.OK),
  ATTEST_SUBJECT_MISMATCH(Severity.FAIL),
  ATTEST_SUBJECT_REQUIRED(Severity.FAIL),
  ATTEST_SUPERSEDED(Severity.INFO),
  ATTEST_TIME_IN_FUTURE(Severity.FAIL),
  ATTEST_TIME_MISSING(Severity.FAIL),
  ATTEST_TYPE_MATCHED(Severity.OK),
  ATTEST_TYPE_MISMATCH(Severity.FAIL),
  ATTEST_VERIFIER_MISMATCH(Severity.FAIL),
  BUNDLE_NOT_KEYLESS(Severity.FAIL),
  DSSE_KEY_REQUIRED(Severity.FAIL),
  KEYLESS_IDENTITY_REQUIRED(Severity.FAIL),
  KEYLESS_TRUSTED_ROOT_REQUIRED(Severity.FAIL),
  TRUST_REQUIRED(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  AttestCode(Severity defaultSeverity) {
    this(Area.ATTEST, defaultSeverity);
  }

  AttestCode(Area area, Severity defaultSeverity) {
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
