package dev.bitproof.compress;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of reproducing layer compression. The constant's name is the stable code; each is listed
 * on its area's docs page ({@code docs/compress.md} unless the constant names another area).
 */
public enum CompressCode implements Code {
  COMPRESSION_UNKNOWN(Severity.FAIL),
  LAYER_COMPRESSION_NOT_REPRODUCED(Severity.FAIL),
  LAYER_COMPRESSION_REPRODUCED(Severity.OK);

  private final Area area;
  private final Severity defaultSeverity;

  CompressCode(Severity defaultSeverity) {
    this(Area.COMPRESS, defaultSeverity);
  }

  CompressCode(Area area, Severity defaultSeverity) {
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
