package dev.bitproof.oci.transport;

import dev.bitproof.io.IoCode;
import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.io.VerifyingInputStream;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.OciCode;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.report.CheckException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import dev.bitproof.oci.transport.BlockingHttp.Request;
import dev.bitproof.oci.transport.BlockingHttp.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The {@code docker://} transport: a registry speaking the distribution v2 API. Manifests are fetched and pushed
 * as exact bytes; blobs stream through {@link VerifyingInputStream} both ways, so a byte that does not hash to its
 * descriptor's digest is never handed on (pull) and never committed (push: the registry also checks).
 */
public final class Registry {
  /** What we accept for a manifest, most specific first. */
  static final List<MediaType> ACCEPT = List.of(MediaType.OCI_INDEX, MediaType.OCI_MANIFEST,
      MediaType.DOCKER_MANIFEST_LIST, MediaType.DOCKER_MANIFEST);

  private Registry() {}

  public static ImageSource source(ImageReference ref, TransportOptions options) {
    return source(ref, options, RegistryClient.Retry.DEFAULT);
  }

  public static ImageSource source(ImageReference ref, TransportOptions options, RegistryClient.Retry retry) {
    return new Source(ref, new RegistryClient(ref.registry(), ref.repository(), options, retry, RegistryClient.Access.PULL));
  }

  public static ImageDestination destination(ImageReference ref, TransportOptions options) {
    return destination(ref, options, RegistryClient.Retry.DEFAULT);
  }

  public static ImageDestination destination(ImageReference ref, TransportOptions options, RegistryClient.Retry retry) {
    return new Destination(ref, new RegistryClient(ref.registry(), ref.repository(), options, retry, RegistryClient.Access.PUSH));
  }

  static final class Source implements ImageSource {
    private final ImageReference ref;
    private final RegistryClient client;

    Source(ImageReference ref, RegistryClient client) {
      this.ref = ref;
      this.client = client;
    }

    @Override
    public ImageReference reference() {
      return ref;
    }

    @Override
    public RawManifest root() throws IOException {
      if (ref.digest().isPresent()) {
        return fetch(client, ref.digest().get().toString(), null, ref.digest());
      }
      return fetch(client, ref.tag().orElse("latest"), null, Optional.empty());
    }

    @Override
    public RawManifest manifest(Descriptor d) throws IOException {
      if (d.size() > RawManifest.MAX_SIZE) {
        throw new CheckException(OciCode.MANIFEST_TOO_LARGE, d.digest().toString(), "descriptor size " + d.size() + " is over 4 MiB");
      }
      RawManifest m = fetch(client, d.digest().toString(), d.mediaType(), Optional.of(d.digest()));
      if (m.size() != d.size()) {
        throw CheckException.integrity(IoCode.BLOB_SIZE_MISMATCH, d.digest().toString(),
            "manifest is " + m.size() + " bytes, descriptor says " + d.size());
      }
      return m;
    }

    @Override
    public InputStream blob(Descriptor d) throws IOException {
      String subject = ref.registry() + "/" + ref.repository() + "@" + d.digest();
      URI uri = client.uri("blobs/" + d.digest());
      Response r = client.send(() -> Request.to(uri).GET());
      if (r.statusCode() == 404) {
        RegistryClient.closeQuietly(r);
        throw new CheckException(TransportCode.BLOB_NOT_FOUND, subject, "registry has no such blob (HTTP 404)");
      }
      if (r.statusCode() != 200) {
        RegistryClient.closeQuietly(r);
        throw new CheckException(TransportCode.REGISTRY_PROTOCOL_ERROR, subject, "unexpected HTTP " + r.statusCode() + " for a blob");
      }
      OptionalLong length = r.headers().firstValueAsLong("Content-Length");
      if (length.isPresent() && length.getAsLong() != d.size()) {
        RegistryClient.closeQuietly(r);
        throw CheckException.integrity(IoCode.BLOB_SIZE_MISMATCH, subject,
            "registry announces " + length.getAsLong() + " bytes, descriptor says " + d.size());
      }
      return new VerifyingInputStream(client.body(r, subject), d.digest(), d.size(), subject);
    }

    /**
     * {@code GET /v2/<name>/referrers/<digest>[?artifactType=…]}, following {@code Link: <…>; rel="next"} pages on
     * the same origin. A 404 (or 400/406), or an answer that is not an OCI index, means the registry lacks the API
     * (distribution 2.8 answers 404): the referrers tag {@code sha256-<hex>} is read instead, as the distribution
     * spec says clients must.
     */
    @Override
    public Referrers referrers(Digest subject, Optional<String> artifactType) throws IOException {
      String where = ref.registry() + "/" + ref.repository() + " referrers of " + subject;
      URI next = client.uri("referrers/" + subject
          + artifactType.map(t -> "?artifactType=" + URLEncoder.encode(t, StandardCharsets.UTF_8)).orElse(""));
      URI first = next;
      Set<URI> fetched = new java.util.HashSet<>(List.of(first));
      List<Descriptor> all = new ArrayList<>();
      for (int page = 0; next != null; page++) {
        if (page >= MAX_REFERRER_PAGES) {
          throw new CheckException(TransportCode.REFERRERS_TOO_MANY, where, "more than " + MAX_REFERRER_PAGES + " pages of referrers");
        }
        final URI uri = next;
        Response r = client.send(() -> Request.to(uri).GET().header("Accept", MediaType.OCI_INDEX.value()));
        MediaType served = r.headers().firstValue("Content-Type").map(Registry::bareMediaType).map(MediaType::of).orElse(null);
        // 404 is what the spec says a registry without the API answers; 400 and 406 are what some answer instead
        // (go-containerregistry falls back on all three)
        boolean unsupported = r.statusCode() == 404 || r.statusCode() == 400 || r.statusCode() == 406;
        if (page == 0 && (unsupported || r.statusCode() == 200 && !MediaType.OCI_INDEX.equals(served))) {
          RegistryClient.closeQuietly(r);
          return tagScheme(subject, artifactType);
        }
        if (r.statusCode() != 200 || !MediaType.OCI_INDEX.equals(served)) {
          RegistryClient.closeQuietly(r);
          throw new CheckException(TransportCode.REGISTRY_PROTOCOL_ERROR, where, "unexpected HTTP " + r.statusCode() + " (" + served
              + ") for a page of referrers");
        }
        OptionalLong length = r.headers().firstValueAsLong("Content-Length");
        if (length.isPresent() && length.getAsLong() > RawManifest.MAX_SIZE) {
          RegistryClient.closeQuietly(r);
          throw new CheckException(TransportCode.REFERRERS_TOO_LARGE, where, "registry announces " + length.getAsLong() + " bytes, over 4 MiB");
        }
        byte[] bytes;
        try (InputStream in = client.body(r, where)) {
          bytes = LimitedInputStream.readAll(in, RawManifest.MAX_SIZE, TransportCode.REFERRERS_TOO_LARGE, where);
        }
        all.addAll(Referrers.entries(RawManifest.of(bytes, MediaType.OCI_INDEX, where), artifactType, true, where));
        if (all.size() > Referrers.MAX_REFERRERS) {
          throw new CheckException(TransportCode.REFERRERS_TOO_MANY, where, "over the limit of " + Referrers.MAX_REFERRERS + " referrers");
        }
        next = nextPage(r.headers().allValues("Link"), uri);
        if (next != null && !RegistryClient.sameOrigin(first, next)) {
          throw new CheckException(TransportCode.REGISTRY_PROTOCOL_ERROR, where, "next page of referrers is on another origin: " + next);
        }
        if (next != null && !fetched.add(next)) {
          throw new CheckException(TransportCode.REGISTRY_PROTOCOL_ERROR, where, "referrers pages loop: " + next + " was already fetched");
        }
      }
      return new Referrers(subject, Referrers.Via.API, Referrers.distinct(all));
    }

    /** The referrers tag scheme: the index tagged {@code sha256-<hex>}, if there is one. */
    private Referrers tagScheme(Digest subject, Optional<String> artifactType) throws IOException {
      String tag = Referrers.tag(subject);
      RawManifest index;
      try {
        index = fetch(client, tag, null, Optional.empty());
      } catch (CheckException e) {
        if (e.code() == TransportCode.MANIFEST_NOT_FOUND) {
          return new Referrers(subject, Referrers.Via.TAG_SCHEME, List.of());
        }
        throw e;
      }
      if (!index.isIndex()) {
        return new Referrers(subject, Referrers.Via.TAG_SCHEME, List.of());
      }
      String where = ref.registry() + "/" + ref.repository() + ":" + tag;
      return new Referrers(subject, Referrers.Via.TAG_SCHEME, Referrers.distinct(Referrers.entries(index, artifactType, false, where)));
    }

    @Override
    public void close() {}
  }

  /** Pages of a referrers answer followed at most: {@link Referrers#MAX_REFERRERS} in small pages, and no more. */
  static final int MAX_REFERRER_PAGES = 64;

  private static final java.util.regex.Pattern LINK_NEXT =
      java.util.regex.Pattern.compile("<([^>]*)>\\s*;[^,]*rel=\"?next\"?");

  /** RFC 8288 {@code Link: <url>; rel="next"}, resolved against the request. */
  static URI nextPage(List<String> links, URI request) {
    for (String l : links) {
      java.util.regex.Matcher m = LINK_NEXT.matcher(l);
      if (m.find()) {
        return request.resolve(m.group(1));
      }
    }
    return null;
  }

  /** GET a manifest by tag or digest; the bytes are kept exactly as served. */
  static RawManifest fetch(RegistryClient client, String reference, MediaType hint, Optional<Digest> expected) throws IOException {
    String subject = client.registry() + "/" + client.repository() + (reference.contains(":") ? "@" : ":") + reference;
    Set<String> accept = new LinkedHashSet<>();
    if (hint != null && hint.isManifestOrIndex()) {
      accept.add(hint.value());
    }
    ACCEPT.forEach(m -> accept.add(m.value()));
    URI uri = client.uri("manifests/" + reference);
    Response r = client.send(() -> Request.to(uri).GET().header("Accept", String.join(", ", accept)));
    if (r.statusCode() == 404) {
      RegistryClient.closeQuietly(r);
      throw new CheckException(TransportCode.MANIFEST_NOT_FOUND, subject, "registry has no such manifest (HTTP 404)");
    }
    if (r.statusCode() != 200) {
      RegistryClient.closeQuietly(r);
      throw new CheckException(TransportCode.REGISTRY_PROTOCOL_ERROR, subject, "unexpected HTTP " + r.statusCode() + " for a manifest");
    }
    OptionalLong length = r.headers().firstValueAsLong("Content-Length");
    if (length.isPresent() && length.getAsLong() > RawManifest.MAX_SIZE) {
      RegistryClient.closeQuietly(r);
      throw new CheckException(OciCode.MANIFEST_TOO_LARGE, subject, "registry announces " + length.getAsLong() + " bytes, over 4 MiB");
    }
    byte[] bytes;
    try (InputStream in = client.body(r, subject)) {
      bytes = LimitedInputStream.readAll(in, RawManifest.MAX_SIZE, OciCode.MANIFEST_TOO_LARGE, subject);
    }
    MediaType served = r.headers().firstValue("Content-Type").map(Registry::bareMediaType).map(MediaType::of).orElse(null);
    if (served != null && !served.isManifestOrIndex() && !isGenericJson(served)) {
      throw new CheckException(OciCode.MEDIA_TYPE_UNSUPPORTED, subject, "registry served " + served
          + (served.value().contains("manifest.v1") ? " (Docker schema 1 is not supported)" : "") + ", not a manifest or index");
    }
    if (hint != null && served != null && served.isManifestOrIndex() && !served.equals(hint)) {
      throw new CheckException(OciCode.MEDIA_TYPE_MISMATCH, subject, "descriptor says " + hint + " but the registry served " + served);
    }
    MediaType mt = hint != null ? hint : served != null && served.isManifestOrIndex() ? served : null;
    if (expected.isPresent()) {
      return RawManifest.verified(bytes, mt, expected.get(), subject);
    }
    RawManifest m = RawManifest.of(bytes, mt, subject);
    Optional<String> announced = r.headers().firstValue("Docker-Content-Digest");
    if (announced.isPresent() && announced.get().startsWith("sha256:") && !announced.get().equals(m.digest().toString())) {
      throw CheckException.integrity(TransportCode.REGISTRY_DIGEST_MISMATCH, subject,
          "registry says Docker-Content-Digest " + announced.get() + " but the bytes hash to " + m.digest());
    }
    return m;
  }

  static String bareMediaType(String contentType) {
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  private static boolean isGenericJson(MediaType m) {
    return m.value().equals("application/json") || m.value().equals("application/octet-stream") || m.value().equals("text/plain");
  }

  /**
   * A body as readers see it: a connection that ends before the announced {@code Content-Length} (or is reset)
   * surfaces as {@code REGISTRY_TRUNCATED}, a read that waited the read timeout for a byte as {@code REGISTRY_STALLED},
   * never as a bare IOException or a silently short body.
   */
  static final class TruncationGuard extends FilterInputStream {
    private final String subject;
    private final long announced;
    private long count;

    TruncationGuard(InputStream in, OptionalLong announced, String subject) {
      super(in);
      this.subject = subject;
      this.announced = announced.orElse(-1);
    }

    @Override
    public int read() throws IOException {
      byte[] b = new byte[1];
      int n = read(b, 0, 1);
      return n < 0 ? -1 : b[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (Thread.currentThread().isInterrupted()) {
        // a socket read does not answer an interrupt: checked between reads, a copy stopped by another blob's
        // failure ends at its next chunk instead of downloading the rest
        throw new java.io.InterruptedIOException("interrupted while reading " + subject);
      }
      int n;
      try {
        n = super.read(b, off, len);
      } catch (java.net.SocketTimeoutException e) {
        throw new CheckException(TransportCode.REGISTRY_STALLED, subject, "no byte of the body arrived for the read timeout: " + e.getMessage(), e);
      } catch (CheckException e) {
        throw e;
      } catch (IOException e) {
        throw truncated(e.getMessage(), e);
      }
      if (n > 0) {
        count += n;
      } else if (n < 0 && announced >= 0 && count < announced) {
        throw truncated("got " + count + " of " + announced + " bytes", null);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] b = new byte[(int) Math.min(8192, Math.max(0, n))];
      int r = b.length == 0 ? 0 : read(b, 0, b.length);
      return Math.max(0, r);
    }

    private CheckException truncated(String why, IOException e) {
      return new CheckException(TransportCode.REGISTRY_TRUNCATED, subject, "connection ended before the whole body arrived: " + why, e);
    }
  }

  static final class Destination implements ImageDestination {
    private final ImageReference ref;
    private final RegistryClient client;
    private boolean rootPushed;

    Destination(ImageReference ref, RegistryClient client) {
      this.ref = ref;
      this.client = client;
    }

    @Override
    public ImageReference reference() {
      return ref;
    }

    @Override
    public boolean hasBlob(Digest digest) throws IOException {
      URI uri = client.uri("blobs/" + digest);
      try (Response r = client.send(() -> Request.to(uri).HEAD())) {
        return r.statusCode() == 200;
      }
    }

    /** Uploads are independent requests: several can stream at once (the JDK keeps a pool of connections). */
    @Override
    public int blobConcurrency() {
      return Copier.MAX_PARALLEL_BLOBS;
    }

    /**
     * Cross-repository mount ({@code POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repo>}) when the source is
     * another repository of the same registry: 201 means the registry linked the blob without a byte sent. Any other
     * answer (202: the registry opened an upload instead, e.g. because the token does not cover the other
     * repository) means no mount; the opened upload is cancelled and the caller copies the bytes.
     */
    @Override
    public boolean mountBlob(Descriptor d, ImageSource source) throws IOException {
      if (!(source instanceof Source s) || !s.ref.registry().equals(ref.registry()) || s.ref.repository().equals(ref.repository())) {
        return false;
      }
      URI uri = client.uri("blobs/uploads/?mount=" + URLEncoder.encode(d.digest().toString(), StandardCharsets.UTF_8)
          + "&from=" + URLEncoder.encode(s.ref.repository(), StandardCharsets.UTF_8));
      Response r;
      try {
        r = client.send(() -> Request.to(uri).POST());
      } catch (CheckException e) {
        if (e.code() == TransportCode.REGISTRY_UNAUTHORIZED || e.code() == TransportCode.REGISTRY_DENIED) {
          return false;
        }
        throw e;
      }
      r.text();
      if (r.statusCode() == 201) {
        Optional<String> announced = r.headers().firstValue("Docker-Content-Digest");
        if (announced.isPresent() && !announced.get().equals(d.digest().toString())) {
          throw CheckException.integrity(TransportCode.REGISTRY_DIGEST_MISMATCH, ref.registry() + "/" + ref.repository() + "@" + d.digest(),
              "registry mounted " + announced.get() + " for " + d.digest());
        }
        return true;
      }
      if (r.statusCode() == 202) {
        r.headers().firstValue("Location").ifPresent(loc -> cancelUpload(uri.resolve(loc)));
      }
      return false;
    }

    private void cancelUpload(URI upload) {
      try {
        client.send(() -> Request.to(upload).DELETE()).close();
      } catch (IOException | RuntimeException e) {
        // best effort: an abandoned upload session expires on the registry
      }
    }

    @Override
    public void putBlob(Descriptor d, InputStream content) throws IOException {
      String subject = ref.registry() + "/" + ref.repository() + "@" + d.digest();
      URI start = client.uri("blobs/uploads/");
      Response r = client.send(() -> Request.to(start).POST());
      String started = r.text();
      if (r.statusCode() != 202) {
        throw new CheckException(TransportCode.REGISTRY_PUSH_FAILED, subject, "starting an upload got HTTP " + r.statusCode() + ": " + excerpt(started));
      }
      String location = r.headers().firstValue("Location").orElseThrow(
          () -> new CheckException(TransportCode.REGISTRY_PROTOCOL_ERROR, subject, "upload started without a Location"));
      URI upload = start.resolve(location);
      URI put = URI.create(upload + (upload.getRawQuery() == null ? "?" : "&") + "digest="
          + URLEncoder.encode(d.digest().toString(), StandardCharsets.UTF_8));
      // a source that lied fails our stream at its end (the request is aborted) and the registry's own digest
      // check on the complete body: a tampered blob is never committed
      VerifyingInputStream verified = VerifyingInputStream.verifying(content, d.digest(), d.size(), subject);
      Response done;
      String answer;
      try {
        // the body is read once, while it is sent: an empty blob (an empty layer) is read to its end too, so a source
        // that has bytes where the descriptor says none fails here
        if (d.size() == 0) {
          verified.drain();
          done = client.send(() -> Request.to(put).PUT(new byte[0]).header("Content-Type", "application/octet-stream"), false);
        } else {
          done = client.send(() -> Request.to(put).PUT(verified, d.size()).header("Content-Type", "application/octet-stream"), false);
        }
        answer = done.text();
      } catch (IOException e) {
        cancelUpload(upload);
        CheckException ce = RegistryClient.causeCheck(e);
        if (ce != null) {
          throw ce;
        }
        throw e;
      }
      if (done.statusCode() != 201) {
        throw new CheckException(TransportCode.REGISTRY_PUSH_FAILED, subject, "blob upload got HTTP " + done.statusCode() + ": " + excerpt(answer));
      }
    }

    @Override
    public void putManifest(RawManifest m, Optional<String> tag) throws IOException {
      push(m, tag);
    }

    /**
     * Pushes a referrer by digest. A registry with the referrers API answers {@code OCI-Subject: <subject digest>}
     * (distribution spec 1.1): it indexed the referrer itself. One naming another digest is lying about what it
     * stored ({@code REGISTRY_SUBJECT_MISMATCH}).
     */
    @Override
    public boolean putReferrer(RawManifest m) throws IOException {
      Optional<Digest> subject = Referrers.subjectOf(m);
      if (subject.isEmpty()) {
        throw new IllegalArgumentException("not a referrer: " + m.digest() + " has no subject");
      }
      Optional<String> announced = push(m, Optional.empty()).firstValue("OCI-Subject");
      if (announced.isEmpty()) {
        return false;
      }
      if (!announced.get().trim().equals(subject.get().toString())) {
        throw CheckException.integrity(TransportCode.REGISTRY_SUBJECT_MISMATCH, ref.registry() + "/" + ref.repository() + "@" + m.digest(),
            "registry answered OCI-Subject " + announced.get() + " for a referrer of " + subject.get());
      }
      return true;
    }

    private BlockingHttp.Headers push(RawManifest m, Optional<String> tag) throws IOException {
      String reference = tag.orElse(m.digest().toString());
      String subject = ref.registry() + "/" + ref.repository() + (tag.isPresent() ? ":" : "@") + reference;
      URI uri = client.uri("manifests/" + reference);
      byte[] bytes = m.bytes();
      Response r = client.send(() -> Request.to(uri).PUT(bytes).header("Content-Type", m.mediaType().value()));
      String answer = r.text();
      if (r.statusCode() != 201 && r.statusCode() != 200) {
        throw new CheckException(TransportCode.REGISTRY_PUSH_FAILED, subject, "manifest push got HTTP " + r.statusCode() + ": " + excerpt(answer));
      }
      Optional<String> announced = r.headers().firstValue("Docker-Content-Digest");
      if (announced.isPresent() && !announced.get().equals(m.digest().toString())) {
        throw CheckException.integrity(TransportCode.REGISTRY_DIGEST_MISMATCH, subject,
            "registry stored the manifest as " + announced.get() + ", our bytes hash to " + m.digest());
      }
      if (tag.isPresent() || ref.digest().filter(m.digest()::equals).isPresent()) {
        rootPushed = true;
      }
      return r.headers();
    }

    @Override
    public void commit() {
      if (!rootPushed && ref.tag().isPresent()) {
        throw new IllegalStateException("commit before the root manifest was pushed with tag " + ref.tag().get());
      }
    }

    @Override
    public void close() {}
  }

  private static String excerpt(String body) {
    if (body == null) {
      return "";
    }
    String s = body.strip();
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
