package dev.bitproof.cli.commands;

import dev.bitproof.attest.SignSummary;
import dev.bitproof.attest.Signer;
import dev.bitproof.cli.render.Tool;
import dev.bitproof.report.CommonCode;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.options.ReportFiles;
import dev.bitproof.cli.options.ExitCodes;
import dev.bitproof.cli.options.TransportMixin;
import dev.bitproof.attest.AttestCode;
import dev.bitproof.cli.render.Output;
import dev.bitproof.hook.Attester;
import dev.bitproof.hook.CheckSettings;
import dev.bitproof.hook.EventAuth;
import dev.bitproof.hook.HookClient;
import dev.bitproof.hook.HookCode;
import dev.bitproof.hook.HookResults;
import dev.bitproof.hook.HookServer;
import dev.bitproof.hook.HookService;
import dev.bitproof.cli.render.Result;
import dev.bitproof.report.Outcome;
import dev.bitproof.hook.RegistryEvent;
import dev.bitproof.hook.Tls;
import dev.bitproof.hook.WorkerSettings;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.policy.Policy;
import dev.bitproof.report.CheckException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bitproof hook serve|results}: wires options to the hook service ({@code dev.bitproof.hook}) and its client.
 */
@Command(name = "hook", mixinStandardHelpOptions = true, description = "Registry-side hook that verifies every pushed image.",
    subcommands = {HookCommand.Serve.class, HookCommand.Results.class})
public final class HookCommand {

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = {"Listen for registry push notifications (distribution's notifications endpoint: POST /events), store "
          + "each pushed image as a job before acknowledging it, and verify it: tagged manifests and indexes; child "
          + "manifests are verified through their index; sha256-* tags (attestations, SBOMs) are skipped.",
          "Jobs and results live in a database: SQLite in STATE/hook.db (one process), or PostgreSQL with --database "
          + "(any number of replicas). GET /healthz, /readyz, /metrics, /v1/results/<repository>@<digest>, /v1/results."},
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:stopped cleanly", "2:usage error",
        "3:could not listen, open the database or read a named file", "4:internal error"})
  public static final class Serve implements Callable<Integer> {
    @Mixin
    Common common;

    @Mixin
    TransportMixin transport;

    @Mixin
    AttestOptions attest;

    @Option(names = "--listen", defaultValue = "127.0.0.1:8765", paramLabel = "HOST:PORT",
        description = "Where to listen (default: ${DEFAULT-VALUE}; port 0 binds a free port, printed on stderr and in --port-file).")
    String listen;

    @Option(names = "--port-file", paramLabel = "FILE", description = "Write the bound port here once listening (for port 0).")
    Path portFile;

    @Option(names = "--registry", paramLabel = "HOST:PORT",
        description = "The registry to fetch pushed images from (or registry: in --config). Event URLs are never followed.")
    String registry;

    @Option(names = "--config", paramLabel = "FILE",
        description = "YAML config (registry, profile|policy, enforcePolicy, repositories: match globs with config, "
            + "lockfile, profile|policy, enforcePolicy); its values win over the flags; reloaded on SIGHUP.")
    Path configFile;

    @Option(names = "--print-config", description = "Print the effective configuration and exit.")
    boolean printConfig;

    @Option(names = "--state", required = true, paramLabel = "DIR",
        description = "The hook's directory: hook.db (SQLite, unless --database), rebuild work, attestation bundles.")
    Path state;

    @Option(names = "--database", paramLabel = "JDBC_URL",
        description = "PostgreSQL shared by replicas (jdbc:postgresql://HOST:PORT/DB?user=U). Default: SQLite in --state.")
    String database;

    @Option(names = "--database-password-file", paramLabel = "FILE", description = "The PostgreSQL password.")
    Path databasePasswordFile;

    @Option(names = "--workers", defaultValue = "2", paramLabel = "N", description = "Images checked at once (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--lease-seconds", defaultValue = "60", paramLabel = "S",
        description = "A running job's lease, extended while it runs; a dead replica's job is taken over after it (default ${DEFAULT-VALUE}).")
    int leaseSeconds;

    @Option(names = "--max-attempts", defaultValue = "6", paramLabel = "N",
        description = "Attempts for an image that could not be checked (default ${DEFAULT-VALUE}).")
    int maxAttempts;

    @Option(names = "--retry-seconds", defaultValue = "5", paramLabel = "S",
        description = "First retry delay, doubling up to 10 minutes (default ${DEFAULT-VALUE}).")
    int retrySeconds;

    @Option(names = "--auth-token-file", paramLabel = "FILE",
        description = "Require 'Authorization: Bearer <token>' on events and results (set it in the registry's endpoint headers).")
    Path authTokenFile;

    @Option(names = "--hmac-secret-file", paramLabel = "FILE",
        description = "Accept events signed with this secret: X-Bitproof-Signature: t=<unix>,v1=<hex HMAC-SHA256 of t.body>.")
    Path hmacSecretFile;

    @Option(names = "--allow-unauthenticated",
        description = "Listen on a non-loopback address without --auth-token-file or --hmac-secret-file.")
    boolean allowUnauthenticated;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve HTTPS with this certificate chain (with --tls-key).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The certificate's private key (unencrypted PEM).")
    Path tlsKey;

    @Option(names = "--max-body", defaultValue = "1048576", paramLabel = "BYTES",
        description = "Largest event body accepted; larger ones get 413 (default ${DEFAULT-VALUE}).")
    int maxBody;

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

    @Option(names = "--max-images", paramLabel = "N", description = "Stop after this process finished N images (one-shot runs and tests).")
    Integer maxImages;

    @Override
    public Integer call() throws Exception {
      Output out = common.output();
      if (workers < 1 || workers > 256 || leaseSeconds < 2 || leaseSeconds > 3600 || maxAttempts < 1 || maxAttempts > 100
          || retrySeconds < 1 || maxBody < 1024 || maxBody > RegistryEvent.MAX_ENVELOPE || (maxImages != null && maxImages < 1)) {
        throw CheckException.usage(CommonCode.OPTION_INVALID, "--workers 1..256, --lease-seconds 2..3600, --max-attempts 1..100, "
            + "--retry-seconds ≥ 1, --max-body 1024.." + RegistryEvent.MAX_ENVELOPE + ", --max-images ≥ 1");
      }
      if (attest.attach && !attest.requested()) {
        throw CheckException.usage(AttestCode.ATTEST_KEY_REQUIRED, "--attach needs --attest-key");
      }
      if ((tlsCert == null) != (tlsKey == null)) {
        throw CheckException.usage(CommonCode.OPTION_INVALID, "--tls-cert and --tls-key go together");
      }
      if (database != null && !database.startsWith("jdbc:postgresql:")) {
        throw CheckException.usage(CommonCode.OPTION_INVALID, "--database takes a jdbc:postgresql: URL (SQLite is the default, in --state)");
      }
      Map<String, CheckSettings.Mapping> mappings = new LinkedHashMap<>();
      for (String repo : verifyLockfiles.keySet()) {
        if (!verifyConfigs.containsKey(repo)) {
          throw CheckException.usage(CommonCode.OPTION_INVALID, "--verify-lockfile " + repo + " has no --verify-config");
        }
      }
      verifyConfigs.forEach((repo, cfg) -> mappings.put(repo,
          new CheckSettings.Mapping(cfg, Optional.ofNullable(verifyLockfiles.get(repo)))));
      int colon = listen.lastIndexOf(':');
      int port;
      try {
        port = colon <= 0 ? -1 : Integer.parseInt(listen.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 0 || port > 65535) {
        throw CheckException.usage(CommonCode.OPTION_INVALID, "--listen must be HOST:PORT");
      }
      String host = listen.substring(0, colon).replaceAll("^\\[(.*)]$", "$1");
      Optional<String> token = Optional.ofNullable(authTokenFile).map(f -> readSecret(f, "token"));
      Optional<byte[]> hmac = Optional.ofNullable(hmacSecretFile).map(f -> readSecret(f, "HMAC secret").getBytes(StandardCharsets.UTF_8));
      if (token.isEmpty() && hmac.isEmpty() && !allowUnauthenticated && !isLoopback(host)) {
        throw CheckException.usage(HookCode.HOOK_AUTH_REQUIRED, "listening on " + host + " needs --auth-token-file or "
            + "--hmac-secret-file (or --allow-unauthenticated)");
      }
      Policy policy = Policy.load(Optional.ofNullable(policyFile), Optional.ofNullable(profile));
      String policyId = HookServer.policyId(Optional.ofNullable(policyFile), Optional.ofNullable(profile));
      TransportOptions to = transport.options();
      Optional<Attester> attester = Optional.empty();
      if (attest.requested()) {
        char[] passphrase = attest.passphrase == null ? null : attest.passphrase.get();
        Signer.parseLayout(attest.layout); // a bad --attestation-layout is a usage error before serving
        attester = Optional.of((image, report, bundle) ->
            SignSummary.of(Signer.sign(attest.request(report, Optional.of(bundle), () -> passphrase, to), out::progress)));
      }
      CheckSettings flags = new CheckSettings(registry == null ? "" : registry, to, policy, policyId, enforcePolicy,
          mappings, List.of(), Optional.ofNullable(keyring), context == null ? Path.of("") : context,
          Tool.version(), attester, state.resolve("work"));
      WorkerSettings ws = new WorkerSettings(workers, leaseSeconds * 1000L, 1000, retrySeconds * 1000L,
          Math.max(retrySeconds * 1000L, 600_000L), maxAttempts,
          maxImages == null ? OptionalInt.empty() : OptionalInt.of(maxImages));
      HookService.ServerSettings http = new HookService.ServerSettings(host, port,
          tlsCert == null ? Optional.empty() : Optional.of(new Tls(tlsCert, tlsKey)), maxBody, Math.max(8, workers + 6));
      HookServer server = new HookServer(http, ws, state, Optional.ofNullable(database),
          Optional.ofNullable(databasePasswordFile).map(f -> readSecret(f, "password")), flags,
          Optional.ofNullable(configFile), Optional.ofNullable(portFile), new EventAuth(token, hmac, Clock.systemUTC()));
      if (server.settings().registry().isEmpty()) {
        throw CheckException.usage(CommonCode.OPTION_INVALID, "--registry (or registry: in --config) is required");
      }
      if (printConfig) {
        HookServer.Effective e = server.effective(token.isPresent(), hmac.isPresent());
        return out.render(new Result("hook serve", Outcome.PASS, e, w -> e.lines().forEach(w::println)));
      }
      server.serve(out::progress);
      return ExitCodes.OK;
    }

    private static boolean isLoopback(String host) {
      try {
        return InetAddress.getByName(host).isLoopbackAddress();
      } catch (UnknownHostException e) {
        return false;
      }
    }
  }

  @Command(name = "results", mixinStandardHelpOptions = true,
      description = {"Query a hook's results API: one image's stored result (with its full report), or a list."},
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:PASS or SKIPPED (or a list)", "1:FAIL",
        "2:usage error", "3:the hook could not check the image, has no result for it, or could not be reached",
        "4:internal error"})
  public static final class Results implements Callable<Integer> {
    @Mixin
    Common common;

    @Parameters(arity = "0..1", paramLabel = "REPOSITORY@DIGEST", description = "One image (omit for a list).")
    String image;

    @Option(names = "--url", required = true, paramLabel = "URL", description = "The hook (http[s]://HOST:PORT).")
    URI url;

    @Option(names = "--auth-token-file", paramLabel = "FILE", description = "The hook's bearer token.")
    Path authTokenFile;

    @Option(names = "--cacert", paramLabel = "PEM", description = "CA certificates to trust for an https hook.")
    Path cacert;

    @Option(names = "--result", paramLabel = "PASS|FAIL|ERROR|SKIPPED", description = "List only this result.")
    String result;

    @Option(names = "--since", paramLabel = "INSTANT", description = "List results finished at or after (2026-12-01T00:00:00Z).")
    String since;

    @Option(names = "--limit", defaultValue = "100", paramLabel = "N", description = "List at most N (1..1000, default ${DEFAULT-VALUE}).")
    int limit;

    @Mixin
    ReportFiles reports;

    @Option(names = {"-v", "--verbose"}, description = "sarif: also list what passed (OK findings).")
    boolean verbose;

    @Override
    public Integer call() {
      Output out = common.reportOutput();
      boolean report = common.format.reportOnly() || reports.requested();
      if (report && image == null) {
        throw CheckException.usage(CommonCode.OPTION_INVALID, "--format " + common.format + " and --report-html render "
            + "one image's result: give REPOSITORY@DIGEST");
      }
      reports.check();
      HookClient client = new HookClient(url, Optional.ofNullable(authTokenFile).map(f -> readSecret(f, "token")),
          Optional.ofNullable(cacert));
      if (image == null) {
        Optional<Instant> s;
        try {
          s = Optional.ofNullable(since).map(Instant::parse);
        } catch (DateTimeParseException e) {
          throw CheckException.usage(CommonCode.OPTION_INVALID, "--since takes an instant such as 2026-12-01T00:00:00Z");
        }
        if (limit < 1 || limit > HookService.MAX_LIST) {
          throw CheckException.usage(CommonCode.OPTION_INVALID, "--limit must be 1.." + HookService.MAX_LIST);
        }
        HookResults.Listing list = HookResults.list(client, Optional.ofNullable(result), s, limit);
        return out.render(new Result("hook results", Outcome.PASS, list, w -> list.results()
            .forEach(r -> w.println(r.result() + " " + r.repository() + "@" + r.digest() + " " + r.finished()))));
      }
      int at = image.lastIndexOf('@');
      if (at <= 0 || result != null || since != null) {
        throw CheckException.usage(CommonCode.OPTION_INVALID, "give REPOSITORY@DIGEST, or --result/--since for a list");
      }
      HookResults.One r = HookResults.one(client, image.substring(0, at), Digest.parse(image.substring(at + 1)));
      if (report) {
        // the stored result through the report renderers; json and text stdout stay the hook-results document
        dev.bitproof.verify.Report rep = dev.bitproof.hook.StoredReport.of(r.document(), "hook results", image);
        reports.write(rep, out);
        if (common.format.reportOnly()) {
          out.render(rep, verbose);
          return Output.exitCode(r.outcome());
        }
      }
      return out.render(new Result("hook results", r.outcome(), r, w -> {
        JsonNode d = r.document();
        w.println(r.hookResult() + " " + d.path("image").asText(r.image()));
        for (JsonNode c : d.path("checks")) {
          w.println("  " + c.path("name").asText() + ": " + c.path("status").asText());
        }
        if (d.has("error")) {
          w.println("  error: " + d.path("error").path("code").asText() + ": " + d.path("error").path("message").asText());
        }
      }));
    }
  }

  static String readSecret(Path f, String what) {
    return HookServer.readSecret(f, what);
  }
}
