package dev.bitproof.hook;

import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Severity;

/**
 * Finding and error codes of the registry hook. The constant's name is the stable code; each is listed on its area's
 * docs page ({@code docs/hook.md} unless the constant names another area).
 */
public enum HookCode implements Code {
  HOOK_AUTH_REQUIRED(Severity.FAIL),
  HOOK_CONFIG_INVALID(Severity.FAIL),
  HOOK_DATABASE_UNAVAILABLE(Severity.FAIL),
  HOOK_EVENT_INVALID(Severity.FAIL),
  HOOK_EVENT_TOO_LARGE(Severity.FAIL),
  HOOK_LISTEN_FAILED(Severity.FAIL),
  HOOK_REPLAYED(Severity.FAIL),
  HOOK_RESPONSE_INVALID(Severity.FAIL),
  HOOK_RESULT_NOT_FOUND(Severity.FAIL),
  HOOK_RESULT_QUERY_INVALID(Severity.FAIL),
  HOOK_STATE_LOCKED(Severity.FAIL),
  HOOK_TLS_INVALID(Severity.FAIL),
  HOOK_UNAUTHORIZED(Severity.FAIL),
  HOOK_UNREACHABLE(Severity.FAIL);

  private final Area area;
  private final Severity defaultSeverity;

  HookCode(Severity defaultSeverity) {
    this(Area.HOOK, defaultSeverity);
  }

  HookCode(Area area, Severity defaultSeverity) {
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
