package dev.bitproof.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.Copier;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.policy.Policy;
import dev.bitproof.policy.Rule;
import dev.bitproof.testing.LocalRegistry;
import dev.bitproof.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hook behind Debian's real docker-registry: the registry's own push notifications drive it. Images are small
 * distinct ones the test builds and pushes; the checks are the real ones (policy, SBOM) on the pushed bytes.
 */
class HookRegistryTest {
  static final Duration BOUND = Duration.ofMinutes(5);
  static final TransportOptions INSECURE = TransportOptions.defaults().withInsecure(true);
  static final String TOKEN = "hook-secret";

  @TempDir
  Path tmp;

  static CheckSettings settings(String registry, Path state) {
    return new CheckSettings(registry, INSECURE, Policy.of(Rule.Profile.PRODUCTION), "profile:production", false,
        Map.of(), List.of(), Optional.empty(), state, "test", Optional.empty(), state.resolve("work"));
  }

  /** A hook bound to port 0 whose registry is filled in by {@link HookService#reconfigure} once that runs. */
  static HookService hook(JobStore store, Path state, long leaseMillis) {
    return HookService.start(HookService.ServerSettings.loopback(),
        new WorkerSettings(2, leaseMillis, 100, 500, 5000, 5, OptionalInt.empty()), store, settings("pending", state),
        new RegistryChecker(), new EventAuth(Optional.of(TOKEN), Optional.empty(), Clock.systemUTC()),
        Clock.systemUTC(), l -> { });
  }

  /** Pushes {@code n} distinct one-layer images as {@code repo:t<salt><i>}; returns their digests. */
  List<Digest> push(LocalRegistry.Endpoint reg, String repo, int n, String salt) throws IOException {
    List<Digest> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Path layout = tmp.resolve("img-" + salt + "-" + i);
      if (!Files.exists(layout)) {
        new TestImages().user("65532").layer(TestImages.Entry.file("hello.txt", 0644, "image " + salt + " " + i + "\n"))
            .writeTo(layout);
      }
      out.add(copy(layout, reg, repo + ":t" + salt + i));
    }
    return out;
  }

  static Digest copy(Path layout, LocalRegistry.Endpoint reg, String repoTag) throws IOException {
    try (ImageSource s = Transports.source(ImageReference.parse("oci:" + layout), TransportOptions.defaults());
        ImageDestination d = Transports.destination(ImageReference.parse("docker://" + reg.hostPort() + "/" + repoTag), INSECURE)) {
      return Copier.copy(s, d, Optional.empty()).root().digest();
    }
  }

  /** Polls with a generous bound; fails with the hook process's stderr when it died or the bound passed. */
  static void await(String what, BooleanSupplier done, Process child, Path childErr) throws Exception {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!done.getAsBoolean()) {
      if (child != null && !child.isAlive()) {
        throw new AssertionError("the hook process exited (" + child.exitValue() + ") before " + what + ":\n"
            + Files.readString(childErr));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not in " + BOUND + ": " + what
            + (childErr == null ? "" : "\nhook stderr:\n" + Files.readString(childErr)));
      }
      Thread.sleep(50);
    }
  }

  static List<JobStore.Stored> done(JobStore s) {
    try {
      return s.results(Optional.empty(), 0, 1000);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static void assertCheckedOnce(JobStore store, String repo, List<Digest> digests, String registry) throws Exception {
    for (Digest d : digests) {
      JobStore.Stored r = store.result(repo, d).orElseThrow(() -> new AssertionError("no result for " + d));
      assertNotEquals("ERROR", r.result(), new String(r.document(), StandardCharsets.UTF_8));
      JsonNode doc = Json.parse(r.document(), "result");
      assertEquals("docker://" + registry + "/" + repo + "@" + d, doc.get("image").asText());
      assertEquals("policy-advisory", doc.get("checks").get(0).get("name").asText(), doc.toPrettyString());
      assertEquals("sbom", doc.get("checks").get(1).get("name").asText());
    }
  }

  /** Pushes reach the hook through the registry; each image is checked once; a second tag of one image collapses. */
  @Test
  void registryPushesAreStoredCheckedOnceAndServed() throws Exception {
    Path state = tmp.resolve("state");
    JobStore store = JobStore.sqlite(state, 6);
    try (HookService h = hook(store, state, 60_000)) {
      LocalRegistry.Endpoint reg = LocalRegistry.notifying(h.uri() + "/events", Optional.of(TOKEN));
      h.reconfigure(settings(reg.hostPort(), state));
      String repo = LocalRegistry.uniqueRepository("hook-svc");
      List<Digest> digests = push(reg, repo, 4, "a");
      await("4 results", () -> done(store).size() == 4, null, null);
      // the same image under another tag: the registry notifies again; it collapses onto the finished job
      copy(tmp.resolve("img-a-0"), reg, repo + ":again");
      await("the second tag's event", () -> done(store).stream().anyMatch(r -> r.events() == 2), null, null);
      assertEquals(4, done(store).size());
      assertCheckedOnce(store, repo, digests, reg.hostPort());
      for (JobStore.Stored r : done(store)) {
        assertEquals(1, r.attempts(), "checked once: " + r.digest());
      }
      HookClient client = new HookClient(h.uri(), Optional.of(TOKEN), Optional.empty());
      assertEquals(digests.get(0).toString(), client.result(repo, digests.get(0)).orElseThrow().get("event").get("digest").asText());
      assertEquals(4, client.results(Optional.empty(), Optional.empty(), 100).get("results").size());
      assertEquals(4, h.finished());
    }
  }

  static Process child(Path dir, List<String> extra) throws IOException {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", cp, HookProcess.class.getName(), "--state", dir.resolve("state").toString(),
        "--registry-file", dir.resolve("registry").toString(), "--port-file", dir.resolve("port").toString()));
    cmd.addAll(extra);
    Files.deleteIfExists(dir.resolve("port"));
    Files.deleteIfExists(dir.resolve("port.ready"));
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("hook.log").toFile())).start();
  }

  static int port(Path dir, Process p) throws Exception {
    await("the hook's port file", () -> Files.exists(dir.resolve("port")), p, dir.resolve("hook.log"));
    return Integer.parseInt(Files.readString(dir.resolve("port")).strip());
  }

  /**
   * {@code kill -9} of the hook while it checks two images it acknowledged and holds a third in its queue: nothing is
   * lost; restarted, it checks the two again (a second attempt each) and the queued one.
   */
  @Test
  void killNineMidJobLosesNothing() throws Exception {
    Path dir = tmp.resolve("proc");
    Files.createDirectories(dir);
    Path gate = dir.resolve("started");
    Process first = child(dir, List.of("--gate", gate.toString()));
    Process second = null;
    try {
      int port = port(dir, first);
      LocalRegistry.Endpoint reg = LocalRegistry.notifying("http://127.0.0.1:" + port + "/events", Optional.empty());
      Files.writeString(dir.resolve("registry"), reg.hostPort());
      await("the hook to take the registry", () -> Files.exists(dir.resolve("port.ready")), first, dir.resolve("hook.log"));
      String repo = LocalRegistry.uniqueRepository("hook-kill");
      List<Digest> digests = push(reg, repo, 3, "k");
      // both workers hang in a check, the third image waits in the queue: all three acknowledged (stored)
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.URI metrics = java.net.URI.create("http://127.0.0.1:" + port + "/metrics");
      await("two running jobs and one queued", () -> {
        try {
          String m = http.send(java.net.http.HttpRequest.newBuilder(metrics).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString()).body();
          return m.contains("bitproof_hook_queue_depth{state=\"running\"} 2.0")
              && m.contains("bitproof_hook_queue_depth{state=\"queued\"} 1.0");
        } catch (IOException | InterruptedException e) {
          return false;
        }
      }, first, dir.resolve("hook.log"));
      first.destroyForcibly(); // SIGKILL: no shutdown hook runs
      first.waitFor();
      Files.delete(gate);
      second = child(dir, List.of());
      port(dir, second);
      try (JobStore store = awaitStore(dir, second)) {
        assertCheckedOnce(store, repo, digests, reg.hostPort());
        List<JobStore.Stored> all = done(store);
        assertEquals(3, all.size(), "all three acknowledged pushes were checked, none lost");
        assertEquals(2, all.stream().filter(r -> r.attempts() == 2).count(), "the two killed jobs re-ran once each");
      }
    } finally {
      first.destroyForcibly();
      if (second != null) {
        second.destroyForcibly();
        second.waitFor();
      }
    }
  }

  /** Waits for the child to finish 3 jobs, then stops it and opens its database. */
  private JobStore awaitStore(Path dir, Process child) throws Exception {
    HookClient client = new HookClient(java.net.URI.create("http://127.0.0.1:" + port(dir, child)), Optional.empty(),
        Optional.empty());
    await("3 results from the restarted hook", () -> client.results(Optional.empty(), Optional.empty(), 100)
        .get("results").size() == 3, child, dir.resolve("hook.log"));
    child.destroyForcibly();
    child.waitFor();
    return JobStore.sqlite(dir.resolve("state"), 2);
  }

  /**
   * Two replicas on one PostgreSQL; the registry notifies both (every event arrives twice): each pushed image is
   * stored once and checked exactly once, by one of them.
   */
  @Test
  void twoReplicasOnPostgresCheckEachImageExactlyOnce() throws Exception {
    String url = PostgresPeer.freshDatabase();
    Path sa = tmp.resolve("a");
    Path sb = tmp.resolve("b");
    try (HookService a = hook(JobStore.postgresql(url, Optional.empty(), 6), sa, 60_000);
        HookService b = hook(JobStore.postgresql(url, Optional.empty(), 6), sb, 60_000);
        JobStore view = JobStore.postgresql(url, Optional.empty(), 2)) {
      LocalRegistry.Endpoint reg = LocalRegistry.notifying(List.of(a.uri() + "/events", b.uri() + "/events"), Optional.of(TOKEN));
      a.reconfigure(settings(reg.hostPort(), sa));
      b.reconfigure(settings(reg.hostPort(), sb));
      String repo = LocalRegistry.uniqueRepository("hook-pg");
      List<Digest> digests = push(reg, repo, 8, "p");
      await("8 results and both copies of every event", () -> done(view).size() == 8
          && done(view).stream().allMatch(r -> r.events() == 2), null, null);
      assertCheckedOnce(view, repo, digests, reg.hostPort());
      for (JobStore.Stored r : done(view)) {
        assertEquals(1, r.attempts(), "claimed once: " + r.digest());
      }
      assertEquals(8, a.finished() + b.finished(), "a=" + a.finished() + " b=" + b.finished());
    }
  }

  /**
   * {@code kill -9} of one of two PostgreSQL replicas mid-job: the other takes the job over when its lease runs out.
   */
  @Test
  void killNineOfAPostgresReplicaHandsItsJobToTheOther() throws Exception {
    String url = PostgresPeer.freshDatabase();
    Path dir = tmp.resolve("pg-proc");
    Files.createDirectories(dir);
    Path gate = dir.resolve("started");
    Process dying = child(dir, List.of("--gate", gate.toString(), "--database", url, "--lease-ms", "2000"));
    try {
      int port = port(dir, dying);
      LocalRegistry.Endpoint reg = LocalRegistry.notifying("http://127.0.0.1:" + port + "/events", Optional.empty());
      Files.writeString(dir.resolve("registry"), reg.hostPort());
      await("the hook to take the registry", () -> Files.exists(dir.resolve("port.ready")), dying, dir.resolve("hook.log"));
      String repo = LocalRegistry.uniqueRepository("hook-pg-kill");
      List<Digest> digests = push(reg, repo, 1, "q");
      await("the job to start", () -> Files.exists(gate), dying, dir.resolve("hook.log"));
      dying.destroyForcibly();
      dying.waitFor();
      Path sb = tmp.resolve("survivor");
      try (HookService survivor = hook(JobStore.postgresql(url, Optional.empty(), 6), sb, 60_000);
          JobStore view = JobStore.postgresql(url, Optional.empty(), 2)) {
        survivor.reconfigure(settings(reg.hostPort(), sb));
        await("the survivor to finish the job", () -> done(view).size() == 1, null, null);
        assertCheckedOnce(view, repo, digests, reg.hostPort());
        assertEquals(2, done(view).get(0).attempts(), "the dead replica's attempt, then the survivor's");
        assertEquals(1, survivor.finished());
      }
    } finally {
      dying.destroyForcibly();
    }
  }
}
