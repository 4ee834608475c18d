package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.attest.Fixtures;
import dev.bitproof.attest.Peers;
import dev.bitproof.attest.intoto.Predicates;
import dev.bitproof.attest.registry.Attachments;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.cli.Main;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The attest and key commands end to end on a real OCI layout, through {@link Main#run}. */
class AttestCommandTest {
  @TempDir
  Path dir;

  private Path report(String ref, Digest d) throws Exception {
    return Files.write(dir.resolve("report.json"), Fixtures.reportBytes(ref, d));
  }

  @Test
  void keyGenerateSignVerifyAttachAndTamper() throws Exception {
    Path layout = dir.resolve("layout");
    Descriptor image = Fixtures.writeImage(layout, "v1", "a");
    Descriptor other = Fixtures.writeImage(layout, "v2", "b");
    String ref = "oci:" + layout + ":v1";
    Path report = report(ref, image.digest());
    Path pass = Files.writeString(dir.resolve("pass"), "correct horse\n");

    Run gen = run("key", "generate", "--type", "ed25519", "--out", dir.resolve("k").toString(), "--encrypt",
        "--passphrase-file", pass.toString(), "--format", "json");
    assertEquals(0, gen.code(), gen.err());
    assertTrue(gen.json().path("encrypted").asBoolean());
    assertTrue(Files.readString(dir.resolve("k.key")).startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"));
    assertEquals(2, run("key", "generate", "--out", dir.resolve("k").toString()).code(), "never overwrite a key");

    Path wrong = Files.writeString(dir.resolve("wrong"), "battery staple\n");
    Run bad = run("attest", "sign", report.toString(), "--key", dir.resolve("k.key").toString(), "--passphrase-file", wrong.toString(),
        "--format", "json");
    assertEquals(2, bad.code(), bad.err());
    assertEquals("KEY_PASSPHRASE_WRONG", bad.json().path("error").path("code").asText());

    Run sign = run("attest", "sign", report.toString(), "--key", dir.resolve("k.key").toString(), "--passphrase-file", pass.toString(),
        "--attach", "--format", "json");
    assertEquals(0, sign.code(), sign.err());
    JsonNode s = sign.json();
    assertEquals(gen.json().path("keyId").asText(), s.path("keyId").asText());
    assertEquals(Attachments.referrersTag(image.digest()), s.path("attached").path("tag").asText());
    Path jsonl = Path.of(s.path("files").get(0).asText());
    assertEquals(2, Files.readAllLines(jsonl).size());

    String pub = dir.resolve("k.pub").toString();
    Run v = run("attest", "verify", ref, "--key", pub, "--type", "vsa", "--max-age", "1h", "--format", "json");
    assertEquals(0, v.code(), v.out() + v.err());
    assertEquals("PASS", v.json().path("result").asText());
    assertEquals(image.digest().toString(), v.json().path("subject").asText());

    Run file = run("attest", "verify", jsonl.toString(), "--key", pub, "--digest", image.digest().toString());
    assertEquals(0, file.code(), file.out() + file.err());
    assertTrue(file.out().contains("PASS " + image.digest()), file.out());
    assertEquals(2, run("attest", "verify", jsonl.toString(), "--key", pub).code(), "a file needs --digest or --image");

    // the file presented for another image: subject mismatch, exit 1
    Run otherImage = run("attest", "verify", jsonl.toString(), "--key", pub, "--image", "oci:" + layout + ":v2", "--format", "json");
    assertEquals(1, otherImage.code());
    assertTrue(otherImage.out().contains("ATTEST_SUBJECT_MISMATCH"), otherImage.out());
    // v2 has nothing attached
    assertEquals(1, run("attest", "verify", "oci:" + layout + ":v2", "--key", pub).code());

    // another key: exit 1
    Run other2 = run("key", "generate", "--out", dir.resolve("o").toString());
    assertEquals(0, other2.code());
    Run wrongKey = run("attest", "verify", ref, "--key", dir.resolve("o.pub").toString(), "--format", "json");
    assertEquals(1, wrongKey.code());
    assertTrue(wrongKey.out().contains("BUNDLE_KEY_HINT_MISMATCH"), wrongKey.out());

    // tamper with the attached bundles' payloads in the layout: the blobs no longer match their digests, and
    // a rewritten payload no longer matches its signature
    Path blobs = layout.resolve("blobs/sha256");
    for (Path b : Files.list(blobs).toList()) {
      String t = Files.readString(b, StandardCharsets.ISO_8859_1);
      if (t.contains("\"dsseEnvelope\"")) {
        Files.writeString(b, t.replace("\"payload\":\"ey", "\"payload\":\"eX"), StandardCharsets.ISO_8859_1);
      }
    }
    Run tampered = run("attest", "verify", ref, "--key", pub, "--format", "json");
    assertEquals(1, tampered.code(), tampered.out() + tampered.err());
    assertEquals(other.digest().hex().length(), 64);
  }

  @Test
  void dsseAndBundleFormsAndCosignLayout() throws Exception {
    Path layout = dir.resolve("layout");
    Descriptor image = Fixtures.writeImage(layout, "v1", "a");
    String ref = "oci:" + layout + ":v1";
    Path report = report(ref, image.digest());
    assertEquals(0, run("key", "generate", "--type", "ecdsa-p256", "--out", dir.resolve("k").toString()).code());
    String key = dir.resolve("k.key").toString();
    String pub = dir.resolve("k.pub").toString();
    Path policy = Files.writeString(dir.resolve("policy.yaml"), "require: bit-identical\n");

    Run b = run("attest", "sign", report.toString(), "--key", key, "--output-format", "bundle", "--out", dir.resolve("b").toString(),
        "--policy", policy.toString(), "--attach", "--attach-layout", "cosign");
    assertEquals(0, b.code(), b.err());
    assertTrue(Files.isRegularFile(dir.resolve("b/vsa.sigstore.json")));
    assertEquals(0, run("attest", "verify", dir.resolve("b/vsa.sigstore.json").toString(), "--key", pub, "--digest",
        image.digest().toString(), "--policy", policy.toString()).code());
    Path otherPolicy = Files.writeString(dir.resolve("other.yaml"), "require: nothing\n");
    Run pm = run("attest", "verify", dir.resolve("b/vsa.sigstore.json").toString(), "--key", pub, "--digest",
        image.digest().toString(), "--policy", otherPolicy.toString());
    assertEquals(1, pm.code());
    assertTrue(pm.out().contains("ATTEST_POLICY_MISMATCH"), pm.out());

    Run d = run("attest", "sign", report.toString(), "--key", key, "--output-format", "dsse", "--out", dir.resolve("d").toString());
    assertEquals(0, d.code(), d.err());
    assertEquals(0, run("attest", "verify", dir.resolve("d/evidence.dsse.json").toString(), "--key", pub, "--digest",
        image.digest().toString(), "--type", Predicates.EVIDENCE).code());
    Run t = run("attest", "verify", dir.resolve("d/evidence.dsse.json").toString(), "--key", pub, "--digest",
        image.digest().toString(), "--type", "vsa");
    assertEquals(1, t.code());
    assertTrue(t.out().contains("ATTEST_NONE_VALID"), t.out());

    // attached in cosign's layout: found and verified from the image
    Run v = run("attest", "verify", ref, "--key", pub, "--format", "json");
    assertEquals(0, v.code(), v.out() + v.err());
    assertEquals(2, v.json().path("attestations").asInt());
    assertTrue(Files.readString(layout.resolve("index.json")).contains(Attachments.cosignTag(image.digest())));
  }

  @Test
  void attachRefusesAnotherImageAndUntaggedLayouts() throws Exception {
    Path layout = dir.resolve("layout");
    Descriptor image = Fixtures.writeImage(layout, "v1", "a");
    Fixtures.writeImage(layout, "v2", "b");
    Path report = report("oci:" + layout + ":v1", image.digest());
    assertEquals(0, run("key", "generate", "--out", dir.resolve("k").toString()).code());
    Run r = run("attest", "sign", report.toString(), "--key", dir.resolve("k.key").toString(), "--attach-to",
        "oci:" + layout + ":v2", "--format", "json");
    assertEquals(1, r.code());
    assertEquals("ATTACH_DIGEST_MISMATCH", r.json().path("error").path("code").asText());
    Run u = run("attest", "sign", report.toString(), "--key", dir.resolve("k.key").toString(), "--attach-to", "oci:" + layout);
    assertTrue(u.code() == 1 || u.code() == 2, u.err());
  }

  @Test
  void badInputsGiveStableCodes() throws Exception {
    assertEquals(0, run("key", "generate", "--out", dir.resolve("k").toString()).code());
    Path report = Files.writeString(dir.resolve("r.json"), "{\"schemaVersion\":2}");
    Run r = run("attest", "sign", report.toString(), "--key", dir.resolve("k.key").toString(), "--format", "json");
    assertEquals(3, r.code());
    assertEquals("REPORT_INVALID", r.json().path("error").path("code").asText());
    Run t = run("key", "generate", "--type", "rsa", "--out", dir.resolve("x").toString());
    assertEquals(2, t.code());
    Path good = report("oci:/nowhere:v1", Digest.sha256(new byte[0]));
    Run pubAsKey = run("attest", "sign", good.toString(), "--key", dir.resolve("k.pub").toString(), "--format", "json");
    assertEquals(2, pubAsKey.code(), pubAsKey.err());
    assertEquals("KEY_NOT_PRIVATE", pubAsKey.json().path("error").path("code").asText());
    Path env = Files.writeString(dir.resolve("env.json"), "{\"payload\":\"e30=\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[]}");
    Run none = run("attest", "verify", env.toString(), "--key", dir.resolve("k.pub").toString(), "--digest",
        "sha256:" + "a".repeat(64), "--format", "json");
    assertEquals(1, none.code());
    assertTrue(none.out().contains("DSSE_NO_SIGNATURE"), none.out());
  }

  /** What `attest sign` writes is accepted by the independent verifiers, through the CLI path too. */
  @Test
  void cliOutputVerifiesWithSigstoreJs() throws Exception {
    Peers.requireSigstoreJs();
    Path layout = dir.resolve("layout");
    Descriptor image = Fixtures.writeImage(layout, "v1", "a");
    Path report = report("oci:" + layout + ":v1", image.digest());
    assertEquals(0, run("key", "generate", "--out", dir.resolve("k").toString()).code());
    assertEquals(0, run("attest", "sign", report.toString(), "--key", dir.resolve("k.key").toString(), "--output-format", "bundle",
        "--out", dir.resolve("b").toString()).code());
    for (String f : List.of("vsa.sigstore.json", "evidence.sigstore.json")) {
      Peers.Result r = Peers.run(List.of("node", Peers.nodeScript().toString(), dir.resolve("k.pub").toString(), dir.resolve("b").resolve(f).toString()));
      assertEquals(0, r.exit(), r.output());
    }
  }

  /** A third-party keyless bundle, offline against the pinned trusted root; the identity flags are required. */
  @Test
  void keylessBundleWithPinnedTrustedRoot() {
    Path k = dev.bitproof.testing.SharedData.testdata("attest/keyless");
    String bundle = k.resolve("bundle.dsse.sigstore.json").toString();
    String root = k.resolve("trusted_root.json").toString();
    String digest = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";
    String san = "https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main";
    String issuer = "https://token.actions.githubusercontent.com";
    Run ok = run("attest", "verify", bundle, "--trusted-root", root, "--certificate-identity", san,
        "--certificate-oidc-issuer", issuer, "--digest", digest, "--type", "https://slsa.dev/provenance/v1");
    assertEquals(0, ok.code(), ok.out() + ok.err());
    assertTrue(ok.out().contains("KEYLESS_VERIFIED"), ok.out());
    Run wrongId = run("attest", "verify", bundle, "--trusted-root", root, "--certificate-identity", san + "x",
        "--certificate-oidc-issuer", issuer, "--digest", digest);
    assertEquals(1, wrongId.code(), wrongId.out());
    assertEquals(2, run("attest", "verify", bundle, "--trusted-root", root, "--digest", digest).code(),
        "a trusted root without an identity would accept any certificate");
    assertEquals(2, run("attest", "verify", bundle, "--digest", digest).code(), "no trust given");
  }

  /** The mixin verify uses for --attest-key: same signing path as attest sign. */
  @picocli.CommandLine.Command(name = "fake-verify")
  static final class FakeVerify implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.Mixin
    AttestOptions attest;

    byte[] report;

    @Override
    public Integer call() throws Exception {
      StringWriter sw = new StringWriter();
      var o = new dev.bitproof.cli.render.Output(new PrintWriter(sw), new PrintWriter(new StringWriter()), dev.bitproof.cli.render.Format.json);
      return attest.attest(report, dev.bitproof.oci.transport.TransportOptions.defaults(), o::progress).isPresent() ? 0 : 5;
    }
  }

  @Test
  void verifyAttestKeyMixinSignsTheReport() throws Exception {
    Path layout = dir.resolve("layout");
    Descriptor image = Fixtures.writeImage(layout, "v1", "a");
    assertEquals(0, run("key", "generate", "--out", dir.resolve("k").toString()).code());
    FakeVerify fv = new FakeVerify();
    fv.report = Fixtures.reportBytes("oci:" + layout + ":v1", image.digest());
    Path out = dir.resolve("v.intoto.jsonl");
    int code = new picocli.CommandLine(fv).execute("--attest-key", dir.resolve("k.key").toString(), "--attest-out", out.toString(), "--attach");
    assertEquals(0, code);
    assertEquals(2, Files.readAllLines(out).size());
    assertEquals(0, run("attest", "verify", "oci:" + layout + ":v1", "--key", dir.resolve("k.pub").toString()).code());
    assertEquals(5, new picocli.CommandLine(new FakeVerify()).execute());
  }

  /**
   * "Offline" proven, not claimed: the keyless check runs in a JVM inside a fresh network namespace (unshare -n: no
   * interface but a down loopback), so any fetch (TUF, Rekor) would fail the run.
   */
  @Test
  void keylessVerificationNeedsNoNetwork() throws Exception {
    Peers.requireTool("unshare");
    Assumptions.assumeTrue(Peers.run(List.of("unshare", "-n", "true")).exit() == 0, "skipped: unshare -n not permitted here");
    Path k = dev.bitproof.testing.SharedData.testdata("attest/keyless");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = List.of("unshare", "-n", java, "-cp", System.getProperty("java.class.path"), "dev.bitproof.cli.Main",
        "attest", "verify", k.resolve("bundle.dsse.sigstore.json").toString(), "--trusted-root", k.resolve("trusted_root.json").toString(),
        "--certificate-identity", "https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main",
        "--certificate-oidc-issuer", "https://token.actions.githubusercontent.com",
        "--digest", "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf");
    Peers.Result r = Peers.run(cmd);
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("KEYLESS_VERIFIED"), r.output());
  }
}
