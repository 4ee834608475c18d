package dev.bitproof.cli.commands;

import dev.bitproof.cli.CliRunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.Main;
import dev.bitproof.json.Json;
import dev.bitproof.testing.LocalRegistry;
import dev.bitproof.testing.SharedData;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bitproof hook serve} behind the real Debian docker-registry: the registry's own push notifications drive it.
 */
class HookCommandTest {
  static final String GOLDEN_INDEX = "sha256:b5f05e6fc882c97d61c1daee566954ae6fc09924f8e152293e2b97a06092069f";

  @TempDir
  Path tmp;

  record Served(CompletableFuture<Integer> exit, StringWriter err, int port) {}

  static Served serve(String... args) {
    int port = LocalRegistry.freePort();
    List<String> a = new ArrayList<>(List.of("hook", "serve", "--listen", "127.0.0.1:" + port));
    a.addAll(List.of(args));
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
        () -> Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true), a.toArray(String[]::new)));
    HttpClient c = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline && !exit.isDone()) {
      try {
        if (c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return new Served(exit, err, port);
        }
      } catch (Exception notYet) {
        // not listening yet
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("hook did not start: " + err);
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

  static JsonNode result(Path state, String repo, String digest) throws Exception {
    return Json.parse(Files.readAllBytes(state.resolve(repo).resolve(digest.substring("sha256:".length()) + ".json")), "result");
  }

  /** The mission 6: push the golden image; the registry notifies; the hook rebuilds, compares and records BIT_IDENTICAL. */
  @Test
  void registryPushIsVerifiedEndToEnd() throws Exception {
    Path cli = SharedData.require("apk/apko/internal/cli");
    Path state = tmp.resolve("state");
    Files.writeString(tmp.resolve("token"), "hook-secret\n");
    String repo = LocalRegistry.uniqueRepository("hook");
    int port = LocalRegistry.freePort();
    LocalRegistry.Endpoint reg = LocalRegistry.notifying("http://127.0.0.1:" + port + "/events", Optional.of("hook-secret"));
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Main.run(new PrintWriter(new StringWriter()),
        new PrintWriter(err, true), "hook", "serve", "--listen", "127.0.0.1:" + port, "--registry", reg.hostPort(),
        "--insecure", "--state", state.toString(), "--auth-token-file", tmp.resolve("token").toString(),
        "--verify-config", repo + "=" + cli.resolve("testdata/apko.yaml"),
        "--verify-lockfile", repo + "=" + cli.resolve("testdata/apko.lock.json"), "--context", cli.toString(),
        "--max-images", "1"));
    CliRunner.Run copy = CliRunner.run("copy", "oci:" + cli.resolve("testdata/golden"),
        "docker://" + reg.hostPort() + "/" + repo + ":v1", "--insecure", "--quiet");
    assertEquals(0, copy.code(), copy.err());
    assertEquals(0, exit.get(120, TimeUnit.SECONDS), err.toString());

    JsonNode r = result(state, repo, GOLDEN_INDEX);
    assertEquals("PASS", r.get("result").asText(), r.toPrettyString());
    assertEquals("v1", r.get("event").get("tag").asText());
    assertEquals("BIT_IDENTICAL", r.get("verify").get("verdict").asText());
    assertEquals(GOLDEN_INDEX, r.get("verify").get("subjects").get("b").get("digest").asText());
    List<String> checks = new ArrayList<>();
    r.get("checks").forEach(c -> checks.add(c.get("name").asText() + "=" + c.get("status").asText()));
    assertEquals(List.of("rebuild=PASS", "signatures=PASS", "compare=PASS", "sbom=PASS", "policy-advisory=PASS",
        "apko-version=PASS"), checks);
    // the two child manifests were pushed untagged before the index: verified through it, not on their own
    assertFalse(Files.exists(state.resolve(repo).resolve("69f0237c7f8cf0b8a329d1bf1d6870c870c4ec323e39d3a6da59596632d0f2f4.json")));
  }

  /** Without a config mapping the hook still checks policy and SBOM; an enforced policy fails the root-user image. */
  @Test
  void unmappedPushGetsPolicyAndSbomChecks() throws Exception {
    Path golden = SharedData.apkoTestdata().resolve("golden");
    Path state = tmp.resolve("state");
    String repo = LocalRegistry.uniqueRepository("hook-policy");
    int port = LocalRegistry.freePort();
    LocalRegistry.Endpoint reg = LocalRegistry.notifying("http://127.0.0.1:" + port + "/events", Optional.empty());
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Main.run(new PrintWriter(new StringWriter()),
        new PrintWriter(err, true), "hook", "serve", "--listen", "127.0.0.1:" + port, "--registry", reg.hostPort(),
        "--insecure", "--state", state.toString(), "--enforce-policy", "--max-images", "1"));
    assertEquals(0, CliRunner.run("copy", "oci:" + golden, "docker://" + reg.hostPort() + "/" + repo + ":prod",
        "--insecure", "--quiet").code());
    assertEquals(0, exit.get(120, TimeUnit.SECONDS), err.toString());
    JsonNode r = result(state, repo, GOLDEN_INDEX);
    assertEquals("FAIL", r.get("result").asText(), r.toPrettyString());
    assertEquals("FAIL", r.get("checks").get(0).get("status").asText());
    assertEquals("policy", r.get("checks").get(0).get("name").asText());
    assertTrue(r.get("checks").get(0).toString().contains("RUNS_AS_ROOT"));
    assertEquals("PASS", r.get("checks").get(1).get("status").asText(), "the golden SBOMs match the layers");
  }

  /** Hostile or broken callers: bad method, wrong token, not an envelope, a forged URL, an unreachable image. */
  @Test
  void hostileEventsAreRefusedAndUnreachableImagesRecordedAsError() throws Exception {
    Files.writeString(tmp.resolve("token"), "s3cret");
    Path state = tmp.resolve("state");
    Served s = serve("--registry", "127.0.0.1:" + LocalRegistry.freePort(), "--state", state.toString(),
        "--auth-token-file", tmp.resolve("token").toString(), "--max-images", "1");
    String d = "sha256:" + "ab".repeat(32);
    String env = "{\"events\":[{\"id\":\"e1\",\"action\":\"push\",\"target\":{\"mediaType\":"
        + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + d + "\",\"repository\":\"x/y\",\"tag\":\"t\","
        + "\"url\":\"http://198.51.100.7/v2/x/y/manifests/" + d + "\"}}]}";
    assertEquals(401, post(s.port(), env, null));
    assertEquals(401, post(s.port(), env, "Bearer wrong"));
    assertEquals(400, post(s.port(), "not json", "Bearer s3cret"));
    assertEquals(400, post(s.port(), "{\"events\":{}}", "Bearer s3cret"));
    assertEquals(413, post(s.port(), "{\"events\":[" + " ".repeat(2 * 1024 * 1024) + "]}", "Bearer s3cret"));
    assertEquals(405, HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + s.port() + "/events")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
    assertEquals(200, post(s.port(), env, "Bearer s3cret"));
    assertEquals(0, s.exit().get(60, TimeUnit.SECONDS), s.err().toString());
    JsonNode r = result(state, "x/y", d);
    assertEquals("ERROR", r.get("result").asText(), r.toPrettyString());
    assertTrue(r.get("image").asText().startsWith("docker://127.0.0.1:"), "the event's URL host is never used: " + r.get("image"));
  }

  @Test
  void usageErrors() {
    assertEquals(2, CliRunner.run("hook", "serve", "--state", tmp.toString()).code(), "--registry is required");
    assertEquals(2, CliRunner.run("hook", "serve", "--registry", "r:1", "--state", tmp.toString(), "--queue", "0").code());
    assertEquals(2, CliRunner.run("hook", "serve", "--registry", "r:1", "--state", tmp.toString(),
        "--verify-lockfile", "a=b").code());
    assertEquals(3, CliRunner.run("hook", "serve", "--registry", "r:1", "--state", tmp.toString(),
        "--verify-config", "a=" + tmp.resolve("missing.yaml")).code());
  }
}
