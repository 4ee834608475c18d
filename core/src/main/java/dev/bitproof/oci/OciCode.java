package dev.bitproof.oci;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of OCI manifests, indexes, descriptors and references. The constant's name is the stable
 * code; each is listed on its area's docs page ({@code docs/transport.md} unless the constant names another area).
 */
public enum OciCode implements Code {
  CONFIG_INVALID(Severity.FAIL),
  CONFIG_TOO_LARGE(Severity.FAIL),
  DESCRIPTOR_INVALID(Severity.FAIL),
  DIGEST_INVALID(Severity.FAIL),
  INDEX_CYCLE(Severity.FAIL),
  MANIFEST_DIGEST_MISMATCH(Severity.FAIL),
  MANIFEST_INVALID(Severity.FAIL),
  MANIFEST_TOO_LARGE(Severity.FAIL),
  MEDIA_TYPE_MISMATCH(Severity.FAIL),
  MEDIA_TYPE_UNSUPPORTED(Severity.FAIL),
  PLATFORM_INVALID(Severity.FAIL),
  REFERENCE_INVALID(Severity.FAIL),
  TRANSPORT_UNKNOWN(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  OciCode(Severity defaultSeverity) {
    this(Area.TRANSPORT, defaultSeverity);
  }

  OciCode(Area area, Severity defaultSeverity) {
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
