package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.testing.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

class DebCommandTest {
  static final String NOW = "2026-11-29T12:00:00Z";

  static String data(String rel) {
    return SharedData.require("deb/" + rel).toString();
  }

  @Test
  void verifyChainsEveryDebToTheSignedArchive() throws Exception {
    List<String> args = new ArrayList<>(List.of("deb", "verify", "--format", "json", "--now", NOW,
        "--keyring", data("keyrings/debian-archive-keyring.gpg"), "--release", data("release/bookworm_InRelease"),
        "--packages", data("packages/bookworm_main_binary-amd64_Packages.xz"), "--suite", "bookworm",
        "--component", "main", "--arch", "amd64"));
    try (Stream<Path> s = Files.list(SharedData.require("deb/debs"))) {
      s.filter(p -> p.toString().endsWith(".deb")).sorted().forEach(p -> args.add(p.toString()));
    }
    Run r = run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.out() + r.err());
    assertEquals("PASS", r.json().get("result").asText());
    assertEquals(7, r.codes().stream().filter("DEB_IN_ARCHIVE"::equals).count(), r.out());
    assertEquals(3, r.codes().stream().filter("PGP_SIGNATURE_GOOD"::equals).count());
    assertTrue(r.out().contains("Debian Stable Release Key (12/bookworm)"));
  }

  @Test
  void staleDetachedSignatureFails() throws Exception {
    Run r = run("deb", "verify", "--format", "json", "--now", NOW, "--keyring", data("keyrings/debian-archive-keyring.gpg"),
        "--release", data("release/bookworm-updates_Release"),
        "--release-gpg", data("release/bookworm-updates_Release.gpg.STALE-2026-10-30"));
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.codes().contains("PGP_SIGNATURE_BAD"));
    assertTrue(r.codes().contains("DEB_RELEASE_UNTRUSTED"));
    Run text = run("deb", "verify", "--now", NOW, "--keyring", data("keyrings/debian-archive-keyring.gpg"),
        "--release", data("release/bookworm_Release"), "--release-gpg", data("release/bookworm_Release.gpg"));
    assertEquals(0, text.code(), text.out() + text.err());
    assertTrue(text.out().contains("PGP_VERIFIED"), text.out());
    assertTrue(text.out().endsWith("PASS\n"), text.out());
  }

  @Test
  void embeddedSignatures() throws Exception {
    String key = data("debsig/test-signer.pub.gpg");
    Run ok = run("deb", "verify", "--format", "json", "--debsig-keyring", key, data("debsig/netbase_6.4_all.debsigs-origin.deb"),
        data("debsig/netbase_6.4_all.dpkgsig-style-builder.deb"));
    assertEquals(0, ok.code(), ok.out() + ok.err());
    assertEquals(2, ok.codes().stream().filter("DEB_EMBEDDED_SIGNATURE_VERIFIED"::equals).count());
    Run bad = run("deb", "verify", "--format", "json", "--debsig-keyring", key,
        data("debsig/netbase_6.4_all.debsigs-origin.TAMPERED-data.deb"));
    assertEquals(1, bad.code());
    assertTrue(bad.codes().contains("DEB_EMBEDDED_SIGNATURE_FAILED"));
    // without a keyring or an index, a deb alone proves nothing: secure default is to fail
    Run alone = run("deb", "verify", "--format", "json", data("debs/netbase_6.4_all.deb"));
    assertEquals(1, alone.code());
    assertTrue(alone.codes().contains("DEB_NOT_IN_ARCHIVE"));
  }

  @Test
  void imageCheckOnTheDistrolessLikeRootfs() throws Exception {
    Run r = run("deb", "image-check", "--format", "json", "--rootfs", data("rootfs/distroless-like-statusd.tar.xz"));
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode j = r.json();
    assertEquals(1402, j.get("filesChecked").asInt());
    assertEquals(1402, j.get("ok").asInt());
    assertEquals(402, j.get("unowned").size());
    assertEquals("status.d (distroless)", j.get("layout").asText());

    Run withDebs = run("deb", "image-check", "--format", "json", "--rootfs", data("rootfs/distroless-like-statusd.tar.xz"),
        "--deb", data("debs/libc6_2.36-9+deb12u14_amd64.deb"), "--deb", data("debs/base-files_12.4+deb12u15_amd64.deb"));
    assertEquals(0, withDebs.code(), withDebs.out() + withDebs.err());
    assertEquals(2, withDebs.codes().stream().filter("DPKG_DEB_CONTENT_OK"::equals).count(), withDebs.out());
  }

  @Test
  void imageCheckReadsAnOciLayoutAndProvesStanzas(@TempDir Path tmp) throws Exception {
    Path layout = ociLayout(tmp.resolve("img"), SharedData.require("deb/rootfs/distroless-like-statusd.tar.xz"));
    Run r = run("deb", "image-check", "--format", "json", "--now", NOW, "oci:" + layout + ":v1",
        "--keyring", data("keyrings/debian-archive-keyring.gpg"), "--release", data("release/bookworm_InRelease"),
        "--packages", data("packages/bookworm_main_binary-amd64_Packages.xz"));
    // libssl3, tzdata, ca-certificates are from bookworm-security, whose index is not in the shared data
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals(6, r.codes().stream().filter("DPKG_PACKAGE_IN_ARCHIVE"::equals).count(), r.out());
    assertEquals(3, r.codes().stream().filter("DPKG_PACKAGE_NOT_IN_ARCHIVE"::equals).count());
    assertEquals(1402, r.json().get("ok").asInt());
  }

  @Test
  void aMalformedDebIsAFindingAndTheOthersAreStillChecked(@TempDir Path tmp) throws Exception {
    Path cut = tmp.resolve("cut.deb");
    byte[] real = Files.readAllBytes(SharedData.require("deb/debs/netbase_6.4_all.deb"));
    Files.write(cut, java.util.Arrays.copyOf(real, real.length / 2));
    Run r = run("deb", "verify", "--format", "json", "--debsig-keyring", data("debsig/test-signer.pub.gpg"),
        cut.toString(), data("debsig/netbase_6.4_all.debsigs-origin.deb"));
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals(List.of("DEB_AR_TRUNCATED", "DEB_MD5SUMS_OK", "PGP_SIGNATURE_GOOD", "PGP_VERIFIED",
        "DEB_EMBEDDED_SIGNATURE_VERIFIED"), r.codes());
  }

  @Test
  void usageAndMissingInputs() {
    assertEquals(2, run("deb", "verify").code());
    assertEquals(2, run("deb", "verify", "--packages", "x.xz").code());
    assertEquals(2, run("deb", "image-check").code());
    assertEquals(2, run("deb", "verify", "--now", "yesterday", "--release", "x", "--keyring", "y").code());
    Run missing = run("deb", "verify", "--format", "json", "--keyring", "/nonexistent.gpg", "--release", "/nonexistent");
    assertEquals(3, missing.code(), missing.out() + missing.err());
  }

  /** An OCI layout with one gzip layer made from a rootfs tar.xz (written by hand: the test controls every byte). */
  static Path ociLayout(Path dir, Path tarXz) throws Exception {
    Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
    MessageDigest diff = Digest.newSha256();
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (InputStream in = new XZInputStream(Files.newInputStream(tarXz));
        OutputStream g = new GZIPOutputStream(gz)) {
      in.transferTo(new DigestOutputStream(g, diff));
    }
    byte[] layer = gz.toByteArray();
    Digest layerDigest = write(blobs, layer);
    ObjectNode config = Json.mapper().createObjectNode();
    config.put("architecture", "amd64");
    config.put("os", "linux");
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    rootfs.putArray("diff_ids").add(Digest.sha256(diff).toString());
    byte[] cfg = Json.mapper().writeValueAsBytes(config);
    Digest cfgDigest = write(blobs, cfg);
    ObjectNode m = Json.mapper().createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
    m.set("config", desc("application/vnd.oci.image.config.v1+json", cfgDigest, cfg.length));
    m.putArray("layers").add(desc("application/vnd.oci.image.layer.v1.tar+gzip", layerDigest, layer.length));
    byte[] manifest = Json.mapper().writeValueAsBytes(m);
    Digest mDigest = write(blobs, manifest);
    ObjectNode index = Json.mapper().createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", "application/vnd.oci.image.index.v1+json");
    ArrayNode ms = index.putArray("manifests");
    ObjectNode d = desc("application/vnd.oci.image.manifest.v1+json", mDigest, manifest.length);
    d.putObject("annotations").put("org.opencontainers.image.ref.name", "v1");
    ms.add(d);
    Files.write(dir.resolve("index.json"), Json.mapper().writeValueAsBytes(index));
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}", StandardCharsets.UTF_8);
    return dir;
  }

  private static ObjectNode desc(String mt, Digest d, long size) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("mediaType", mt);
    n.put("digest", d.toString());
    n.put("size", size);
    return n;
  }

  private static Digest write(Path blobs, byte[] b) throws Exception {
    Digest d = Digest.sha256(b);
    Files.write(blobs.resolve(d.hex()), b);
    return d;
  }
}
