package dev.bitproof.hook;

/** Checks one claimed job's image. Never throws: a failure to check is an {@code ERROR} outcome. */
@FunctionalInterface
public interface ImageChecker {
  /**
   * @param result PASS, FAIL, ERROR (could not check: retried with backoff) or SKIPPED (a referrer, not an image)
   * @param document the full result document stored and served by the results API (JSON bytes)
   * @param error for ERROR, {@code CODE: message}
   */
  record Outcome(String result, byte[] document, String error) {
    public boolean couldNotCheck() {
      return result.equals("ERROR");
    }
  }

  /** @param settings the hook's settings now (they may be reloaded while it runs) */
  Outcome check(JobStore.Job job, CheckSettings settings);
}
