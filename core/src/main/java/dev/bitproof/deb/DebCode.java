package dev.bitproof.deb;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of Debian archives, .deb files, OpenPGP signatures and the dpkg database. The constant's
 * name is the stable code; each is listed on its area's docs page ({@code docs/deb.md} unless the constant names
 * another area).
 */
public enum DebCode implements Code {
  DEB822_LIMIT(Severity.FAIL),
  DEB822_SYNTAX(Severity.FAIL),
  DEB_ARCHIVE_HASH_MISMATCH(Severity.FAIL),
  DEB_AR_MALFORMED(Severity.FAIL),
  DEB_AR_MEMBER_NAME_INVALID(Severity.FAIL),
  DEB_AR_TRUNCATED(Severity.FAIL),
  DEB_COMPRESSION_UNSUPPORTED(Severity.FAIL),
  DEB_CONTROL_MISSING(Severity.FAIL),
  DEB_DATA_ABSOLUTE_PATH(Severity.FAIL),
  DEB_DATA_HARDLINK_ESCAPE(Severity.FAIL),
  DEB_DATA_PATH_ESCAPE(Severity.FAIL),
  DEB_DATA_SYMLINK_ESCAPE(Severity.FAIL),
  DEB_DPKGSIG_FILE_MISMATCH(Severity.FAIL),
  DEB_DPKGSIG_MANIFEST_INVALID(Severity.FAIL),
  DEB_EMBEDDED_SIGNATURE_FAILED(Severity.FAIL),
  DEB_EMBEDDED_SIGNATURE_VERIFIED(Severity.OK),
  DEB_FORMAT_UNSUPPORTED(Severity.FAIL),
  DEB_IN_ARCHIVE(Severity.OK),
  DEB_MD5SUMS_FILE_MISSING(Severity.FAIL),
  DEB_MD5SUMS_MISMATCH(Severity.FAIL),
  DEB_MD5SUMS_OK(Severity.OK),
  DEB_NOT_AR(Severity.FAIL),
  DEB_NOT_IN_ARCHIVE(Severity.FAIL),
  DEB_PACKAGES_HASH_MISMATCH(Severity.FAIL),
  DEB_PACKAGES_IN_RELEASE(Severity.OK),
  DEB_PACKAGES_NOT_IN_RELEASE(Severity.FAIL),
  DEB_PACKAGES_PARSED(Severity.INFO),
  DEB_PACKAGES_RELEASE_UNTRUSTED(Severity.FAIL),
  DEB_PACKAGES_SYNTAX(Severity.FAIL),
  DEB_PACKAGES_UNCOMPRESSED_MISMATCH(Severity.FAIL),
  DEB_PACKAGES_UNCOMPRESSED_OK(Severity.OK),
  DEB_RELEASE_EXPIRED(Severity.FAIL),
  DEB_RELEASE_FROM_FUTURE(Severity.FAIL),
  DEB_RELEASE_NO_SHA256(Severity.FAIL),
  DEB_RELEASE_SIGNATURE_MISSING(Severity.FAIL),
  DEB_RELEASE_SIGNATURE_STALE(Severity.FAIL),
  DEB_RELEASE_SUITE_MISMATCH(Severity.FAIL),
  DEB_RELEASE_SYNTAX(Severity.FAIL),
  DEB_RELEASE_TRUSTED(Severity.OK),
  DEB_RELEASE_UNTRUSTED(Severity.FAIL),
  DEB_SIGNATURE_NONE(Severity.INFO),
  DEB_SIGNATURE_TOO_LARGE(Severity.FAIL),
  DEB_STRUCTURE_INVALID(Severity.FAIL),
  DEB_VERSION_INVALID(Severity.FAIL),
  DPKG_CONFFILE_CHANGED(Severity.WARN),
  DPKG_CONFFILE_MISSING(Severity.WARN),
  DPKG_CONTROL_DIFFERS_FROM_DEB(Severity.FAIL),
  DPKG_CONTROL_MISMATCH(Severity.FAIL),
  DPKG_DB_LIMIT(Severity.FAIL),
  DPKG_DB_MISSING(Severity.FAIL),
  DPKG_DB_SYNTAX(Severity.FAIL),
  DPKG_DB_UNREADABLE(Severity.FAIL),
  DPKG_DEB_CONTENT_OK(Severity.OK),
  DPKG_DEB_NOT_INSTALLED(Severity.INFO),
  DPKG_FILES_DIFFER(Severity.OK),
  DPKG_FILES_OK(Severity.OK),
  DPKG_FILE_MISSING(Severity.FAIL),
  DPKG_FILE_MODIFIED(Severity.FAIL),
  DPKG_MD5SUMS_SYNTAX(Severity.FAIL),
  DPKG_PACKAGE_IN_ARCHIVE(Severity.OK),
  DPKG_PACKAGE_NOT_IN_ARCHIVE(Severity.FAIL),
  DPKG_SYMLINK_DIFFERS(Severity.FAIL),
  DPKG_UNOWNED_FILE(Severity.WARN),
  PGP_ARMOR_CORRUPT(Severity.FAIL),
  PGP_CLEARSIGN_MALFORMED(Severity.FAIL),
  PGP_CLEARSIGN_TRAILING_DATA(Severity.FAIL),
  PGP_DATA_UNREADABLE(Severity.FAIL),
  PGP_KEYRING_EMPTY(Severity.FAIL),
  PGP_KEYRING_INVALID(Severity.FAIL),
  PGP_KEYRING_TOO_LARGE(Severity.FAIL),
  PGP_KEY_EXPIRED(Severity.WARN),
  PGP_KEY_NOT_VALID(Severity.OK),
  PGP_KEY_REVOKED(Severity.WARN),
  PGP_NOT_VERIFIED(Severity.OK),
  PGP_SIGNATURE_BAD(Severity.FAIL),
  PGP_SIGNATURE_EXPIRED(Severity.WARN),
  PGP_SIGNATURE_FROM_FUTURE(Severity.WARN),
  PGP_SIGNATURE_GOOD(Severity.OK),
  PGP_SIGNATURE_MALFORMED(Severity.FAIL),
  PGP_SIGNATURE_UNKNOWN_KEY(Severity.INFO),
  PGP_SIGNATURE_WEAK_DIGEST(Severity.WARN),
  PGP_SIGNATURE_WEAK_KEY(Severity.WARN),
  PGP_SIGNATURE_WRONG_TYPE(Severity.WARN),
  PGP_VERIFIED(Severity.OK),
  USAGE_KEYRING_REQUIRED(Severity.FAIL),
  USAGE_PLATFORM_NOT_FOUND(Severity.FAIL),
  USAGE_RELEASE_REQUIRED(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  DebCode(Severity defaultSeverity) {
    this(Area.DEB, defaultSeverity);
  }

  DebCode(Area area, Severity defaultSeverity) {
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
