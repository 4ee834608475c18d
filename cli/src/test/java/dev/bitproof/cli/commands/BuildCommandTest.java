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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bitproof build} on the demo's inputs (testdata/demo) and on repositories the tests write. */
class BuildCommandTest {
  static final String INDEX = "sha256:b5f05e6fc882c97d61c1daee566954ae6fc09924f8e152293e2b97a06092069f";

  static List<String> golden(Path cli, Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of("build", "-C", cli.toString(), "testdata/apko.yaml", "--arch", "x86_64",
        "--arch", "aarch64", "--annotation", "org.opencontainers.image.vendor=Vendor",
        "--annotation", "org.opencontainers.image.title=Title", "-o", "oci:" + out));
    a.addAll(List.of(extra));
    return a;
  }

  /** The demo's published index (testdata/demo), which our build made from the same inputs. */
  static final String DEMO_INDEX = "sha256:7c08727a4cc2346501dce66540aff115783a9235af93e196d99978087a9b2f59";

  /** {@code build} of testdata/demo with the annotations its published image carries. */
  static List<String> demo(Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of("build", "-C", SharedData.testdata("demo").toString(), "apko.yaml",
        "--annotation", "org.opencontainers.image.vendor=bitproof", "--annotation",
        "org.opencontainers.image.title=bitproof demo", "-o", "oci:" + out));
    a.addAll(List.of(extra));
    return a;
  }

  /**
   * On the demo (testdata/demo): built with java.util.zip, whose blobs are not the published ones, and the published
   * layers reused, the build writes the published index; {@code --write-lock} writes the lock the demo ships. That
   * apko's own inputs give apko's index and lock is the fidelity claim of {@code BuildCompressionTest} and the
   * core's {@code GoldenRebuildTest}.
   */
  @Test
  void buildWithReusedLayersWritesThePublishedIndex(@TempDir Path tmp) throws Exception {
    Path demo = SharedData.testdata("demo");
    Path out = tmp.resolve("out");
    Path lock = tmp.resolve("apko.lock.json");
    Run r = run(demo(out, "--compression", "java", "--reuse-layers-from", "oci:" + demo.resolve("published"),
        "--format", "json", "--write-lock", lock.toString()).toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    JsonNode j = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout");
    assertEquals(DEMO_INDEX, j.get("index").asText());
    assertEquals("sha256:186210a0e657db3a672cc4ec4d0b6ff92b36271f504cd028b908135223345a72",
        j.get("images").get(0).get("layers").get(0).get("diffId").asText());
    byte[] index = Files.readAllBytes(out.resolve("index.json"));
    assertEquals(Digest.parse(DEMO_INDEX), Digest.sha256(index), "index.json written as the root");
    assertTrue(Files.exists(out.resolve("blobs/sha256/0cf9fc5c8ec35b55dcd61ad37bd78e4272e4c5efed5379a2e35b1c1b34247458")),
        "the published amd64 manifest");
    assertEquals(Files.readString(demo.resolve("apko.lock.json")), Files.readString(lock), "--write-lock");
    Run plain = run(demo(tmp.resolve("plain"), "--compression", "java", "--format", "json").toArray(String[]::new));
    assertEquals(0, plain.code(), plain.err());
    assertFalse(plain.out().contains(DEMO_INDEX), "without the reuse, java gzip gives another index");
  }

  @Test
  void demoBuildWithLockFilePrintsDigestsAsText(@TempDir Path tmp) {
    Run r = run(demo(tmp.resolve("out"), "--lockfile", "apko.lock.json").toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("diff_id  sha256:186210a0e657db3a672cc4ec4d0b6ff92b36271f504cd028b908135223345a72"), r.out());
    assertTrue(r.out().contains("config   sha256:eb6cb7f4652a78750496da686534e21578b437d6f4a9764b5a43ff9bf5fbc3eb"), r.out());
    assertTrue(r.out().contains("index    " + DEMO_INDEX), "byte-exact compression gives the published index from the inputs alone: " + r.out());
    assertTrue(r.err().contains("step install packages"), r.err());
  }

  @Test
  void javaCompressionKeepsDiffIdsButNotTheIndex(@TempDir Path tmp) {
    Run r = run(demo(tmp.resolve("out"), "--compression", "java").toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("diff_id  sha256:186210a0e657db3a672cc4ec4d0b6ff92b36271f504cd028b908135223345a72"), r.out());
    assertTrue(r.out().contains("java-gzip"), r.out());
    assertFalse(r.out().contains(DEMO_INDEX), "java.util.zip bytes differ from apko's, so the index does too");
  }

  @Test
  void unknownArchIsAUsageError(@TempDir Path tmp) {
    Run r = run("build", "-C", SharedData.testdata("demo").toString(), "apko.yaml", "--arch", "vax", "-o",
        "oci:" + tmp.resolve("o"), "--format", "json");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.out().contains("APKO_ARCH_UNKNOWN"), r.out());
    assertFalse(Files.exists(tmp.resolve("o/index.json")), "nothing written");
  }

  @Test
  void badAnnotationIsAUsageError(@TempDir Path tmp) {
    Run r = run("build", "x.yaml", "--annotation", "novalue", "-o", "oci:" + tmp.resolve("o"));
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("ANNOTATION_INVALID"), r.err());
  }

  /** A package signed by a key outside the keyring: exit 1, and no image is written. */
  @Test
  void untrustedPackageSignatureWritesNothing(@TempDir Path tmp) throws Exception {
    dev.bitproof.testing.ApkFixtures.TestKey repoKey = dev.bitproof.testing.ApkFixtures.key("repo.rsa.pub");
    dev.bitproof.testing.ApkFixtures.TestKey other = dev.bitproof.testing.ApkFixtures.key("other.rsa.pub");
    Path keyFile = repoKey.writePublic(tmp.resolve("keys"));
    Path arch = tmp.resolve("repo/x86_64");
    Path apk = new dev.bitproof.testing.ApkFixtures.Apk("app", "1.0.0-r0", "x86_64").set("origin", "app")
        .signedBy(other).write(arch);
    byte[] bytes = Files.readAllBytes(apk);
    Files.write(arch.resolve("APKINDEX.tar.gz"), dev.bitproof.testing.ApkFixtures.index(
        dev.bitproof.testing.ApkFixtures.stanza(bytes, dev.bitproof.apk.ApkPackage.read(bytes, "app")), repoKey, "RSA256"));
    Files.writeString(tmp.resolve("apko.yaml"), "contents:\n  keyring: [" + keyFile + "]\n  repositories: ["
        + tmp.resolve("repo") + "]\n  packages: [app]\narchs: [x86_64]\n");
    Path out = tmp.resolve("out");
    Run r = run("build", "-C", tmp.toString(), "apko.yaml", "-o", "oci:" + out, "--format", "json");
    assertEquals(1, r.code(), r.err());
    assertTrue(r.out().contains("APK_SIGNATURE_UNTRUSTED_KEY"), r.out());
    assertFalse(Files.exists(out), "no image is written");
    Run relaxed = run("build", "-C", tmp.toString(), "apko.yaml", "-o", "oci:" + out, "--allow-untrusted-packages");
    assertEquals(0, relaxed.code(), relaxed.err());
    assertTrue(Files.exists(out.resolve("index.json")));
  }

  /** {@code --keyring DIR} appends keys: they verify the index and packages and land in etc/apk/keys. */
  @Test
  void keyringDirectoryIsAppended(@TempDir Path tmp) throws Exception {
    dev.bitproof.testing.ApkFixtures.TestKey key = dev.bitproof.testing.ApkFixtures.key("extra.rsa.pub");
    Path keys = tmp.resolve("keys");
    key.writePublic(keys);
    Path arch = tmp.resolve("repo/x86_64");
    Path apk = new dev.bitproof.testing.ApkFixtures.Apk("app", "1.0.0-r0", "x86_64").set("origin", "app")
        .signedBy(key).write(arch);
    byte[] bytes = Files.readAllBytes(apk);
    Files.write(arch.resolve("APKINDEX.tar.gz"), dev.bitproof.testing.ApkFixtures.index(
        dev.bitproof.testing.ApkFixtures.stanza(bytes, dev.bitproof.apk.ApkPackage.read(bytes, "app")), key, "RSA256"));
    Files.writeString(tmp.resolve("apko.yaml"), "contents:\n  repositories: [" + tmp.resolve("repo")
        + "]\n  packages: [app]\narchs: [x86_64]\n");
    Run without = run("build", "-C", tmp.toString(), "apko.yaml", "-o", "oci:" + tmp.resolve("a"));
    assertEquals(1, without.code(), "no key: the index signature is untrusted: " + without.err());
    Run with = run("build", "-C", tmp.toString(), "apko.yaml", "--keyring", "keys", "-o", "oci:" + tmp.resolve("b"),
        "--format", "json");
    assertEquals(0, with.code(), with.err());
    assertTrue(Files.exists(tmp.resolve("b/index.json")));
  }
}
