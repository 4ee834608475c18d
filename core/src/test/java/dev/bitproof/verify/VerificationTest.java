package dev.bitproof.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.compare.Verdict;
import dev.bitproof.io.IoCode;
import dev.bitproof.rebuild.RebuildCode;
import dev.bitproof.report.CheckException;
import dev.bitproof.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one verification service, on the bundled demo (testdata/demo: config, lock, signed repository, images). */
class VerificationTest {
  static final Path DEMO = SharedData.testdata("demo");

  @TempDir
  Path tmp;

  private static Verification.Request demo(String published) {
    return Verification.Request.of(DEMO.resolve("apko.yaml"), "oci:" + DEMO.resolve(published)).withCommand("demo")
        .withLockfile(Optional.of(DEMO.resolve("apko.lock.json"))).withContext(DEMO);
  }

  @Test
  void theDefaultsVerifyTheDemoAndCatchTheTamperedCopy() throws Exception {
    Verification.Request req = demo("published");
    assertEquals(Verdict.CONTENT_IDENTICAL, req.required(), "secure default: content at least");
    assertTrue(req.policy().isPresent() && !req.enforcePolicy(), "the production policy, advisory");
    Report ok = Verification.run(req);
    assertTrue(ok.passed(), ok.findings().toString());
    assertEquals("demo", ok.command());
    assertEquals(java.util.List.of("rebuild", "signatures", "compare", "sbom", "policy-advisory",
        "apko-version"), ok.checks().stream().map(Report.Check::name).toList());

    Report bad = Verification.run(demo("published-tampered"));
    assertFalse(bad.passed());
    assertEquals(Optional.of(Verdict.DIFFERENT), bad.verdict());
  }

  @Test
  void keepsTheRebuildOnlyWhenAskedAndRunsWithoutPolicyWhenToldTo() throws Exception {
    Path keep = tmp.resolve("keep");
    Report r = Verification.run(demo("published").withKeep(Optional.of(keep)).withPolicy(Optional.empty(), false));
    assertTrue(r.passed());
    // one directory per apko rule set tried: "rebuilt" when only one was, "rebuilt-<versions>" otherwise
    try (var dirs = Files.list(keep)) {
      assertTrue(dirs.anyMatch(d -> d.getFileName().toString().startsWith("rebuilt") && Files.isDirectory(d)),
          "the rebuild is kept under --keep");
    }
    assertFalse(r.checks().stream().anyMatch(c -> c.name().startsWith("policy")));
  }

  @Test
  void aDirectoryOrAMissingConfigCannotBeChecked() {
    CheckException dir = assertThrows(CheckException.class,
        () -> Verification.run(Verification.Request.of(tmp, "oci:" + DEMO.resolve("published"))));
    assertEquals(IoCode.FILE_IS_DIRECTORY, dir.code());
    assertEquals(tmp.toAbsolutePath().toString(), dir.subject());
    CheckException missing = assertThrows(CheckException.class,
        () -> Verification.run(Verification.Request.of(tmp.resolve("apko.yaml"), "oci:" + DEMO.resolve("published"))));
    assertEquals(RebuildCode.CONFIG_NOT_FOUND, missing.code());
  }
}
