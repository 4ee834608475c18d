package dev.bitproof.compare;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of comparing two images. The constant's name is the stable code; each is listed on its
 * area's docs page ({@code docs/verify.md} unless the constant names another area).
 */
public enum CompareCode implements Code {
  CONFIG_FIELD_DIFFERS(Severity.FAIL),
  FILE_ADDED(Severity.FAIL),
  FILE_CHANGED(Severity.FAIL),
  FILE_REMOVED(Severity.FAIL),
  IGNORE_RULE_APPLIED(Severity.INFO),
  IMAGE_BIT_IDENTICAL(Severity.OK),
  IMAGE_CONTENT_IDENTICAL(Severity.OK),
  IMAGE_DIFFERENT(Severity.FAIL),
  IMAGE_SEMANTICALLY_IDENTICAL(Severity.INFO),
  INDEX_ANNOTATION_DIFFERS(Severity.FAIL),
  INDEX_DESCRIPTOR_DIFFERS(Severity.FAIL),
  INDEX_DUPLICATE_PLATFORM(Severity.FAIL),
  INDEX_ENTRY_UNKNOWN(Severity.FAIL),
  INDEX_FIELD_DIFFERS(Severity.FAIL),
  INDEX_ORDER_DIFFERS(Severity.FAIL),
  LAYERING_DIFFERS_CONTENT_SAME(Severity.INFO),
  LAYER_ADDED(Severity.INFO),
  LAYER_ANNOTATION_DIFFERS(Severity.FAIL),
  LAYER_BIT_IDENTICAL(Severity.OK),
  LAYER_BOUNDARIES_DIFFER(Severity.INFO),
  LAYER_BYTES_DIFFER_UNEXPLAINED(Severity.FAIL),
  LAYER_COMPARED_MERGED(Severity.INFO),
  LAYER_COMPRESSION_DIFFERS(Severity.FAIL),
  LAYER_CONTENT_IDENTICAL(Severity.OK),
  LAYER_COUNT_DIFFERS(Severity.INFO),
  LAYER_DESCRIPTOR_DIFFERS(Severity.FAIL),
  LAYER_DIFFERENT(Severity.FAIL),
  LAYER_DIFF_ID_MISMATCH(Severity.FAIL),
  LAYER_EXPLANATION_TRUNCATED(Severity.INFO),
  LAYER_IGNORED_DIFFERENCES(Severity.INFO),
  LAYER_MEDIA_TYPE_DIFFERS(Severity.FAIL),
  LAYER_REMOVED(Severity.INFO),
  LAYER_SEMANTICALLY_IDENTICAL(Severity.INFO),
  LAYER_TAR_ENCODING_DIFFERS(Severity.INFO),
  MANIFEST_ANNOTATION_DIFFERS(Severity.FAIL),
  MANIFEST_ENCODING_DIFFERS(Severity.INFO),
  MANIFEST_FIELD_DIFFERS(Severity.FAIL),
  MERGED_FILESYSTEM_DIFFERENT(Severity.FAIL),
  NESTED_CORRUPT(Severity.INFO),
  NESTED_DECOMPRESSION_BOMB(Severity.INFO),
  NESTED_TOO_DEEP(Severity.INFO),
  NESTED_TOO_LARGE(Severity.INFO),
  NO_IMAGES(Severity.FAIL),
  PACKAGE_ADDED(Severity.FAIL),
  PACKAGE_REMOVED(Severity.FAIL),
  PACKAGE_VERSION_DIFFERS(Severity.FAIL),
  PLATFORM_MISSING(Severity.FAIL),
  REPORT_DIR_NOT_EMPTY(Severity.FAIL),
  REPORT_DIR_UNWRITABLE(Severity.FAIL),
  ROOT_KIND_DIFFERS(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  CompareCode(Severity defaultSeverity) {
    this(Area.VERIFY, defaultSeverity);
  }

  CompareCode(Area area, Severity defaultSeverity) {
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
