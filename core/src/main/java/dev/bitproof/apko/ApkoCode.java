package dev.bitproof.apko;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of apko.yaml and its lock file. The constant's name is the stable code; each is listed on
 * its area's docs page ({@code docs/rebuild.md} unless the constant names another area).
 */
public enum ApkoCode implements Code {
  APKO_ARCH_UNKNOWN(Severity.FAIL),
  APKO_CONFIG_DUPLICATE_KEY(Severity.FAIL),
  APKO_CONFIG_INCLUDE(Severity.FAIL),
  APKO_CONFIG_INCLUDE_LOOP(Severity.FAIL),
  APKO_CONFIG_INCLUDE_TOO_DEEP(Severity.FAIL),
  APKO_CONFIG_NOT_FOUND(Severity.FAIL),
  APKO_CONFIG_TAG_REFUSED(Severity.FAIL),
  APKO_CONFIG_TOO_LARGE(Severity.FAIL),
  APKO_CONFIG_TYPE(Severity.FAIL),
  APKO_CONFIG_UNKNOWN_KEY(Severity.FAIL),
  APKO_CONFIG_YAML_INVALID(Severity.FAIL),
  LOCK_INVALID(Severity.FAIL),
  LOCK_TOO_LARGE(Severity.FAIL),
  LOCK_VERSION_UNSUPPORTED(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  ApkoCode(Severity defaultSeverity) {
    this(Area.REBUILD, defaultSeverity);
  }

  ApkoCode(Area area, Severity defaultSeverity) {
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
