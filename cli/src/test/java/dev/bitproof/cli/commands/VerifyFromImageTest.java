package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.testing.ReportSchema;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestLayouts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bitproof verify --image REF} with no config: the image's own etc/apko.json and installed database. */
class VerifyFromImageTest {
  static final Path DEMO = SharedData.testdata("demo");

  static List<String> codes(JsonNode report, String check) {
    List<String> out = new ArrayList<>();
    for (JsonNode c : report.get("checks")) {
      if (c.get("name").asText().equals(check)) {
        c.get("findings").forEach(f -> out.add(f.get("code").asText()));
      }
    }
    return out;
  }

  static String status(JsonNode report, String check) {
    for (JsonNode c : report.get("checks")) {
      if (c.get("name").asText().equals(check)) {
        return c.get("status").asText();
      }
    }
    return "(absent)";
  }

  @Test
  void theDemoImageVerifiesFromItselfAlone() {
    Run r = run("verify", "--image", "oci:published", "-C", DEMO.toString(), "--no-policy", "--format", "json");
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode j = r.json();
    assertEquals(List.of(), ReportSchema.validate(j));
    assertEquals("BIT_IDENTICAL", j.get("verdict").asText());
    assertEquals("PASS", status(j, "recipe"));
    assertEquals(List.of("IMAGE_APKO_JSON_OK", "IMAGE_APKO_JSON_OK"), codes(j, "recipe"));
    JsonNode in = j.get("inputs");
    assertEquals("etc/apko.json of the published image (x86_64, aarch64)", in.get("config").asText());
    assertEquals("pinned from the image's installed database: 2 packages", in.get("packages").asText());
    assertTrue(in.get("repository ./packages").asText().startsWith("configured in etc/apko.json"), in.toString());
    assertTrue(in.get("keyring ./keys/bitproof-demo.rsa.pub").asText().contains("never from the image"), in.toString());
    assertEquals("PASS", status(j, "signatures"));
  }

  @Test
  void theTamperedDemoFailsOnItsContentNotItsRecipe() {
    Run r = run("verify", "--image", "oci:published-tampered", "-C", DEMO.toString(), "--no-policy", "--format", "json");
    assertEquals(1, r.code(), r.err());
    JsonNode j = r.json();
    assertEquals("PASS", status(j, "recipe"), "etc/apko.json was left alone by the tamperer");
    assertEquals("FAIL", status(j, "compare"));
    assertTrue(codes(j, "compare").contains("FILE_ADDED"), codes(j, "compare").toString());
  }

  /** Replaces bytes of one file's content in place (same length), in every arch's layer. */
  static Path editApkoJson(Path tmp, String from, String to) {
    return TestLayouts.rewrite(DEMO.resolve("published"), tmp.resolve("edited"), (arch, tar) -> {
      for (TestLayouts.RawEntry e : TestLayouts.entries(tar)) {
        if (e.name().equals("etc/apko.json")) {
          String s = new String(tar, e.dataOffset(), (int) e.size(), StandardCharsets.UTF_8);
          byte[] edited = s.replace(from, to).getBytes(StandardCharsets.UTF_8);
          assertEquals(e.size(), edited.length);
          byte[] copy = tar.clone();
          System.arraycopy(edited, 0, copy, e.dataOffset(), edited.length);
          return copy;
        }
      }
      throw new AssertionError("no etc/apko.json");
    }, cfg -> { }, false);
  }

  @Test
  void anApkoJsonThatContradictsTheInstalledDatabaseIsAFinding(@TempDir Path tmp) {
    Path edited = editApkoJson(tmp, "demo-hello=1.0.0-r0", "demo-hello=9.9.9-r9");
    Run r = run("verify", "--image", "oci:" + edited, "-C", DEMO.toString(), "--no-policy", "--format", "json");
    assertEquals(1, r.code(), r.out() + r.err());
    JsonNode j = r.json();
    assertEquals(List.of(), ReportSchema.validate(j));
    assertEquals("FAIL", status(j, "recipe"));
    assertEquals(List.of("IMAGE_APKO_JSON_INCONSISTENT", "IMAGE_APKO_JSON_INCONSISTENT"), codes(j, "recipe"));
    assertTrue(r.out().contains("demo-hello is pinned to 9.9.9-r9 but 1.0.0-r0 is installed"), r.out());
    // the rebuild still ran from the installed pins, so the report also says what differs: etc/apko.json itself
    assertEquals("FAIL", status(j, "compare"));
  }

  @Test
  void anImageWithoutApkoJsonCannotBeVerifiedFromItself(@TempDir Path tmp) {
    // the same length name, so the layer stays a valid tar: etc/apko.json becomes etc/apko.jsoX
    Path edited = TestLayouts.rewrite(DEMO.resolve("published"), tmp.resolve("noconfig"), (arch, tar) -> {
      for (TestLayouts.RawEntry e : TestLayouts.entries(tar)) {
        if (e.name().equals("etc/apko.json")) {
          byte[] copy = tar.clone();
          int h = e.dataOffset() - 512;
          copy[h + "etc/apko.json".length() - 1] = 'X';
          java.util.Arrays.fill(copy, h + 148, h + 156, (byte) ' ');
          long sum = 0;
          for (int i = h; i < h + 512; i++) {
            sum += copy[i] & 0xff;
          }
          System.arraycopy(String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII), 0, copy, h + 148, 8);
          return copy;
        }
      }
      throw new AssertionError("no etc/apko.json");
    }, cfg -> { }, false);
    Run r = run("verify", "--image", "oci:" + edited, "-C", DEMO.toString(), "--no-policy", "--format", "json");
    assertEquals(3, r.code(), r.out() + r.err());
    assertEquals("IMAGE_APKO_JSON_MISSING", r.json().get("error").get("code").asText());
    assertTrue(r.err().contains("pass its apko.yaml as CONFIG"), r.err());
  }

  @Test
  void repositoriesAndKeysCanBeReadFromElsewhere(@TempDir Path tmp) throws Exception {
    // a working directory with neither packages nor keys: both come from --repository mappings
    Path wd = Files.createDirectories(tmp.resolve("wd"));
    Path mirror = tmp.resolve("mirror");
    try (Stream<Path> s = Files.walk(DEMO.resolve("packages"))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = mirror.resolve(DEMO.resolve("packages").relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    Run r = run("verify", "--image", DEMO.resolve("published").toString().replaceFirst("^", "oci:"), "-C", wd.toString(),
        "--repository", "./packages=" + mirror, "--repository", "./keys=" + DEMO.resolve("keys"), "--no-policy",
        "--format", "json");
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode in = r.json().get("inputs");
    assertEquals("configured in etc/apko.json, read from " + mirror + " (--repository)",
        in.get("repository ./packages").asText());
    assertEquals("BIT_IDENTICAL", r.json().get("verdict").asText(), "what the image records is unchanged");
    Run bad = run("verify", "--image", "oci:x", "--repository", "nowhere");
    assertEquals(2, bad.code(), bad.err());
  }

  @Test
  void workdirIsOneOptionAndContextItsDeprecatedName() {
    Run old = run("verify", "--image", "oci:published", "--context", DEMO.toString(), "--no-policy");
    assertEquals(0, old.code(), old.out() + old.err());
    assertTrue(old.err().contains("--context is deprecated"), old.err());
    Run both = run("verify", "--image", "oci:published", "--context", DEMO.toString(), "-C", DEMO.toString());
    assertEquals(2, both.code(), both.err());
    Run withConfig = run("verify", "apko.yaml", "--lockfile", "apko.lock.json", "--image", "oci:published",
        "--workdir", DEMO.toString(), "--no-policy");
    assertEquals(0, withConfig.code(), withConfig.out() + withConfig.err());
    Run lockOnly = run("verify", "--lockfile", "apko.lock.json", "--image", "oci:published", "-C", DEMO.toString());
    assertEquals(2, lockOnly.code(), lockOnly.err());
  }
}
