package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --apko-version} on build and verify: on apko's TestBuild golden of 2023-12 (apko v0.13.0's rules; fidelity,
 * ../shared) and on the demo's inputs (testdata/demo).
 */
class ApkoVersionCommandTest {
  /** sha256 of the golden index.json of apko commit 494bf502 (cases.tsv), computed from the file here. */
  static Path case2023() {
    return SharedData.require("apk/apko-history/2023-12-19-494bf502");
  }

  @Test
  void buildWithAnOldReleasesRulesGivesThatReleasesIndex(@TempDir Path tmp) throws Exception {
    Path dir = case2023();
    Digest golden = Digest.sha256(Files.readAllBytes(dir.resolve("testdata/golden/index.json")));
    Path out = tmp.resolve("o");
    Run r = run("build", "-C", dir.toString(), "testdata/apko.yaml", "--arch", "x86_64", "--arch", "aarch64",
        "--apko-version", "v0.13.0", "-o", "oci:" + out);
    assertEquals(0, r.code(), r.err());
    assertEquals(golden, Digest.sha256(Files.readAllBytes(out.resolve("index.json"))));
    assertTrue(r.out().contains("apko     rules of v0.12.0–v0.14.0"), r.out());
    Run newest = run("build", "-C", dir.toString(), "testdata/apko.yaml", "--arch", "x86_64", "--arch", "aarch64",
        "-o", "oci:" + tmp.resolve("n"));
    assertEquals(0, newest.code(), newest.err());
    assertFalse(golden.equals(Digest.sha256(Files.readAllBytes(tmp.resolve("n/index.json")))),
        "the newest rules give another image");
  }

  @Test
  void unknownOrAmbiguousVersionIsAUsageErrorListingTheKnownOnes(@TempDir Path tmp) {
    // the demo's inputs and published image (testdata/demo): the version is refused before anything is read
    Path dir = SharedData.testdata("demo");
    Run unknown = run("build", "-C", dir.toString(), "apko.yaml", "--apko-version", "v0.11.9",
        "-o", "oci:" + tmp.resolve("o"));
    assertEquals(2, unknown.code(), unknown.err());
    assertTrue(unknown.err().contains("APKO_VERSION_UNKNOWN") && unknown.err().contains("v0.12.0–v0.14.0"),
        unknown.err());
    Run ambiguous = run("verify", "--image", "oci:" + dir.resolve("published"), "--context", dir.toString(),
        dir.resolve("apko.yaml").toString(), "--apko-version", "0.27");
    assertEquals(2, ambiguous.code(), ambiguous.err());
    assertTrue(ambiguous.err().contains("APKO_VERSION_AMBIGUOUS"), ambiguous.err());
    assertFalse(Files.exists(tmp.resolve("o")), "nothing written");
  }

  /**
   * On the demo's inputs (testdata/demo) built here with apko v0.13.0's rules: verify with no version names the
   * releases whose rules reproduce that image, and with {@code --apko-version} reports it as given. That apko's
   * own goldens are named by the versions that made them is the core's {@code ApkoHistoryVerifyTest}.
   */
  @Test
  void verifyNamesTheVersionsThatReproduceThePublishedImage(@TempDir Path tmp) throws Exception {
    Path dir = SharedData.testdata("demo");
    Path published = tmp.resolve("published");
    Run b = run("build", "-C", dir.toString(), "apko.yaml", "--apko-version", "v0.13.0", "-o", "oci:" + published);
    assertEquals(0, b.code(), b.err());
    Run r = run("verify", "--image", "oci:" + published, "--context", dir.toString(),
        dir.resolve("apko.yaml").toString(), "--no-policy");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("reproduced with the rules of apko v0.12.0–v0.19.2"), r.out());
    Run j = run("verify", "--image", "oci:" + published, "--context", dir.toString(),
        dir.resolve("apko.yaml").toString(), "--no-policy", "--format", "json", "--apko-version", "v0.13.0");
    assertEquals(0, j.code(), j.err());
    JsonNode report = Json.mapper().readTree(j.out().getBytes(StandardCharsets.UTF_8));
    assertTrue(report.toString().contains("APKO_VERSION_REPRODUCED"), j.out());
    assertTrue(report.toString().contains("v0.12.0–v0.14.0 (--apko-version)"), j.out());
  }
}
