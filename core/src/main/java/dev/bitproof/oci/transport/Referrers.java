package dev.bitproof.oci.transport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageManifest;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The OCI 1.1 referrers of one digest (manifests whose {@code subject} is it), as one transport listed them.
 * A listing is only a claim: {@link #manifest} fetches a referrer and checks that its own {@code subject} really
 * is the digest asked about, because a registry (or whoever pushed the referrers tag) can list anything.
 *
 * @param subject the digest whose referrers these are
 * @param via who answered: the registry's referrers API, the referrers tag scheme {@code sha256-<hex>}, a layout's
 *     {@code index.json}, or nobody (a transport without referrers)
 * @param manifests the referrers' descriptors, the {@code artifactType} filter already applied
 */
public record Referrers(Digest subject, Via via, List<Descriptor> manifests) {
  /** Entries read per subject: enough for years of daily attestations, bounded against a hostile answer. */
  public static final int MAX_REFERRERS = 4096;

  /** Where a listing came from. */
  public enum Via { API, TAG_SCHEME, LAYOUT, NONE }

  public Referrers {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(via, "via");
    manifests = List.copyOf(manifests);
  }

  public static Referrers none(Digest subject) {
    return new Referrers(subject, Via.NONE, List.of());
  }

  /** The referrers-tag-scheme tag of {@code d}: {@code sha256-<hex>} (distribution spec 1.1, "Referrers Tag Schema"). */
  public static String tag(Digest d) {
    return d.algorithm() + "-" + d.hex();
  }

  /**
   * The manifests an index lists as referrers: at most {@link #MAX_REFERRERS} ({@code REFERRERS_TOO_MANY}), only
   * manifests and indexes, and of {@code artifactType} when one is asked for. The filter is applied here even when
   * a registry says it applied it, since registries may ignore it. The API must give every entry's
   * {@code artifactType}, so there an entry without one is dropped; in a tag-scheme index (not {@code strict}) it
   * passes, since older writers left it out: the caller decides by the fetched manifest.
   */
  static List<Descriptor> entries(RawManifest index, Optional<String> artifactType, boolean strict, String where) {
    JsonNode n = Json.parseObject(index.bytes(), where);
    JsonNode ms = n.get("manifests");
    if (ms != null && ms.isArray() && ms.size() > MAX_REFERRERS) {
      throw new CheckException(TransportCode.REFERRERS_TOO_MANY, where, ms.size() + " referrers, over the limit of " + MAX_REFERRERS);
    }
    List<Descriptor> out = new ArrayList<>();
    for (Descriptor d : index.asIndex().manifests()) {
      if (!d.mediaType().isManifestOrIndex()) {
        continue;
      }
      if (artifactType.isPresent() && (strict || d.artifactType().isPresent()) && !d.artifactType().equals(artifactType)) {
        continue;
      }
      out.add(d);
    }
    return out;
  }

  /** The same descriptor, at most once, in listing order. */
  static List<Descriptor> distinct(List<Descriptor> ds) {
    Map<Digest, Descriptor> seen = new LinkedHashMap<>();
    ds.forEach(d -> seen.putIfAbsent(d.digest(), d));
    return new ArrayList<>(seen.values());
  }

  /**
   * Fetches a listed referrer (digest- and size-checked by the source) and checks its {@code subject}:
   * {@code REFERRER_SUBJECT_MISMATCH} (integrity) when it names another digest or none.
   */
  public RawManifest manifest(ImageSource source, Descriptor listed) throws IOException {
    RawManifest m = source.manifest(listed);
    Optional<Digest> actual = subjectOf(m);
    if (actual.isEmpty() || !actual.get().equals(subject)) {
      throw CheckException.integrity(TransportCode.REFERRER_SUBJECT_MISMATCH, listed.digest().toString(),
          "listed (" + via + ") as a referrer of " + subject + ", but its subject is " + actual.map(Digest::toString).orElse("absent"));
    }
    return m;
  }

  /**
   * Like {@link #manifest}, but a referrer of another digest listed by the tag scheme or a layout is skipped (empty):
   * anyone who can push a tag can list anything there, and it never counts. Listed by the referrers API, it is the
   * registry that lies, and that is an error ({@code REFERRER_SUBJECT_MISMATCH}).
   */
  public Optional<RawManifest> fetch(ImageSource source, Descriptor listed) throws IOException {
    try {
      return Optional.of(manifest(source, listed));
    } catch (CheckException e) {
      if (e.code() == TransportCode.REFERRER_SUBJECT_MISMATCH && via != Via.API) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** The {@code subject} digest of a manifest or index, if it has one. */
  public static Optional<Digest> subjectOf(RawManifest m) {
    if (!m.isIndex()) {
      return m.asImage().subject().map(Descriptor::digest);
    }
    JsonNode s = Json.parseObject(m.bytes(), m.digest().toString()).get("subject");
    if (s == null || !s.isObject() || !s.path("digest").isTextual()) {
      return Optional.empty();
    }
    return Optional.of(Digest.parse(s.path("digest").asText()));
  }

  /** The artifact type a referrer manifest declares: its {@code artifactType}, else its config's media type (OCI 1.1). */
  static Optional<String> artifactTypeOf(RawManifest m) {
    if (m.isIndex()) {
      return Json.text(Json.parseObject(m.bytes(), m.digest().toString()), "artifactType");
    }
    ImageManifest im = m.asImage();
    return im.artifactType().or(() -> Optional.of(im.config().mediaType().value()));
  }

  /**
   * An OCI layout's referrers of {@code subject}: the tag-scheme index named {@code sha256-<hex>} in
   * {@code index.json}, and every manifest {@code index.json} lists whose own {@code subject} is the digest.
   */
  static Referrers inLayout(RawManifest layoutIndex, ImageSource source, Digest subject, Optional<String> artifactType,
      String where) throws IOException {
    String tag = tag(subject);
    List<Descriptor> out = new ArrayList<>();
    for (Descriptor d : layoutIndex.asIndex().manifests()) {
      if (!d.mediaType().isManifestOrIndex() || d.digest().equals(subject)) {
        continue;
      }
      RawManifest m = source.manifest(d);
      if (tag.equals(d.annotations().get(OciLayout.REF_NAME))) {
        if (m.isIndex()) {
          out.addAll(entries(m, artifactType, false, where + ":" + tag));
        }
        continue;
      }
      if (!subjectOf(m).filter(subject::equals).isPresent()) {
        continue;
      }
      Optional<String> type = d.artifactType().or(() -> artifactTypeOf(m));
      if (artifactType.isPresent() && !type.equals(artifactType)) {
        continue;
      }
      out.add(new Descriptor(d.mediaType(), d.digest(), d.size(), d.annotations(), d.platform(), type, d.urls(), d.json()));
    }
    List<Descriptor> all = distinct(out);
    if (all.size() > MAX_REFERRERS) {
      throw new CheckException(TransportCode.REFERRERS_TOO_MANY, where, all.size() + " referrers, over the limit of " + MAX_REFERRERS);
    }
    return new Referrers(subject, Via.LAYOUT, all);
  }
}
