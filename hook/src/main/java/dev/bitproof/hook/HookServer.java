package dev.bitproof.hook;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.bitproof.io.IoCode;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.CommonCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code bitproof hook serve}: opens the job store (SQLite in the state directory, or PostgreSQL), starts the
 * {@link HookService} on it, announces the bound port, reloads the config file on SIGHUP and runs until stopped (a
 * signal, or {@code maxImages} finished).
 *
 * @param database a PostgreSQL JDBC URL; SQLite in {@code state} when absent
 * @param flags the settings given as flags; {@code configFile}'s values win over them (and are reloaded on SIGHUP)
 * @param portFile written (atomically) with the bound port once listening
 */
public record HookServer(HookService.ServerSettings http, WorkerSettings workers, Path state, Optional<String> database,
    Optional<String> databasePassword, CheckSettings flags, Optional<Path> configFile, Optional<Path> portFile,
    EventAuth auth) {

  /** The settings in force: the flags with the config file over them. */
  public CheckSettings settings() {
    return configFile.isEmpty() ? flags : HookConfig.load(configFile.get()).over(flags);
  }

  /**
   * The configuration in force, as {@code --print-config} shows it (secrets only as whether they are set, a database
   * password masked).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Effective(String registry, String listen, String database, int workers, int leaseSeconds,
      int maxAttempts, int retrySeconds, int maxBody, boolean tls, boolean bearerToken, boolean hmacSecret, String policy,
      boolean enforcePolicy, boolean attest, List<Repository> repositories) implements dev.bitproof.json.JsonBody {
    /** For people: one {@code name: value} line per setting, one line per repository rule. */
    public List<String> lines() {
      List<String> out = new ArrayList<>();
      com.fasterxml.jackson.databind.JsonNode tree = dev.bitproof.json.Json.mapper().valueToTree(this);
      tree.fields().forEachRemaining(f -> {
        if (!f.getKey().equals("repositories")) {
          out.add(f.getKey() + ": " + f.getValue().asText());
        }
      });
      for (Repository r : repositories) {
        out.add("repository " + r.match() + (r.config() == null ? "" : ": verify " + r.config())
            + (r.lockfile() == null ? "" : " with " + r.lockfile()) + (r.policy() == null ? "" : ", policy " + r.policy())
            + (r.enforcePolicy() == null ? "" : ", enforcePolicy " + r.enforcePolicy()));
      }
      return out;
    }
  }

  /** A repository rule: an exact {@code --verify-config} or a config file's glob. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Repository(String match, String config, String lockfile, String policy, Boolean enforcePolicy) {}

  public Effective effective(boolean bearer, boolean hmac) {
    CheckSettings c = settings();
    List<Repository> repos = new ArrayList<>();
    c.mappings().forEach((repo, m) -> repos.add(new Repository(repo, m.config().toString(),
        m.lockfile().map(Path::toString).orElse(null), null, null)));
    for (CheckSettings.RepositoryRule rule : c.rules()) {
      repos.add(new Repository(rule.match(), rule.verify().map(m -> m.config().toString()).orElse(null),
          rule.verify().flatMap(CheckSettings.Mapping::lockfile).map(Path::toString).orElse(null),
          rule.policyId().orElse(null), rule.enforcePolicy().orElse(null)));
    }
    return new Effective(c.registry(), http.host() + ":" + http.port(),
        database.map(d -> d.replaceAll("password=[^&]*", "password=***")).orElse("sqlite:" + state.resolve("hook.db")),
        workers.workers(), (int) (workers.leaseMillis() / 1000), workers.maxAttempts(),
        (int) (workers.retryBaseMillis() / 1000), http.maxBody(), http.tls().isPresent(), bearer, hmac, c.policyId(),
        c.enforcePolicy(), c.attester().isPresent(), repos);
  }

  /** Serves until stopped; returns how many images this process finished. */
  public int serve(Consumer<String> progress) throws IOException, InterruptedException {
    CheckSettings checks = settings();
    Files.createDirectories(state);
    JobStore store = database.isEmpty() ? JobStore.sqlite(state, workers.workers() + 4)
        : JobStore.postgresql(database.get(), databasePassword, workers.workers() + 4);
    HookService hook;
    try {
      hook = HookService.start(http, workers, store, checks, new RegistryChecker(), auth, Clock.systemUTC(), progress);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    try (hook) {
      if (configFile.isPresent()) {
        // installed before the port is announced: a HUP can only arrive once someone knows the hook is up
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
          try {
            hook.reconfigure(settings());
            progress.accept("bitproof hook: reloaded " + configFile.get());
          } catch (RuntimeException e) {
            progress.accept("bitproof hook: reloading " + configFile.get() + " failed, keeping the previous config: "
                + e.getMessage());
          }
        });
      }
      Thread stopper = new Thread(hook::close, "bitproof-hook-stop");
      Runtime.getRuntime().addShutdownHook(stopper);
      if (portFile.isPresent()) {
        Path tmp = Files.createTempFile(portFile.get().toAbsolutePath().getParent(), ".port-", ".partial");
        Files.writeString(tmp, hook.port() + "\n");
        Files.move(tmp, portFile.get(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
      progress.accept("bitproof hook: listening on " + hook.uri() + "/events for pushes to " + checks.registry() + " ("
          + store.dialect().name().toLowerCase(Locale.ROOT) + ", " + workers.workers() + " worker(s))");
      hook.awaitStop();
      try {
        Runtime.getRuntime().removeShutdownHook(stopper);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is stopping: the hook closes the service
      }
      progress.accept("bitproof hook: stopped after " + hook.finished() + " image(s)");
      return hook.finished();
    }
  }

  /** Names the policy's source for results: {@code profile:NAME}, or {@code file:} and the policy file's digest. */
  public static String policyId(Optional<Path> policyFile, Optional<String> profile) throws IOException {
    return policyFile.isEmpty() ? "profile:" + profile.map(p -> p.toLowerCase(Locale.ROOT)).orElse("production")
        : "file:" + dev.bitproof.oci.Digest.sha256(Files.readAllBytes(policyFile.get()));
  }

  /** A secret file's content, stripped: a token, an HMAC secret or a database password. */
  public static String readSecret(Path f, String what) {
    try {
      String s = Files.readString(f).strip();
      if (s.isEmpty()) {
        throw CheckException.usage(CommonCode.OPTION_INVALID, "the " + what + " file " + f + " is empty");
      }
      return s;
    } catch (NoSuchFileException e) {
      throw new CheckException(IoCode.FILE_NOT_FOUND, f.toString(), "no such " + what + " file");
    } catch (IOException e) {
      throw new CheckException(IoCode.IO_ERROR, f.toString(), "cannot read the " + what + " file: " + e.getMessage(), e);
    }
  }
}
