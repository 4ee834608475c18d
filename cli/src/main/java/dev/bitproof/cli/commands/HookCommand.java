package dev.bitproof.cli.commands;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bitproof.rebuild.LayerCompressor;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.options.ExitCodes;
import dev.bitproof.cli.options.TransportMixin;
import dev.bitproof.cli.render.Output;
import dev.bitproof.compare.CompareOptions;
import dev.bitproof.hook.RegistryEvent;
import dev.bitproof.json.Json;
import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.policy.Policy;
import dev.bitproof.report.CheckException;
import dev.bitproof.verify.ApkoRebuilder;
import dev.bitproof.verify.PublishedCheck;
import dev.bitproof.verify.Report;
import dev.bitproof.verify.ReportJson;
import dev.bitproof.verify.Verifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bitproof hook serve}: a registry-side hook. The registry (CNCF distribution's {@code notifications}) posts an
 * event for every push; each pushed image is checked (hardening policy and SBOM always; a full rebuild-and-compare
 * when its repository is mapped to an apko config) and the result is written under {@code --state}, optionally with
 * a signed attestation attached to the image.
 */
@Command(name = "hook", mixinStandardHelpOptions = true, description = "Registry-side hook that verifies every pushed image.",
    subcommands = HookCommand.Serve.class)
public final class HookCommand {

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = {"Listen for registry push notifications (distribution's notifications endpoint: POST /events) and "
          + "verify every pushed image: tagged manifests and indexes; child manifests are verified through their index; "
          + "sha256-* tags (attestations, SBOMs) are skipped.",
          "Results: STATE/<repository>/<digest-hex>.json, also served at GET /results/<repository>@<digest>."},
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:stopped cleanly", "2:usage error",
        "3:could not listen or read a named file", "4:internal error"})
  public static final class Serve implements java.util.concurrent.Callable<Integer> {
    @Mixin
    Common common;

    @Mixin
    TransportMixin transport;

    @Mixin
    AttestOptions attest;

    @Option(names = "--listen", defaultValue = "127.0.0.1:8765", paramLabel = "HOST:PORT",
        description = "Where to listen (default: ${DEFAULT-VALUE}; port 0 picks a free port, printed on stderr).")
    String listen;

    @Option(names = "--registry", required = true, paramLabel = "HOST:PORT",
        description = "The registry to fetch pushed images from. Event URLs are never followed.")
    String registry;

    @Option(names = "--state", required = true, paramLabel = "DIR", description = "Where results are written.")
    Path state;

    @Option(names = "--auth-token-file", paramLabel = "FILE",
        description = "Require 'Authorization: Bearer <token>' on events (set it in the registry's endpoint headers).")
    Path authTokenFile;

    @Option(names = "--verify-config", paramLabel = "REPO=CONFIG", description = "Rebuild and compare pushes to REPO with this apko config.")
    Map<String, Path> verifyConfigs = new LinkedHashMap<>();

    @Option(names = "--verify-lockfile", paramLabel = "REPO=LOCK", description = "The lock file for REPO's config.")
    Map<String, Path> verifyLockfiles = new LinkedHashMap<>();

    @Option(names = "--keyring", paramLabel = "DIR", description = "Extra APK keys for verify (beside the config's keyring).")
    Path keyring;

    @Option(names = "--context", paramLabel = "DIR", description = "Directory the configs' relative paths resolve against.")
    Path context;

    @Option(names = "--policy", paramLabel = "FILE", description = "Hardening policy YAML (default: production profile).")
    Path policyFile;

    @Option(names = "--profile", paramLabel = "production|dev", description = "Built-in hardening profile.")
    String profile;

    @Option(names = "--enforce-policy", description = "Policy violations fail the result (default: advisory).")
    boolean enforcePolicy;

    @Option(names = "--queue", defaultValue = "256", paramLabel = "N",
        description = "Pending images at most; a full queue answers 503 so the registry retries later (default ${DEFAULT-VALUE}).")
    int queueSize;

    @Option(names = "--max-images", paramLabel = "N", description = "Stop after N images were processed (for one-shot runs and tests).")
    Integer maxImages;

    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final AtomicInteger processed = new AtomicInteger();

    @Override
    public Integer call() throws Exception {
      Output out = common.output();
      if (queueSize < 1 || queueSize > 100_000 || (maxImages != null && maxImages < 1)) {
        throw CheckException.usage("OPTION_INVALID", "--queue must be 1..100000 and --max-images at least 1");
      }
      if (attest.attach && !attest.requested()) {
        throw CheckException.usage("ATTEST_KEY_REQUIRED", "--attach needs --attest-key");
      }
      for (String repo : verifyLockfiles.keySet()) {
        if (!verifyConfigs.containsKey(repo)) {
          throw CheckException.usage("OPTION_INVALID", "--verify-lockfile " + repo + " has no --verify-config");
        }
      }
      for (Path p : verifyConfigs.values()) {
        if (!Files.isRegularFile(p)) {
          throw new CheckException("FILE_NOT_FOUND", p.toString(), "no such config file");
        }
      }
      Optional<byte[]> token = Optional.empty();
      if (authTokenFile != null) {
        if (!Files.isRegularFile(authTokenFile)) {
          throw new CheckException("FILE_NOT_FOUND", authTokenFile.toString(), "no such token file");
        }
        token = Optional.of(("Bearer " + Files.readString(authTokenFile).strip()).getBytes(StandardCharsets.UTF_8));
      }
      Policy policy = PolicyCommand.load(policyFile, profile);
      TransportOptions to = transport.options();
      Files.createDirectories(state);

      BlockingQueue<RegistryEvent> queue = new ArrayBlockingQueue<>(queueSize);
      CountDownLatch done = new CountDownLatch(1);
      int colon = listen.lastIndexOf(':');
      if (colon <= 0) {
        throw CheckException.usage("OPTION_INVALID", "--listen must be HOST:PORT");
      }
      HttpServer server;
      try {
        server = HttpServer.create(new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1))), 16);
      } catch (IOException | NumberFormatException e) {
        throw new CheckException("HOOK_LISTEN_FAILED", listen, "cannot listen: " + e.getMessage(), e);
      }
      Optional<byte[]> expectedAuth = token;
      server.createContext("/events", ex -> onEvents(ex, queue, expectedAuth, out));
      server.createContext("/healthz", ex -> reply(ex, 200, "ok\n"));
      server.createContext("/results/", ex -> onResult(ex));
      server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2));
      server.start();
      out.progress("bitproof hook: listening on http://" + listen.substring(0, colon) + ":" + server.getAddress().getPort()
          + "/events for pushes to " + registry);

      Thread worker = new Thread(() -> {
        try {
          while (maxImages == null || processed.get() < maxImages) {
            RegistryEvent e = queue.poll(1, TimeUnit.SECONDS);
            if (e != null) {
              process(e, policy, to, out);
              pending.remove(key(e));
              processed.incrementAndGet();
            }
          }
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        } finally {
          done.countDown();
        }
      }, "bitproof-hook-worker");
      worker.setDaemon(true);
      worker.start();
      Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
      done.await();
      server.stop(1);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
      out.progress("bitproof hook: stopped after " + processed.get() + " image(s)");
      return ExitCodes.OK;
    }

    private static String key(RegistryEvent e) {
      return e.repository() + "@" + e.digest();
    }

    private void onEvents(HttpExchange ex, BlockingQueue<RegistryEvent> queue, Optional<byte[]> auth, Output out)
        throws IOException {
      try (ex) {
        if (!ex.getRequestMethod().equals("POST")) {
          reply(ex, 405, "POST only\n");
          return;
        }
        if (auth.isPresent()) {
          String got = ex.getRequestHeaders().getFirst("Authorization");
          if (got == null || !MessageDigest.isEqual(auth.get(), got.getBytes(StandardCharsets.UTF_8))) {
            reply(ex, 401, "HOOK_UNAUTHORIZED\n");
            return;
          }
        }
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
          body = LimitedInputStream.readAll(in, RegistryEvent.MAX_ENVELOPE + 1L, "HOOK_EVENT_INVALID", "envelope");
        } catch (CheckException e) {
          reply(ex, 413, e.code() + "\n");
          return;
        }
        List<RegistryEvent> events;
        try {
          events = RegistryEvent.parseEnvelope(body);
        } catch (CheckException e) {
          reply(ex, 400, e.code() + ": " + e.getMessage() + "\n");
          return;
        }
        for (RegistryEvent e : events) {
          if (!e.isImagePush() || !pending.add(key(e))) {
            continue;
          }
          if (!queue.offer(e)) {
            pending.remove(key(e));
            // the registry keeps the event and retries: back-pressure instead of loss
            reply(ex, 503, "HOOK_QUEUE_FULL\n");
            return;
          }
          out.progress("bitproof hook: queued " + key(e) + e.tag().map(t -> " (" + t + ")").orElse(""));
        }
        reply(ex, 200, "ok\n");
      }
    }

    private void onResult(HttpExchange ex) throws IOException {
      try (ex) {
        String rest = ex.getRequestURI().getPath().substring("/results/".length());
        int at = rest.lastIndexOf('@');
        Path file = null;
        if (at > 0) {
          try {
            file = resultFile(rest.substring(0, at), dev.bitproof.oci.Digest.parse(rest.substring(at + 1)));
          } catch (CheckException | IllegalArgumentException bad) {
            file = null;
          }
        }
        if (file == null || !Files.isRegularFile(file)) {
          reply(ex, 404, "no result\n");
          return;
        }
        byte[] b = Files.readAllBytes(file);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream os = ex.getResponseBody()) {
          os.write(b);
        }
      }
    }

    private static void reply(HttpExchange ex, int code, String body) throws IOException {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(code, b.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(b);
      }
    }

    /** {@code STATE/<repo>/<hex>.json}; the repository name was validated by the event parser (no {@code ..}). */
    Path resultFile(String repository, dev.bitproof.oci.Digest digest) {
      if (!ImageReference.isValidRepository(repository)) {
        throw new IllegalArgumentException("bad repository");
      }
      return state.resolve(repository).resolve(digest.hex() + ".json");
    }

    /** Checks one pushed image and writes its result; never throws (a failure is an ERROR result). */
    void process(RegistryEvent e, Policy policy, TransportOptions to, Output out) {
      ObjectNode result = Json.mapper().createObjectNode();
      result.put("schemaVersion", 1);
      result.put("kind", "bitproof-hook-result");
      ObjectNode ev = result.putObject("event");
      ev.put("id", e.id());
      ev.put("repository", e.repository());
      ev.put("digest", e.digest().toString());
      ev.put("tag", e.tag().orElse(null));
      ev.put("mediaType", e.mediaType().value());
      ImageReference ref = ImageReference.parse("docker://" + registry + "/" + e.repository() + "@" + e.digest());
      result.put("image", ref.toString());
      String verdict;
      try (ImageSource src = Transports.source(ref, to)) {
        RawManifest root = src.root();
        if (root.isIndex() ? root.asIndex().subject().isPresent() : root.asImage().subject().isPresent()) {
          verdict = "SKIPPED";
          result.put("reason", "a referrer (it has a subject): an attestation or SBOM, not an image");
        } else {
          ArrayNode checks = result.putArray("checks");
          boolean failed = false;
          Path config = verifyConfigs.get(e.repository());
          if (config != null) {
            Report r = verify(e, ref, src, config, policy, to);
            failed = !r.passed();
            byte[] reportBytes = ReportJson.printedBytes(r, dev.bitproof.cli.render.Tool.version());
            result.set("verify", Json.parse(reportBytes, "report"));
            for (Report.Check c : r.checks()) {
              checks.add(ReportJson.check(c));
            }
            if (attest.requested()) {
              attest.out = resultFile(e.repository(), e.digest()).resolveSibling(e.digest().hex() + ".intoto.jsonl");
              Files.createDirectories(attest.out.getParent());
              attest.attest(reportBytes, to, out).ifPresent(s -> result.set("attestation", s));
            }
          } else {
            for (PublishedCheck pc : List.of(PublishedCheck.policy(policy, enforcePolicy), PublishedCheck.sbom())) {
              Report.Check c = pc.run(ref, src, to);
              failed |= c.status() == Report.Status.FAIL;
              checks.add(ReportJson.check(c));
            }
          }
          verdict = failed ? "FAIL" : "PASS";
        }
      } catch (CheckException ce) {
        verdict = ce.kind() == CheckException.Kind.INTEGRITY ? "FAIL" : "ERROR";
        ObjectNode err = result.putObject("error");
        err.put("code", ce.code());
        err.put("subject", ce.subject());
        err.put("message", ce.getMessage());
      } catch (Exception other) {
        verdict = "ERROR";
        ObjectNode err = result.putObject("error");
        err.put("code", other instanceof IOException ? "IO_ERROR" : "INTERNAL_ERROR");
        err.put("message", String.valueOf(other));
      }
      result.put("result", verdict);
      try {
        Path file = resultFile(e.repository(), e.digest());
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), ".result-", ".partial");
        Files.write(tmp, Json.mapper().writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(result));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        out.progress("bitproof hook: " + verdict + " " + key(e) + " -> " + file);
      } catch (IOException io) {
        out.progress("bitproof hook: could not write the result of " + key(e) + ": " + io);
      }
    }

    private Report verify(RegistryEvent e, ImageReference ref, ImageSource src, Path config, Policy policy,
        TransportOptions to) throws IOException {
      Path work = Files.createTempDirectory("bitproof-hook-");
      try {
        Verifier.Request req = new Verifier.Request(config.toAbsolutePath(),
            Optional.ofNullable(verifyLockfiles.get(e.repository())).map(Path::toAbsolutePath),
            Optional.ofNullable(keyring).map(Path::toAbsolutePath), OptionalLong.empty(), ref.toString(), work,
            CompareOptions.strict(), CompareCommand.required(null, false), to);
        Path ctx = (context == null ? Path.of("") : context).toAbsolutePath();
        List<PublishedCheck> extra = new ArrayList<>(List.of(PublishedCheck.sbom(), PublishedCheck.policy(policy, enforcePolicy)));
        return Verifier.run(req, new ApkoRebuilder(ctx, LayerCompressor.named("apko")), src, extra);
      } finally {
        VerifyCommand.deleteTree(work);
      }
    }

  }
}
