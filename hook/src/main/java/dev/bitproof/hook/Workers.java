package dev.bitproof.hook;

import java.lang.management.ManagementFactory;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * N worker threads claiming jobs from the store. Each job runs under a lease the worker extends while it checks; an
 * image that could not be checked goes back to the queue with exponential backoff until the attempts run out.
 */
final class Workers implements AutoCloseable {
  private final WorkerSettings settings;
  private final JobStore store;
  private final ImageChecker checker;
  private final java.util.function.Supplier<CheckSettings> checks;
  private final HookMetrics metrics;
  private final Clock clock;
  private final Consumer<String> log;
  private final String instance;
  private final List<Thread> threads = new ArrayList<>();
  private final ScheduledExecutorService heartbeats;
  private final Object wake = new Object();
  private final AtomicInteger finished = new AtomicInteger();
  private volatile boolean running = true;
  private final Runnable onLimit;

  Workers(WorkerSettings settings, JobStore store, ImageChecker checker, java.util.function.Supplier<CheckSettings> checks,
      HookMetrics metrics, Clock clock,
      Consumer<String> log, Runnable onLimit) {
    this.settings = settings;
    this.store = store;
    this.checker = checker;
    this.checks = checks;
    this.metrics = metrics;
    this.clock = clock;
    this.log = log;
    this.onLimit = onLimit;
    this.instance = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
    this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bitproof-hook-lease");
      t.setDaemon(true);
      return t;
    });
    for (int i = 0; i < settings.workers(); i++) {
      String owner = instance + "/w" + i;
      Thread t = new Thread(() -> loop(owner), "bitproof-hook-worker-" + i);
      t.setDaemon(true);
      threads.add(t);
    }
  }

  void start() {
    threads.forEach(Thread::start);
  }

  /** New jobs were stored: wake an idle worker now instead of at its next poll. */
  void wake() {
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  int finished() {
    return finished.get();
  }

  private void loop(String owner) {
    while (running) {
      Optional<JobStore.Job> job;
      try {
        long now = clock.millis();
        job = store.claim(owner, now, now + settings.leaseMillis());
      } catch (SQLException | RuntimeException e) {
        log.accept("bitproof hook: cannot claim a job (database down?): " + e.getMessage());
        job = Optional.empty();
      }
      if (job.isEmpty()) {
        synchronized (wake) {
          try {
            wake.wait(settings.pollMillis());
          } catch (InterruptedException ie) {
            return;
          }
        }
        continue;
      }
      run(job.get());
    }
  }

  private void run(JobStore.Job j) {
    String key = j.repository() + "@" + j.digest();
    long period = Math.max(250, settings.leaseMillis() / 3);
    ScheduledFuture<?> hb = heartbeats.scheduleAtFixedRate(() -> {
      try {
        if (!store.extend(j, clock.millis() + settings.leaseMillis())) {
          log.accept("bitproof hook: lost the lease of " + key + " (attempt " + j.attempt() + ")");
        }
      } catch (SQLException | RuntimeException e) {
        log.accept("bitproof hook: cannot extend the lease of " + key + ": " + e.getMessage());
      }
    }, period, period, TimeUnit.MILLISECONDS);
    long start = System.nanoTime();
    ImageChecker.Outcome o;
    try {
      o = checker.check(j, checks.get());
    } finally {
      hb.cancel(false);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    try {
      if (o.couldNotCheck() && j.attempt() < settings.maxAttempts()) {
        long delay = settings.backoff(j.attempt());
        if (store.retry(j, clock.millis() + delay, o.error())) {
          metrics.retries.inc();
          log.accept("bitproof hook: could not check " + key + " (attempt " + j.attempt() + "/" + settings.maxAttempts()
              + "): " + o.error() + "; again in " + delay + " ms");
        } else {
          metrics.leaseLost.inc();
        }
        return;
      }
      if (store.complete(j, o.result(), o.document(), clock.millis())) {
        metrics.jobs.labelValues(o.result()).inc();
        metrics.duration.labelValues(o.result()).observe(seconds);
        log.accept("bitproof hook: " + o.result() + " " + key + (o.error() == null ? "" : " (" + o.error() + ")"));
        int n = finished.incrementAndGet();
        if (settings.maxJobs().isPresent() && n >= settings.maxJobs().getAsInt()) {
          running = false;
          onLimit.run();
        }
      } else {
        metrics.leaseLost.inc();
        log.accept("bitproof hook: dropped the result of " + key + ": its lease was lost to another worker");
      }
    } catch (SQLException | RuntimeException e) {
      // the job stays 'running' under a lease that will run out: it is claimed again then, nothing is lost
      log.accept("bitproof hook: cannot store the result of " + key + " (will re-run): " + e.getMessage());
    }
  }

  @Override
  public void close() {
    running = false;
    wake();
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    heartbeats.shutdownNow();
  }
}
