package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.deb.TestArchive;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
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
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

/**
 * {@code deb verify} (embedded signatures, a malformed deb among good ones) and {@code deb image-check} (a rootfs tar,
 * an OCI layout, debs and a signed archive) on debs, a rootfs and an archive the tests build (core's
 * {@link TestArchive}), so they run on a fresh clone. The archive chain is in {@link DebCommandFixtureTest}; the
 * agreement with Debian's real bytes is held in core ({@code ArchiveChainRealDataTest}, {@code DpkgImageCheckTest},
 * {@code DebSigCrossCheckTest}).
 */
class DebCommandTest {
  static final String NOW = "2026-11-29T12:00:00Z";

  @TempDir
  Path tmp;

  @Test
  void embeddedSignatures() throws Exception {
    TestArchive.SignedDebs d = new TestArchive().writeSignedDebs(tmp);
    String key = d.keyring().toString();
    Run ok = run("deb", "verify", "--format", "json", "--debsig-keyring", key, d.debsigsOrigin().toString(),
        d.dpkgSigBuilder().toString());
    assertEquals(0, ok.code(), ok.out() + ok.err());
    assertEquals(2, ok.codes().stream().filter("DEB_EMBEDDED_SIGNATURE_VERIFIED"::equals).count(), ok.out());
    Run bad = run("deb", "verify", "--format", "json", "--debsig-keyring", key, d.tampered().toString());
    assertEquals(1, bad.code(), bad.out() + bad.err());
    assertTrue(bad.codes().contains("DEB_EMBEDDED_SIGNATURE_FAILED"), bad.out());
    // signatures asked for, none there: debsig-verify refuses it too
    Run unsigned = run("deb", "verify", "--format", "json", "--debsig-keyring", key, d.unsigned().toString());
    assertEquals(1, unsigned.code(), unsigned.out() + unsigned.err());
    assertTrue(unsigned.codes().contains("DEB_SIGNATURE_NONE"), unsigned.out());
    // without a keyring or an index, a deb alone proves nothing: secure default is to fail
    Run alone = run("deb", "verify", "--format", "json", d.unsigned().toString());
    assertEquals(1, alone.code(), alone.out() + alone.err());
    assertTrue(alone.codes().contains("DEB_NOT_IN_ARCHIVE"), alone.out());
  }

  @Test
  void imageCheckOnADistrolessLikeRootfs() throws Exception {
    TestArchive a = new TestArchive();
    Path rootfs = a.writeRootfs(tmp);
    Run r = run("deb", "image-check", "--format", "json", "--rootfs", rootfs.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode j = r.json();
    assertEquals(3, j.get("filesChecked").asInt(), r.out());
    assertEquals(3, j.get("ok").asInt());
    assertEquals(7, j.get("unowned").size(), r.out());
    List<String> explained = new ArrayList<>();
    j.get("unowned").forEach(u -> explained.add(u.get("path").asText() + ": " + u.get("explanation").asText()));
    assertTrue(explained.contains("/var/cache/ldconfig/aux-cache: ldconfig"), explained.toString());
    assertEquals(3, j.get("packages").asInt());
    assertEquals("status.d (distroless)", j.get("layout").asText());
    assertEquals(List.of("DPKG_FILES_OK"), r.codes());

    List<String> args = new ArrayList<>(List.of("deb", "image-check", "--format", "json", "--rootfs", rootfs.toString()));
    for (Path deb : a.writeDebs(tmp)) {
      args.addAll(List.of("--deb", deb.toString()));
    }
    Run withDebs = run(args.toArray(String[]::new));
    assertEquals(0, withDebs.code(), withDebs.out() + withDebs.err());
    assertEquals(2, withDebs.codes().stream().filter("DPKG_DEB_CONTENT_OK"::equals).count(), withDebs.out());
  }

  @Test
  void imageCheckReadsAnOciLayoutAndProvesStanzas() throws Exception {
    TestArchive a = new TestArchive();
    TestArchive.Written w = a.writeTo(tmp);
    Path layout = ociLayout(tmp.resolve("img"), a.writeRootfs(tmp));
    Run r = run("deb", "image-check", "--format", "json", "--now", NOW, "oci:" + layout + ":v1",
        "--keyring", w.keyring().toString(), "--release", w.inRelease().toString(), "--packages", w.packagesXz().toString());
    // the locally built package is in no index: not proven, so the check fails
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals(2, r.codes().stream().filter("DPKG_PACKAGE_IN_ARCHIVE"::equals).count(), r.out());
    assertEquals(1, r.codes().stream().filter("DPKG_PACKAGE_NOT_IN_ARCHIVE"::equals).count(), r.out());
    assertEquals(3, r.json().get("ok").asInt());
  }

  @Test
  void aMalformedDebIsAFindingAndTheOthersAreStillChecked() throws Exception {
    TestArchive.SignedDebs d = new TestArchive().writeSignedDebs(tmp);
    Path cut = tmp.resolve("cut.deb");
    byte[] whole = Files.readAllBytes(d.unsigned());
    Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
    Run r = run("deb", "verify", "--format", "json", "--debsig-keyring", d.keyring().toString(),
        cut.toString(), d.debsigsOrigin().toString());
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
