package dev.bitproof.rebuild;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of rebuilding an image from apko.yaml. The constant's name is the stable code; each is
 * listed on its area's docs page ({@code docs/rebuild.md} unless the constant names another area).
 */
public enum RebuildCode implements Code {
  APKO_VERSION_AMBIGUOUS(Severity.FAIL),
  APKO_VERSION_INVALID(Severity.FAIL),
  APKO_VERSION_UNKNOWN(Severity.FAIL),
  BUILD_ACCOUNTS_INVALID(Severity.FAIL),
  BUILD_BASE_APKINDEX_INVALID(Severity.FAIL),
  BUILD_BASE_APKINDEX_MISSING(Severity.FAIL),
  BUILD_BASE_APKINDEX_TOO_LARGE(Severity.FAIL),
  BUILD_BASE_ARCH_MISSING(Severity.FAIL),
  BUILD_BASE_DIR_MODE(Severity.FAIL),
  BUILD_BASE_IMAGE_NEEDS_LOCK(Severity.FAIL),
  BUILD_BASE_IMAGE_NOT_FOUND(Severity.FAIL),
  BUILD_BASE_INVALID(Severity.FAIL),
  BUILD_BASE_LAYER_MISMATCH(Severity.FAIL),
  BUILD_BASE_LAYER_TOO_LARGE(Severity.FAIL),
  BUILD_BASE_PACKAGE_UNAVAILABLE(Severity.FAIL),
  BUILD_BUSYBOX_UNOWNED(Severity.FAIL),
  BUILD_BUSYBOX_VERSION_INVALID(Severity.FAIL),
  BUILD_CERTIFICATE_INVALID(Severity.FAIL),
  BUILD_CERTIFICATE_TOO_LARGE(Severity.FAIL),
  BUILD_EPOCH_INVALID(Severity.FAIL),
  BUILD_FILE_CONFLICT(Severity.FAIL),
  BUILD_FILE_MISSING(Severity.FAIL),
  BUILD_IS_DIRECTORY(Severity.FAIL),
  BUILD_LDSO_CACHE_FAILED(Severity.FAIL),
  BUILD_LINK_TARGET_MISSING(Severity.FAIL),
  BUILD_OPTIONS_INVALID(Severity.FAIL),
  BUILD_PARENT_MISSING(Severity.FAIL),
  BUILD_PARENT_NOT_DIR(Severity.FAIL),
  BUILD_PATH_ESCAPES_ROOT(Severity.FAIL),
  BUILD_PATH_EXISTS(Severity.FAIL),
  BUILD_PATH_MISSING(Severity.FAIL),
  BUILD_SBOM_FORMAT_UNSUPPORTED(Severity.FAIL),
  BUILD_SYMLINK_LOOP(Severity.FAIL),
  BUILD_TAG_INVALID(Severity.FAIL),
  BUILD_TRUSTSTORE_INVALID(Severity.FAIL),
  BUILD_UNSUPPORTED(Severity.FAIL),
  CONFIG_NOT_FOUND(Area.VERIFY, Severity.FAIL),
  LAYER_REUSE_MISMATCH(Severity.FAIL),
  LAYER_REUSE_MISSING(Severity.FAIL),
  LDSO_CACHE_INVALID(Severity.FAIL),
  LOCK_ARCH_MISSING(Severity.FAIL),
  LOCK_CONFIG_MISMATCH(Severity.FAIL),
  LOCK_NOT_FOUND(Severity.FAIL),
  LOCK_TOO_OLD(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  RebuildCode(Severity defaultSeverity) {
    this(Area.REBUILD, defaultSeverity);
  }

  RebuildCode(Area area, Severity defaultSeverity) {
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
