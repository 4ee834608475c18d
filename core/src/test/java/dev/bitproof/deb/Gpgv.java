package dev.bitproof.deb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs Debian's gpgv (the verifier apt uses) for cross-checks; skips the test when it is not installed. */
final class Gpgv {
  private Gpgv() {}

  /** gpgv status keywords in order (GOODSIG, BADSIG, EXPKEYSIG, REVKEYSIG, ERRSIG, NO_PUBKEY, VALIDSIG ...). */
  record Result(int exit, List<String> status) {
    List<String> keywords() {
      return status.stream().map(l -> l.split(" ")[1]).toList();
    }

    long count(String keyword) {
      return keywords().stream().filter(keyword::equals).count();
    }
  }

  static void require() {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/gpgv")),
        "skipped: gpgv is not installed (apt-get install gpgv; .ci/run installs it)");
  }

  static Result run(Path keyring, Path... files) throws IOException, InterruptedException {
    require();
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/gpgv", "--status-fd", "1", "--keyring", keyring.toAbsolutePath().toString()));
    for (Path f : files) {
      cmd.add(f.toAbsolutePath().toString());
    }
    Path home = Files.createTempDirectory("gpgv-home");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("GNUPGHOME", home.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("gpgv did not finish");
    }
    List<String> status = out.lines().filter(l -> l.startsWith("[GNUPG:] ")).toList();
    return new Result(p.exitValue(), status);
  }
}
