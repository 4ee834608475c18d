package dev.bitproof.cli;

import dev.bitproof.cli.options.ExitCodes;
import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.cli.CliRunner.Run;
import org.junit.jupiter.api.Test;

/** The CLI contract every script relies on: help, version, exit codes for usage errors. */
class MainTest {
  @Test
  void versionAndHelp() {
    Run v = run("--version");
    assertEquals(0, v.code());
    assertTrue(v.out().startsWith("bitproof "), v.out());
    Run h = run("--help");
    assertEquals(0, h.code());
    assertTrue(h.out().contains("Exit codes:"), h.out());
    assertTrue(h.out().contains("3   could not check") || h.out().contains("3  could not check") || h.out().contains("could not check"), h.out());
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(ExitCodes.USAGE, run().code());
    assertEquals(ExitCodes.USAGE, run("no-such-command").code());
    assertEquals(ExitCodes.USAGE, run("demo", "--format", "yaml").code());
  }
}
