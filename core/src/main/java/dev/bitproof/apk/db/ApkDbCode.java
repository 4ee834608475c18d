package dev.bitproof.apk.db;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of the apk installed database. The constant's name is the stable code; each is listed on
 * its area's docs page ({@code docs/sbom.md} unless the constant names another area).
 */
public enum ApkDbCode implements Code {
  APK_DB_CHECKSUM_INVALID(Severity.FAIL),
  APK_DB_INVALID(Severity.FAIL),
  APK_DB_TOO_LARGE(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  ApkDbCode(Severity defaultSeverity) {
    this(Area.SBOM, defaultSeverity);
  }

  ApkDbCode(Area area, Severity defaultSeverity) {
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
