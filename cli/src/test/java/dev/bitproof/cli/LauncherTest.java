package dev.bitproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./bitproof} launcher, run against a copy of itself beside a fake {@code mvnw} (which records each
 * build and notices a second one running at once) and a fake {@code java} on the PATH: nothing is compiled.
 */
class LauncherTest {
  @TempDir
  Path dir;

  /** The launcher's copy, the fake project layout and tools; {@code buildExit} is what the fake build returns. */
  private Path setUp(int buildExit) throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash")),
        "LauncherTest skipped: no bash");
    Path launcher = dir.resolve("bitproof");
    Files.copy(SharedData.projectRoot().resolve("bitproof"), launcher);
    for (String d : List.of("core/src/main", "attest/src/main", "cli/src/main", "bin")) {
      Files.createDirectories(dir.resolve(d));
    }
    for (String f : List.of("pom.xml", "core/pom.xml", "attest/pom.xml", "cli/pom.xml")) {
      Files.writeString(dir.resolve(f), "<project/>");
    }
    script(dir.resolve("mvnw"), """
        #!/usr/bin/env bash
        here="$(cd "$(dirname "$0")" && pwd)"
        echo "$*" >> "$here/builds"
        mkdir "$here/building" 2>/dev/null || echo "two builds at once" >> "$here/errors"
        sleep 1
        mkdir -p "$here/cli/target" && echo jar > "$here/cli/target/bitproof.jar"
        rmdir "$here/building"
        exit %d
        """.formatted(buildExit));
    script(dir.resolve("bin/java"), "#!/usr/bin/env bash\necho \"java $*\"\n");
    return launcher;
  }

  private static void script(Path p, String text) throws IOException {
    Files.writeString(p, text);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private Process start(Path launcher, String... args) throws IOException {
    List<String> cmd = new java.util.ArrayList<>(List.of("bash", launcher.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
    return pb.start();
  }

  private static String err(Process p) throws IOException {
    return new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void twoLaunchesAtOnceBuildOnceAndBothRun() throws Exception {
    Path launcher = setUp(0);
    Process a = start(launcher, "--version");
    Process b = start(launcher, "--version");
    String outA = new String(a.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    String outB = new String(b.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    String errA = err(a);
    String errB = err(b);
    assertEquals(0, a.waitFor(), errA);
    assertEquals(0, b.waitFor(), errB);
    assertTrue(outA.startsWith("java ") && outA.contains(" -jar ") && outA.contains("--version"), outA);
    assertTrue(outB.startsWith("java ") && outB.contains(" -jar ") && outB.contains("--version"), outB);
    // --version does no bulk work: C1 alone starts it faster
    assertTrue(outA.contains("-XX:TieredStopAtLevel=1 "), outA);
    List<String> builds = Files.readAllLines(dir.resolve("builds"));
    assertEquals(1, builds.size(), "one build, the other launcher waited for it: " + builds);
    assertTrue(!Files.exists(dir.resolve("errors")), "two builds ran at once");
    assertTrue(builds.get(0).contains("-Dmaven.test.skip=true"), "the launcher compiles no tests: " + builds);
    assertTrue((errA + errB).contains("bitproof: building the CLI jar"), "the first launch says what it is doing: " + errA + errB);
    assertTrue(!Files.exists(dir.resolve("cli/target/.bitproof-build.lock")), "the lock is released");

    // fresh jar: the next launch neither builds nor waits
    Process c = start(launcher, "demo");
    String outC = new String(c.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, c.waitFor());
    assertFalse(outC.contains("TieredStopAtLevel"), "a real command keeps C2 (SHA-256 intrinsics): " + outC);
    assertEquals(1, Files.readAllLines(dir.resolve("builds")).size());
  }

  @Test
  void aFailedBuildExits4NotOne() throws Exception {
    Path launcher = setUp(1);
    Process p = start(launcher, "demo");
    String e = err(p);
    assertEquals(4, p.waitFor(), e);
    assertTrue(e.contains("building the CLI jar failed"), e);
    assertTrue(!Files.exists(dir.resolve("cli/target/.bitproof-build.lock")), "the lock is released");
  }

  @Test
  void aLockLeftByADeadLauncherIsTakenOver() throws Exception {
    Path launcher = setUp(0);
    Path lock = Files.createDirectories(dir.resolve("cli/target/.bitproof-build.lock"));
    Files.writeString(lock.resolve("pid"), "999999999\n");
    Process p = start(launcher, "demo");
    String e = err(p);
    assertEquals(0, p.waitFor(), e);
    assertEquals(1, Files.readAllLines(dir.resolve("builds")).size());
  }
}
