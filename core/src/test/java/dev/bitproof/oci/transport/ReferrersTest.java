package dev.bitproof.oci.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import dev.bitproof.testing.FakeRegistry;
import dev.bitproof.testing.LocalRegistry;
import dev.bitproof.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listing OCI 1.1 referrers: the registry API (a loopback {@link FakeRegistry} implementing distribution spec 1.1),
 * the tag-scheme fallback (the same fake without the API, and the real distribution 2.8), and OCI layouts. The
 * subject of every referrer is the demo's image index ({@code testdata/demo/published}) with its real bytes.
 */
class ReferrersTest {
  static final TransportOptions INSECURE = TransportOptions.defaults().withInsecure(true);
  static final RegistryClient.Retry FAST = new RegistryClient.Retry(2, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(5));
  static final String SPDX = "application/spdx+json";
  static final String BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json";
  static final byte[] EMPTY = "{}".getBytes(StandardCharsets.US_ASCII);

  FakeRegistry reg;
  RawManifest golden;

  @BeforeEach
  void start() throws Exception {
    reg = new FakeRegistry();
    RegistryClient.rememberPlainHttp(reg.hostPort());
    // any real image index will do: the demo's (testdata/demo), which the project makes itself
    golden = RawManifest.of(Files.readAllBytes(SharedData.testdata("demo/published/index.json")), MediaType.OCI_INDEX,
        "demo");
    reg.putManifest("v1", MediaType.OCI_INDEX.value(), golden.bytes());
    reg.putBlob(EMPTY);
  }

  @AfterEach
  void stop() {
    reg.close();
  }

  /** An OCI 1.1 artifact manifest about {@code subject}: empty config, one layer of {@code content}. */
  static RawManifest artifact(Descriptor subject, String artifactType, byte[] content) {
    String json = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"artifactType\":\"" + artifactType + "\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + Digest.sha256(EMPTY) + "\",\"size\":2},"
        + "\"layers\":[{\"mediaType\":\"" + artifactType + "\",\"digest\":\"" + Digest.sha256(content) + "\",\"size\":" + content.length + "}],"
        + "\"subject\":{\"mediaType\":\"" + subject.mediaType() + "\",\"digest\":\"" + subject.digest() + "\",\"size\":" + subject.size() + "}}";
    return RawManifest.of(json.getBytes(StandardCharsets.UTF_8), MediaType.OCI_MANIFEST, artifactType);
  }

  /** Stores an artifact about golden in the fake registry (by digest only, as a referrer is pushed). */
  RawManifest publish(String artifactType, String content) {
    byte[] c = content.getBytes(StandardCharsets.UTF_8);
    reg.putBlob(c);
    RawManifest m = artifact(golden.descriptor(), artifactType, c);
    reg.putManifest(null, MediaType.OCI_MANIFEST.value(), m.bytes());
    return m;
  }

  ImageSource source() {
    return Registry.source(ImageReference.parse("docker://" + reg.hostPort() + "/test/golden:v1"), INSECURE, FAST);
  }

  static CheckException fails(Code code, Executable e) {
    CheckException ce = assertThrows(CheckException.class, e);
    assertEquals(code, ce.code(), ce.toString());
    return ce;
  }

  @Test
  void apiListsReferrersAndAppliesTheFilter() throws Exception {
    reg.referrersApi(FakeRegistry.ReferrersApi.FILTERING);
    RawManifest sbom = publish(SPDX, "{\"spdxVersion\":\"SPDX-2.3\"}");
    RawManifest bundle = publish(BUNDLE, "{\"mediaType\":\"bundle\"}");
    try (ImageSource s = source()) {
      Referrers all = s.referrers(golden.digest(), Optional.empty());
      assertEquals(Referrers.Via.API, all.via());
      assertEquals(List.of(sbom.digest(), bundle.digest()).stream().sorted().toList(),
          all.manifests().stream().map(Descriptor::digest).sorted().toList());
      Referrers bundles = s.referrers(golden.digest(), Optional.of(BUNDLE));
      assertEquals(List.of(bundle.digest()), bundles.manifests().stream().map(Descriptor::digest).toList());
      RawManifest fetched = bundles.manifest(s, bundles.manifests().get(0));
      assertEquals(bundle, fetched);
    }
    assertTrue(reg.seen().stream().anyMatch(r -> r.path().equals("/v2/test/golden/referrers/" + golden.digest()
        + "?artifactType=application%2Fvnd.dev.sigstore.bundle.v0.3%2Bjson")), reg.seen().toString());
    assertFalse(reg.seen().stream().anyMatch(r -> r.path().contains("/manifests/sha256-")), "API answered: no tag-scheme read");
  }

  @Test
  void filterIgnoredByTheRegistryIsAppliedHere() throws Exception {
    reg.referrersApi(FakeRegistry.ReferrersApi.IGNORING_FILTER);
    publish(SPDX, "{\"spdxVersion\":\"SPDX-2.3\"}");
    RawManifest bundle = publish(BUNDLE, "{\"mediaType\":\"bundle\"}");
    try (ImageSource s = source()) {
      Referrers r = s.referrers(golden.digest(), Optional.of(BUNDLE));
      assertEquals(Referrers.Via.API, r.via());
      assertEquals(List.of(bundle.digest()), r.manifests().stream().map(Descriptor::digest).toList());
    }
  }

  @Test
  void referrerOfAnotherDigestListedByTheApiIsRejected() throws Exception {
    reg.referrersApi(FakeRegistry.ReferrersApi.FILTERING);
    // the registry lists, as golden's, an artifact whose subject is golden's amd64 manifest
    Descriptor amd64 = golden.asIndex().manifests().get(0);
    byte[] c = "{\"spdxVersion\":\"SPDX-2.3\"}".getBytes(StandardCharsets.UTF_8);
    reg.putBlob(c);
    RawManifest foreign = artifact(amd64, SPDX, c);
    reg.putManifest(null, MediaType.OCI_MANIFEST.value(), foreign.bytes());
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().contains("/referrers/")) {
        FakeRegistry.send(ex, 200, MediaType.OCI_INDEX.value(), index(foreign.descriptor(), SPDX).getBytes(StandardCharsets.UTF_8));
        return true;
      }
      return false;
    });
    try (ImageSource s = source()) {
      Referrers r = s.referrers(golden.digest(), Optional.empty());
      assertEquals(1, r.manifests().size());
      CheckException e = fails(TransportCode.REFERRER_SUBJECT_MISMATCH, () -> r.manifest(s, r.manifests().get(0)));
      assertEquals(CheckException.Kind.INTEGRITY, e.kind());
      assertTrue(e.getMessage().contains(amd64.digest().toString()), e.getMessage());
      fails(TransportCode.REFERRER_SUBJECT_MISMATCH, () -> r.fetch(s, r.manifests().get(0)));
    }
  }

  static String index(Descriptor d, String artifactType) {
    return "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
        + "{\"mediaType\":\"" + d.mediaType() + "\",\"digest\":\"" + d.digest() + "\",\"size\":" + d.size()
        + ",\"artifactType\":\"" + artifactType + "\"}]}";
  }

  @Test
  void oversizedAndOverlongAnswersAreRefused() throws Exception {
    reg.referrersApi(FakeRegistry.ReferrersApi.FILTERING);
    byte[] huge = new byte[RawManifest.MAX_SIZE + 1];
    java.util.Arrays.fill(huge, (byte) ' ');
    // announced by Content-Length
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().contains("/referrers/")) {
        FakeRegistry.send(ex, 200, MediaType.OCI_INDEX.value(), huge);
        return true;
      }
      return false;
    });
    try (ImageSource s = source()) {
      fails(TransportCode.REFERRERS_TOO_LARGE, () -> s.referrers(golden.digest(), Optional.empty()));
    }
    // chunked, no Content-Length: counted while reading
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().contains("/referrers/")) {
        ex.getResponseHeaders().set("Content-Type", MediaType.OCI_INDEX.value());
        ex.sendResponseHeaders(200, 0);
        ex.getResponseBody().write(huge);
        return true;
      }
      return false;
    });
    try (ImageSource s = source()) {
      fails(TransportCode.REFERRERS_TOO_LARGE, () -> s.referrers(golden.digest(), Optional.empty()));
    }
    // small enough, but more entries than anyone attaches
    StringBuilder many = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[");
    for (int i = 0; i <= Referrers.MAX_REFERRERS; i++) {
      many.append(i == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"")
          .append(Digest.sha256(new byte[] {(byte) i, (byte) (i >> 8)})).append("\",\"size\":1,\"artifactType\":\"x\"}");
    }
    byte[] manyBytes = many.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    assertTrue(manyBytes.length < RawManifest.MAX_SIZE);
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().contains("/referrers/")) {
        FakeRegistry.send(ex, 200, MediaType.OCI_INDEX.value(), manyBytes);
        return true;
      }
      return false;
    });
    try (ImageSource s = source()) {
      fails(TransportCode.REFERRERS_TOO_MANY, () -> s.referrers(golden.digest(), Optional.empty()));
    }
  }

  @Test
  void pagesAreFollowedOnTheSameOriginOnly() throws Exception {
    reg.referrersApi(FakeRegistry.ReferrersApi.FILTERING);
    RawManifest a = publish(SPDX, "{\"a\":1}");
    RawManifest b = publish(BUNDLE, "{\"b\":2}");
    String next = "/v2/test/golden/referrers/" + golden.digest() + "?n=1&last=x";
    reg.override(ex -> {
      if (!ex.getRequestURI().getPath().contains("/referrers/")) {
        return false;
      }
      boolean second = String.valueOf(ex.getRequestURI().getRawQuery()).contains("last=x");
      if (!second) {
        ex.getResponseHeaders().set("Link", "<" + next + ">; rel=\"next\"");
      }
      FakeRegistry.send(ex, 200, MediaType.OCI_INDEX.value(), index((second ? b : a).descriptor(), second ? BUNDLE : SPDX)
          .getBytes(StandardCharsets.UTF_8));
      return true;
    });
    try (ImageSource s = source()) {
      assertEquals(List.of(a.digest(), b.digest()),
          s.referrers(golden.digest(), Optional.empty()).manifests().stream().map(Descriptor::digest).toList());
    }
    // a next page on another host would get our credentials: refused
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().contains("/referrers/")) {
        ex.getResponseHeaders().set("Link", "<http://203.0.113.7:5000" + next + ">; rel=\"next\"");
        FakeRegistry.send(ex, 200, MediaType.OCI_INDEX.value(), index(a.descriptor(), SPDX).getBytes(StandardCharsets.UTF_8));
        return true;
      }
      return false;
    });
    try (ImageSource s = source()) {
      fails(TransportCode.REGISTRY_PROTOCOL_ERROR, () -> s.referrers(golden.digest(), Optional.empty()));
    }
  }

  @Test
  void withoutTheApiTheTagSchemeIsRead() throws Exception {
    RawManifest sbom = publish(SPDX, "{\"spdxVersion\":\"SPDX-2.3\"}");
    RawManifest bundle = publish(BUNDLE, "{\"mediaType\":\"bundle\"}");
    try (ImageSource s = source()) {
      Referrers none = s.referrers(golden.digest(), Optional.empty());
      assertEquals(Referrers.Via.TAG_SCHEME, none.via());
      assertTrue(none.manifests().isEmpty());
    }
    String tagIndex = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
        + index(sbom.descriptor(), SPDX).replaceAll("^.*\\[|\\]\\}$", "") + ","
        + index(bundle.descriptor(), BUNDLE).replaceAll("^.*\\[|\\]\\}$", "") + "]}";
    reg.putManifest(Referrers.tag(golden.digest()), MediaType.OCI_INDEX.value(), tagIndex.getBytes(StandardCharsets.UTF_8));
    try (ImageSource s = source()) {
      Referrers r = s.referrers(golden.digest(), Optional.of(BUNDLE));
      assertEquals(Referrers.Via.TAG_SCHEME, r.via());
      assertEquals(List.of(bundle.digest()), r.manifests().stream().map(Descriptor::digest).toList());
      assertEquals(bundle, r.manifest(s, r.manifests().get(0)));
    }
    // a registry answering the API path with something that is not an index (an HTML page) lacks the API too
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().contains("/referrers/")) {
        FakeRegistry.send(ex, 200, "text/html", "<html>welcome</html>".getBytes(StandardCharsets.UTF_8));
        return true;
      }
      return false;
    });
    try (ImageSource s = source()) {
      assertEquals(2, s.referrers(golden.digest(), Optional.empty()).manifests().size());
    }
  }

  @Test
  void badRequestAndNotAcceptableAlsoMeanNoApi() throws Exception {
    RawManifest bundle = publish(BUNDLE, "{\"mediaType\":\"bundle\"}");
    reg.putManifest(Referrers.tag(golden.digest()), MediaType.OCI_INDEX.value(), index(bundle.descriptor(), BUNDLE).getBytes(StandardCharsets.UTF_8));
    for (int status : new int[] {400, 406}) {
      reg.override(ex -> {
        if (ex.getRequestURI().getPath().contains("/referrers/")) {
          FakeRegistry.send(ex, status, "application/json", "{\"errors\":[]}".getBytes(StandardCharsets.UTF_8));
          return true;
        }
        return false;
      });
      try (ImageSource s = source()) {
        Referrers r = s.referrers(golden.digest(), Optional.empty());
        assertEquals(Referrers.Via.TAG_SCHEME, r.via(), "HTTP " + status);
        assertEquals(List.of(bundle.digest()), r.manifests().stream().map(Descriptor::digest).toList());
      }
    }
  }

  @Test
  void pagesThatLoopAreRefused() throws Exception {
    reg.referrersApi(FakeRegistry.ReferrersApi.FILTERING);
    RawManifest a = publish(SPDX, "{\"a\":1}");
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().contains("/referrers/")) {
        ex.getResponseHeaders().set("Link", "<" + ex.getRequestURI().getPath() + "?n=1>; rel=\"next\"");
        FakeRegistry.send(ex, 200, MediaType.OCI_INDEX.value(), index(a.descriptor(), SPDX).getBytes(StandardCharsets.UTF_8));
        return true;
      }
      return false;
    });
    try (ImageSource s = source()) {
      assertTrue(fails(TransportCode.REGISTRY_PROTOCOL_ERROR, () -> s.referrers(golden.digest(), Optional.empty())).getMessage().contains("loop"));
    }
  }

  /** The API must give each entry's artifactType: under a filter, an entry without one is dropped (a tag-scheme one is kept). */
  @Test
  void apiEntryWithoutArtifactTypeFailsTheFilter() throws Exception {
    RawManifest bundle = publish(BUNDLE, "{\"mediaType\":\"bundle\"}");
    byte[] untyped = index(bundle.descriptor(), BUNDLE).replace(",\"artifactType\":\"" + BUNDLE + "\"", "").getBytes(StandardCharsets.UTF_8);
    reg.putManifest(Referrers.tag(golden.digest()), MediaType.OCI_INDEX.value(), untyped);
    try (ImageSource s = source()) {
      assertEquals(1, s.referrers(golden.digest(), Optional.of(BUNDLE)).manifests().size(), "tag scheme: kept");
    }
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().contains("/referrers/")) {
        FakeRegistry.send(ex, 200, MediaType.OCI_INDEX.value(), untyped);
        return true;
      }
      return false;
    });
    try (ImageSource s = source()) {
      Referrers r = s.referrers(golden.digest(), Optional.of(BUNDLE));
      assertEquals(Referrers.Via.API, r.via());
      assertTrue(r.manifests().isEmpty());
      assertEquals(1, s.referrers(golden.digest(), Optional.empty()).manifests().size(), "no filter: listed");
    }
  }

  @Test
  void foreignReferrerUnderTheTagIsSkippedNotFatal() throws Exception {
    Descriptor amd64 = golden.asIndex().manifests().get(0);
    byte[] c = "{\"x\":1}".getBytes(StandardCharsets.UTF_8);
    reg.putBlob(c);
    RawManifest foreign = artifact(amd64, BUNDLE, c);
    reg.putManifest(null, MediaType.OCI_MANIFEST.value(), foreign.bytes());
    reg.putManifest(Referrers.tag(golden.digest()), MediaType.OCI_INDEX.value(), index(foreign.descriptor(), BUNDLE).getBytes(StandardCharsets.UTF_8));
    try (ImageSource s = source()) {
      Referrers r = s.referrers(golden.digest(), Optional.empty());
      assertEquals(1, r.manifests().size());
      assertEquals(Optional.empty(), r.fetch(s, r.manifests().get(0)));
      fails(TransportCode.REFERRER_SUBJECT_MISMATCH, () -> r.manifest(s, r.manifests().get(0)));
    }
  }

  @Test
  void pushAnswersWhetherTheRegistryIndexedTheReferrer() throws Exception {
    RawManifest m = artifact(golden.descriptor(), BUNDLE, EMPTY);
    ImageReference ref = ImageReference.parse("docker://" + reg.hostPort() + "/test/golden:" + Referrers.tag(golden.digest()));
    try (ImageDestination d = Registry.destination(ref, INSECURE, FAST)) {
      assertFalse(d.putReferrer(m), "no OCI-Subject: keep the tag scheme");
    }
    reg.referrersApi(FakeRegistry.ReferrersApi.FILTERING);
    try (ImageDestination d = Registry.destination(ref, INSECURE, FAST)) {
      assertTrue(d.putReferrer(m), "OCI-Subject answered");
    }
    reg.override(ex -> {
      if (ex.getRequestMethod().equals("PUT") && ex.getRequestURI().getPath().contains("/manifests/")) {
        ex.getRequestBody().readAllBytes();
        ex.getResponseHeaders().set("OCI-Subject", golden.asIndex().manifests().get(0).digest().toString());
        FakeRegistry.send(ex, 201, null, new byte[0]);
        return true;
      }
      return false;
    });
    try (ImageDestination d = Registry.destination(ref, INSECURE, FAST)) {
      assertEquals(CheckException.Kind.INTEGRITY, fails(TransportCode.REGISTRY_SUBJECT_MISMATCH, () -> d.putReferrer(m)).kind());
    }
  }

  /** Debian's docker-registry (distribution 2.8.2) has no referrers API: the listing falls back to the tag. */
  @Test
  void realDistribution28FallsBackToTheTagScheme() throws Exception {
    String repo = LocalRegistry.plain() + "/" + LocalRegistry.uniqueRepository("referrers");
    ImageReference image = ImageReference.parse("docker://" + repo + ":v1");
    // the demo's published image, whose index is `golden` here
    try (ImageSource src = OciLayout.source(ImageReference.oci(SharedData.testdata("demo/published").toString(), null));
        ImageDestination dst = Registry.destination(image, INSECURE)) {
      Copier.copy(src, dst, Optional.empty());
    }
    RawManifest m = artifact(golden.descriptor(), BUNDLE, EMPTY);
    ImageReference tagRef = ImageReference.parse("docker://" + repo + ":" + Referrers.tag(golden.digest()));
    try (ImageSource s = Registry.source(image, INSECURE)) {
      Referrers before = s.referrers(golden.digest(), Optional.empty());
      assertEquals(Referrers.Via.TAG_SCHEME, before.via());
      assertTrue(before.manifests().isEmpty());
    }
    try (ImageDestination d = Registry.destination(tagRef, INSECURE)) {
      d.putBlob(Descriptor.ofBytes(MediaType.OCI_EMPTY, EMPTY), new java.io.ByteArrayInputStream(EMPTY));
      assertFalse(d.putReferrer(m), "distribution 2.8 answers no OCI-Subject");
      d.putManifest(RawManifest.of(index(m.descriptor(), BUNDLE).getBytes(StandardCharsets.UTF_8), MediaType.OCI_INDEX, "tag"),
          Optional.of(Referrers.tag(golden.digest())));
      d.commit();
    }
    try (ImageSource s = Registry.source(image, INSECURE)) {
      Referrers after = s.referrers(golden.digest(), Optional.of(BUNDLE));
      assertEquals(Referrers.Via.TAG_SCHEME, after.via());
      assertEquals(List.of(m.digest()), after.manifests().stream().map(Descriptor::digest).toList());
      assertEquals(m, after.manifest(s, after.manifests().get(0)));
      assertTrue(s.referrers(golden.digest(), Optional.of(SPDX)).manifests().isEmpty());
    }
  }

  @Test
  void layoutListsSubjectArtifactsAndItsReferrersTag(@TempDir Path tmp) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    try (ImageSource none = OciLayout.source(ImageReference.oci(golden.toString(), null))) {
      Referrers r = none.referrers(this.golden.digest(), Optional.empty());
      assertEquals(Referrers.Via.LAYOUT, r.via());
      assertTrue(r.manifests().isEmpty(), "the demo layout has no referrers");
    }
    Path dir = tmp.resolve("layout");
    try (ImageSource src = OciLayout.source(ImageReference.oci(golden.toString(), null));
        ImageDestination dst = OciLayout.destination(ImageReference.oci(dir.toString(), "v1"))) {
      Copier.copy(src, dst, Optional.empty());
    }
    byte[] c = "{\"spdxVersion\":\"SPDX-2.3\"}".getBytes(StandardCharsets.UTF_8);
    RawManifest sbom = artifact(this.golden.descriptor(), SPDX, c);
    RawManifest bundle = artifact(this.golden.descriptor(), BUNDLE, EMPTY);
    try (ImageDestination d = OciLayout.destination(ImageReference.oci(dir.toString(), "sbom"))) {
      d.putBlob(Descriptor.ofBytes(MediaType.of(SPDX), c), new java.io.ByteArrayInputStream(c));
      d.putManifest(sbom, Optional.of("sbom"));
      d.commit();
    }
    try (ImageDestination d = OciLayout.destination(ImageReference.oci(dir.toString(), Referrers.tag(this.golden.digest())))) {
      d.putBlob(Descriptor.ofBytes(MediaType.OCI_EMPTY, EMPTY), new java.io.ByteArrayInputStream(EMPTY));
      d.putManifest(bundle, Optional.empty());
      d.putManifest(RawManifest.of(index(bundle.descriptor(), BUNDLE).getBytes(StandardCharsets.UTF_8), MediaType.OCI_INDEX, "t"),
          Optional.of(Referrers.tag(this.golden.digest())));
      d.commit();
    }
    try (ImageSource s = OciLayout.source(ImageReference.oci(dir.toString(), "v1"))) {
      Referrers all = s.referrers(this.golden.digest(), Optional.empty());
      assertEquals(List.of(sbom.digest(), bundle.digest()), all.manifests().stream().map(Descriptor::digest).toList());
      assertEquals(Optional.of(SPDX), all.manifests().get(0).artifactType(), "taken from the manifest");
      Referrers spdx = s.referrers(this.golden.digest(), Optional.of(SPDX));
      assertEquals(List.of(sbom.digest()), spdx.manifests().stream().map(Descriptor::digest).toList());
      assertEquals(sbom, spdx.manifest(s, spdx.manifests().get(0)));
      assertTrue(s.referrers(this.golden.asIndex().manifests().get(0).digest(), Optional.empty()).manifests().isEmpty());
    }
  }
}
