package dev.bitproof.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.testing.FakeRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** SBOMs published in a registry (loopback fake): cosign .sbom and .att tags, the OCI referrers tag schema. */
class SbomRegistryTest {
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String artifact(FakeRegistry reg, String artifactType, String layerType, byte[] content, String subject,
      int subjectSize) {
    String empty = reg.putBlob(b("{}"));
    String layer = reg.putBlob(content);
    return "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\"" + (artifactType == null ? "" : ",\"artifactType\":\"" + artifactType + "\"")
        + ",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + empty + "\",\"size\":2},"
        + "\"layers\":[{\"mediaType\":\"" + layerType + "\",\"digest\":\"" + layer + "\",\"size\":" + content.length + "}]"
        + (subject == null ? "" : ",\"subject\":{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + subject + "\",\"size\":" + subjectSize + "}")
        + "}";
  }

  static byte[] dsse(String predicateType, String predicate) {
    String statement = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[],\"predicateType\":\"" + predicateType
        + "\",\"predicate\":" + predicate + "}";
    return b("{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"" + Base64.getEncoder().encodeToString(b(statement))
        + "\",\"signatures\":[{\"sig\":\"AA==\"}]}");
  }

  @Test
  void publishedSbomsAreFoundThroughTheRegistryAndChecked() throws Exception {
    byte[] tar = new TestLayers()
        .file("usr/lib/apk/db/installed", TestLayers.apkRecord("hello", "2.12-r0", "x86_64", Map.of("usr/bin/hello", "hi")))
        .file("usr/bin/hello", "hi").file("etc/os-release", "ID=wolfi\nNAME=Wolfi\n").tar();
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
      o.write(tar);
    }
    byte[] layer = gz.toByteArray();
    try (FakeRegistry reg = new FakeRegistry()) {
      byte[] config = b("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
          + Digest.sha256(tar) + "\"]}}");
      String cfg = reg.putBlob(config);
      String lay = reg.putBlob(layer);
      byte[] manifest = b("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
          + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + cfg + "\",\"size\":" + config.length + "},"
          + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + lay + "\",\"size\":"
          + layer.length + "}]}");
      String image = reg.putManifest("latest", OCI_MANIFEST, manifest);
      ImageReference ref = ImageReference.parse("docker://" + reg.hostPort() + "/test/hello:latest");
      TransportOptions opts = TransportOptions.defaults().withInsecure(true);

      LoadedImage img;
      Images.Tree tree;
      try (ImageSource src = Transports.source(ref, opts)) {
        tree = Images.walk(src);
        img = LoadedImage.load(src, tree, tree.images().get(0));
      }
      LayerSbom.Options o = new LayerSbom.Options("test", "test/hello", Optional.empty(), true);
      String spdx = new String(ApkoSpdx.render(LayerSbom.spdx(img, o)), StandardCharsets.UTF_8);
      byte[] cdx = LayerSbom.cycloneDxJson(LayerSbom.cycloneDx(img, o));
      String tag = "sha256-" + image.substring("sha256:".length());

      // cosign attach sbom
      reg.putManifest(tag + ".sbom", OCI_MANIFEST, b(artifact(reg, null, "text/spdx+json", b(spdx), null, 0)));
      // cosign attest: an SBOM predicate (tampered) and a provenance predicate (not an SBOM: skipped)
      String att = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
          + "\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + reg.putBlob(b("{}")) + "\",\"size\":2},\"layers\":[";
      byte[] a1 = dsse("https://spdx.dev/Document", spdx.replace("2.12-r0", "2.11-r0"));
      byte[] a2 = dsse("https://slsa.dev/provenance/v1", "{\"buildDefinition\":{}}");
      att += "{\"mediaType\":\"application/vnd.dsse.envelope.v1+json\",\"digest\":\"" + reg.putBlob(a1) + "\",\"size\":" + a1.length + "},"
          + "{\"mediaType\":\"application/vnd.dsse.envelope.v1+json\",\"digest\":\"" + reg.putBlob(a2) + "\",\"size\":" + a2.length + "}]}";
      reg.putManifest(tag + ".att", OCI_MANIFEST, b(att));
      // OCI referrers tag schema: an index of artifacts with the image as subject
      byte[] ref1 = b(artifact(reg, "application/vnd.cyclonedx+json", "application/vnd.cyclonedx+json", cdx, image, manifest.length));
      String refDigest = reg.putManifest(null, OCI_MANIFEST, ref1);
      reg.putManifest(tag, "application/vnd.oci.image.index.v1+json", b("{\"schemaVersion\":2,\"mediaType\":"
          + "\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\""
          + refDigest + "\",\"size\":" + ref1.length + ",\"artifactType\":\"application/vnd.cyclonedx+json\"}]}"));

      List<SbomLocator.Located> found = SbomLocator.find(ref, tree, opts);
      assertEquals(List.of("cosign tag", "cosign attestation", "referrer"),
          found.stream().map(l -> l.source().split(" sha256| " + tag)[0].replaceAll(" sha256.*", "")).toList(), found.toString());
      assertTrue(found.stream().allMatch(l -> l.subject().map(Digest::toString).equals(Optional.of(image))));

      List<SbomVerification.Input> in = new ArrayList<>();
      found.forEach(l -> in.add(new SbomVerification.Input(l.name(), l.bytes(), l.subject())));
      SbomVerification.Result r;
      try (ImageSource src = Transports.source(ref, opts)) {
        r = SbomVerification.run(src, Images.walk(src), in, Optional.empty());
      }
      Set<Code> failing = r.findings().stream().filter(Finding::fails).map(Finding::code).collect(Collectors.toSet());
      assertEquals(Set.of(SbomCode.SBOM_VERSION_MISMATCH), failing, r.findings().toString());
      assertTrue(r.findings().stream().filter(f -> f.code().equals(SbomCode.SBOM_VERSION_MISMATCH))
          .allMatch(f -> f.evidence().get("sbom_version").equals("2.11-r0")));
      assertEquals(2, r.findings().stream().filter(f -> f.code().equals(SbomCode.SBOM_MATCHES_IMAGE)).count(), r.findings().toString());
    }
  }

  /**
   * A registry with the OCI 1.1 referrers API: the SBOM referrer is found through {@code GET …/referrers/<digest>}
   * with no referrers tag at all; a listing that names a referrer of another image is an integrity error.
   */
  @Test
  void referrersApiFindsSbomsAndALyingListingIsRefused() throws Exception {
    try (FakeRegistry reg = new FakeRegistry()) {
      reg.referrersApi(FakeRegistry.ReferrersApi.FILTERING);
      byte[] config = b("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
      byte[] manifest = b("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
          + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + reg.putBlob(config) + "\",\"size\":" + config.length
          + "},\"layers\":[]}");
      String image = reg.putManifest("latest", OCI_MANIFEST, manifest);
      byte[] other = b("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
          + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + reg.putBlob(config) + "\",\"size\":" + config.length
          + "},\"layers\":[],\"annotations\":{\"x\":\"other\"}}");
      String otherImage = reg.putManifest("other", OCI_MANIFEST, other);
      byte[] cdx = b("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[]}");
      String cdxType = "application/vnd.cyclonedx+json";
      reg.putManifest(null, OCI_MANIFEST, b(artifact(reg, cdxType, cdxType, cdx, image, manifest.length)));
      byte[] foreign = b(artifact(reg, cdxType, cdxType, b("{\"bomFormat\":\"CycloneDX\",\"x\":1}"), otherImage, other.length));
      String foreignDigest = reg.putManifest(null, OCI_MANIFEST, foreign);
      ImageReference ref = ImageReference.parse("docker://" + reg.hostPort() + "/test/hello:latest");
      TransportOptions opts = TransportOptions.defaults().withInsecure(true);
      Images.Tree tree;
      try (ImageSource src = Transports.source(ref, opts)) {
        tree = Images.walk(src);
      }

      List<SbomLocator.Located> found = SbomLocator.find(ref, tree, opts);
      assertEquals(1, found.size(), found.toString());
      assertTrue(found.get(0).source().startsWith("referrer (API) "), found.get(0).source());
      assertEquals(new String(cdx, StandardCharsets.UTF_8), new String(found.get(0).bytes(), StandardCharsets.UTF_8));
      assertEquals(Optional.of(image), found.get(0).subject().map(Digest::toString));
      assertTrue(reg.seen().stream().noneMatch(r -> r.path().endsWith("/manifests/sha256-" + image.substring(7))),
          "the API answered: the referrers tag is not read");

      // the registry now lists the other image's SBOM as this image's
      byte[] lie = b("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
          + "{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + foreignDigest + "\",\"size\":" + foreign.length
          + ",\"artifactType\":\"" + cdxType + "\"}]}");
      reg.override(ex -> {
        if (ex.getRequestURI().getPath().endsWith("/referrers/" + image)) {
          FakeRegistry.send(ex, 200, "application/vnd.oci.image.index.v1+json", lie);
          return true;
        }
        return false;
      });
      dev.bitproof.report.CheckException e = org.junit.jupiter.api.Assertions.assertThrows(dev.bitproof.report.CheckException.class,
          () -> SbomLocator.find(ref, tree, opts));
      assertEquals(TransportCode.REFERRER_SUBJECT_MISMATCH, e.code());
      assertEquals(dev.bitproof.report.CheckException.Kind.INTEGRITY, e.kind());
    }
  }
}
