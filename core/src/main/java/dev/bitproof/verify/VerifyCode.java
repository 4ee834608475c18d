package dev.bitproof.verify;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of verify (rebuild, compare, signatures, published checks). The constant's name is the
 * stable code; each is listed on its area's docs page ({@code docs/verify.md} unless the constant names another
 * area).
 */
public enum VerifyCode implements Code {
  APKO_VERSION_NOT_REPRODUCED(Area.REBUILD, Severity.INFO),
  APKO_VERSION_REPRODUCED(Area.REBUILD, Severity.OK),
  COMPARE_VERDICT(Severity.FAIL),
  COMPARE_VERDICT_BELOW_REQUIRED(Severity.FAIL),
  IMAGE_APKO_JSON_INCONSISTENT(Severity.FAIL),
  IMAGE_APKO_JSON_INVALID(Severity.FAIL),
  IMAGE_APKO_JSON_MISSING(Severity.FAIL),
  IMAGE_APKO_JSON_OK(Severity.OK),
  IMAGE_ARCH_UNKNOWN(Severity.FAIL),
  IMAGE_INSTALLED_DB_INVALID(Severity.FAIL),
  IMAGE_INSTALLED_DB_MISSING(Severity.FAIL),
  IMAGE_RECIPE_UNSUPPORTED(Severity.FAIL),
  PLATFORM_UNSUPPORTED(Severity.FAIL),
  PUBLISHED_DATE_INVALID(Severity.FAIL),
  REBUILD_ARCH(Severity.OK),
  REBUILD_OK(Severity.OK),
  REPORT_FILE_UNWRITABLE(Severity.FAIL),
  SBOM_NONE(Severity.INFO),
  SIGNATURES_NONE_CHECKED(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  VerifyCode(Severity defaultSeverity) {
    this(Area.VERIFY, defaultSeverity);
  }

  VerifyCode(Area area, Severity defaultSeverity) {
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
