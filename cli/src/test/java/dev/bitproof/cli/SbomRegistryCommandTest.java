package dev.bitproof.cli;

import dev.bitproof.cli.options.ExitCodes;
import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.testing.FakeRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

/** {@code sbom generate} from a registry, the SBOM attached under cosign's tag, {@code sbom check} finding it. */
class SbomRegistryCommandTest {
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] tar(String... pathsAndContents) throws Exception {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bos)) {
      for (int i = 0; i < pathsAndContents.length; i += 2) {
        byte[] c = b(pathsAndContents[i + 1]);
        TarArchiveEntry e = new TarArchiveEntry(pathsAndContents[i]);
        e.setSize(c.length);
        t.putArchiveEntry(e);
        t.write(c);
        t.closeArchiveEntry();
      }
    }
    return bos.toByteArray();
  }

  @Test
  void generateThenAttachThenCheck() throws Exception {
    String sha1 = java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-1").digest(b("hi")));
    byte[] tar = tar("usr/lib/apk/db/installed", "P:hello\nV:2.12-r0\nA:x86_64\nF:usr/bin\nR:hello\nZ:Q1" + sha1 + "\n\n",
        "usr/bin/hello", "hi", "etc/os-release", "ID=wolfi\nNAME=Wolfi\n");
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
      o.write(tar);
    }
    try (FakeRegistry reg = new FakeRegistry()) {
      byte[] config = b("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
          + Digest.sha256(tar) + "\"]}}");
      byte[] layer = gz.toByteArray();
      byte[] manifest = b("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
          + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + reg.putBlob(config) + "\",\"size\":" + config.length
          + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + reg.putBlob(layer)
          + "\",\"size\":" + layer.length + "}]}");
      String image = reg.putManifest("latest", OCI_MANIFEST, manifest);
      String ref = "docker://" + reg.hostPort() + "/test/hello:latest";

      // nothing published yet and no SBOM inside: could not check
      Run none = run("sbom", "check", ref, "--insecure");
      assertEquals(ExitCodes.CANNOT_CHECK, none.code(), none.out() + none.err());
      assertTrue(none.err().contains("SBOM_NOT_FOUND"), none.err());

      Run gen = run("sbom", "generate", ref, "--insecure", "--format", "cyclonedx");
      assertEquals(ExitCodes.OK, gen.code(), gen.err());
      byte[] sbom = b(gen.out());
      String empty = reg.putBlob(b("{}"));
      String art = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
          + "\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + empty + "\",\"size\":2},\"layers\":[{\"mediaType\":"
          + "\"application/vnd.cyclonedx+json\",\"digest\":\"" + reg.putBlob(sbom) + "\",\"size\":" + sbom.length + "}]}";
      reg.putManifest("sha256-" + image.substring(7) + ".sbom", OCI_MANIFEST, b(art));

      Run check = run("sbom", "check", ref, "--insecure", "--format", "json");
      assertEquals(ExitCodes.OK, check.code(), check.out() + check.err());
      JsonNode doc = Json.parse(b(check.out()), "out");
      assertEquals("PASS", doc.path("result").asText());
      assertTrue(doc.path("sboms").get(0).asText().startsWith("cosign tag"), doc.path("sboms").toString());
      assertTrue(check.out().contains("SBOM_SUBJECT_MATCHES"), check.out());
    }
  }
}
