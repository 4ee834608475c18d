package dev.bitproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.deb.TestArchive;
import dev.bitproof.json.Json;
import dev.bitproof.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every command, run with {@code --format json} on fixtures this test makes from {@code testdata/demo}, prints one
 * document that carries {@code $schema}, {@code tool} and {@code command} and validates against the schema its
 * {@code $schema} names in {@code docs/schema/}; so do its error documents, usage errors included.
 */
public class JsonSchemaTest {
  /** Commands that print no document of their own: {@code completion}, whose output is the shell script. */
  static final Set<String> NO_DOCUMENT = Set.of("completion");

  @TempDir
  static Path tmp;

  static Path demo;
  static final Set<String> covered = ConcurrentHashMap.newKeySet();
  private static final Map<Path, Schema> schemas = new ConcurrentHashMap<>();

  @BeforeAll
  static void fixtures() throws IOException {
    demo = SharedData.testdata("demo");
  }

  /** The schema file a document's {@code $schema} names: {@code …/schemas/apk-verify-v1.json} → {@code docs/schema/apk-verify.json}. */
  static Path schemaFile(String id) {
    assertTrue(id.startsWith("https://bitproof.dev/schemas/") && id.endsWith("-v1.json"), id);
    String name = id.substring("https://bitproof.dev/schemas/".length(), id.length() - "-v1.json".length());
    return SharedData.projectRoot().resolve("docs/schema/" + name + ".json");
  }

  /** The schema violations of {@code doc} against the schema its {@code $schema} names (empty: valid). */
  public static List<String> validate(JsonNode doc) {
    Path f = schemaFile(doc.path("$schema").asText());
    assertTrue(Files.isRegularFile(f), "no schema " + f + " for " + doc.path("$schema"));
    Schema s = schemas.computeIfAbsent(f, p -> {
      try {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
            .getSchema(Json.parse(Files.readAllBytes(p), p.toString()));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    return s.validate(doc).stream().map(Object::toString).toList();
  }

  /** Runs {@code args} (which must hold --format json), checks the exit code and the document; returns it. */
  static JsonNode check(String command, int exit, String... args) {
    Run r = CliRunner.run(args);
    assertEquals(exit, r.code(), command + ": " + r.out() + r.err());
    JsonNode doc = r.json();
    assertEquals("bitproof", doc.path("tool").path("name").asText(), command + ": " + r.out());
    assertFalse(doc.path("tool").path("version").asText().isEmpty(), r.out());
    assertEquals(command, doc.path("command").asText(), r.out());
    assertEquals(List.of(), validate(doc), command + ": " + r.out());
    if (exit == 0) {
      covered.add(command);
    }
    return doc;
  }

  static String[] json(String... args) {
    List<String> a = new ArrayList<>(List.of(args));
    a.add("--format");
    a.add("json");
    return a.toArray(String[]::new);
  }

  @Test
  void everyCommandPrintsADocumentItsSchemaAccepts() throws Exception {
    String published = "oci:" + demo.resolve("published");
    String tampered = "oci:" + demo.resolve("published-tampered");
    String pkgs = demo.resolve("packages").toString();
    String keys = demo.resolve("keys").toString();

    check("demo", 0, json("demo"));
    check("demo", 1, json("demo", "--tampered"));
    JsonNode report = check("verify", 0, json("verify", demo.resolve("apko.yaml").toString(), "--image", published,
        "--lockfile", demo.resolve("apko.lock.json").toString(), "--context", demo.toString()));
    check("compare", 0, json("compare", published, published));
    check("compare", 1, json("compare", published, tampered));
    check("inspect", 0, json("inspect", published));
    check("man", 0, json("man", "--dir", tmp.resolve("man1").toString()));
    check("copy", 0, json("copy", published, "oci:" + tmp.resolve("copy")));
    check("policy check", 0, json("policy check".split(" ")[0], "check", published, "--profile", "dev"));
    check("recompress", 0, json("recompress", published));
    check("build", 0, json("build", demo.resolve("apko.yaml").toString(), "--lockfile",
        demo.resolve("apko.lock.json").toString(), "-C", demo.toString(), "-o", "oci:" + tmp.resolve("built")));
    check("build", 0, json("build", demo.resolve("apko.yaml").toString(), "-C", demo.toString(), "--lock-only",
        "--write-lock", tmp.resolve("lock.json").toString()));
    check("sbom generate", 0, "sbom", "generate", published, "--platform", "linux/amd64", "--format", "spdx",
        "--output", tmp.resolve("sbom.spdx.json").toString(), "--format", "json");
    check("sbom check", 0, json("sbom", "check", published, "--platform", "linux/amd64", "--sbom",
        tmp.resolve("sbom.spdx.json").toString()));
    check("apk verify", 0, json("apk", "verify", "--keyring", keys, pkgs + "/x86_64/APKINDEX.tar.gz",
        pkgs + "/x86_64/demo-hello-1.0.0-r0.apk"));
    check("apk info", 0, json("apk", "info", "--keyring", keys, pkgs + "/x86_64/demo-hello-1.0.0-r0.apk"));
    check("apk info", 0, json("apk", "info", pkgs + "/x86_64/APKINDEX.tar.gz"));
    check("apk resolve", 0, json("apk", "resolve", "--keyring", keys, "--repository", pkgs, "--arch", "x86_64,aarch64",
        "demo-hello"));
    check("apk resolve", 1, json("apk", "resolve", "--keyring", SharedData.testdata("attest").toString(),
        "--repository", pkgs, "demo-hello"));

    check("key generate", 0, json("key", "generate", "--type", "ed25519", "--out", tmp.resolve("k").toString()));
    Path reportFile = Files.writeString(tmp.resolve("verify.json"), report.toPrettyString());
    check("attest sign", 0, json("attest", "sign", reportFile.toString(), "--key", tmp.resolve("k.key").toString(),
        "--out", tmp.resolve("verify.intoto.jsonl").toString()));
    check("attest verify", 0, json("attest", "verify", tmp.resolve("verify.intoto.jsonl").toString(), "--key",
        tmp.resolve("k.pub").toString(), "--image", published));
    check("attest verify", 1, json("attest", "verify", tmp.resolve("verify.intoto.jsonl").toString(), "--key",
        tmp.resolve("k.pub").toString(), "--image", tampered));

    // deb verify and deb image-check on a signed archive, its debs and a rootfs the test builds (core's TestArchive)
    TestArchive archive = new TestArchive();
    TestArchive.Written w = archive.writeTo(Files.createDirectories(tmp.resolve("deb")));
    List<String> debVerify = new ArrayList<>(List.of("deb", "verify", "--now", "2026-11-29T12:00:00Z", "--keyring",
        w.keyring().toString(), "--release", w.inRelease().toString(), "--packages", w.packagesXz().toString(),
        "--suite", "testy", "--component", "main", "--arch", "amd64"));
    w.debs().forEach(p -> debVerify.add(p.toString()));
    check("deb verify", 0, json(debVerify.toArray(String[]::new)));
    check("deb verify", 1, json("deb", "verify", "--now", "2026-11-29T12:00:00Z", "--keyring", w.keyring().toString(),
        "--release", w.release().toString(), "--release-gpg", w.staleReleaseGpg().toString()));
    Path rootfs = archive.writeRootfs(Files.createDirectories(tmp.resolve("deb-rootfs")));
    check("deb image-check", 0, json("deb", "image-check", "--rootfs", rootfs.toString()));
    // the rootfs holds a locally built package no index lists: not proven in the archive, so it fails
    check("deb image-check", 1, json("deb", "image-check", "--now", "2026-11-29T12:00:00Z", "--rootfs",
        rootfs.toString(), "--keyring", w.keyring().toString(), "--release", w.inRelease().toString(), "--packages",
        w.packagesXz().toString()));
    check("deb image-check", 3, json("deb", "image-check", published));
    covered.add("deb image-check");

    hookResults();
    // a server prints no document while it serves; its --print-config is one
    check("hook serve", 0, json("hook", "serve", "--registry", "127.0.0.1:1", "--state", tmp.resolve("hook-serve").toString(),
        "--verify-config", "team/app=" + demo.resolve("apko.yaml"), "--print-config"));

    Set<String> all = new TreeSet<>();
    commands(Main.commandLine(), all);
    all.removeAll(NO_DOCUMENT);
    all.removeAll(covered);
    assertEquals(Set.of(), all, "commands whose JSON document no test validates");
  }

  /**
   * {@code hook results} against a hook this test starts on a loopback port it binds itself (port 0), whose registry
   * cannot be reached: the pushed image's stored result is a real ERROR document (exit 3), and the list holds it.
   */
  static void hookResults() throws IOException {
    java.nio.file.Path state = tmp.resolve("hook");
    var checks = new dev.bitproof.hook.CheckSettings("127.0.0.1:1", dev.bitproof.oci.transport.TransportOptions.defaults(),
        dev.bitproof.policy.Policy.of(dev.bitproof.policy.Rule.Profile.PRODUCTION), "profile:production", false,
        Map.of(), List.of(), java.util.Optional.empty(), state, "test", java.util.Optional.empty(), state.resolve("work"));
    String digest = dev.bitproof.oci.Digest.sha256("pushed".getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    try (var hook = dev.bitproof.hook.HookService.start(
        new dev.bitproof.hook.HookService.ServerSettings("127.0.0.1", 0, java.util.Optional.empty(), 1 << 20, 8),
        new dev.bitproof.hook.WorkerSettings(1, 60_000, 20, 50, 200, 1, java.util.OptionalInt.empty()),
        dev.bitproof.hook.JobStore.sqlite(state, 4), checks, new dev.bitproof.hook.RegistryChecker(),
        new dev.bitproof.hook.EventAuth(java.util.Optional.empty(), java.util.Optional.empty(), java.time.Clock.systemUTC()),
        java.time.Clock.systemUTC(), l -> { })) {
      String env = "{\"events\":[{\"id\":\"e1\",\"action\":\"push\",\"target\":{\"mediaType\":"
          + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + digest + "\",\"repository\":\"x/y\","
          + "\"tag\":\"t\",\"url\":\"http://198.51.100.7/v2/x/y/manifests/" + digest + "\"}}]}";
      var http = java.net.http.HttpClient.newHttpClient();
      var ack = http.send(java.net.http.HttpRequest.newBuilder(hook.uri().resolve("/events"))
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(env)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ack.statusCode(), ack.body());
      String url = hook.uri().toString();
      // no deadline of its own: the worker's one attempt at the unreachable registry ends in a stored ERROR
      Run r;
      do {
        Thread.sleep(50);
        r = CliRunner.run(json("hook", "results", "--url", url, "x/y@" + digest));
      } while (r.out().contains("HOOK_RESULT_NOT_FOUND"));
      JsonNode one = check("hook results", 3, json("hook", "results", "--url", url, "x/y@" + digest));
      assertEquals("ERROR", one.path("hookResult").asText(), one.toPrettyString());
      assertEquals("bitproof-hook-result", one.path("document").path("kind").asText(), one.toPrettyString());
      JsonNode list = check("hook results", 0, json("hook", "results", "--url", url));
      assertEquals(1, list.path("results").size(), list.toPrettyString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    }
  }

  private static void commands(CommandLine cl, Set<String> out) {
    if (cl.getSubcommands().isEmpty()) {
      out.add(Main.commandName(cl));
    }
    cl.getSubcommands().forEach((name, sub) -> {
      if (!name.equals("help")) {
        commands(sub, out);
      }
    });
  }

  @Test
  void errorDocumentsValidateToo() {
    // could not check: a named file that is missing
    JsonNode missing = check("apk info", 3, json("apk", "info", tmp.resolve("nope.apk").toString()));
    assertEquals("ERROR", missing.path("result").asText());
    // usage errors under --format json: bad option value, unknown option, missing parameter
    check("compare", 2, json("compare", "a", "b", "--require", "nonsense"));
    check("verify", 2, json("verify", "apko.yaml", "--no-such-option"));
    check("attest sign", 2, json("attest", "sign"));
    check("", 2, json("no-such-command"));
  }
}
