package dev.bitproof.hook;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;

/** The hook's Prometheus metrics, in a registry of its own (several hooks in one JVM do not share counters). */
public final class HookMetrics {
  /** Why an event was refused; the label values of {@code bitproof_hook_events_rejected_total}. */
  public enum Rejection { UNAUTHORIZED, REPLAYED, TOO_LARGE, MALFORMED, METHOD, UNAVAILABLE }

  private final PrometheusRegistry registry = new PrometheusRegistry();
  final Counter received;
  final Counter rejected;
  final Counter duplicates;
  final Counter queued;
  final Counter jobs;
  final Counter retries;
  final Counter leaseLost;
  final Histogram duration;

  public HookMetrics(JobStore store) {
    received = Counter.builder().name("bitproof_hook_events_received_total")
        .help("Notification events received (image pushes and others)").register(registry);
    rejected = Counter.builder().name("bitproof_hook_events_rejected_total")
        .help("Notification requests refused, by reason").labelNames("reason").register(registry);
    for (Rejection r : Rejection.values()) {
      rejected.labelValues(label(r)).inc(0);
    }
    duplicates = Counter.builder().name("bitproof_hook_events_duplicate_total")
        .help("Image push events that collapsed onto a job already stored").register(registry);
    queued = Counter.builder().name("bitproof_hook_jobs_queued_total")
        .help("Jobs stored from events (one per image and policy version)").register(registry);
    jobs = Counter.builder().name("bitproof_hook_jobs_total")
        .help("Jobs finished by this process, by result").labelNames("result").register(registry);
    for (String r : new String[] {"PASS", "FAIL", "ERROR", "SKIPPED"}) {
      jobs.labelValues(r).inc(0);
    }
    retries = Counter.builder().name("bitproof_hook_retries_total")
        .help("Jobs that could not be checked and were queued again with backoff").register(registry);
    leaseLost = Counter.builder().name("bitproof_hook_lease_lost_total")
        .help("Jobs whose lease ran out while this process checked them (another worker took over)").register(registry);
    duration = Histogram.builder().name("bitproof_hook_verify_duration_seconds")
        .help("Time to check one image, by result").labelNames("result")
        .classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600).register(registry);
    GaugeWithCallback.builder().name("bitproof_hook_queue_depth")
        .help("Jobs in the database by state (queued, running, done); all replicas sharing the database")
        .labelNames("state")
        .callback(cb -> {
          try {
            for (Map.Entry<JobStore.State, Long> e : store.depth().entrySet()) {
              cb.call(e.getValue(), e.getKey().name().toLowerCase(Locale.ROOT));
            }
          } catch (SQLException | RuntimeException down) {
            // the database is down: no depth to report (readyz says so)
          }
        }).register(registry);
  }

  static String label(Rejection r) {
    return r.name().toLowerCase(Locale.ROOT);
  }

  public void reject(Rejection r) {
    rejected.labelValues(label(r)).inc();
  }

  /** The exposition text ({@code text/plain; version=0.0.4}). */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new IllegalStateException("cannot write to memory", e);
    }
    return out.toByteArray();
  }

  public static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }
}
