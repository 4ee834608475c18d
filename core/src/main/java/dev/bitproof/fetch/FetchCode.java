package dev.bitproof.fetch;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of fetching repositories, keys and packages over HTTP(S), through proxies and the cache.
 * The constant's name is the stable code; each is listed on {@code docs/fetch.md}.
 */
public enum FetchCode implements Code {
  FETCH_CACHE_CORRUPT(Severity.FAIL),
  FETCH_CA_CERT_INVALID(Severity.FAIL),
  FETCH_FAILED(Severity.FAIL),
  FETCH_NOT_FOUND(Severity.FAIL),
  FETCH_OFFLINE_MISS(Severity.FAIL),
  FETCH_OPTIONS_INVALID(Severity.FAIL),
  FETCH_PROXY_INVALID(Severity.FAIL),
  FETCH_PROXY_REFUSED(Severity.FAIL),
  FETCH_PROXY_UNREACHABLE(Severity.FAIL),
  FETCH_TLS_FAILED(Severity.FAIL),
  REPOSITORY_MIRROR_INVALID(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  FetchCode(Severity defaultSeverity) {
    this(Area.FETCH, defaultSeverity);
  }

  FetchCode(Area area, Severity defaultSeverity) {
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
