package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.testing.TestLayouts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** diffoci's ignores one by one: each hides only its own kind of difference, and the report names it. */
class IgnoreFlagsCommandTest {
  @Test
  void ignoreTimestampsAloneHidesAnMtimeChange(@TempDir Path tmp) throws Exception {
    Path a = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), TestLayouts.tar(0, "etc/motd", "hi\n"));
    Path b = TestLayouts.singleImage(tmp.resolve("b"), "amd64", List.of(), TestLayouts.tar(1_700_000_000L, "etc/motd", "hi\n"));
    assertEquals(1, run("compare", "oci:" + a, "oci:" + b).code());
    // another ignore does not hide it
    Run history = run("compare", "oci:" + a, "oci:" + b, "--ignore-history", "--format", "json");
    assertEquals(1, history.code(), history.out());
    assertEquals(List.of("history"), strings(history.json().get("ignoreSet")));

    Run r = run("compare", "oci:" + a, "oci:" + b, "--ignore-timestamps", "--format", "json");
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode j = r.json();
    assertEquals("SEMANTICALLY_IDENTICAL", j.get("verdict").asText());
    assertEquals(List.of("timestamps"), strings(j.get("ignoreSet")));
    // still not enough when bit identity is required
    assertEquals(1, run("compare", "oci:" + a, "oci:" + b, "--ignore-timestamps", "--require", "bit").code());
  }

  @Test
  void ignoreTimestampsDoesNotHideAContentChange(@TempDir Path tmp) throws Exception {
    Path a = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), TestLayouts.tar(0, "etc/motd", "hi\n"));
    Path b = TestLayouts.singleImage(tmp.resolve("b"), "amd64", List.of(), TestLayouts.tar(5, "etc/motd", "ho\n"));
    Run r = run("compare", "oci:" + a, "oci:" + b, "--ignore-timestamps", "--ignore-file-order", "--ignore-tar-format",
        "--format", "json");
    assertEquals(1, r.code());
    assertEquals("DIFFERENT", r.json().get("verdict").asText());
    assertEquals(List.of("timestamps", "file-order", "tar-format"), strings(r.json().get("ignoreSet")));
  }

  private static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(x -> out.add(x.asText()));
    return out;
  }
}
