package dev.bitproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import picocli.CommandLine;

/** The CI recipes of docs/ci.md parse as YAML, have the steps their text promises, and run commands that exist. */
class CiDocsTest {
  static List<String> yamlBlocks() throws Exception {
    String md = Files.readString(SharedData.projectRoot().resolve("docs/ci.md"));
    Matcher m = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(md);
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o, String what) {
    assertTrue(o instanceof Map, what + " is a mapping");
    return (Map<String, Object>) o;
  }

  @Test
  @SuppressWarnings("unchecked")
  void githubActionsUploadsSarifAndTheHtmlReport() throws Exception {
    List<String> blocks = yamlBlocks();
    assertEquals(2, blocks.size(), "one GitHub Actions workflow and one GitLab CI job");
    Map<String, Object> wf = map(new Load(LoadSettings.builder().build()).loadFromString(blocks.get(0)), "workflow");
    Map<String, Object> job = map(map(wf.get("jobs"), "jobs").get("verify"), "jobs.verify");
    List<Map<String, Object>> steps = (List<Map<String, Object>>) job.get("steps");
    Map<String, Object> sarif = steps.stream().filter(s -> String.valueOf(s.get("uses")).startsWith(
        "github/codeql-action/upload-sarif@")).findFirst().orElseThrow();
    assertEquals("bitproof.sarif", map(sarif.get("with"), "with").get("sarif_file"));
    assertEquals("always()", sarif.get("if"));
    Map<String, Object> artifact = steps.stream().filter(s -> String.valueOf(s.get("uses")).startsWith(
        "actions/upload-artifact@")).findFirst().orElseThrow();
    assertTrue(String.valueOf(map(artifact.get("with"), "with").get("path")).contains("bitproof.html"));
    assertEquals("write", map(wf.get("permissions"), "permissions").get("security-events"));
    String run = steps.stream().map(s -> String.valueOf(s.get("run"))).filter(r -> r.contains(" verify ")).findFirst()
        .orElseThrow();
    parses(run);
    assertTrue(run.contains("--format sarif") && run.contains("> bitproof.sarif"), run);
  }

  @Test
  @SuppressWarnings("unchecked")
  void gitlabKeepsJunitAsATestReportAndTheHtmlAsAnArtifact() throws Exception {
    Map<String, Object> ci = map(new Load(LoadSettings.builder().build()).loadFromString(yamlBlocks().get(1)), "gitlab");
    Map<String, Object> job = map(ci.get("bitproof-verify"), "bitproof-verify");
    Map<String, Object> artifacts = map(job.get("artifacts"), "artifacts");
    assertEquals("always", artifacts.get("when"));
    assertEquals("junit.xml", map(artifacts.get("reports"), "reports").get("junit"));
    assertTrue(((List<String>) artifacts.get("paths")).contains("bitproof.html"));
    String script = ((List<String>) job.get("script")).get(0);
    parses(script);
    assertTrue(script.contains("--format junit") && script.contains("> junit.xml"), script);
  }

  /** The bitproof command line of a step (up to the redirection) parses against the current model. */
  private static void parses(String shell) {
    String cmd = shell.replace("\n", " ").strip();
    cmd = cmd.substring(0, cmd.indexOf(" > "));
    String[] words = cmd.replace("\"", "").split("\\s+");
    assertTrue(words[0].endsWith("/bitproof"), cmd);
    Main.commandLine().setCaseInsensitiveEnumValuesAllowed(true)
        .parseArgs(java.util.Arrays.copyOfRange(words, 1, words.length));
  }
}
