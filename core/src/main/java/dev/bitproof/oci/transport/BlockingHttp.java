package dev.bitproof.oci.transport;

import dev.bitproof.report.CheckException;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpRetryException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * One blocking HTTP/1.1 exchange per call, over the JDK's {@link HttpURLConnection} (keep-alive pooled by the JDK).
 *
 * <p>Why not {@code java.net.http.HttpClient}: measured on a 100 MB registry pull, its first request costs 0.3-0.6 s
 * of wall time and ~0.45 s of CPU in a fresh JVM (the reactive pipeline, its selector thread and executor, and the
 * classes they load), against ~30 ms for {@code HttpURLConnection}; a CLI that makes one copy per JVM pays that every
 * time, even for a mount that moves no bytes. Blob bodies stream through the caller's thread with no copying
 * between buffers. No library was added: OkHttp or Apache HttpClient 5 would load more classes than this for the
 * same five methods, and the JDK's client needs no dependency review.
 *
 * <p>Nothing here follows redirects, authenticates or retries: {@link RegistryClient} does that by hand (so
 * {@code Authorization} never leaves the registry's origin). Timeouts: the connect timeout, and a read timeout on
 * every read (headers and body), so a server that stalls ends in {@link java.net.SocketTimeoutException}. Proxies come
 * from the default {@link java.net.ProxySelector} ({@code https.proxyHost} etc.).
 */
final class BlockingHttp {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
  /** Error bodies and other answers read as text are cut here: they only go into messages. */
  static final int MAX_TEXT = 64 * 1024;

  private final Supplier<SSLContext> tlsContext;
  private final boolean trustAnyHost;
  private volatile SSLSocketFactory tls;

  /**
   * {@code tls} null: the JDK's default trust; {@code trustAnyHost}: no hostname check (insecure only). The context is
   * made on the first https request: setting one up loads the security providers (~50 ms), which a plain-http
   * loopback registry never needs.
   */
  BlockingHttp(Supplier<SSLContext> tls, boolean trustAnyHost) {
    this.tlsContext = tls;
    this.trustAnyHost = trustAnyHost;
  }

  private SSLSocketFactory tls() {
    SSLSocketFactory f = tls;
    if (f == null && tlsContext != null) {
      synchronized (this) {
        if (tls == null) {
          tls = tlsContext.get().getSocketFactory();
        }
        f = tls;
      }
    }
    return f;
  }

  /** A request as a mutable builder: each {@link RegistryClient} attempt builds a fresh one. */
  static final class Request {
    private URI uri;
    private String method = "GET";
    private final Map<String, List<String>> headers = new LinkedHashMap<>();
    private byte[] bytes;
    private InputStream stream;
    private long length = -1;
    private Duration timeout;

    private Request(URI uri) {
      this.uri = uri;
    }

    static Request to(URI uri) {
      return new Request(uri);
    }

    Request GET() {
      return method("GET");
    }

    Request HEAD() {
      return method("HEAD");
    }

    Request DELETE() {
      return method("DELETE");
    }

    /** POST with an empty body. */
    Request POST() {
      method = "POST";
      bytes = new byte[0];
      return this;
    }

    Request PUT(byte[] body) {
      method = "PUT";
      bytes = body;
      return this;
    }

    /** PUT streaming {@code length} bytes of a one-shot stream (never buffered: a blob can be larger than the heap). */
    Request PUT(InputStream body, long length) {
      method = "PUT";
      stream = body;
      this.length = length;
      return this;
    }

    private Request method(String m) {
      method = m;
      bytes = null;
      stream = null;
      return this;
    }

    Request header(String name, String value) {
      headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      return this;
    }

    Request timeout(Duration d) {
      timeout = d;
      return this;
    }

    Optional<Duration> timeout() {
      return Optional.ofNullable(timeout);
    }

    URI uri() {
      return uri;
    }

    String method() {
      return method;
    }

    /** The same request (method, headers but {@code Authorization}, body) aimed at another URI. */
    Request at(URI target) {
      Request n = new Request(target);
      n.method = method;
      headers.forEach((k, vs) -> {
        if (!k.equalsIgnoreCase("Authorization")) {
          n.headers.put(k, new ArrayList<>(vs));
        }
      });
      n.bytes = bytes;
      n.stream = stream;
      n.length = length;
      n.timeout = timeout;
      return n;
    }
  }

  /** Response headers, names case-insensitive. */
  record Headers(Map<String, List<String>> map) {
    static final Headers EMPTY = new Headers(Map.of());

    Optional<String> firstValue(String name) {
      List<String> v = map.get(name);
      return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    OptionalLong firstValueAsLong(String name) {
      Optional<String> v = firstValue(name);
      if (v.isEmpty()) {
        return OptionalLong.empty();
      }
      try {
        return OptionalLong.of(Long.parseLong(v.get().trim()));
      } catch (NumberFormatException e) {
        return OptionalLong.empty();
      }
    }

    List<String> allValues(String name) {
      return map.getOrDefault(name, List.of());
    }
  }

  /** A response whose body is read by the caller; {@link #close()} returns the connection to the pool or drops it. */
  static final class Response implements Closeable {
    private final int status;
    private final Headers headers;
    private final InputStream body;
    private final HttpURLConnection conn;

    Response(int status, Headers headers, InputStream body, HttpURLConnection conn) {
      this.status = status;
      this.headers = headers;
      this.body = body;
      this.conn = conn;
    }

    int statusCode() {
      return status;
    }

    Headers headers() {
      return headers;
    }

    /** The raw body (never null); {@link RegistryClient#body} guards it against stalls and truncation. */
    InputStream body() {
      return body;
    }

    /** The body as text, at most {@link #MAX_TEXT} bytes, for messages; a read error yields what arrived. */
    String text() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (InputStream in = body) {
        byte[] b = new byte[8192];
        int n;
        while (out.size() < MAX_TEXT && (n = in.read(b, 0, Math.min(b.length, MAX_TEXT - out.size()))) > 0) {
          out.write(b, 0, n);
        }
      } catch (IOException ignored) {
        // an excerpt is best effort
      }
      return out.toString(StandardCharsets.UTF_8);
    }

    /** Abandons the body: the JDK drains a short rest for keep-alive in the background, or drops the connection. */
    @Override
    public void close() {
      try {
        body.close();
      } catch (IOException ignored) {
        if (conn != null) {
          conn.disconnect();
        }
      }
    }
  }

  /** Blocked uploads are cut by this thread: a socket write has no timeout of its own. */
  private static final class Watchdog {
    static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bitproof-upload-watchdog");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Streams {@code r}'s body. A write the server does not take for {@code timeout} (it stopped reading: the socket's
   * buffers are full) is ended by closing the connection from the watchdog, as {@code REGISTRY_STALLED}. The last
   * chunk goes out only after the source reached its end: a verifying source checks its digest there, and a request
   * cut short of its {@code Content-Length} is one the server can never commit.
   */
  private static void upload(HttpURLConnection c, Request r, Duration timeout) throws IOException {
    AtomicLong writingSince = new AtomicLong();
    AtomicBoolean cut = new AtomicBoolean();
    long limit = timeout.toNanos();
    long period = Math.max(10, Math.min(250, timeout.toMillis() / 4));
    ScheduledFuture<?> watch = Watchdog.TIMER.scheduleWithFixedDelay(() -> {
      long since = writingSince.get();
      if (since != 0 && System.nanoTime() - since > limit && cut.compareAndSet(false, true)) {
        c.disconnect();
      }
    }, period, period, TimeUnit.MILLISECONDS);
    try (OutputStream out = c.getOutputStream()) {
      byte[] buf = new byte[256 * 1024];
      long left = r.length;
      while (left > 0) {
        if (Thread.currentThread().isInterrupted()) {
          throw new java.io.InterruptedIOException("interrupted while sending to " + r.uri);
        }
        int n = r.stream.read(buf, 0, (int) Math.min(buf.length, left));
        if (n <= 0) {
          throw new IOException("request body ended " + left + " bytes short of " + r.length);
        }
        left -= n;
        if (left == 0 && r.stream.read() != -1) {
          throw new IOException("request body is longer than " + r.length + " bytes");
        }
        writingSince.set(System.nanoTime());
        out.write(buf, 0, n);
        writingSince.set(0);
      }
    } catch (IOException e) {
      if (cut.get()) {
        throw new CheckException(TransportCode.REGISTRY_STALLED, r.uri.toString(),
            "the registry took no byte of the upload for " + timeout.toMillis() + " ms", e);
      }
      throw e;
    } finally {
      watch.cancel(false);
    }
  }

  /**
   * Sends {@code r} and returns once the status line and headers arrived. Connection failures and timeouts are the
   * JDK's exceptions ({@link java.net.ConnectException}, {@link java.net.SocketTimeoutException}, {@link javax.net.ssl.SSLException}).
   */
  Response send(Request r, Duration defaultTimeout) throws IOException {
    HttpURLConnection c = (HttpURLConnection) r.uri.toURL().openConnection();
    if (c instanceof HttpsURLConnection https) {
      SSLSocketFactory f = tls();
      if (f != null) {
        https.setSSLSocketFactory(f);
      }
      if (trustAnyHost) {
        https.setHostnameVerifier((host, session) -> true);
      }
    }
    c.setInstanceFollowRedirects(false);
    c.setUseCaches(false);
    c.setAllowUserInteraction(false);
    c.setConnectTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.min(CONNECT_TIMEOUT.toMillis(), r.timeout().orElse(defaultTimeout).toMillis()))));
    c.setReadTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, r.timeout().orElse(defaultTimeout).toMillis())));
    c.setRequestMethod(r.method);
    r.headers.forEach((k, vs) -> vs.forEach(v -> c.addRequestProperty(k, v)));
    if (!r.headers.containsKey("Accept")) {
      // HttpURLConnection would send its browser-like default
      c.setRequestProperty("Accept", "*/*");
    }
    try {
      if (r.stream != null) {
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(r.length);
        upload(c, r, r.timeout().orElse(defaultTimeout));
      } else if (r.bytes != null) {
        // not streamed: the JDK sends Content-Length from its buffer, and a 401 stays a readable response (with the
        // WWW-Authenticate challenge RegistryClient re-authenticates from); a streamed one hides it
        c.setDoOutput(true);
        try (OutputStream out = c.getOutputStream()) {
          out.write(r.bytes);
        }
      }
      int status;
      try {
        status = c.getResponseCode();
      } catch (HttpRetryException e) {
        // a streamed request answered 401 (or a redirect): the JDK refuses to read it as a response, but the status stands
        return new Response(e.responseCode(), Headers.EMPTY, InputStream.nullInputStream(), c);
      }
      if (status < 0) {
        throw new IOException("not an HTTP response from " + r.uri);
      }
      Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      c.getHeaderFields().forEach((k, v) -> {
        if (k != null) {
          h.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v);
        }
      });
      InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream();
      return new Response(status, new Headers(Collections.unmodifiableMap(h)), body == null ? InputStream.nullInputStream() : body, c);
    } catch (IOException | RuntimeException e) {
      c.disconnect();
      throw e;
    }
  }
}
