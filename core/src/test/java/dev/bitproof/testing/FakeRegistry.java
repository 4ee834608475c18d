package dev.bitproof.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A hostile-by-choice registry for tests: a loopback {@code com.sun.net.httpserver} that serves the v2 read API
 * from maps, and lets a test take over any request ({@link #override}) to send wrong bytes, truncate, redirect or
 * answer 401/403/404/429/5xx. It records every request it saw (method, path, Authorization header).
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
      int m = path.indexOf("/manifests/");
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
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
