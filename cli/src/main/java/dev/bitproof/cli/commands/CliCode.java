package dev.bitproof.cli.commands;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of command-line usage and commands. The constant's name is the stable code; each is listed
 * on its area's docs page ({@code docs/cli.md} unless the constant names another area).
 */
public enum CliCode implements Code {
  ANNOTATION_INVALID(Area.REBUILD, Severity.FAIL),
  DEMO_NOT_FOUND(Area.VERIFY, Severity.FAIL),
  DURATION_INVALID(Area.ATTEST, Severity.FAIL),
  THREADS_INVALID(Area.COMPRESS, Severity.FAIL),
  USAGE_BAD_FINGERPRINT(Area.DEB, Severity.FAIL),
  USAGE_BAD_TIME(Area.DEB, Severity.FAIL),
  USAGE_IMAGE_OR_ROOTFS(Area.DEB, Severity.FAIL),
  USAGE_NOTHING_TO_VERIFY(Area.DEB, Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  CliCode(Severity defaultSeverity) {
    this(Area.CLI, defaultSeverity);
  }

  CliCode(Area area, Severity defaultSeverity) {
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
