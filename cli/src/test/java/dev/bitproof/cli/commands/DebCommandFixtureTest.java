package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.deb.TestArchive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deb verify} on a signed archive the test builds (core's {@link TestArchive}), runnable without ../shared: the
 * chain InRelease → Packages.xz → debs, a suite mismatch, a stale Release.gpg, a truncated deb. The same chain on
 * Debian's real bytes is core's {@code ArchiveChainRealDataTest}.
 */
class DebCommandFixtureTest {
  static final String NOW = "2026-11-29T12:00:00Z";

  @TempDir
  Path tmp;

  @Test
  void verifyChainsEveryDebToTheSignedArchive() throws Exception {
    TestArchive.Written w = new TestArchive().writeTo(tmp);
    List<String> args = new ArrayList<>(List.of("deb", "verify", "--format", "json", "--now", NOW,
        "--keyring", w.keyring().toString(), "--release", w.inRelease().toString(), "--packages", w.packagesXz().toString(),
        "--suite", "testy", "--component", "main", "--arch", "amd64"));
    w.debs().forEach(p -> args.add(p.toString()));
    Run r = run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.out() + r.err());
    assertEquals("PASS", r.json().get("result").asText());
    assertEquals(2, r.codes().stream().filter("DEB_IN_ARCHIVE"::equals).count(), r.out());
    assertEquals(2, r.codes().stream().filter("PGP_SIGNATURE_GOOD"::equals).count(), r.out());
    assertTrue(r.out().contains("Test Stable Release Key"), r.out());

    // another suite than the Release's: the chain is refused
    args.set(args.indexOf("testy"), "bookworm");
    Run wrong = run(args.toArray(String[]::new));
    assertEquals(1, wrong.code(), wrong.out() + wrong.err());
    assertTrue(wrong.codes().contains("DEB_RELEASE_SUITE_MISMATCH"), wrong.out());
  }

  @Test
  void staleDetachedSignatureFails() throws Exception {
    TestArchive.Written w = new TestArchive().writeTo(tmp);
    Run r = run("deb", "verify", "--format", "json", "--now", NOW, "--keyring", w.keyring().toString(),
        "--release", w.release().toString(), "--release-gpg", w.staleReleaseGpg().toString());
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.codes().contains("PGP_SIGNATURE_BAD"), r.out());
    assertTrue(r.codes().contains("DEB_RELEASE_UNTRUSTED"), r.out());
    Run text = run("deb", "verify", "--now", NOW, "--keyring", w.keyring().toString(),
        "--release", w.release().toString(), "--release-gpg", w.releaseGpg().toString());
    assertEquals(0, text.code(), text.out() + text.err());
    assertTrue(text.out().contains("PGP_VERIFIED"), text.out());
    assertTrue(text.out().endsWith("PASS\n"), text.out());
  }

  @Test
  void aMalformedDebIsAFindingAndTheOthersAreStillChecked() throws Exception {
    TestArchive.Written w = new TestArchive().writeTo(tmp);
    Path cut = tmp.resolve("cut.deb");
    byte[] real = Files.readAllBytes(w.debs().get(0));
    Files.write(cut, java.util.Arrays.copyOf(real, real.length / 2));
    Run r = run("deb", "verify", "--format", "json", "--now", NOW, "--keyring", w.keyring().toString(),
        "--release", w.inRelease().toString(), "--packages", w.packagesXz().toString(), cut.toString(), w.debs().get(1).toString());
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.codes().contains("DEB_AR_TRUNCATED"), r.out());
    assertEquals(1, r.codes().stream().filter("DEB_IN_ARCHIVE"::equals).count(), r.out());
  }
}
