package dev.bitproof.image;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of image filesystems. The constant's name is the stable code; each is listed on its area's
 * docs page ({@code docs/transport.md} unless the constant names another area).
 */
public enum ImageCode implements Code {
  SYMLINK_LOOP(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  ImageCode(Severity defaultSeverity) {
    this(Area.TRANSPORT, defaultSeverity);
  }

  ImageCode(Area area, Severity defaultSeverity) {
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
