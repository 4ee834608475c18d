package dev.bitproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a new user hit first (issue 13's "rough edges"), each fixed and kept fixed here. */
class RoughEdgesTest {
  @TempDir
  Path tmp;

  static final Path DEMO = SharedData.testdata("demo");

  private static Run json(String... args) {
    String[] a = java.util.Arrays.copyOf(args, args.length + 2);
    a[args.length] = "--format";
    a[args.length + 1] = "json";
    return CliRunner.run(a);
  }

  private static void error(Run r, int exit, String code, String subject) {
    assertEquals(exit, r.code(), r.out() + r.err());
    JsonNode e = r.json().path("error");
    assertEquals(code, e.path("code").asText(), r.out());
    assertEquals(subject, e.path("subject").asText(), r.out());
  }

  @Test
  void aDirectoryWhereAFileIsExpectedSaysSoWithItsName() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("a-directory"));
    error(json("apk", "info", dir.toString()), 3, "FILE_IS_DIRECTORY", dir.toString());
    error(json("verify", dir.toString(), "--image", "oci:" + DEMO.resolve("published")), 3, "FILE_IS_DIRECTORY", dir.toString());
    error(json("policy", "check", "oci:" + DEMO.resolve("published"), "--policy", dir.toString()), 3, "FILE_IS_DIRECTORY",
        dir.toString());
    error(json("attest", "sign", dir.toString(), "--key", dir.toString()), 3, "FILE_IS_DIRECTORY", dir.toString());
    error(json("inspect", "oci-archive:" + dir), 3, "FILE_IS_DIRECTORY", dir.toString());
    // a command that reads the file itself: the JDK says "Is a directory" and names nothing; the argument is named
    error(json("build", dir.toString(), "-o", "oci:" + tmp.resolve("out")), 3, "FILE_IS_DIRECTORY", dir.toString());
    error(json("sbom", "check", "oci:" + DEMO.resolve("published"), "--platform", "linux/amd64", "--sbom", dir.toString()),
        3, "FILE_IS_DIRECTORY", dir.toString());
    Run r = json("apk", "verify", "--keyring", DEMO.resolve("keys").toString(), dir.toString());
    assertEquals(3, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("FILE_IS_DIRECTORY"), r.out());
  }

  @Test
  void attestVerifyOfAMissingFileIsAMissingFileNotAnImageReference() {
    assertEquals(0, CliRunner.run("key", "generate", "--type", "ed25519", "--out", tmp.resolve("k").toString()).code());
    String pub = tmp.resolve("k.pub").toString();
    Path missing = tmp.resolve("MISSING.jsonl");
    error(json("attest", "verify", missing.toString(), "--key", pub), 3, "FILE_NOT_FOUND", missing.toString());
    // relative, as typed, with the subject given
    Run r = json("attest", "verify", "MISSING.jsonl", "--key", pub, "--digest", "sha256:" + "0".repeat(64));
    assertEquals(3, r.code(), r.out() + r.err());
    assertEquals("FILE_NOT_FOUND", r.json().path("error").path("code").asText(), r.out());
  }

  @Test
  void anUnknownTransportIsAUsageErrorThatListsTheTransports() {
    for (String ref : List.of("OCI:" + DEMO.resolve("published"), "foo:/bar", "Docker:x", "oci-layout:dir/x")) {
      Run r = json("inspect", ref);
      assertEquals(2, r.code(), ref + ": " + r.out() + r.err());
      JsonNode e = r.json().path("error");
      assertEquals("TRANSPORT_UNKNOWN", e.path("code").asText(), r.out());
      assertEquals(ref, e.path("subject").asText(), r.out());
      assertTrue(e.path("message").asText().contains("oci:DIR") && e.path("message").asText().contains("docker://"),
          "the message lists the transports: " + e);
    }
  }

  @Test
  void anEmptyConfigBuildsAsApkoDoesButSaysWhat() throws Exception {
    Path cfg = Files.writeString(tmp.resolve("apko.yaml"), "");
    Run r = json("build", cfg.toString(), "-C", tmp.toString(), "-o", "oci:" + tmp.resolve("out"));
    assertEquals(0, r.code(), r.out() + r.err());
    String notes = r.json().path("notes").toString();
    assertTrue(notes.contains("names no archs: building all 9"), notes);
    assertTrue(notes.contains("installs no packages"), notes);
    assertEquals(9, r.json().path("images").size());
    Run text = CliRunner.run("build", cfg.toString(), "-C", tmp.toString(), "-o", "oci:" + tmp.resolve("out2"));
    assertTrue(text.out().contains("note: the config names no archs"), text.out());
  }

  @Test
  void keyGenerateIntoAnExistingDirectoryWritesInsideIt() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("keys"));
    Run r = json("key", "generate", "--type", "ed25519", "--out", dir.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(Files.isRegularFile(dir.resolve("bitproof.key")) && Files.isRegularFile(dir.resolve("bitproof.pub")));
    assertFalse(Files.exists(tmp.resolve("keys.key")) || Files.exists(tmp.resolve("keys.pub")), "nothing beside it");
    assertEquals(dir.resolve("bitproof.pub").toString(), r.json().path("publicKey").asText());
    // a name ending in '/' means a directory too
    Path fresh = tmp.resolve("fresh");
    assertEquals(0, json("key", "generate", "--type", "ed25519", "--out", fresh + "/").code());
    assertTrue(Files.isRegularFile(fresh.resolve("bitproof.key")));
    // never overwrites
    assertEquals(2, json("key", "generate", "--type", "ed25519", "--out", dir.toString()).code());
  }

  @Test
  void verifyWritesAttestationsOnlyWhereTheUserSaid() throws Exception {
    Path cwdFile = Path.of("verify.intoto.jsonl").toAbsolutePath();
    assertEquals(0, CliRunner.run("key", "generate", "--type", "ed25519", "--out", tmp.resolve("k").toString()).code());
    Path image = tmp.resolve("image");
    assertEquals(0, CliRunner.run("copy", "oci:" + DEMO.resolve("published"), "oci:" + image + ":v1").code());
    String[] verify = {"verify", DEMO.resolve("apko.yaml").toString(), "--image", "oci:" + image + ":v1", "--lockfile",
        DEMO.resolve("apko.lock.json").toString(), "--context", DEMO.toString(), "--attest-key", tmp.resolve("k.key").toString()};
    // a key and nowhere to put the attestations: said before any work
    Run nowhere = CliRunner.run(verify);
    assertEquals(2, nowhere.code(), nowhere.err());
    assertTrue(nowhere.err().contains("ATTEST_OUTPUT_REQUIRED"), nowhere.err());
    // --attach alone: attached to the image, no file anywhere
    String[] attach = java.util.Arrays.copyOf(verify, verify.length + 1);
    attach[verify.length] = "--attach";
    Run attached = CliRunner.run(attach);
    assertEquals(0, attached.code(), attached.err());
    assertTrue(attached.err().contains("attached"), attached.err());
    assertFalse(Files.exists(cwdFile), "verify --attach wrote " + cwdFile);
    // --attest-out: exactly there
    Path out = tmp.resolve("sub/v.intoto.jsonl");
    String[] withOut = java.util.Arrays.copyOf(verify, verify.length + 2);
    withOut[verify.length] = "--attest-out";
    withOut[verify.length + 1] = out.toString();
    assertEquals(0, CliRunner.run(withOut).code());
    assertTrue(Files.isRegularFile(out));
    assertFalse(Files.exists(cwdFile));
  }
}
