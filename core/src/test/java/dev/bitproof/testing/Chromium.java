package dev.bitproof.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's headless {@code chromium} for rendering the HTML report in tests (.ci/run installs it). Without it the
 * test is skipped with a reason, unless {@code BITPROOF_REQUIRE_PEERS=1}.
 */
public final class Chromium {
  /** What one page load gave: the DOM after load, and the console messages chromium logged. */
  public record Page(String dom, List<String> console) {}

  private Chromium() {}

  public static Path require() {
    for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(c))) {
        return Path.of(c);
      }
    }
    if (System.getenv("BITPROOF_REQUIRE_PEERS") != null) {
      throw new AssertionError("chromium is required (BITPROOF_REQUIRE_PEERS is set) but is not installed");
    }
    Assumptions.assumeTrue(false, "skipped: chromium is not installed (apt-get install chromium; .ci/run does)");
    return null;
  }

  /** Loads {@code page} (a local file) and returns its DOM and console log. */
  public static Page load(Path tmp, Path page) throws Exception {
    Path log = tmp.resolve("chromium-" + System.nanoTime() + ".log");
    String dom = run(tmp, page, log, "--dump-dom");
    return new Page(dom, Files.readAllLines(log).stream().filter(l -> l.contains(":CONSOLE")).toList());
  }

  /** Writes a PNG screenshot of {@code page} to {@code png} (replacing it). */
  public static void screenshot(Path tmp, Path page, Path png, int width, int height) throws Exception {
    Files.createDirectories(png.toAbsolutePath().getParent());
    Files.deleteIfExists(png);
    run(tmp, page, tmp.resolve("chromium-shot-" + System.nanoTime() + ".log"), "--hide-scrollbars",
        "--window-size=" + width + "," + height, "--screenshot=" + png.toAbsolutePath());
  }

  private static String run(Path tmp, Path page, Path log, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(require().toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--no-first-run", "--user-data-dir=" + tmp.resolve("chromium-profile"), "--enable-logging=stderr", "--v=0"));
    cmd.addAll(List.of(args));
    cmd.add(page.toAbsolutePath().toUri().toString());
    Path out = tmp.resolve("chromium-out-" + System.nanoTime());
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(log.toFile()).start();
    // a hang guard only, far beyond any normal run: no timing assertion
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish: " + Files.readString(log));
    }
    return Files.readString(out, StandardCharsets.UTF_8);
  }
}
