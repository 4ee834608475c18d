package dev.bitproof.hook;

import java.util.OptionalInt;

/**
 * How workers run jobs: how many, their lease, how often an idle one polls, retry backoff and attempts.
 *
 * @param maxJobs stop after this many jobs finished in this process (one-shot runs and tests)
 */
public record WorkerSettings(int workers, long leaseMillis, long pollMillis, long retryBaseMillis, long retryMaxMillis,
    int maxAttempts, OptionalInt maxJobs) {
  /** The defaults: 60 s lease, 1 s poll, 5 s…10 min backoff, 6 attempts. */
  public static WorkerSettings defaults(int workers) {
    return new WorkerSettings(workers, 60_000, 1000, 5000, 600_000, 6, OptionalInt.empty());
  }

  public WorkerSettings {
    if (workers < 1 || workers > 256) {
      throw new IllegalArgumentException("workers must be 1..256");
    }
    if (leaseMillis < 1000 || pollMillis < 10 || retryBaseMillis < 1 || retryMaxMillis < retryBaseMillis || maxAttempts < 1) {
      throw new IllegalArgumentException("lease ≥ 1 s, poll ≥ 10 ms, 1 ≤ retry base ≤ retry max, attempts ≥ 1");
    }
  }

  long backoff(int attempt) {
    long d = retryBaseMillis;
    for (int i = 1; i < attempt && d < retryMaxMillis; i++) {
      d *= 2;
    }
    return Math.min(d, retryMaxMillis);
  }
}
