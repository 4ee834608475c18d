package dev.bitproof.apk;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Finding and error codes of APK packages, APKINDEX files, keyrings and the resolver. The constant's name is the
 * stable code; each is listed on its area's docs page ({@code docs/apk.md} unless the constant names another area).
 */
public enum ApkCode implements Code {
  APKINDEX_CHECKSUM_INVALID(Severity.FAIL),
  APKINDEX_DECOMPRESSION_BOMB(Severity.FAIL),
  APKINDEX_INVALID(Severity.FAIL),
  APKINDEX_LAYOUT_INVALID(Severity.FAIL),
  APKINDEX_LINE_TOO_LONG(Severity.FAIL),
  APKINDEX_MISSING(Severity.FAIL),
  APKINDEX_NOT_GZIP(Severity.FAIL),
  APKINDEX_PACKAGE_ARCH_MISMATCH(Severity.FAIL),
  APKINDEX_PACKAGE_CHECKSUM_MISMATCH(Severity.FAIL),
  APKINDEX_PACKAGE_OK(Severity.OK),
  APKINDEX_PACKAGE_SIZE_MISMATCH(Severity.FAIL),
  APKINDEX_PACKAGE_VERSION_MISMATCH(Severity.FAIL),
  APKINDEX_SIGNATURE_INVALID(Severity.FAIL),
  APKINDEX_SIGNATURE_KEY_INVALID(Severity.FAIL),
  APKINDEX_SIGNATURE_OK(Severity.OK),
  APKINDEX_SIGNATURE_TOO_LARGE(Severity.FAIL),
  APKINDEX_SIGNATURE_UNSUPPORTED(Severity.FAIL),
  APKINDEX_SIGNATURE_UNTRUSTED_KEY(Severity.FAIL),
  APKINDEX_TAR_CORRUPT(Severity.FAIL),
  APKINDEX_TAR_PATH_INVALID(Severity.FAIL),
  APKINDEX_TOO_LARGE(Severity.FAIL),
  APKINDEX_TOO_MANY_STREAMS(Severity.FAIL),
  APKINDEX_UNSIGNED(Severity.FAIL),
  APK_CHECKSUM_MISMATCH(Area.REBUILD, Severity.FAIL),
  APK_CONSTRAINT_INVALID(Severity.FAIL),
  APK_CONTROL_TOO_LARGE(Severity.FAIL),
  APK_CORRUPT(Severity.FAIL),
  APK_DATAHASH_ABSENT(Severity.FAIL),
  APK_DATAHASH_MISMATCH(Severity.FAIL),
  APK_DATAHASH_OK(Severity.OK),
  APK_DATA_TOO_LARGE(Severity.FAIL),
  APK_DECOMPRESSION_BOMB(Severity.FAIL),
  APK_FETCH_CHECKSUM_MISMATCH(Severity.FAIL),
  APK_FETCH_FAILED(Severity.FAIL),
  APK_FILE_CHECKSUM_INVALID(Severity.FAIL),
  APK_FILE_CHECKSUM_MISMATCH(Severity.FAIL),
  APK_FILE_CHECKSUM_MISSING(Area.REBUILD, Severity.FAIL),
  APK_IDENTITY_MISMATCH(Area.REBUILD, Severity.FAIL),
  APK_KEYRING_NOT_FOUND(Severity.FAIL),
  APK_LAYOUT_INVALID(Severity.FAIL),
  APK_NOT_GZIP(Severity.FAIL),
  APK_NO_PKGINFO(Severity.FAIL),
  APK_PKGINFO_INVALID(Severity.FAIL),
  APK_PKGINFO_TOO_LARGE(Severity.FAIL),
  APK_REPOSITORY_INVALID(Severity.FAIL),
  APK_SIGNATURE_ENTRY_INVALID(Severity.FAIL),
  APK_SIGNATURE_INVALID(Severity.FAIL),
  APK_SIGNATURE_KEY_INVALID(Severity.FAIL),
  APK_SIGNATURE_OK(Severity.OK),
  APK_SIGNATURE_TOO_LARGE(Severity.FAIL),
  APK_SIGNATURE_UNSUPPORTED(Severity.FAIL),
  APK_SIGNATURE_UNTRUSTED_KEY(Severity.FAIL),
  APK_TAR_CORRUPT(Severity.FAIL),
  APK_TAR_PATH_ABSOLUTE(Severity.FAIL),
  APK_TAR_PATH_ESCAPE(Severity.FAIL),
  APK_TOO_LARGE(Severity.FAIL),
  APK_TOO_MANY_ENTRIES(Severity.FAIL),
  APK_TOO_MANY_STREAMS(Severity.FAIL),
  APK_TRUNCATED(Severity.FAIL),
  APK_UNSATISFIABLE(Severity.FAIL),
  APK_UNSIGNED(Severity.FAIL),
  APK_UNSUPPORTED_ENTRY(Area.REBUILD, Severity.FAIL);

  /** A package's signature verified ({@code APK_SIGNATURE_OK}) or an index's ({@code APKINDEX_SIGNATURE_OK}). */
  public static final Set<ApkCode> SIGNATURE_VERIFIED =
      Collections.unmodifiableSet(EnumSet.of(APK_SIGNATURE_OK, APKINDEX_SIGNATURE_OK));

  /**
   * What a package's signature check (and the parsing of its signature stream) yields: the findings a rebuild
   * stops on unless untrusted packages are allowed.
   */
  public static final Set<ApkCode> PACKAGE_SIGNATURE = Collections.unmodifiableSet(EnumSet.of(APK_UNSIGNED,
      APK_SIGNATURE_OK, APK_SIGNATURE_INVALID, APK_SIGNATURE_KEY_INVALID, APK_SIGNATURE_UNTRUSTED_KEY,
      APK_SIGNATURE_UNSUPPORTED, APK_SIGNATURE_TOO_LARGE, APK_SIGNATURE_ENTRY_INVALID));

  /** The check of {@code .PKGINFO datahash} against the data stream. */
  public static final Set<ApkCode> DATAHASH =
      Collections.unmodifiableSet(EnumSet.of(APK_DATAHASH_OK, APK_DATAHASH_MISMATCH, APK_DATAHASH_ABSENT));

  private final Area area;
  private final Severity defaultSeverity;

  ApkCode(Severity defaultSeverity) {
    this(Area.APK, defaultSeverity);
  }

  ApkCode(Area area, Severity defaultSeverity) {
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
