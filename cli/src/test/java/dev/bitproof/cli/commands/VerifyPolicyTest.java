package dev.bitproof.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.testing.ReportSchema;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** {@code verify} carries the hardening policy: advisory by default, a gate with {@code --enforce-policy}. */
class VerifyPolicyTest {
  static String golden() {
    return VerifyCommandTest.published();
  }

  static JsonNode check(JsonNode report, String name) {
    return StreamSupport.stream(report.get("checks").spliterator(), false)
        .filter(c -> c.get("name").asText().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no check " + name + " in " + report));
  }

  @Test
  void advisoryByDefault() {
    Run r = VerifyCommandTest.verify(golden(), "--format", "json");
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode j = r.json();
    assertEquals(List.of(), ReportSchema.validate(j));
    JsonNode p = check(j, "policy-advisory");
    assertEquals("PASS", p.get("status").asText());
    assertTrue(p.get("summary").asText().startsWith("2 rule violation(s)"), p.toString()); // runs as root, both arches
    JsonNode root = StreamSupport.stream(p.get("findings").spliterator(), false)
        .filter(f -> f.get("code").asText().equals("RUNS_AS_ROOT")).findFirst().orElseThrow();
    assertEquals("WARN", root.get("severity").asText());
    assertEquals("true", root.get("evidence").get("advisory").asText());
    assertTrue(root.get("subject").asText().startsWith("linux/amd64"), root.toString());
  }

  @Test
  void enforcedPolicyGates() {
    Run r = VerifyCommandTest.verify(golden(), "--format", "json", "--enforce-policy");
    assertEquals(1, r.code(), r.out() + r.err());
    JsonNode j = r.json();
    assertEquals(List.of(), ReportSchema.validate(j));
    assertEquals("FAIL", j.get("result").asText());
    assertEquals("BIT_IDENTICAL", j.get("verdict").asText(), "the rebuild itself still matches");
    assertEquals("FAIL", check(j, "policy").get("status").asText());

    Run dev = VerifyCommandTest.verify(golden(), "--format", "json", "--enforce-policy", "--profile", "dev");
    assertEquals(0, dev.code(), dev.out() + dev.err());
    assertEquals("PASS", check(dev.json(), "policy").get("status").asText());
  }

  @Test
  void noPolicyAndConflicts() {
    Run r = VerifyCommandTest.verify(golden(), "--format", "json", "--no-policy");
    assertEquals(0, r.code(), r.err());
    assertTrue(StreamSupport.stream(r.json().get("checks").spliterator(), false).noneMatch(c -> c.get("name").asText().startsWith("policy")));
    assertEquals(2, VerifyCommandTest.verify(golden(), "--no-policy", "--enforce-policy").code());
  }
}
