package dev.bitproof.attest.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.attest.bundle.SigstoreBundle;
import dev.bitproof.attest.intoto.Predicates;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Referrers;
import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.report.CheckException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Attaching attestations to an image and finding them again, through {@link ImageSource}/{@link ImageDestination}
 * only, so it works for every transport that can read and write by tag ({@code oci:}, {@code docker://}).
 *
 * <ul>
 *   <li>{@link Layout#REFERRERS}: an OCI 1.1 artifact manifest per sigstore bundle (artifactType = bundle v0.3,
 *       empty config, {@code subject} = the image), listed in the referrers-tag index {@code sha256-<hex>} (the
 *       distribution spec's fallback for registries without the referrers API, which is what cosign v3 and
 *       sigstore-js read when the API is absent).</li>
 *   <li>{@link Layout#COSIGN}: cosign's legacy {@code sha256-<hex>.att} image, one DSSE-envelope layer per
 *       attestation.</li>
 * </ul>
 */
public final class Attachments {
  /** The empty JSON object blob of OCI's empty descriptor. */
  static final byte[] EMPTY = "{}".getBytes(StandardCharsets.US_ASCII);
  public static final String ANNOTATION_CREATED = "org.opencontainers.image.created";
  public static final String ANNOTATION_BUNDLE_CONTENT = "dev.sigstore.bundle.content";
  public static final String ANNOTATION_BUNDLE_PREDICATE = "dev.sigstore.bundle.predicateType";
  public static final String ANNOTATION_COSIGN_SIGNATURE = "dev.cosignproject.cosign/signature";
  public static final String ANNOTATION_PREDICATE_TYPE = "predicateType";
  /** Attachments bigger than this are not attestations. */
  public static final long MAX_ATTACHMENT = 16L * 1024 * 1024;
  /** Referrer entries read per image: enough for years of daily attestations, bounded against a hostile index. */
  public static final int MAX_REFERRERS = Referrers.MAX_REFERRERS;

  private Attachments() {}

  /** Which layout to write. */
  public enum Layout { REFERRERS, COSIGN }

  /** Opens sources and destinations for references (the CLI passes {@code Transports} with its options). */
  public interface Opener {
    ImageSource source(ImageReference ref) throws IOException;

    ImageDestination destination(ImageReference ref) throws IOException;

    /** Sources and destinations from {@code Transports} under {@code options}. */
    static Opener over(dev.bitproof.oci.transport.TransportOptions options) {
      return new Opener() {
        @Override
        public ImageSource source(ImageReference ref) throws IOException {
          return dev.bitproof.oci.transport.Transports.source(ref, options);
        }

        @Override
        public ImageDestination destination(ImageReference ref) throws IOException {
          return dev.bitproof.oci.transport.Transports.destination(ref, options);
        }
      };
    }
  }

  /** An attestation to attach: the sigstore bundle (referrers) and the bare envelope (cosign). */
  public record Attachment(String predicateType, byte[] bundle, byte[] envelope) {}

  /**
   * An attachment found: where, how it was stored, and its bytes (a bundle or a DSSE envelope) — or, when it could
   * not be read (missing or corrupt blob), the error. One bad attachment never hides the others.
   */
  public record Found(String where, MediaType mediaType, byte[] bytes, Optional<CheckException> error) {
    public Found(String where, MediaType mediaType, byte[] bytes) {
      this(where, mediaType, bytes, Optional.empty());
    }
  }

  /** The tag of the referrers index of {@code d}: {@code sha256-<hex>}. */
  public static String referrersTag(Digest d) {
    return Referrers.tag(d);
  }

  /** The tag of cosign's legacy attestation image: {@code sha256-<hex>.att}. */
  public static String cosignTag(Digest d) {
    return referrersTag(d) + ".att";
  }

  public static ImageReference withTag(ImageReference image, String tag) {
    return switch (image.transport()) {
      case DOCKER -> new ImageReference(ImageReference.Transport.DOCKER, "", image.registry(), image.repository(),
          Optional.of(tag), Optional.empty());
      case OCI -> ImageReference.oci(image.path(), tag);
      default -> throw CheckException.usage(AttachCode.ATTACH_TRANSPORT_UNSUPPORTED,
          "attestations can be attached to docker:// and oci: images, not " + image.transport().prefix() + ":");
    };
  }

  /** The OCI 1.1 artifact manifest of one bundle (what cosign v3 and sigstore-js write). */
  public static RawManifest referrerManifest(Descriptor subject, Descriptor bundle, String predicateType, Instant created) {
    ObjectNode m = Json.mapper().createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", MediaType.OCI_MANIFEST.value());
    m.put("artifactType", SigstoreBundle.MEDIA_TYPE_V03);
    ObjectNode cfg = m.putObject("config");
    cfg.put("mediaType", MediaType.OCI_EMPTY.value());
    cfg.put("digest", Digest.sha256(EMPTY).toString());
    cfg.put("size", EMPTY.length);
    ObjectNode layer = m.putArray("layers").addObject();
    layer.put("mediaType", SigstoreBundle.MEDIA_TYPE_V03);
    layer.put("digest", bundle.digest().toString());
    layer.put("size", bundle.size());
    ObjectNode s = m.putObject("subject");
    s.put("mediaType", subject.mediaType().value());
    s.put("digest", subject.digest().toString());
    s.put("size", subject.size());
    ObjectNode a = m.putObject("annotations");
    a.put(ANNOTATION_CREATED, Predicates.timestamp(created));
    a.put(ANNOTATION_BUNDLE_CONTENT, "dsse-envelope");
    a.put(ANNOTATION_BUNDLE_PREDICATE, predicateType);
    return RawManifest.of(bytes(m), MediaType.OCI_MANIFEST, "referrer manifest");
  }

  /**
   * Attaches {@code items} to the image whose root is {@code subject}. For {@code oci:} the image must be named by a
   * tag: the attachments are tagged entries of the layout's index.json, which an untagged reference would change.
   */
  public static List<Digest> attach(Opener opener, ImageReference image, Descriptor subject, List<Attachment> items,
      Layout layout, Instant created) throws IOException {
    return attachAll(opener, image, subject, items, layout, created).digests();
  }

  /**
   * What attaching wrote: the referrer manifests (or cosign layers), and the tag that lists them; no tag when every
   * referrer was indexed by the registry's referrers API ({@code OCI-Subject} on push).
   */
  public record Attached(List<Digest> digests, Optional<String> tag) {
    public Attached {
      digests = List.copyOf(digests);
    }
  }

  /** {@link #attach}, saying where the attachments are listed. */
  public static Attached attachAll(Opener opener, ImageReference image, Descriptor subject, List<Attachment> items,
      Layout layout, Instant created) throws IOException {
    if (image.transport() == ImageReference.Transport.OCI && image.tag().isEmpty()) {
      throw CheckException.usage(AttachCode.ATTACH_UNTAGGED_LAYOUT, "attach to an oci: image named by a tag (oci:DIR:TAG): "
          + "without a tag the layout's index.json is the image, and attaching would change its digest");
    }
    return layout == Layout.REFERRERS
        ? attachReferrers(opener, image, subject, items, created)
        : attachCosign(opener, image, subject, items);
  }

  /**
   * Pushes one referrer manifest per bundle. When the destination indexed every one itself (a registry with the
   * referrers API answers {@code OCI-Subject}), the referrers tag is not written, as cosign and oras do; otherwise
   * the tag-scheme index {@code sha256-<hex>} lists them (existing entries kept, none twice).
   */
  private static Attached attachReferrers(Opener opener, ImageReference image, Descriptor subject,
      List<Attachment> items, Instant created) throws IOException {
    String tag = referrersTag(subject.digest());
    ImageReference tagRef = withTag(image, tag);
    List<Digest> written = new ArrayList<>();
    List<Attachment> unindexed = new ArrayList<>();
    List<RawManifest> unindexedManifests = new ArrayList<>();
    try (ImageDestination dest = opener.destination(tagRef)) {
      dest.putBlob(Descriptor.ofBytes(MediaType.OCI_EMPTY, EMPTY), new ByteArrayInputStream(EMPTY));
      for (Attachment a : items) {
        Descriptor bundle = Descriptor.ofBytes(MediaType.SIGSTORE_BUNDLE_V03, a.bundle());
        dest.putBlob(bundle, new ByteArrayInputStream(a.bundle()));
        RawManifest m = referrerManifest(subject, bundle, a.predicateType(), created);
        written.add(m.digest());
        if (!dest.putReferrer(m)) {
          unindexed.add(a);
          unindexedManifests.add(m);
        }
      }
      if (unindexed.isEmpty() && !items.isEmpty()) {
        return new Attached(written, Optional.empty());
      }
    }
    ObjectNode index = existing(opener, tagRef).map(m -> (ObjectNode) Json.parseObject(m.bytes(), tag))
        .filter(n -> n.path("manifests").isArray())
        .orElseGet(Attachments::emptyIndex);
    ArrayNode entries = (ArrayNode) index.get("manifests");
    try (ImageDestination dest = opener.destination(tagRef)) {
      for (int i = 0; i < unindexed.size(); i++) {
        Attachment a = unindexed.get(i);
        RawManifest m = unindexedManifests.get(i);
        boolean listed = false;
        for (JsonNode e : entries) {
          listed |= m.digest().toString().equals(e.path("digest").asText());
        }
        if (!listed) {
          ObjectNode e = entries.addObject();
          e.put("mediaType", MediaType.OCI_MANIFEST.value());
          e.put("digest", m.digest().toString());
          e.put("size", m.size());
          e.put("artifactType", SigstoreBundle.MEDIA_TYPE_V03);
          e.putObject("annotations").put(ANNOTATION_BUNDLE_PREDICATE, a.predicateType())
              .put(ANNOTATION_CREATED, Predicates.timestamp(created));
        }
      }
      dest.putManifest(RawManifest.of(bytes(index), MediaType.OCI_INDEX, tag), Optional.of(tag));
      dest.commit();
    }
    return new Attached(written, Optional.of(tag));
  }

  private static Attached attachCosign(Opener opener, ImageReference image, Descriptor subject,
      List<Attachment> items) throws IOException {
    String tag = cosignTag(subject.digest());
    ImageReference tagRef = withTag(image, tag);
    ArrayNode layers = Json.mapper().createArrayNode();
    existing(opener, tagRef).ifPresent(m -> {
      JsonNode old = Json.parseObject(m.bytes(), tag).path("layers");
      if (old.isArray()) {
        old.forEach(l -> layers.add(l.deepCopy()));
      }
    });
    List<Digest> written = new ArrayList<>();
    try (ImageDestination dest = opener.destination(tagRef)) {
      for (Attachment a : items) {
        Descriptor env = Descriptor.ofBytes(MediaType.DSSE, a.envelope());
        dest.putBlob(env, new ByteArrayInputStream(a.envelope()));
        written.add(env.digest());
        boolean listed = false;
        for (JsonNode l : layers) {
          listed |= env.digest().toString().equals(l.path("digest").asText());
        }
        if (!listed) {
          ObjectNode l = layers.addObject();
          l.put("mediaType", MediaType.DSSE.value());
          l.put("size", env.size());
          l.put("digest", env.digest().toString());
          l.putObject("annotations").put(ANNOTATION_COSIGN_SIGNATURE, "").put(ANNOTATION_PREDICATE_TYPE, a.predicateType());
        }
      }
      // go-containerregistry's empty image config, with one diff_id per (uncompressed) layer, as cosign writes it
      ObjectNode cfg = Json.mapper().createObjectNode();
      cfg.put("architecture", "");
      cfg.putObject("config");
      cfg.put("created", "0001-01-01T00:00:00Z");
      cfg.put("os", "");
      ObjectNode rootfs = cfg.putObject("rootfs");
      rootfs.put("type", "layers");
      ArrayNode diffIds = rootfs.putArray("diff_ids");
      layers.forEach(l -> diffIds.add(l.path("digest").asText()));
      byte[] cfgBytes = bytes(cfg);
      Descriptor cfgDesc = Descriptor.ofBytes(MediaType.OCI_CONFIG, cfgBytes);
      dest.putBlob(cfgDesc, new ByteArrayInputStream(cfgBytes));
      ObjectNode m = Json.mapper().createObjectNode();
      m.put("schemaVersion", 2);
      m.put("mediaType", MediaType.OCI_MANIFEST.value());
      ObjectNode c = m.putObject("config");
      c.put("mediaType", MediaType.OCI_CONFIG.value());
      c.put("size", cfgBytes.length);
      c.put("digest", cfgDesc.digest().toString());
      m.set("layers", layers);
      dest.putManifest(RawManifest.of(bytes(m), MediaType.OCI_MANIFEST, tag), Optional.of(tag));
      dest.commit();
    }
    return new Attached(written, Optional.of(tag));
  }

  /**
   * Every attestation attached to {@code subject} in either layout: its OCI 1.1 referrers of the bundle type (the
   * registry's referrers API, else the tag scheme; a layout's index.json) and cosign's {@code .att} image.
   */
  public static List<Found> find(Opener opener, ImageReference image, Digest subject) throws IOException {
    List<Found> out = new ArrayList<>();
    try (ImageSource src = opener.source(image)) {
      Referrers listed = src.referrers(subject, Optional.of(SigstoreBundle.MEDIA_TYPE_V03));
      String prefix = switch (listed.via()) {
        case API -> image + " referrers API";
        case TAG_SCHEME, LAYOUT -> withTag(image, referrersTag(subject)).toString();
        case NONE -> image.toString();
      };
      for (Descriptor d : listed.manifests()) {
        if (!d.mediaType().isImageManifest()) {
          continue; // SBOMs, signatures and other artifacts share the listing
        }
        String where = prefix + " " + d.digest().shortHex();
        try {
          Optional<RawManifest> m = listed.fetch(src, d);
          if (m.isEmpty()) {
            continue; // listed under the tag but not a referrer of this image: never count it
          }
          for (Descriptor l : m.get().asImage().layers()) {
            if (l.mediaType().equals(MediaType.SIGSTORE_BUNDLE_V03)) {
              out.add(read(src, l, where));
            }
          }
        } catch (CheckException e) {
          out.add(new Found(where, d.mediaType(), new byte[0], Optional.of(e)));
        }
      }
    }
    ImageReference attTag = withTag(image, cosignTag(subject));
    Optional<RawManifest> att = existing(opener, attTag);
    if (att.isPresent() && !att.get().isIndex()) {
      try (ImageSource src = opener.source(attTag)) {
        int i = 0;
        for (Descriptor l : att.get().asImage().layers()) {
          i++;
          if (l.mediaType().equals(MediaType.DSSE)) {
            out.add(read(src, l, attTag + " layer " + i));
          }
        }
      }
    }
    return out;
  }

  private static Found read(ImageSource src, Descriptor l, String where) throws IOException {
    try {
      return new Found(where, l.mediaType(), src.blobBytes(l, MAX_ATTACHMENT));
    } catch (CheckException e) {
      return new Found(where, l.mediaType(), new byte[0], Optional.of(e));
    }
  }

  /** The manifest at a tag, or empty when the tag does not exist. */
  static Optional<RawManifest> existing(Opener opener, ImageReference tagRef) throws IOException {
    try (ImageSource src = opener.source(tagRef)) {
      return Optional.of(src.root());
    } catch (CheckException e) {
      if (TransportCode.NOT_FOUND.contains(e.code())) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static ObjectNode emptyIndex() {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("schemaVersion", 2);
    n.put("mediaType", MediaType.OCI_INDEX.value());
    n.putArray("manifests");
    return n;
  }

  private static byte[] bytes(JsonNode n) {
    try {
      return Json.mapper().writeValueAsBytes(n);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
