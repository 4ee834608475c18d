package dev.bitproof.sbom;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Finding and error codes of SBOM checks and generation. The constant's name is the stable code; each is listed on
 * its area's docs page ({@code docs/sbom.md} unless the constant names another area).
 */
public enum SbomCode implements Code {
  FILES_GENERATED_UNOWNED(Severity.INFO),
  FILES_UNOWNED(Severity.WARN),
  INSTALLED_CONFFILE_MODIFIED(Severity.WARN),
  INSTALLED_DB_CHECKSUM_MISMATCH(Severity.FAIL),
  INSTALLED_DB_MATCHES_LAYERS(Severity.OK),
  INSTALLED_FILE_MISSING(Severity.FAIL),
  PACKAGE_DB_ABSENT(Severity.WARN),
  PURL_INVALID(Severity.FAIL),
  SBOM_ARCH_MISMATCH(Severity.FAIL),
  SBOM_DESCRIBES_NOTHING(Severity.FAIL),
  SBOM_DESCRIBES_UNKNOWN(Severity.FAIL),
  SBOM_COMPONENT_HASH_MISMATCH(Severity.FAIL),
  SBOM_COMPONENT_NO_EVIDENCE(Severity.FAIL),
  SBOM_CREATED_INVALID(Severity.FAIL),
  SBOM_DUPLICATE_ID(Severity.FAIL),
  SBOM_EMBEDDED_INVALID(Severity.WARN),
  SBOM_EMBEDDED_MATCH(Severity.OK),
  SBOM_EMBEDDED_NOT_INSTALLED(Severity.FAIL),
  SBOM_EVIDENCE_SCAN_LIMITED(Severity.WARN),
  SBOM_FAT_JAR_OMITTED(Severity.WARN),
  SBOM_FILE_CHECKSUM_MISMATCH(Severity.FAIL),
  SBOM_FILE_NOT_IN_IMAGE(Severity.FAIL),
  SBOM_FILE_PATH_INVALID(Severity.FAIL),
  SBOM_FORMAT_UNKNOWN(Severity.FAIL),
  SBOM_FORMAT_UNSUPPORTED(Severity.FAIL),
  SBOM_INDEX_EMPTY(Severity.FAIL),
  SBOM_INDEX_IMAGE_EXTRA(Severity.FAIL),
  SBOM_INDEX_IMAGE_MISSING(Severity.FAIL),
  SBOM_INDEX_MATCHES(Severity.OK),
  SBOM_LANGUAGE_PACKAGES_MATCH(Severity.OK),
  SBOM_LANGUAGE_PACKAGE_MISSING(Severity.FAIL),
  SBOM_LANGUAGE_PACKAGE_OS_OWNED(Severity.INFO),
  SBOM_LICENSE_MISMATCH(Severity.FAIL),
  SBOM_MATCHES_IMAGE(Severity.OK),
  SBOM_NOT_FOUND(Severity.FAIL),
  SBOM_OS_MISMATCH(Severity.FAIL),
  SBOM_PACKAGES_UNCONFIRMED(Severity.WARN),
  SBOM_PACKAGE_MISSING(Severity.FAIL),
  SBOM_PACKAGE_NOT_IN_IMAGE(Severity.FAIL),
  SBOM_PACKAGE_OMITTED_BY_APKO(Severity.WARN),
  SBOM_PACKAGE_UNLINKED(Severity.FAIL),
  SBOM_PARSE_ERROR(Severity.FAIL),
  SBOM_PLATFORM_AMBIGUOUS(Severity.FAIL),
  SBOM_PURL_CATEGORY_INVALID(Severity.FAIL),
  SBOM_PURL_INVALID(Severity.FAIL),
  SBOM_PURL_MISMATCH(Severity.FAIL),
  SBOM_RELATIONSHIP_UNKNOWN_ELEMENT(Severity.FAIL),
  SBOM_RELATIONSHIP_DANGLING(Severity.FAIL),
  SBOM_SCHEMA_INVALID(Severity.FAIL),
  SBOM_SCHEMA_KNOWN_DEVIATION(Severity.WARN),
  SBOM_SCHEMA_NOT_CHECKED(Severity.INFO),
  SBOM_SCHEMA_VALID(Severity.OK),
  SBOM_SERIAL_INVALID(Severity.FAIL),
  SBOM_SOURCE_BINARY_MERGED(Severity.WARN),
  SBOM_SOURCE_MISMATCH(Severity.FAIL),
  SBOM_SOURCE_PACKAGE(Severity.INFO),
  SBOM_SPDX_DATA_LICENSE_INVALID(Severity.FAIL),
  SBOM_SPDX_ID_INVALID(Severity.FAIL),
  SBOM_SUBJECT_MATCHES(Severity.OK),
  SBOM_SUBJECT_MISMATCH(Severity.FAIL),
  SBOM_SUBJECT_UNKNOWN(Severity.FAIL),
  SBOM_SUBJECT_UNSTATED(Severity.INFO),
  SBOM_TOO_LARGE(Severity.FAIL),
  SBOM_TOO_MANY_COMPONENTS(Severity.FAIL),
  SBOM_VERSION_MISMATCH(Severity.FAIL),
  SBOM_XML_DTD_FORBIDDEN(Severity.FAIL);

  /** {@link SbomReader} could not read the document: a FAIL finding about that document, not a stop. */
  public static final Set<SbomCode> UNREADABLE = Collections.unmodifiableSet(EnumSet.of(SBOM_FORMAT_UNKNOWN,
      SBOM_FORMAT_UNSUPPORTED, SBOM_PARSE_ERROR, SBOM_TOO_LARGE, SBOM_TOO_MANY_COMPONENTS, SBOM_XML_DTD_FORBIDDEN));

  private final Area area;
  private final Severity defaultSeverity;

  SbomCode(Severity defaultSeverity) {
    this(Area.SBOM, defaultSeverity);
  }

  SbomCode(Area area, Severity defaultSeverity) {
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
