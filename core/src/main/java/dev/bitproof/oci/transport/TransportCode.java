package dev.bitproof.oci.transport;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Finding and error codes of image transports (registry, layout, archive) and referrers. The constant's name is the
 * stable code; each is listed on its area's docs page ({@code docs/transport.md} unless the constant names another
 * area).
 */
public enum TransportCode implements Code {
  ARCHIVE_AMBIGUOUS(Severity.FAIL),
  ARCHIVE_INVALID(Severity.FAIL),
  ARCHIVE_NOT_FOUND(Severity.FAIL),
  ARCHIVE_PATH_INVALID(Severity.FAIL),
  ARCHIVE_SINGLE_IMAGE(Severity.FAIL),
  BLOB_NOT_FOUND(Severity.FAIL),
  BLOB_TOO_LARGE(Severity.FAIL),
  CREDENTIALS_INVALID(Severity.FAIL),
  DESTINATION_DIGEST_MISMATCH(Severity.FAIL),
  IMAGE_EMPTY(Severity.FAIL),
  IMAGE_NOT_FOUND(Severity.FAIL),
  INDEX_TOO_DEEP(Severity.FAIL),
  LAYOUT_INVALID(Severity.FAIL),
  LAYOUT_NOT_FOUND(Severity.FAIL),
  MANIFEST_NOT_FOUND(Severity.FAIL),
  PLATFORM_NOT_FOUND(Severity.FAIL),
  REFERRERS_TOO_LARGE(Severity.FAIL),
  REFERRERS_TOO_MANY(Severity.FAIL),
  REFERRER_SUBJECT_MISMATCH(Severity.FAIL),
  REGISTRY_AUTH_INSECURE(Severity.FAIL),
  REGISTRY_AUTH_UNSUPPORTED(Severity.FAIL),
  REGISTRY_CREDENTIALS_INVALID(Severity.FAIL),
  REGISTRY_DENIED(Severity.FAIL),
  REGISTRY_DIGEST_MISMATCH(Severity.FAIL),
  REGISTRY_PROTOCOL_ERROR(Severity.FAIL),
  REGISTRY_PUSH_FAILED(Severity.FAIL),
  REGISTRY_RATE_LIMITED(Severity.FAIL),
  REGISTRY_STALLED(Severity.FAIL),
  REGISTRY_SUBJECT_MISMATCH(Severity.FAIL),
  REGISTRY_TIMEOUT(Severity.FAIL),
  REGISTRY_TOKEN_INVALID(Severity.FAIL),
  REGISTRY_TRUNCATED(Severity.FAIL),
  REGISTRY_UNAUTHORIZED(Severity.FAIL),
  REGISTRY_UNAVAILABLE(Severity.FAIL),
  REGISTRY_UNREACHABLE(Severity.FAIL);

  /** What was named is absent (a tag, manifest, blob, platform, layout or archive): nothing to read there. */
  public static final Set<TransportCode> NOT_FOUND = Collections.unmodifiableSet(EnumSet.of(MANIFEST_NOT_FOUND,
      IMAGE_NOT_FOUND, BLOB_NOT_FOUND, PLATFORM_NOT_FOUND, LAYOUT_NOT_FOUND, ARCHIVE_NOT_FOUND));

  private final Area area;
  private final Severity defaultSeverity;

  TransportCode(Severity defaultSeverity) {
    this(Area.TRANSPORT, defaultSeverity);
  }

  TransportCode(Area area, Severity defaultSeverity) {
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
