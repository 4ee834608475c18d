package dev.bitproof.attest.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.attest.AttestationVerifier;
import dev.bitproof.attest.Attestor;
import dev.bitproof.attest.Fixtures;
import dev.bitproof.attest.intoto.Predicates;
import dev.bitproof.attest.sign.KeyType;
import dev.bitproof.attest.sign.Keys;
import dev.bitproof.attest.sign.SigningKey;
import dev.bitproof.attest.sign.VerificationKey;
import dev.bitproof.io.IoCode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.OciLayout;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AttachmentsTest {
  static final Attachments.Opener OCI = new Attachments.Opener() {
    @Override
    public ImageSource source(ImageReference ref) {
      return OciLayout.source(ref);
    }

    @Override
    public ImageDestination destination(ImageReference ref) throws IOException {
      return OciLayout.destination(ref);
    }
  };

  @TempDir
  Path dir;

  private final SigningKey key = Keys.generate(KeyType.ED25519, new SecureRandom());
  private final VerificationKey pub = new VerificationKey(key.publicKey(), key.type());

  static List<Attachments.Attachment> items(Attestor.Attestations a) {
    List<Attachments.Attachment> out = new ArrayList<>();
    for (Attestor.Signed s : a.all()) {
      out.add(new Attachments.Attachment(s.predicateType(), s.bundle().bytes(), s.envelope().toBytes()));
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(Attachments.Layout.class)
  void attachToOciLayoutAndFindAgain(Attachments.Layout layout) throws Exception {
    Descriptor image = Fixtures.writeImage(dir, "v1", "a");
    Descriptor other = Fixtures.writeImage(dir, "v2", "b");
    ImageReference ref = ImageReference.oci(dir.toString(), "v1");
    Attestor.Attestations a = Attestor.attest(Fixtures.report(ref.toString(), image.digest()), key, Fixtures.context());
    List<Digest> written = Attachments.attach(OCI, ref, image, items(a), layout, Fixtures.NOW);
    assertEquals(2, written.size());
    // attaching again does not duplicate (same bytes, same digests)
    Attachments.attach(OCI, ref, image, items(a), layout, Fixtures.NOW);

    List<Attachments.Found> found = Attachments.find(OCI, ref, image.digest());
    assertEquals(2, found.size(), found.toString());
    MediaType expected = layout == Attachments.Layout.REFERRERS ? MediaType.SIGSTORE_BUNDLE_V03 : MediaType.DSSE;
    assertTrue(found.stream().allMatch(f -> f.mediaType().equals(expected)));
    AttestationVerifier.Options o = new AttestationVerifier.Options(image.digest(), Set.of(Predicates.VSA), Optional.empty(),
        Fixtures.NOW, Optional.empty(), Optional.empty());
    List<AttestationVerifier.Outcome> outs = new ArrayList<>();
    for (Attachments.Found f : found) {
      outs.add(AttestationVerifier.verifyDocument(f.bytes(), pub, o, f.where()));
    }
    assertTrue(AttestationVerifier.decide(outs, o).passed());
    // nothing attached to the other image; its own tag still resolves to the same manifest
    assertTrue(Attachments.find(OCI, ImageReference.oci(dir.toString(), "v2"), other.digest()).isEmpty());
    assertEquals(image.digest(), OciLayout.source(ref).root().digest());

    // the attestation is about v1: presented as v2's, it is refused on the subject
    AttestationVerifier.Options asOther = new AttestationVerifier.Options(other.digest(), Set.of(), Optional.empty(),
        Fixtures.NOW, Optional.empty(), Optional.empty());
    List<AttestationVerifier.Outcome> wrong = new ArrayList<>();
    for (Attachments.Found f : found) {
      wrong.add(AttestationVerifier.verifyDocument(f.bytes(), pub, asOther, f.where()));
    }
    assertFalse(AttestationVerifier.decide(wrong, asOther).passed());
  }

  @Test
  void referrerManifestHasTheOci11Shape() throws Exception {
    Descriptor image = Fixtures.writeImage(dir, "v1", "a");
    ImageReference ref = ImageReference.oci(dir.toString(), "v1");
    Attestor.Attestations a = Attestor.attest(Fixtures.report(ref.toString(), image.digest()), key, Fixtures.context());
    Attachments.attach(OCI, ref, image, items(a), Attachments.Layout.REFERRERS, Fixtures.NOW);
    RawManifest index = OciLayout.source(ImageReference.oci(dir.toString(), Attachments.referrersTag(image.digest()))).root();
    assertTrue(index.isIndex());
    Descriptor entry = index.asIndex().manifests().get(1);
    assertEquals(Optional.of("application/vnd.dev.sigstore.bundle.v0.3+json"), entry.artifactType());
    byte[] m = Files.readAllBytes(dir.resolve("blobs/sha256/" + entry.digest().hex()));
    JsonNode n = Json.parse(m, "referrer");
    assertEquals("application/vnd.dev.sigstore.bundle.v0.3+json", n.path("artifactType").asText());
    assertEquals("application/vnd.oci.empty.v1+json", n.path("config").path("mediaType").asText());
    assertEquals("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", n.path("config").path("digest").asText());
    assertEquals(image.digest().toString(), n.path("subject").path("digest").asText());
    assertEquals(image.size(), n.path("subject").path("size").asLong());
    assertEquals(Predicates.VSA, n.path("annotations").path("dev.sigstore.bundle.predicateType").asText());
    assertEquals("dsse-envelope", n.path("annotations").path("dev.sigstore.bundle.content").asText());
  }

  @Test
  void referrerOfAnotherImageListedUnderTheTagIsIgnored() throws Exception {
    Descriptor image = Fixtures.writeImage(dir, "v1", "a");
    Descriptor other = Fixtures.writeImage(dir, "v2", "b");
    ImageReference ref = ImageReference.oci(dir.toString(), "v1");
    Attestor.Attestations a = Attestor.attest(Fixtures.report(ref.toString(), other.digest()), key, Fixtures.context());
    // attach v2's attestations, then copy v2's referrers index under v1's referrers tag
    Attachments.attach(OCI, ImageReference.oci(dir.toString(), "v2"), other, items(a), Attachments.Layout.REFERRERS, Fixtures.NOW);
    RawManifest idx = OciLayout.source(ImageReference.oci(dir.toString(), Attachments.referrersTag(other.digest()))).root();
    try (ImageDestination d = OciLayout.destination(ImageReference.oci(dir.toString(), Attachments.referrersTag(image.digest())))) {
      d.putManifest(idx, Optional.of(Attachments.referrersTag(image.digest())));
      d.commit();
    }
    assertTrue(Attachments.find(OCI, ref, image.digest()).isEmpty());
  }

  @Test
  void untaggedLayoutIsRefused() throws Exception {
    Descriptor image = Fixtures.writeImage(dir, "v1", "a");
    CheckException e = assertThrows(CheckException.class, () -> Attachments.attach(OCI, ImageReference.oci(dir.toString(), null),
        image, List.of(), Attachments.Layout.REFERRERS, Fixtures.NOW));
    assertEquals(AttachCode.ATTACH_UNTAGGED_LAYOUT, e.code());
  }

  /** A corrupt attachment (blob bytes no longer match its digest) is reported, and never hides the good ones. */
  @Test
  void corruptAttachmentIsReportedNotFatal() throws Exception {
    Descriptor image = Fixtures.writeImage(dir, "v1", "a");
    ImageReference ref = ImageReference.oci(dir.toString(), "v1");
    Attestor.Attestations a = Attestor.attest(Fixtures.report(ref.toString(), image.digest()), key, Fixtures.context());
    Attachments.attach(OCI, ref, image, items(a), Attachments.Layout.REFERRERS, Fixtures.NOW);
    Digest evidenceBundle = Digest.sha256(a.evidence().bundle().bytes());
    Files.write(dir.resolve("blobs/sha256/" + evidenceBundle.hex()), "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    List<Attachments.Found> found = Attachments.find(OCI, ref, image.digest());
    assertEquals(2, found.size());
    assertEquals(1, found.stream().filter(f -> f.error().isPresent()).count());
    Attachments.Found bad = found.stream().filter(f -> f.error().isPresent()).findFirst().orElseThrow();
    assertTrue(List.of(IoCode.BLOB_DIGEST_MISMATCH, IoCode.BLOB_SIZE_MISMATCH).contains(bad.error().get().code()),
        bad.error().get().toString());
  }
}
