package dev.bitproof.hook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The durable queue's rules on both databases: collapse, lease, fencing, retry, recovery. */
class JobStoreTest {
  @TempDir
  Path tmp;

  static Digest digest(int i) {
    return Digest.sha256(("image-" + i).getBytes(StandardCharsets.UTF_8));
  }

  static JobStore.NewJob job(int i) {
    return new JobStore.NewJob("127.0.0.1:5000", "apps/a", digest(i), "sha256:" + "0".repeat(64), Optional.of("v" + i),
        "application/vnd.oci.image.index.v1+json", "event-" + i);
  }

  JobStore open(JobStore.Dialect d) {
    return d == JobStore.Dialect.SQLITE ? JobStore.sqlite(tmp.resolve("state"), 4)
        : JobStore.postgresql(PostgresPeer.freshDatabase(), Optional.empty(), 4);
  }

  @ParameterizedTest
  @EnumSource(JobStore.Dialect.class)
  void duplicatesCollapseAndAJobRunsUnderALease(JobStore.Dialect d) throws Exception {
    try (JobStore s = open(d)) {
      assertEquals(new JobStore.Enqueued(1, 0), s.enqueue(List.of(job(1)), 1000));
      assertEquals(new JobStore.Enqueued(0, 2), s.enqueue(List.of(job(1), job(1)), 1001));
      JobStore.Job j = s.claim("a", 2000, 62_000).orElseThrow();
      assertEquals(1, j.attempt());
      assertEquals(digest(1), j.digest());
      assertEquals(Optional.of("v1"), j.tag());
      assertTrue(s.claim("b", 3000, 63_000).isEmpty(), "a leased job is not claimed twice");
      assertTrue(s.extend(j, 90_000));
      assertFalse(s.complete(new JobStore.Job(j.id(), j.registry(), j.repository(), j.digest(), j.policyVersion(),
          j.tag(), j.mediaType(), j.eventId(), 2, "a"), "PASS", new byte[] {'x'}, 4000), "a stale attempt is fenced off");
      assertTrue(s.complete(j, "PASS", "{\"result\":\"PASS\"}".getBytes(StandardCharsets.UTF_8), 5000));
      JobStore.Stored r = s.result("apps/a", digest(1)).orElseThrow();
      assertEquals("PASS", r.result());
      assertEquals(3, r.events(), "three events, one job");
      assertEquals(1, r.attempts());
      assertArrayEquals("{\"result\":\"PASS\"}".getBytes(StandardCharsets.UTF_8), r.document());
      assertEquals(0, s.enqueue(List.of(job(1)), 6000).added(), "a finished image is not verified again");
      assertTrue(s.claim("c", 7000, 67_000).isEmpty());
      assertEquals(1L, s.depth().get(JobStore.State.DONE));
    }
  }

  @ParameterizedTest
  @EnumSource(JobStore.Dialect.class)
  void retriesWaitForTheirBackoffAndExpiredLeasesAreTakenOver(JobStore.Dialect d) throws Exception {
    try (JobStore s = open(d)) {
      s.enqueue(List.of(job(2)), 0);
      JobStore.Job first = s.claim("a", 0, 10_000).orElseThrow();
      assertTrue(s.retry(first, 5_000, "REGISTRY_UNREACHABLE: down"));
      assertTrue(s.claim("a", 4_999, 20_000).isEmpty(), "not before its backoff");
      JobStore.Job second = s.claim("a", 5_000, 6_000).orElseThrow();
      assertEquals(2, second.attempt());
      // the worker dies: its lease runs out and another worker takes the job over
      JobStore.Job third = s.claim("b", 6_001, 70_000).orElseThrow();
      assertEquals(3, third.attempt());
      assertFalse(s.complete(second, "PASS", new byte[] {'1'}, 7_000), "the dead worker's late result is dropped");
      assertFalse(s.extend(second, 99_000));
      assertTrue(s.complete(third, "FAIL", new byte[] {'2'}, 8_000));
      assertEquals("FAIL", s.result("apps/a", digest(2)).orElseThrow().result());
      assertEquals(List.of("FAIL"), s.results(Optional.of("FAIL"), 0, 10).stream().map(JobStore.Stored::result).toList());
      assertTrue(s.results(Optional.empty(), 8_001, 10).isEmpty(), "since filters by finish time");
    }
  }

  @Test
  void sqliteRequeuesWhatADeadProcessLeftRunningAndRefusesASecondProcess() throws Exception {
    Path state = tmp.resolve("state");
    JobStore s = JobStore.sqlite(state, 2);
    s.enqueue(List.of(job(3)), 0);
    assertTrue(s.claim("dead", 0, Long.MAX_VALUE).isPresent());
    CheckException locked = org.junit.jupiter.api.Assertions.assertThrows(CheckException.class, () -> JobStore.sqlite(state, 2));
    assertEquals(HookCode.HOOK_STATE_LOCKED, locked.code());
    s.close();
    try (JobStore again = JobStore.sqlite(state, 2)) {
      JobStore.Job j = again.claim("new", 1, 1000).orElseThrow();
      assertEquals(2, j.attempt(), "the job left running re-runs at once");
    }
  }

  /** Replicas on one PostgreSQL: 8 workers in two pools claim 200 jobs; every job is claimed exactly once. */
  @Test
  void postgresReplicasClaimEachJobOnce() throws Exception {
    String url = PostgresPeer.freshDatabase();
    try (JobStore a = JobStore.postgresql(url, Optional.empty(), 6); JobStore b = JobStore.postgresql(url, Optional.empty(), 6)) {
      List<JobStore.NewJob> jobs = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        jobs.add(job(100 + i));
      }
      a.enqueue(jobs, 0);
      Set<Long> claimed = ConcurrentHashMap.newKeySet();
      List<Long> twice = java.util.Collections.synchronizedList(new ArrayList<>());
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> fs = new ArrayList<>();
      for (int w = 0; w < 8; w++) {
        JobStore s = w % 2 == 0 ? a : b;
        String owner = "w" + w;
        fs.add(pool.submit(() -> {
          Optional<JobStore.Job> j;
          while ((j = s.claim(owner, 1, 1_000_000)).isPresent()) {
            if (!claimed.add(j.get().id())) {
              twice.add(j.get().id());
            }
            s.complete(j.get(), "PASS", new byte[] {'{', '}'}, 2);
          }
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get(5, TimeUnit.MINUTES);
      }
      pool.shutdown();
      assertEquals(List.of(), twice);
      assertEquals(200, claimed.size());
      assertEquals(200L, a.depth().get(JobStore.State.DONE));
    }
  }
}
