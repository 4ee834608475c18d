package dev.bitproof.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A hostile-by-choice registry for tests: a loopback {@code com.sun.net.httpserver} that serves the v2 read API
 * from maps, and lets a test take over any request ({@link #override}) to send wrong bytes, truncate, redirect or
 * answer 401/403/404/429/5xx. It records every request it saw (method, path, Authorization header). It also
 * takes pushes (monolithic blob uploads, manifests) and can serve the OCI 1.1 referrers API ({@link ReferrersApi}).
 */
public final class FakeRegistry implements AutoCloseable {
  /** Takes over a request; return false to let the default handling run. */
  @FunctionalInterface
  public interface Handler {
    boolean handle(HttpExchange ex) throws IOException;
  }

  /** One request seen: method, path with query, Authorization header ("" when absent). */
  public record Seen(String method, String path, String authorization) {}

  private final HttpServer server;
  private final java.util.concurrent.ExecutorService executor;
  private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
  private final Map<String, String> manifestTypes = new ConcurrentHashMap<>();
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile Handler override = ex -> false;
  private volatile ReferrersApi referrersApi = ReferrersApi.NONE;
  private final java.util.concurrent.atomic.AtomicInteger uploads = new java.util.concurrent.atomic.AtomicInteger();

  /**
   * How {@code GET /v2/<name>/referrers/<digest>} and manifest pushes behave: {@link #NONE} like distribution 2.8
   * (404, no {@code OCI-Subject}); {@link #FILTERING} a spec-following 1.1 registry (applies {@code artifactType}
   * and says so with {@code OCI-Filters-Applied}); {@link #IGNORING_FILTER} one that lists every referrer whatever
   * the filter, as the spec allows.
   */
  public enum ReferrersApi { NONE, FILTERING, IGNORING_FILTER }

  public FakeRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    // one thread per request, so a handler that stalls on purpose does not hold up the next request
    executor = java.util.concurrent.Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fake-registry");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
  }

  /** {@code 127.0.0.1:PORT}. */
  public String hostPort() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  public String url() {
    return "http://" + hostPort();
  }

  /** Serves {@code bytes} as manifest {@code sha256:…} and, if {@code tag} is not null, under the tag too. */
  public String putManifest(String tag, String mediaType, byte[] bytes) {
    String digest = sha256(bytes);
    manifests.put(digest, bytes);
    manifestTypes.put(digest, mediaType);
    if (tag != null) {
      manifests.put(tag, bytes);
      manifestTypes.put(tag, mediaType);
    }
    return digest;
  }

  public String putBlob(byte[] bytes) {
    String digest = sha256(bytes);
    blobs.put(digest, bytes);
    return digest;
  }

  /** Forgets every manifest, blob and request, and goes back to no override and no referrers API. */
  public void reset() {
    manifests.clear();
    manifestTypes.clear();
    blobs.clear();
    seen.clear();
    override = ex -> false;
    referrersApi = ReferrersApi.NONE;
  }

  public void referrersApi(ReferrersApi mode) {
    this.referrersApi = mode;
  }

  /** The stored manifest (by digest or tag), or null. */
  public byte[] manifest(String reference) {
    return manifests.get(reference);
  }

  public void override(Handler o) {
    this.override = o;
  }

  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().toString(),
          String.valueOf(ex.getRequestHeaders().getFirst("Authorization")).replace("null", "")));
      if (override.handle(ex)) {
        return;
      }
      String path = ex.getRequestURI().getPath();
      ex.getResponseHeaders().set("Docker-Distribution-Api-Version", "registry/2.0");
      if (path.equals("/v2/")) {
        send(ex, 200, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
        return;
      }
      int rf = path.indexOf("/referrers/");
      if (rf > 0 && ex.getRequestMethod().equals("GET")) {
        if (referrersApi == ReferrersApi.NONE) {
          send(ex, 404, "text/plain", "404 page not found\n".getBytes(StandardCharsets.UTF_8));
          return;
        }
        String query = String.valueOf(ex.getRequestURI().getRawQuery());
        String filter = query.startsWith("artifactType=")
            ? java.net.URLDecoder.decode(query.substring("artifactType=".length()), StandardCharsets.UTF_8) : null;
        if (filter != null && referrersApi == ReferrersApi.FILTERING) {
          ex.getResponseHeaders().set("OCI-Filters-Applied", "artifactType");
        }
        send(ex, 200, "application/vnd.oci.image.index.v1+json",
            referrersIndex(path.substring(rf + "/referrers/".length()), referrersApi == ReferrersApi.FILTERING ? filter : null));
        return;
      }
      if (path.endsWith("/blobs/uploads/") && ex.getRequestMethod().equals("POST")) {
        ex.getResponseHeaders().set("Location", path + "u" + uploads.incrementAndGet());
        send(ex, 202, null, new byte[0]);
        return;
      }
      if (path.contains("/blobs/uploads/") && ex.getRequestMethod().equals("PUT")) {
        byte[] b = ex.getRequestBody().readAllBytes();
        String want = String.valueOf(ex.getRequestURI().getQuery()).replace("digest=", "");
        if (!want.equals(sha256(b))) {
          send(ex, 400, "application/json", "{\"errors\":[{\"code\":\"DIGEST_INVALID\"}]}".getBytes(StandardCharsets.UTF_8));
          return;
        }
        blobs.put(want, b);
        ex.getResponseHeaders().set("Docker-Content-Digest", want);
        send(ex, 201, null, new byte[0]);
        return;
      }
      int m = path.indexOf("/manifests/");
      if (m > 0 && ex.getRequestMethod().equals("PUT")) {
        String ref = path.substring(m + "/manifests/".length());
        byte[] b = ex.getRequestBody().readAllBytes();
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        putManifest(ref.startsWith("sha256:") ? null : ref, type, b);
        String subject = subjectOf(b);
        if (subject != null && referrersApi != ReferrersApi.NONE) {
          ex.getResponseHeaders().set("OCI-Subject", subject);
        }
        ex.getResponseHeaders().set("Docker-Content-Digest", sha256(b));
        send(ex, 201, null, new byte[0]);
        return;
      }
      if (m > 0) {
        String ref = path.substring(m + "/manifests/".length());
        byte[] b = manifests.get(ref);
        if (b == null) {
          send(ex, 404, "application/json", "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}".getBytes(StandardCharsets.UTF_8));
          return;
        }
        ex.getResponseHeaders().set("Docker-Content-Digest", sha256(b));
        send(ex, 200, manifestTypes.get(ref), b);
        return;
      }
      int bl = path.indexOf("/blobs/");
      if (bl > 0) {
        byte[] b = blobs.get(path.substring(bl + "/blobs/".length()));
        if (b == null) {
          send(ex, 404, "application/json", "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}".getBytes(StandardCharsets.UTF_8));
          return;
        }
        send(ex, 200, "application/octet-stream", b);
        return;
      }
      send(ex, 404, "text/plain", new byte[0]);
    }
  }

  private static String subjectOf(byte[] manifest) {
    try {
      com.fasterxml.jackson.databind.JsonNode n = dev.bitproof.json.Json.mapper().readTree(manifest);
      return n.path("subject").path("digest").isTextual() ? n.path("subject").path("digest").asText() : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The referrers of {@code digest} among the stored manifests, as the distribution spec 1.1 API lists them. */
  private byte[] referrersIndex(String digest, String artifactType) throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode idx = dev.bitproof.json.Json.mapper().createObjectNode();
    idx.put("schemaVersion", 2);
    idx.put("mediaType", "application/vnd.oci.image.index.v1+json");
    com.fasterxml.jackson.databind.node.ArrayNode ms = idx.putArray("manifests");
    for (Map.Entry<String, byte[]> e : new java.util.TreeMap<>(manifests).entrySet()) {
      if (!e.getKey().startsWith("sha256:") || !digest.equals(subjectOf(e.getValue()))) {
        continue;
      }
      com.fasterxml.jackson.databind.JsonNode n = dev.bitproof.json.Json.mapper().readTree(e.getValue());
      String type = n.path("artifactType").asText(n.path("config").path("mediaType").asText());
      if (artifactType != null && !artifactType.equals(type)) {
        continue;
      }
      com.fasterxml.jackson.databind.node.ObjectNode d = ms.addObject();
      d.put("mediaType", manifestTypes.get(e.getKey()));
      d.put("digest", e.getKey());
      d.put("size", e.getValue().length);
      d.put("artifactType", type);
      if (n.has("annotations")) {
        d.set("annotations", n.get("annotations"));
      }
    }
    return dev.bitproof.json.Json.mapper().writeValueAsBytes(idx);
  }

  /** Sends a complete response (HEAD gets headers only). */
  public static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
    if (contentType != null) {
      ex.getResponseHeaders().set("Content-Type", contentType);
    }
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      ex.getResponseBody().write(body);
    }
  }

  public static String sha256(byte[] b) {
    return dev.bitproof.oci.Digest.sha256(b).toString();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
