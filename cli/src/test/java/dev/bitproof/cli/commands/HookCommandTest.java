package dev.bitproof.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner;
import dev.bitproof.cli.Main;
import dev.bitproof.hook.JobStore;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.testing.LocalRegistry;
import dev.bitproof.testing.NotificationRelay;
import dev.bitproof.testing.TestApkoImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bitproof hook serve|results} behind the real Debian docker-registry: the registry's own push notifications
 * drive it. The hook binds port 0 and reports the port in {@code --port-file}; no start-up deadline but a generous
 * bound that fails with the hook's stderr.
 */
class HookCommandTest {
  static final Duration BOUND = Duration.ofMinutes(5);

  @TempDir
  Path tmp;

  NotificationRelay relay;

  @BeforeEach
  void startRelay() throws Exception {
    relay = NotificationRelay.start();
  }

  @AfterEach
  void stopRelay() {
    relay.close();
  }

  record Served(CompletableFuture<Integer> exit, StringWriter err, int port) {}

  /** Starts {@code hook serve --listen 127.0.0.1:0 --port-file …} in this JVM and reads the port it bound. */
  Served serve(String... args) throws Exception {
    Path portFile = tmp.resolve("port-" + System.nanoTime());
    List<String> a = new ArrayList<>(List.of("hook", "serve", "--listen", "127.0.0.1:0", "--port-file", portFile.toString()));
    a.addAll(List.of(args));
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
        () -> Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true), a.toArray(String[]::new)));
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!Files.exists(portFile)) {
      if (exit.isDone()) {
        throw new AssertionError("hook serve exited (" + exit.get() + ") before listening:\n" + err);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("hook serve not listening in " + BOUND + ":\n" + err);
      }
      Thread.sleep(20);
    }
    return new Served(exit, err, Integer.parseInt(Files.readString(portFile).strip()));
  }

  static int post(int port, String body, String auth) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
        .header("Content-Type", "application/vnd.docker.distribution.events.v1+json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** The stored result document, read from the stopped hook's SQLite database. */
  static JsonNode result(Path state, String repo, String digest) throws Exception {
    try (JobStore s = JobStore.sqlite(state, 2)) {
      return Json.parse(s.result(repo, Digest.parse(digest)).orElseThrow(() -> new AssertionError("no result for "
          + repo + "@" + digest)).document(), "result");
    }
  }

  /**
   * Push an apko-style image the test builds ({@link TestApkoImage}); the registry notifies; the hook rebuilds it from
   * its config and lock, compares, records BIT_IDENTICAL, signs the report and attaches it; {@code attest verify
   * docker://…} then passes on the registry's copy.
   */
  @Test
  void registryPushIsVerifiedEndToEnd() throws Exception {
    TestApkoImage.Built img = TestApkoImage.build(tmp.resolve("fixture"));
    String index = img.result().index().digest().toString();
    Path state = tmp.resolve("state");
    Files.writeString(tmp.resolve("token"), "hook-secret\n");
    String repo = LocalRegistry.uniqueRepository("hook");
    assertEquals(0, CliRunner.run("key", "generate", "--out", tmp.resolve("k").toString()).code());
    // the registry notifies a relay the test bound; the relay is pointed at the hook once the hook is up
    LocalRegistry.Endpoint reg = LocalRegistry.notifying(List.of(relay.url()), Optional.of("hook-secret"));
    Served s = serve("--registry", reg.hostPort(), "--insecure", "--state", state.toString(),
        "--auth-token-file", tmp.resolve("token").toString(),
        "--attest-key", tmp.resolve("k.key").toString(), "--attach",
        "--verify-config", repo + "=" + img.config(),
        "--verify-lockfile", repo + "=" + img.lock(), "--context", img.dir().toString(),
        "--max-images", "1");
    relay.forwardTo("http://127.0.0.1:" + s.port() + "/events");
    CliRunner.Run copy = CliRunner.run("copy", "oci:" + img.published(),
        "docker://" + reg.hostPort() + "/" + repo + ":v1", "--insecure", "--quiet");
    assertEquals(0, copy.code(), copy.err());
    assertEquals(0, s.exit().get(BOUND.toSeconds(), TimeUnit.SECONDS), s.err().toString());

    JsonNode r = result(state, repo, index);
    assertEquals("PASS", r.get("result").asText(), r.toPrettyString());
    assertEquals("v1", r.get("event").get("tag").asText());
    assertEquals("BIT_IDENTICAL", r.get("verify").get("verdict").asText());
    assertEquals(index, r.get("verify").get("subjects").get("b").get("digest").asText());
    List<String> checks = new ArrayList<>();
    r.get("checks").forEach(c -> checks.add(c.get("name").asText() + "=" + c.get("status").asText()));
    assertEquals(List.of("rebuild=PASS", "signatures=PASS", "compare=PASS", "sbom=PASS", "policy-advisory=PASS",
        "apko-version=PASS"), checks);
    assertTrue(r.has("attestation"), r.toPrettyString());
    CliRunner.Run verified = CliRunner.run("attest", "verify", "docker://" + reg.hostPort() + "/" + repo + "@" + index,
        "--key", tmp.resolve("k.pub").toString(), "--type", "vsa", "--insecure");
    assertEquals(0, verified.code(), verified.out() + verified.err());
    try (JobStore st = JobStore.sqlite(state, 2)) {
      // the two child manifests were pushed untagged before the index: verified through it, not on their own
      assertEquals(1, st.results(Optional.empty(), 0, 10).size());
    }
  }

  /** Without a config mapping the hook still checks policy and SBOM; an enforced policy fails the root-user image. */
  @Test
  void unmappedPushGetsPolicyAndSbomChecks() throws Exception {
    TestApkoImage.Built img = TestApkoImage.build(tmp.resolve("fixture"));
    Path golden = img.published();
    Path state = tmp.resolve("state");
    String repo = LocalRegistry.uniqueRepository("hook-policy");
    // the registry notifies a relay the test bound; the relay is pointed at the hook once the hook is up
    LocalRegistry.Endpoint reg = LocalRegistry.notifying(List.of(relay.url()), Optional.empty());
    Served s = serve("--registry", reg.hostPort(), "--insecure", "--state", state.toString(),
        "--enforce-policy", "--max-images", "1");
    relay.forwardTo("http://127.0.0.1:" + s.port() + "/events");
    assertEquals(0, CliRunner.run("copy", "oci:" + golden, "docker://" + reg.hostPort() + "/" + repo + ":prod",
        "--insecure", "--quiet").code());
    assertEquals(0, s.exit().get(BOUND.toSeconds(), TimeUnit.SECONDS), s.err().toString());
    JsonNode r = result(state, repo, img.result().index().digest().toString());
    assertEquals("FAIL", r.get("result").asText(), r.toPrettyString());
    assertEquals("FAIL", r.get("checks").get(0).get("status").asText());
    assertEquals("policy", r.get("checks").get(0).get("name").asText());
    assertTrue(r.get("checks").get(0).toString().contains("RUNS_AS_ROOT"));
    assertEquals("PASS", r.get("checks").get(1).get("status").asText(), "the shipped SBOMs match the layers");
  }

  /** Refused callers; an unreachable image is an ERROR from the configured registry; {@code hook results} reads it. */
  @Test
  void unreachableImagesAreErrorsAndHookResultsReadsThem() throws Exception {
    Files.writeString(tmp.resolve("token"), "s3cret");
    Path state = tmp.resolve("state");
    // port 1 (tcpmux) on loopback: nothing listens there, so every fetch is refused at once
    Served s = serve("--registry", "127.0.0.1:1", "--state", state.toString(),
        "--auth-token-file", tmp.resolve("token").toString(), "--max-attempts", "1", "--max-images", "2");
    String d = "sha256:" + "ab".repeat(32);
    String env = "{\"events\":[{\"id\":\"e1\",\"action\":\"push\",\"target\":{\"mediaType\":"
        + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + d + "\",\"repository\":\"x/y\",\"tag\":\"t\","
        + "\"url\":\"http://198.51.100.7/v2/x/y/manifests/" + d + "\"}}]}";
    assertEquals(401, post(s.port(), env, null));
    assertEquals(401, post(s.port(), env, "Bearer wrong"));
    assertEquals(400, post(s.port(), "not json", "Bearer s3cret"));
    assertEquals(200, post(s.port(), env, "Bearer s3cret"));
    String url = "http://127.0.0.1:" + s.port();
    CliRunner.Run q;
    long deadline = System.nanoTime() + BOUND.toNanos();
    do {
      Thread.sleep(50);
      q = CliRunner.run("hook", "results", "--url", url, "--auth-token-file", tmp.resolve("token").toString(),
          "x/y@" + d, "--format", "json");
      assertTrue(System.nanoTime() < deadline, "no result in " + BOUND + ": " + q.err() + "\n" + s.err());
    } while (q.out().contains("HOOK_RESULT_NOT_FOUND"));
    assertEquals(3, q.code(), "ERROR means the hook could not check: " + q.out() + q.err());
    JsonNode r = Json.parse(q.out().getBytes(java.nio.charset.StandardCharsets.UTF_8), "result");
    assertEquals("ERROR", r.get("result").asText(), r.toPrettyString());
    assertEquals(List.of(), dev.bitproof.cli.JsonSchemaTest.validate(r), r.toPrettyString());
    JsonNode stored = r.get("document");
    assertTrue(stored.get("image").asText().startsWith("docker://127.0.0.1:"), "the event's URL host is never used: " + stored.get("image"));
    CliRunner.Run list = CliRunner.run("hook", "results", "--url", url, "--auth-token-file", tmp.resolve("token").toString(),
        "--result", "ERROR");
    assertEquals(0, list.code(), list.err());
    assertTrue(list.out().startsWith("ERROR x/y@" + d), list.out());
    assertEquals(3, CliRunner.run("hook", "results", "--url", url, "x/y@" + d).code(), "no token: refused");
    assertEquals(2, CliRunner.run("hook", "results", "--url", url, "--since", "yesterday").code());
    // a second image ends the one-shot run
    assertEquals(200, post(s.port(), env.replace("ab".repeat(32), "cd".repeat(32)), "Bearer s3cret"));
    assertEquals(0, s.exit().get(BOUND.toSeconds(), TimeUnit.SECONDS), s.err().toString());
    assertFalse(s.err().toString().contains("INTERNAL_ERROR"), s.err().toString());
  }

  /** The config file's rules apply by glob; SIGHUP reloads it: the same image pushed again gets the new policy. */
  @Test
  void configFileRulesAndReloadOnSighup() throws Exception {
    TestApkoImage.Built img = TestApkoImage.build(tmp.resolve("fixture"));
    Path golden = img.published();
    String index = img.result().index().digest().toString();
    Path state = tmp.resolve("state");
    String repo = LocalRegistry.uniqueRepository("hook-cfg");
    Path cfg = Files.writeString(tmp.resolve("hook.yaml"), "repositories:\n  - match: \"bitproof-test/hook-cfg-*\"\n"
        + "    enforcePolicy: true\n");
    CliRunner.Run printed = CliRunner.run("hook", "serve", "--registry", "r:1", "--state", state.toString(),
        "--config", cfg.toString(), "--print-config", "--format", "json");
    assertEquals(0, printed.code(), printed.err());
    assertTrue(printed.json().path("repositories").get(0).path("enforcePolicy").asBoolean(), printed.out());
    assertEquals(2, CliRunner.run("hook", "serve", "--registry", "r:1", "--state", state.toString(),
        "--config", Files.writeString(tmp.resolve("typo.yaml"), "enforcePolicey: true\n").toString()).code());

    // the registry notifies a relay the test bound; the relay is pointed at the hook once the hook is up
    LocalRegistry.Endpoint reg = LocalRegistry.notifying(List.of(relay.url()), Optional.empty());
    Served s = serve("--registry", reg.hostPort(), "--insecure", "--state", state.toString(),
        "--config", cfg.toString(), "--max-images", "2");
    relay.forwardTo("http://127.0.0.1:" + s.port() + "/events");
    String url = "http://127.0.0.1:" + s.port();
    assertEquals(0, CliRunner.run("copy", "oci:" + golden, "docker://" + reg.hostPort() + "/" + repo + ":one",
        "--insecure", "--quiet").code());
    assertEquals("FAIL", awaitResult(url, repo, index, s).path("result").asText(), "the rule enforces the policy");

    Files.writeString(cfg, "repositories:\n  - match: \"bitproof-test/hook-cfg-*\"\n    enforcePolicy: false\n");
    LocalRegistry.exec(List.of("kill", "-HUP", Long.toString(ProcessHandle.current().pid())));
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!s.err().toString().contains("reloaded " + cfg)) {
      assertTrue(System.nanoTime() < deadline, "no reload: " + s.err());
      Thread.sleep(20);
    }
    assertEquals(0, CliRunner.run("copy", "oci:" + golden, "docker://" + reg.hostPort() + "/" + repo + ":two",
        "--insecure", "--quiet").code());
    assertEquals(0, s.exit().get(BOUND.toSeconds(), TimeUnit.SECONDS), s.err().toString());
    try (JobStore st = JobStore.sqlite(state, 2)) {
      assertEquals(List.of("PASS", "FAIL"), st.results(Optional.empty(), 0, 10).stream().map(JobStore.Stored::result).toList(),
          "a new policy version: the same image checked again, advisory now");
    }
  }

  static JsonNode awaitResult(String url, String repo, String index, Served s) throws Exception {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (true) {
      CliRunner.Run q = CliRunner.run("hook", "results", "--url", url, repo + "@" + index, "--format", "json");
      if (!q.out().contains("HOOK_RESULT_NOT_FOUND")) {
        JsonNode doc = Json.parse(q.out().getBytes(java.nio.charset.StandardCharsets.UTF_8), "result");
        assertEquals(List.of(), dev.bitproof.cli.JsonSchemaTest.validate(doc), doc.toPrettyString());
        return doc;
      }
      assertTrue(System.nanoTime() < deadline, "no result in " + BOUND + ":\n" + s.err());
      Thread.sleep(50);
    }
  }

  @Test
  void usageErrors() {
    assertEquals(2, CliRunner.run("hook", "serve", "--state", tmp.toString()).code(), "--registry is required");
    assertEquals(2, CliRunner.run("hook", "serve", "--registry", "r:1", "--state", tmp.toString(), "--workers", "0").code());
    assertEquals(2, CliRunner.run("hook", "serve", "--registry", "r:1", "--state", tmp.toString(),
        "--verify-lockfile", "a=b").code());
    assertEquals(2, CliRunner.run("hook", "serve", "--registry", "r:1", "--state", tmp.toString(),
        "--listen", "0.0.0.0:0").code(), "a non-loopback listener needs authentication");
    assertEquals(2, CliRunner.run("hook", "serve", "--registry", "r:1", "--state", tmp.toString(),
        "--database", "jdbc:mysql://x/y").code());
    assertEquals(3, CliRunner.run("hook", "serve", "--registry", "r:1", "--state", tmp.toString(),
        "--verify-config", "a=" + tmp.resolve("missing.yaml")).code());
    assertEquals(3, CliRunner.run("hook", "results", "--url", "http://127.0.0.1:1", "a/b@sha256:" + "ab".repeat(32)).code(),
        "an unreachable hook: could not check");
  }
}
