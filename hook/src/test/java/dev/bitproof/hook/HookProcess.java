package dev.bitproof.hook;

import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.policy.Policy;
import dev.bitproof.policy.Rule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A hook in a process of its own, for tests that {@code kill -9} it: {@code --state DIR --registry-file R
 * --port-file F [--database JDBC] [--lease-ms N] [--gate MARKER]}. It binds port 0 and writes the port to F; the
 * test then starts the registry (it must know the hook's URL) and writes its HOST:PORT to R; the hook takes it and
 * writes {@code F.ready}. With {@code --gate}, every check writes MARKER and then hangs, so the test knows a job is
 * running when it kills the process.
 */
public final class HookProcess {
  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      a.put(argv[i], argv[i + 1]);
    }
    Path state = Path.of(a.get("--state"));
    Path registryFile = Path.of(a.get("--registry-file"));
    CheckSettings settings = settings(Files.exists(registryFile) ? Files.readString(registryFile).strip() : "pending", state);
    ImageChecker real = new RegistryChecker();
    ImageChecker checker = real;
    if (a.containsKey("--gate")) {
      Path marker = Path.of(a.get("--gate"));
      checker = (job, now) -> {
        try {
          Files.writeString(marker, job.repository() + "@" + job.digest() + "\n");
          Thread.sleep(Long.MAX_VALUE);
        } catch (IOException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
        return real.check(job, now);
      };
    }
    long lease = Long.parseLong(a.getOrDefault("--lease-ms", "60000"));
    JobStore store = a.containsKey("--database") ? JobStore.postgresql(a.get("--database"), Optional.empty(), 6)
        : JobStore.sqlite(state, 6);
    HookService s = HookService.start(HookService.ServerSettings.loopback(),
        new WorkerSettings(2, lease, 100, 500, 5000, 5, OptionalInt.empty()), store, settings, checker,
        new EventAuth(Optional.empty(), Optional.empty(), Clock.systemUTC()), Clock.systemUTC(), System.err::println);
    Path pf = Path.of(a.get("--port-file"));
    Path tmp = Files.createTempFile(pf.toAbsolutePath().getParent(), ".port-", ".partial");
    Files.writeString(tmp, Integer.toString(s.port()));
    Files.move(tmp, pf, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    while (!Files.exists(registryFile)) {
      Thread.sleep(20);
    }
    s.reconfigure(settings(Files.readString(registryFile).strip(), state));
    Files.writeString(Path.of(pf + ".ready"), "ready\n");
    s.awaitStop();
  }

  static CheckSettings settings(String registry, Path state) {
    return new CheckSettings(registry, TransportOptions.defaults().withInsecure(true), Policy.of(Rule.Profile.PRODUCTION),
        "profile:production", false, Map.of(), List.of(), Optional.empty(), state, "test", Optional.empty(), state.resolve("work"));
  }

  private HookProcess() {}
}
