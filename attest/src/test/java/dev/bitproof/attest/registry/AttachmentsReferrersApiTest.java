package dev.bitproof.attest.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.attest.AttestationVerifier;
import dev.bitproof.attest.Attestor;
import dev.bitproof.attest.Fixtures;
import dev.bitproof.attest.intoto.Predicates;
import dev.bitproof.attest.sign.KeyType;
import dev.bitproof.attest.sign.Keys;
import dev.bitproof.attest.sign.SigningKey;
import dev.bitproof.attest.sign.VerificationKey;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Referrers;
import dev.bitproof.oci.transport.Registry;
import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.report.CheckException;
import dev.bitproof.testing.FakeRegistry;
import dev.bitproof.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attaching to and finding in a registry with the OCI 1.1 referrers API (a loopback {@link FakeRegistry} that
 * implements it) and without it (the same fake answering 404 and no {@code OCI-Subject}, as distribution 2.8 does;
 * the real 2.8 is in the cli's {@code AttestRegistryTest}). The image is apko's golden index, real bytes.
 */
class AttachmentsReferrersApiTest {
  static final TransportOptions INSECURE = TransportOptions.defaults().withInsecure(true);
  static final Attachments.Opener DOCKER = new Attachments.Opener() {
    @Override
    public ImageSource source(ImageReference ref) {
      return Registry.source(ref, INSECURE);
    }

    @Override
    public ImageDestination destination(ImageReference ref) {
      return Registry.destination(ref, INSECURE);
    }
  };

  static FakeRegistry reg;
  static RawManifest golden;

  final SigningKey key = Keys.generate(KeyType.ED25519, new SecureRandom());
  final VerificationKey pub = new VerificationKey(key.publicKey(), key.type());
  ImageReference ref;
  String tagPath;

  @BeforeAll
  static void start() throws Exception {
    // one registry for the class: the insecure https probe of a new host:port waits 2 s on the JDK's http server
    reg = new FakeRegistry();
    // any image index will do: the demo's, which the project makes itself
    golden = RawManifest.of(Files.readAllBytes(SharedData.testdata("demo/published/index.json")), MediaType.OCI_INDEX,
        "demo");
  }

  @AfterAll
  static void stop() {
    reg.close();
  }

  @BeforeEach
  void reset() {
    reg.reset();
    reg.putManifest("v1", MediaType.OCI_INDEX.value(), golden.bytes());
    ref = ImageReference.parse("docker://" + reg.hostPort() + "/demo/golden:v1");
    tagPath = "/manifests/" + Referrers.tag(golden.digest());
  }

  List<Attachments.Attachment> sign() throws Exception {
    return AttachmentsTest.items(Attestor.attest(Fixtures.report(ref.toString(), golden.digest()), key, Fixtures.context()));
  }

  boolean verifies(List<Attachments.Found> found) {
    AttestationVerifier.Options o = new AttestationVerifier.Options(golden.digest(), Set.of(Predicates.VSA), Optional.empty(),
        Fixtures.NOW, Optional.empty(), Optional.empty());
    List<AttestationVerifier.Outcome> outs = new ArrayList<>();
    for (Attachments.Found f : found) {
      outs.add(AttestationVerifier.verifyDocument(f.bytes(), pub, o, f.where()));
    }
    return AttestationVerifier.decide(outs, o).passed();
  }

  @Test
  void registryWithTheApiIndexesReferrersSoNoTagIsWritten() throws Exception {
    reg.referrersApi(FakeRegistry.ReferrersApi.FILTERING);
    Attachments.Attached a = Attachments.attachAll(DOCKER, ref, golden.descriptor(), sign(), Attachments.Layout.REFERRERS, Fixtures.NOW);
    assertEquals(2, a.digests().size());
    assertEquals(Optional.empty(), a.tag(), "OCI-Subject answered for every referrer");
    assertFalse(reg.seen().stream().anyMatch(r -> r.method().equals("PUT") && r.path().endsWith(tagPath)), "tag not written");
    assertNull(reg.manifest(Referrers.tag(golden.digest())));

    List<Attachments.Found> found = Attachments.find(DOCKER, ref, golden.digest());
    assertEquals(2, found.size(), found.toString());
    assertTrue(found.stream().allMatch(f -> f.error().isEmpty() && f.where().contains("referrers API")), found.toString());
    assertTrue(verifies(found));
    assertTrue(reg.seen().stream().anyMatch(r -> r.path().startsWith("/v2/demo/golden/referrers/" + golden.digest() + "?artifactType=")));
  }

  @Test
  void registryWithoutTheApiGetsTheTagScheme() throws Exception {
    Attachments.Attached a = Attachments.attachAll(DOCKER, ref, golden.descriptor(), sign(), Attachments.Layout.REFERRERS, Fixtures.NOW);
    assertEquals(Optional.of(Referrers.tag(golden.digest())), a.tag());
    byte[] index = reg.manifest(Referrers.tag(golden.digest()));
    assertNotNull(index, "tag-scheme index written");
    assertEquals(2, RawManifest.of(index, MediaType.OCI_INDEX, "tag").asIndex().manifests().size());

    List<Attachments.Found> found = Attachments.find(DOCKER, ref, golden.digest());
    assertEquals(2, found.size(), found.toString());
    assertTrue(found.stream().allMatch(f -> f.where().contains(":" + Referrers.tag(golden.digest()))), found.toString());
    assertTrue(verifies(found));
  }

  /** The API lists, as golden's, a referrer whose subject is golden's amd64 image: reported with its code, not used. */
  @Test
  void lyingRegistryIsReportedAndNeverHidesTheRest() throws Exception {
    reg.referrersApi(FakeRegistry.ReferrersApi.FILTERING);
    Attachments.attachAll(DOCKER, ref, golden.descriptor(), sign(), Attachments.Layout.REFERRERS, Fixtures.NOW);
    Descriptor amd64 = golden.asIndex().manifests().get(0);
    byte[] bundle = sign().get(0).bundle();
    RawManifest foreign = Attachments.referrerManifest(amd64, Descriptor.ofBytes(MediaType.SIGSTORE_BUNDLE_V03, bundle),
        Predicates.VSA, Fixtures.NOW);
    reg.putBlob(bundle);
    reg.putManifest(null, MediaType.OCI_MANIFEST.value(), foreign.bytes());
    byte[] honest;
    try (ImageSource s = DOCKER.source(ref)) {
      honest = listing(s.referrers(golden.digest(), Optional.empty()).manifests(), foreign.descriptor());
    }
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().contains("/referrers/")) {
        FakeRegistry.send(ex, 200, MediaType.OCI_INDEX.value(), honest);
        return true;
      }
      return false;
    });
    List<Attachments.Found> found = Attachments.find(DOCKER, ref, golden.digest());
    assertEquals(3, found.size(), found.toString());
    List<Attachments.Found> bad = found.stream().filter(f -> f.error().isPresent()).toList();
    assertEquals(1, bad.size(), found.toString());
    CheckException e = bad.get(0).error().get();
    assertEquals(TransportCode.REFERRER_SUBJECT_MISMATCH, e.code());
    assertEquals(CheckException.Kind.INTEGRITY, e.kind());
    assertTrue(verifies(found.stream().filter(f -> f.error().isEmpty()).toList()));
  }

  /** An OCI index listing {@code entries} plus {@code extra}, all of the bundle type. */
  static byte[] listing(List<Descriptor> entries, Descriptor extra) {
    StringBuilder b = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[");
    List<Descriptor> all = new ArrayList<>(entries);
    all.add(extra);
    for (int i = 0; i < all.size(); i++) {
      Descriptor d = all.get(i);
      b.append(i == 0 ? "" : ",").append("{\"mediaType\":\"").append(d.mediaType()).append("\",\"digest\":\"").append(d.digest())
          .append("\",\"size\":").append(d.size()).append(",\"artifactType\":\"").append(MediaType.SIGSTORE_BUNDLE_V03).append("\"}");
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }
}
