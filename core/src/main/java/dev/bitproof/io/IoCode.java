package dev.bitproof.io;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of reading streams (limits, digests, decompression). The constant's name is the stable
 * code; each is listed on its area's docs page ({@code docs/transport.md} unless the constant names another area).
 */
public enum IoCode implements Code {
  BLOB_DIGEST_MISMATCH(Severity.FAIL),
  BLOB_SIZE_MISMATCH(Severity.FAIL),
  COMPRESSED_CORRUPT(Area.COMPRESS, Severity.FAIL),
  COMPRESSED_TRUNCATED(Area.COMPRESS, Severity.FAIL),
  DECOMPRESSION_BOMB(Area.COMPRESS, Severity.FAIL),
  FILE_ACCESS_DENIED(Severity.FAIL),
  FILE_IS_DIRECTORY(Severity.FAIL),
  FILE_NOT_FOUND(Area.APK, Severity.FAIL),
  IO_ERROR(Severity.FAIL),
  KEY_TOO_LARGE(Area.ATTEST, Severity.FAIL),
  LAYER_MEDIA_TYPE_MISMATCH(Area.VERIFY, Severity.FAIL),
  LAYER_NOT_GZIP(Area.COMPRESS, Severity.INFO),
  LAYER_TOO_LARGE(Severity.FAIL),
  OUTPUT_IS_DIRECTORY(Area.ATTEST, Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  IoCode(Severity defaultSeverity) {
    this(Area.TRANSPORT, defaultSeverity);
  }

  IoCode(Area area, Severity defaultSeverity) {
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
