package dev.bitproof.attest;

import static org.junit.jupiter.api.Assertions.fail;

import dev.bitproof.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The independent verifiers our output is checked with: Debian's python3-securesystemslib, @sigstore/verify on
 * Node, openssl, skopeo. Missing locally: the test is skipped with a message. In CI ({@code .ci/run} exports
 * {@code BITPROOF_REQUIRE_PEERS=1}) a missing peer fails the test instead.
 */
public final class Peers {
  public static final Path PYTHON = Path.of("/usr/bin/python3");

  private Peers() {}

  public record Result(int exit, String output) {}

  public static Path module() {
    return SharedData.projectRoot().resolve("attest");
  }

  public static Path sslibScript() {
    return module().resolve("src/test/python/sslib_dsse.py");
  }

  /** The sigstore-js verifier script, next to the {@code node_modules} it needs (see {@link #requireSigstoreJs}). */
  public static Path nodeScript() {
    return sigstoreJsDir().resolve("verify-bundle.js");
  }

  private static Path sigstoreJs;

  /**
   * Where {@code verify-bundle.js} runs: {@code attest/src/test/js} when {@code npm install} was run there (as
   * {@code .ci/run} does); otherwise a copy under {@code attest/target/sigstore-js} installed once with
   * {@code npm ci --offline}, which takes the locked versions from npm's cache and never the network (a machine whose
   * cache lacks them skips, as before). Installed in a temporary directory and renamed, so a half-made install is
   * never used.
   */
  private static synchronized Path sigstoreJsDir() {
    if (sigstoreJs != null) {
      return sigstoreJs;
    }
    Path source = module().resolve("src/test/js");
    Path target = module().resolve("target/sigstore-js");
    if (hasVerifier(source) || !onPath("node") || !onPath("npm")) {
      return sigstoreJs = source;
    }
    if (!hasVerifier(target)) {
      try {
        Path tmp = Files.createDirectories(module().resolve("target")).resolve("sigstore-js.partial-" + ProcessHandle.current().pid());
        Files.createDirectories(tmp);
        for (String f : List.of("package.json", "package-lock.json", "verify-bundle.js")) {
          Files.copy(source.resolve(f), tmp.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Result r = run(List.of("npm", "ci", "--offline", "--no-audit", "--no-fund", "--silent", "--prefix", tmp.toString()));
        if (r.exit() == 0 && hasVerifier(tmp) && !Files.exists(target)) {
          Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
      } catch (IOException | RuntimeException e) {
        // no offline install: the tests that need the verifier skip with the reason requireSigstoreJs gives
      }
    }
    return sigstoreJs = hasVerifier(target) ? target : source;
  }

  private static boolean hasVerifier(Path dir) {
    return Files.isDirectory(dir.resolve("node_modules/@sigstore/verify"));
  }

  public static void requireSecuresystemslib() {
    require(Files.isExecutable(PYTHON) && run(List.of(PYTHON.toString(), "-c",
        "import securesystemslib.signer, nacl.secret, cryptography")).exit() == 0,
        "/usr/bin/python3 with python3-securesystemslib and python3-nacl (apt-get install python3-securesystemslib python3-nacl)");
  }

  public static void requireSigstoreJs() {
    require(onPath("node") && hasVerifier(sigstoreJsDir()),
        "node and @sigstore/verify (cd attest/src/test/js && npm install; `npm ci --offline` from npm's cache did not"
            + " provide it)");
  }

  public static void requireTool(String name) {
    require(onPath(name), name + " on PATH");
  }

  static void require(boolean present, String what) {
    if (present) {
      return;
    }
    if (System.getenv("BITPROOF_REQUIRE_PEERS") != null) {
      fail("peer missing in CI: " + what);
    }
    Assumptions.abort("skipped: needs " + what);
  }

  static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  public static Result run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("timed out: " + cmd);
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(127, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
