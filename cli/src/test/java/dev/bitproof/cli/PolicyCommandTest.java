package dev.bitproof.cli;

import dev.bitproof.cli.options.ExitCodes;
import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCommandTest {
  @Test
  void goldenImageRunsAsRootFailsProductionPassesDev() {
    Path golden = SharedData.testdata("demo/published");
    Run r = run("policy", "check", "oci:" + golden, "--format", "json");
    assertEquals(ExitCodes.FAILED, r.code(), r.err());
    JsonNode doc = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "out");
    assertEquals("FAIL", doc.get("result").asText());
    assertEquals(2, doc.get("images").size());
    assertTrue(r.out().contains("\"code\" : \"RUNS_AS_ROOT\""), r.out());

    Run dev = run("policy", "check", "oci:" + golden, "--profile", "dev");
    assertEquals(ExitCodes.OK, dev.code(), dev.out() + dev.err());
    assertTrue(dev.out().contains("WARN  RUNS_AS_ROOT"), dev.out());
  }

  @Test
  void policyFileAndErrors(@TempDir Path tmp) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    Path pol = tmp.resolve("p.yaml");
    Files.writeString(pol, "profile: production\nrules:\n  RUNS_AS_ROOT: {enabled: false}\n  ENTRYPOINT_MISSING: {severity: INFO}\n");
    Run r = run("policy", "check", "oci:" + golden, "--policy", pol.toString(), "--platform", "linux/arm64");
    assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("linux/arm64"));

    assertEquals(ExitCodes.CANNOT_CHECK, run("policy", "check", "oci:" + golden, "--policy", tmp.resolve("nope.yaml").toString()).code());
    Files.writeString(pol, "rules:\n  NOT_A_RULE: {}\n");
    assertEquals(ExitCodes.CANNOT_CHECK, run("policy", "check", "oci:" + golden, "--policy", pol.toString()).code());
    assertEquals(ExitCodes.USAGE, run("policy", "check", "oci:" + golden, "--profile", "lax").code());
    assertEquals(ExitCodes.USAGE, run("policy", "check").code());
    Run missing = run("policy", "check", "oci:" + tmp.resolve("absent"), "--format", "json");
    assertEquals(ExitCodes.CANNOT_CHECK, missing.code());
    assertTrue(missing.out().contains("LAYOUT_NOT_FOUND"), missing.out());
  }
}
