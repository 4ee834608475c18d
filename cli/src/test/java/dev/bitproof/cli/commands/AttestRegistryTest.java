package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.attest.Fixtures;
import dev.bitproof.attest.bundle.SigstoreBundle;
import dev.bitproof.attest.dsse.Envelope;
import dev.bitproof.attest.registry.Attachments;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.Copier;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.testing.LocalRegistry;
import dev.bitproof.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The golden apko image in a real registry (Debian's docker-registry 2.8, which has no referrers API, so the
 * referrers tag scheme is used): an attestation made from a verify report is attached, read back by skopeo and by
 * {@code attest verify docker://…}, and rejected when the image digest or the payload is altered.
 */
class AttestRegistryTest {
  static final String GOLDEN_INDEX = "sha256:7c08727a4cc2346501dce66540aff115783a9235af93e196d99978087a9b2f59";
  static final TransportOptions INSECURE = TransportOptions.defaults().withInsecure(true);

  @TempDir
  Path dir;

  static RawManifest copy(String from, String to) throws IOException {
    try (ImageSource s = Transports.source(ImageReference.parse(from), INSECURE);
        ImageDestination d = Transports.destination(ImageReference.parse(to), INSECURE)) {
      return Copier.copy(s, d, Optional.empty()).root();
    }
  }

  static JsonNode skopeoRaw(String ref) throws Exception {
    byte[] raw = LocalRegistry.execBytes(List.of(LocalRegistry.skopeo().toString(), "inspect", "--raw", "--tls-verify=false", ref));
    return Json.parse(raw, ref);
  }

  private String pushGolden(String repo) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    String ref = "docker://" + LocalRegistry.plain() + "/" + repo + ":v1";
    assertEquals(GOLDEN_INDEX, copy("oci:" + golden, ref).digest().toString());
    return ref;
  }

  @Test
  void goldenAttestationAttachedFoundAndRejectedWhenAltered() throws Exception {
    String repo = LocalRegistry.uniqueRepository("attest");
    String ref = pushGolden(repo);
    String base = "docker://" + LocalRegistry.plain() + "/" + repo;
    Digest golden = Digest.parse(GOLDEN_INDEX);
    Path report = Files.write(dir.resolve("report.json"), Fixtures.reportBytes(ref, golden));
    assertEquals(0, run("key", "generate", "--out", dir.resolve("k").toString()).code());
    String key = dir.resolve("k.key").toString();
    String pub = dir.resolve("k.pub").toString();

    Run sign = run("attest", "sign", report.toString(), "--key", key, "--attach", "--insecure", "--format", "json");
    assertEquals(0, sign.code(), sign.err());
    // distribution 2.8 answers no OCI-Subject: the referrers tag is written
    assertEquals(false, sign.json().path("attached").path("referrersApi").asBoolean(true), sign.out());
    assertEquals(Attachments.referrersTag(golden), sign.json().path("attached").path("tag").asText(), sign.out());
    Run cosign = run("attest", "sign", report.toString(), "--key", key, "--attach", "--attach-layout", "cosign",
        "--insecure", "--out", dir.resolve("c.jsonl").toString());
    assertEquals(0, cosign.code(), cosign.err());

    // skopeo reads the referrers index and the referrer manifests we pushed
    JsonNode index = skopeoRaw(base + ":" + Attachments.referrersTag(golden));
    assertEquals("application/vnd.oci.image.index.v1+json", index.path("mediaType").asText());
    assertEquals(2, index.path("manifests").size());
    for (JsonNode e : index.path("manifests")) {
      assertEquals(SigstoreBundle.MEDIA_TYPE_V03, e.path("artifactType").asText());
      JsonNode m = skopeoRaw(base + "@" + e.path("digest").asText());
      assertEquals(GOLDEN_INDEX, m.path("subject").path("digest").asText());
      assertEquals("application/vnd.oci.image.index.v1+json", m.path("subject").path("mediaType").asText());
      assertEquals(SigstoreBundle.MEDIA_TYPE_V03, m.path("layers").get(0).path("mediaType").asText());
    }
    JsonNode att = skopeoRaw(base + ":" + Attachments.cosignTag(golden));
    assertEquals(2, att.path("layers").size());
    assertEquals("application/vnd.dsse.envelope.v1+json", att.path("layers").get(0).path("mediaType").asText());
    assertEquals("https://slsa.dev/verification_summary/v1", att.path("layers").get(1).path("annotations").path("predicateType").asText());

    Run ok = run("attest", "verify", ref, "--key", pub, "--type", "vsa", "--max-age", "1h", "--insecure", "--format", "json");
    assertEquals(0, ok.code(), ok.out() + ok.err());
    assertEquals(4, ok.json().path("attestations").asInt(), "two referrers + two cosign layers");
    assertEquals(0, run("attest", "verify", base + "@" + GOLDEN_INDEX, "--key", pub, "--insecure").code());

    // the image digest altered: another image under the tag has no attestation of its own
    Path other = dir.resolve("other");
    Descriptor otherImage = Fixtures.writeImage(other, "v1", "other");
    copy("oci:" + other + ":v1", ref);
    Run moved = run("attest", "verify", ref, "--key", pub, "--insecure", "--format", "json");
    assertEquals(1, moved.code(), moved.out());
    assertEquals(otherImage.digest().toString(), moved.json().path("subject").asText());
    assertTrue(moved.out().contains("ATTEST_NONE_VALID"), moved.out());
    // ... and golden's referrers index copied under the other image's referrers tag does not help
    copy(base + ":" + Attachments.referrersTag(golden), base + ":" + Attachments.referrersTag(otherImage.digest()));
    copy(base + ":" + Attachments.cosignTag(golden), base + ":" + Attachments.cosignTag(otherImage.digest()));
    Run copied = run("attest", "verify", ref, "--key", pub, "--insecure", "--format", "json");
    assertEquals(1, copied.code(), copied.out());
    assertTrue(copied.out().contains("ATTEST_SUBJECT_MISMATCH"), copied.out());
  }

  @Test
  void alteredPayloadIsRejected() throws Exception {
    String repo = LocalRegistry.uniqueRepository("attest-tamper");
    String ref = pushGolden(repo);
    Digest golden = Digest.parse(GOLDEN_INDEX);
    Path report = Files.write(dir.resolve("report.json"), Fixtures.reportBytes(ref, golden));
    assertEquals(0, run("key", "generate", "--type", "ed25519", "--out", dir.resolve("k").toString()).code());
    Run sign = run("attest", "sign", report.toString(), "--key", dir.resolve("k.key").toString(),
        "--output-format", "dsse", "--out", dir.resolve("d").toString());
    assertEquals(0, sign.code(), sign.err());

    // attach envelopes whose payload was altered after signing (each blob is consistent with its digest)
    List<Attachments.Attachment> items = new ArrayList<>();
    for (String f : List.of("vsa.dsse.json", "evidence.dsse.json")) {
      Envelope env = Envelope.parse(Files.readAllBytes(dir.resolve("d").resolve(f)), f);
      String p = new String(env.payload(), StandardCharsets.UTF_8);
      Envelope bad = new Envelope(env.payloadType(), p.replace("\"PASSED\"", "\"PASSED\" ").getBytes(StandardCharsets.UTF_8),
          env.signatures());
      items.add(new Attachments.Attachment(f.startsWith("vsa") ? "https://slsa.dev/verification_summary/v1"
          : "https://bitproof.dev/attestation/rebuild-evidence/v1", SigstoreBundle.of(bad).bytes(), bad.toBytes()));
    }
    ImageReference image = ImageReference.parse(ref);
    Descriptor subject;
    try (ImageSource s = Transports.source(image, INSECURE)) {
      subject = s.root().descriptor();
    }
    Attachments.attach(dev.bitproof.attest.registry.Attachments.Opener.over(INSECURE), image, subject, items, Attachments.Layout.REFERRERS, Instant.now());

    Run v = run("attest", "verify", ref, "--key", dir.resolve("k.pub").toString(), "--insecure", "--format", "json");
    assertEquals(1, v.code(), v.out() + v.err());
    assertTrue(v.out().contains("DSSE_SIGNATURE_INVALID"), v.out());
    // the untampered envelopes still verify as files
    assertEquals(0, run("attest", "verify", dir.resolve("d/vsa.dsse.json").toString(), "--key", dir.resolve("k.pub").toString(),
        "--image", ref, "--insecure").code());
  }

  /** Attaching needs push on the repository: with a bearer-token registry it works through the same credentials. */
  @Test
  void attachAndVerifyWithTokenAuth() throws Exception {
    LocalRegistry.Endpoint reg = LocalRegistry.token();
    String repo = LocalRegistry.uniqueRepository("attest-auth");
    String ref = reg.ref(repo, "v1");
    TransportOptions auth = new TransportOptions(reg.username(), reg.password(), true, Optional.empty());
    Path golden = SharedData.testdata("demo/published");
    try (ImageSource s = Transports.source(ImageReference.parse("oci:" + golden), auth);
        ImageDestination d = Transports.destination(ImageReference.parse(ref), auth)) {
      assertEquals(GOLDEN_INDEX, Copier.copy(s, d, Optional.empty()).root().digest().toString());
    }
    Path report = Files.write(dir.resolve("report.json"), Fixtures.reportBytes(ref, Digest.parse(GOLDEN_INDEX)));
    assertEquals(0, run("key", "generate", "--out", dir.resolve("k").toString()).code());
    String creds = reg.username().orElseThrow() + ":" + reg.password().orElseThrow();
    Run anon = run("attest", "sign", report.toString(), "--key", dir.resolve("k.key").toString(), "--attach",
        "--insecure", "--format", "json");
    assertTrue(anon.code() != 0, "anonymous callers may only pull: " + anon.out());
    Run sign = run("attest", "sign", report.toString(), "--key", dir.resolve("k.key").toString(), "--attach",
        "--insecure", "--creds", creds);
    assertEquals(0, sign.code(), sign.err());
    Run v = run("attest", "verify", ref, "--key", dir.resolve("k.pub").toString(), "--insecure", "--creds", creds);
    assertEquals(0, v.code(), v.out() + v.err());
  }

  /**
   * The issue's "done when": {@code bitproof verify} on the demo's config against its published image in the real
   * registry signs its own report (--attest-key) and attaches it; attest verify finds it; the evidence records the
   * digest of exactly the report verify printed.
   */
  @Test
  void verifyAttestKeyOnGoldenAttachesAndVerifies() throws Exception {
    String repo = LocalRegistry.uniqueRepository("verify-attest");
    String ref = pushGolden(repo);
    assertEquals(0, run("key", "generate", "--type", "ed25519", "--out", dir.resolve("k").toString()).code());
    Path demo = SharedData.testdata("demo");
    Path out = dir.resolve("golden.intoto.jsonl");
    Run v = run("verify", demo.resolve("apko.yaml").toString(), "--image", ref, "--lockfile",
        demo.resolve("apko.lock.json").toString(), "--context", demo.toString(), "--insecure", "--format", "json",
        "--attest-key", dir.resolve("k.key").toString(), "--attest-out", out.toString(), "--attach");
    assertEquals(0, v.code(), v.err());
    assertEquals("BIT_IDENTICAL", v.json().path("verdict").asText(), "apko's exact compressor reproduces the published digests");
    assertTrue(v.err().contains("attached at " + Attachments.referrersTag(Digest.parse(GOLDEN_INDEX))), v.err());

    Run ok = run("attest", "verify", ref, "--key", dir.resolve("k.pub").toString(), "--type", "vsa",
        "--max-age", "1h", "--insecure", "--format", "json");
    assertEquals(0, ok.code(), ok.out() + ok.err());
    String levels = ok.out();
    assertTrue(levels.contains("BITPROOF_REBUILT_BIT_IDENTICAL") && levels.contains("BITPROOF_SIGNATURES_VERIFIED"), levels);

    // gating on the levels the verification reached passes; the hardening policy ran advisory only (the golden image
    // runs as root), so gating on the policy level fails
    assertEquals(0, run("attest", "verify", ref, "--key", dir.resolve("k.pub").toString(), "--insecure",
        "--require-level", "BITPROOF_REBUILT_BIT_IDENTICAL", "--require-level", "BITPROOF_SIGNATURES_VERIFIED").code());
    Run pol = run("attest", "verify", ref, "--key", dir.resolve("k.pub").toString(), "--insecure",
        "--require-level", "BITPROOF_POLICY_PASSED");
    assertEquals(1, pol.code(), pol.out());
    assertTrue(pol.out().contains("ATTEST_LEVEL_MISSING"), pol.out());

    List<String> lines = Files.readAllLines(out);
    assertEquals(2, lines.size());
    Envelope evidence = Envelope.parse(lines.get(0).getBytes(StandardCharsets.UTF_8), "evidence");
    JsonNode st = Json.parse(evidence.payload(), "statement");
    assertEquals(Digest.sha256(v.out().getBytes(StandardCharsets.UTF_8)).hex(),
        st.path("predicate").path("report").path("digest").path("sha256").asText(),
        "the evidence names the digest of the report verify printed");
    assertEquals("6 signatures verified, 0 failed", st.path("predicate").path("checks").get(1).path("summary").asText());
  }
}
