package dev.bitproof.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A loopback HTTP relay for registry notifications: bound on port 0 by the test itself, so a registry can be started
 * notifying {@link #url()} before the hook it is meant for is up; {@link #forwardTo} then points it at the hook.
 * Until then it answers 503, which the registry retries. The request's body and its {@code Authorization} and
 * {@code Content-Type} headers are forwarded as received; the hook's status and body come back unchanged.
 */
public final class NotificationRelay implements AutoCloseable {
  private final HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();
  private volatile URI target;

  private NotificationRelay(HttpServer server) {
    this.server = server;
  }

  public static NotificationRelay start() throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    NotificationRelay relay = new NotificationRelay(s);
    s.createContext("/", relay::relay);
    s.start();
    return relay;
  }

  /** Where the registry sends its notifications. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/events";
  }

  /** From now on, every notification goes to {@code url}. */
  public void forwardTo(String url) {
    target = URI.create(url);
  }

  private void relay(com.sun.net.httpserver.HttpExchange ex) throws IOException {
    try (ex; InputStream in = ex.getRequestBody()) {
      byte[] body = in.readAllBytes();
      URI to = target;
      if (to == null) {
        ex.sendResponseHeaders(503, -1);
        return;
      }
      HttpRequest.Builder req = HttpRequest.newBuilder(to).timeout(Duration.ofSeconds(30))
          .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
      for (String h : new String[] {"Authorization", "Content-Type"}) {
        String v = ex.getRequestHeaders().getFirst(h);
        if (v != null) {
          req.header(h, v);
        }
      }
      HttpResponse<byte[]> r;
      try {
        r = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        ex.sendResponseHeaders(502, -1);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ex.sendResponseHeaders(503, -1);
        return;
      }
      ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
      if (r.body().length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(r.body());
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
