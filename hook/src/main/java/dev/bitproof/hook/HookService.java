package dev.bitproof.hook;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The registry hook: an HTTP endpoint for distribution's notifications that stores each pushed image as a job before
 * it acknowledges the event, workers that check the jobs, and the results API over the same database.
 *
 * <p>{@code POST /events}, {@code GET /healthz}, {@code GET /readyz} (the database answers), {@code GET /metrics}
 * (Prometheus), {@code GET /v1/results/<repository>@<digest>}, {@code GET /v1/results?result=&since=&limit=}.
 */
public final class HookService implements AutoCloseable {
  /**
   * @param port 0 picks a free port: read it back with {@link #port()}
   * @param maxBody the largest event body accepted (413 above)
   * @param threads the HTTP server's threads at most (requests beyond wait in its queue)
   */
  public record ServerSettings(String host, int port, Optional<Tls> tls, int maxBody, int threads) {
    public ServerSettings {
      if (port < 0 || port > 65535 || maxBody < 1024 || threads < 4) {
        throw new IllegalArgumentException("port 0..65535, maxBody ≥ 1024, threads ≥ 4");
      }
    }

    public static ServerSettings loopback() {
      return new ServerSettings("127.0.0.1", 0, Optional.empty(), RegistryEvent.MAX_ENVELOPE, 16);
    }
  }

  public static final int MAX_LIST = 1000;

  private final JobStore store;
  private volatile CheckSettings checks;
  private final EventAuth auth;
  private final HookMetrics metrics;
  private final Workers workers;
  private final Server server;
  private final ServerConnector connector;
  private final Clock clock;
  private final Consumer<String> log;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private HookService(ServerSettings http, WorkerSettings ws, JobStore store, CheckSettings checks, ImageChecker checker,
      EventAuth auth, Clock clock, Consumer<String> log) {
    this.store = store;
    this.checks = checks;
    this.auth = auth;
    this.clock = clock;
    this.log = log;
    this.metrics = new HookMetrics(store);
    this.workers = new Workers(ws, store, checker, () -> this.checks, metrics, clock, log, stopped::countDown);
    QueuedThreadPool pool = new QueuedThreadPool(http.threads(), 2);
    pool.setName("bitproof-hook-http");
    pool.setDaemon(true);
    server = new Server(pool);
    HttpConfiguration hc = new HttpConfiguration();
    hc.setSendServerVersion(false);
    hc.setRequestHeaderSize(16 * 1024);
    if (http.tls().isPresent()) {
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setKeyStore(http.tls().get().keyStore());
      ssl.setKeyStorePassword(new String(Tls.PASSWORD));
      ssl.setKeyManagerPassword(new String(Tls.PASSWORD));
      hc.addCustomizer(new org.eclipse.jetty.server.SecureRequestCustomizer(false));
      connector = new ServerConnector(server, ssl, new HttpConnectionFactory(hc));
    } else {
      connector = new ServerConnector(server, new HttpConnectionFactory(hc));
    }
    connector.setHost(http.host());
    connector.setPort(http.port());
    connector.setIdleTimeout(30_000);
    server.addConnector(connector);
    server.setHandler(new Api(http.maxBody()));
  }

  /**
   * Starts the server and the workers. Jobs left by a previous run (queued, or running when it died) are picked up.
   * Throws {@code HOOK_LISTEN_FAILED} when the address cannot be bound.
   */
  public static HookService start(ServerSettings http, WorkerSettings workers, JobStore store, CheckSettings checks,
      ImageChecker checker, EventAuth auth, Clock clock, Consumer<String> log) {
    HookService s = new HookService(http, workers, store, checks, checker, auth, clock, log);
    try {
      s.server.start();
    } catch (Exception e) {
      try {
        s.server.stop();
      } catch (Exception ignored) {
        // it did not start
      }
      throw new CheckException(HookCode.HOOK_LISTEN_FAILED, http.host() + ":" + http.port(), "cannot listen: " + e.getMessage(), e);
    }
    s.workers.start();
    return s;
  }

  /** The bound port (the real one when the settings said 0). */
  public int port() {
    return connector.getLocalPort();
  }

  public URI uri() {
    String scheme = connector.getDefaultConnectionFactory() instanceof HttpConnectionFactory ? "http" : "https";
    String host = connector.getHost().contains(":") ? "[" + connector.getHost() + "]" : connector.getHost();
    return URI.create(scheme + "://" + host + ":" + port());
  }

  /**
   * Replaces the check settings (a reloaded configuration): events from now on get the new policy versions, and jobs
   * not yet started are checked with the new settings.
   */
  public void reconfigure(CheckSettings settings) {
    this.checks = settings;
  }

  public HookMetrics metrics() {
    return metrics;
  }

  /** Jobs this process finished. */
  public int finished() {
    return workers.finished();
  }

  /** Blocks until {@link #close()} or, with {@code maxJobs}, until that many jobs finished. */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  @Override
  public void close() {
    stopped.countDown();
    try {
      server.stop();
    } catch (Exception e) {
      log.accept("bitproof hook: stopping the server: " + e);
    }
    workers.close();
    store.close();
  }

  private final class Api extends Handler.Abstract {
    /** The most of a rejected body read and dropped before answering (see {@link #rejectUnread}). */
    static final long DRAIN_LIMIT = 16L * 1024 * 1024;

    private final int maxBody;

    Api(int maxBody) {
      this.maxBody = maxBody;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = Request.getPathInContext(request);
      String method = request.getMethod();
      try {
        if (path.equals("/events")) {
          onEvents(request, response, callback);
        } else if (!method.equals("GET") && !method.equals("HEAD")) {
          reply(response, callback, 405, "GET only\n");
        } else if (path.equals("/healthz")) {
          reply(response, callback, 200, "ok\n");
        } else if (path.equals("/readyz")) {
          boolean up = store.ping();
          reply(response, callback, up ? 200 : 503, up ? "ready\n" : "HOOK_DATABASE_UNAVAILABLE\n");
        } else if (path.equals("/metrics")) {
          send(response, callback, 200, HookMetrics.contentType(), metrics.scrape());
        } else if (path.equals("/v1/results") || path.startsWith("/v1/results/")) {
          onResults(request, response, callback, path);
        } else {
          reply(response, callback, 404, "not found\n");
        }
      } catch (SQLException | RuntimeException e) {
        reply(response, callback, 503, "HOOK_DATABASE_UNAVAILABLE\n");
      }
      return true;
    }

    private void onEvents(Request request, Response response, Callback callback) throws SQLException {
      if (!request.getMethod().equals("POST")) {
        metrics.reject(HookMetrics.Rejection.METHOD);
        reply(response, callback, 405, "POST only\n");
        return;
      }
      String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
      String signature = request.getHeaders().get(EventAuth.SIGNATURE_HEADER);
      if (auth.required() && authorization == null && signature == null) {
        metrics.reject(HookMetrics.Rejection.UNAUTHORIZED);
        rejectUnread(request, response, callback, 401, "HOOK_UNAUTHORIZED\n");
        return;
      }
      if (request.getLength() > maxBody) {
        metrics.reject(HookMetrics.Rejection.TOO_LARGE);
        rejectUnread(request, response, callback, 413, "HOOK_EVENT_TOO_LARGE\n");
        return;
      }
      byte[] body = null;
      try (InputStream in = Content.Source.asInputStream(request)) {
        try {
          body = LimitedInputStream.readAll(in, maxBody, HookCode.HOOK_EVENT_TOO_LARGE, "envelope");
        } catch (CheckException | IOException e) {
          metrics.reject(HookMetrics.Rejection.TOO_LARGE);
          rejectUnread(in, response, callback, 413, "HOOK_EVENT_TOO_LARGE\n");
        }
      } catch (IOException closing) {
        // a body read whole stays good when its stream fails to close
      }
      if (body == null) {
        return; // answered with 413
      }
      switch (auth.check(authorization, signature, body)) {
        case OK -> { }
        case REPLAYED -> {
          metrics.reject(HookMetrics.Rejection.REPLAYED);
          reply(response, callback, 401, "HOOK_REPLAYED\n");
          return;
        }
        default -> {
          metrics.reject(HookMetrics.Rejection.UNAUTHORIZED);
          reply(response, callback, 401, "HOOK_UNAUTHORIZED\n");
          return;
        }
      }
      List<RegistryEvent> events;
      try {
        events = RegistryEvent.parseEnvelope(body);
      } catch (CheckException e) {
        metrics.reject(HookMetrics.Rejection.MALFORMED);
        reply(response, callback, 400, e.code() + ": " + e.getMessage() + "\n");
        return;
      }
      metrics.received.inc(events.size());
      List<JobStore.NewJob> jobs = new ArrayList<>();
      for (RegistryEvent e : events) {
        if (e.isImagePush()) {
          CheckSettings now = checks;
          jobs.add(new JobStore.NewJob(now.registry(), e.repository(), e.digest(), now.policyVersion(e.repository()),
              e.tag(), e.mediaType().value(), e.id()));
        }
      }
      JobStore.Enqueued q;
      try {
        q = store.enqueue(jobs, clock.millis());
      } catch (SQLException | RuntimeException down) {
        // not stored, so not acknowledged: the registry keeps the event and sends it again
        metrics.reject(HookMetrics.Rejection.UNAVAILABLE);
        response.getHeaders().put(HttpHeader.RETRY_AFTER, "5");
        reply(response, callback, 503, "HOOK_DATABASE_UNAVAILABLE\n");
        log.accept("bitproof hook: refused an event (503): cannot store it: " + down.getMessage());
        return;
      }
      metrics.queued.inc(q.added());
      metrics.duplicates.inc(q.duplicates());
      if (q.added() > 0) {
        workers.wake();
        for (JobStore.NewJob j : jobs) {
          log.accept("bitproof hook: stored " + j.repository() + "@" + j.digest() + j.tag().map(t -> " (" + t + ")").orElse(""));
        }
      }
      ObjectNode ack = Json.mapper().createObjectNode();
      ack.put("stored", q.added());
      ack.put("duplicates", q.duplicates());
      send(response, callback, 200, "application/json", json(ack));
    }

    private void onResults(Request request, Response response, Callback callback, String path) throws SQLException {
      if (!auth.bearerOk(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
        reply(response, callback, 401, "HOOK_UNAUTHORIZED\n");
        return;
      }
      if (path.startsWith("/v1/results/")) {
        String rest = path.substring("/v1/results/".length());
        int at = rest.lastIndexOf('@');
        Digest d;
        try {
          if (at <= 0 || !ImageReference.isValidRepository(rest.substring(0, at))) {
            throw new CheckException(HookCode.HOOK_RESULT_QUERY_INVALID, rest, "want <repository>@<digest>");
          }
          d = Digest.parse(rest.substring(at + 1));
        } catch (CheckException e) {
          reply(response, callback, 400, "HOOK_RESULT_QUERY_INVALID: want /v1/results/<repository>@<digest>\n");
          return;
        }
        Optional<JobStore.Stored> r = store.result(rest.substring(0, at), d);
        if (r.isEmpty()) {
          reply(response, callback, 404, "HOOK_RESULT_NOT_FOUND\n");
          return;
        }
        send(response, callback, 200, "application/json", r.get().document());
        return;
      }
      Fields q = Request.extractQueryParameters(request);
      Optional<String> result = Optional.ofNullable(q.getValue("result")).map(s -> s.toUpperCase(java.util.Locale.ROOT));
      long since = 0;
      int limit = 100;
      try {
        if (result.isPresent() && !List.of("PASS", "FAIL", "ERROR", "SKIPPED").contains(result.get())) {
          throw new IllegalArgumentException("result must be PASS, FAIL, ERROR or SKIPPED");
        }
        if (q.getValue("since") != null) {
          since = Instant.parse(q.getValue("since")).toEpochMilli();
        }
        if (q.getValue("limit") != null) {
          limit = Integer.parseInt(q.getValue("limit"));
          if (limit < 1 || limit > MAX_LIST) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIST);
          }
        }
      } catch (IllegalArgumentException | DateTimeParseException e) {
        reply(response, callback, 400, "HOOK_RESULT_QUERY_INVALID: " + e.getMessage() + "\n");
        return;
      }
      ObjectNode out = Json.mapper().createObjectNode();
      out.put("schemaVersion", 1);
      out.put("kind", "bitproof-hook-results");
      ArrayNode arr = out.putArray("results");
      for (JobStore.Stored s : store.results(result, since, limit)) {
        ObjectNode n = arr.addObject();
        n.put("repository", s.repository());
        n.put("digest", s.digest().toString());
        n.put("result", s.result());
        n.put("attempts", s.attempts());
        n.put("events", s.events());
        n.put("finished", Instant.ofEpochMilli(s.finishedAt()).toString());
        n.set("document", Json.parse(s.document(), "stored result"));
      }
      send(response, callback, 200, "application/json", json(out));
    }

    private static byte[] json(ObjectNode n) {
      try {
        return Json.mapper().writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(n);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    /**
     * Rejects a request whose body was not (wholly) read. Answering while the client is still sending, then closing,
     * makes the kernel reset the connection, and the reset can destroy the answer before the client reads it: a
     * registry would see "connection reset" instead of 413 (one 2 MiB event in ten on a loaded machine). So the rest
     * of the body is read and dropped first, up to {@link #DRAIN_LIMIT}; the connection is closed after the answer
     * either way, so it is never reused with unread bytes in it.
     */
    private static void rejectUnread(Request request, Response response, Callback callback, int code, String text) {
      try (InputStream in = Content.Source.asInputStream(request)) {
        rejectUnread(in, response, callback, code, text);
      } catch (IOException closing) {
        // the answer is on its way; the request's stream only failed to close
      }
    }

    private static void rejectUnread(InputStream in, Response response, Callback callback, int code, String text) {
      try {
        byte[] sink = new byte[64 * 1024];
        long dropped = 0;
        for (int n; dropped < DRAIN_LIMIT && (n = in.read(sink)) > 0; ) {
          dropped += n;
        }
      } catch (IOException | RuntimeException e) {
        // the client went away or sent a broken body: the answer below is all that is left to try
      }
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
      reply(response, callback, code, text);
    }

    private static void reply(Response response, Callback callback, int code, String text) {
      send(response, callback, code, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(Response response, Callback callback, int code, String type, byte[] body) {
      response.setStatus(code);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
      response.write(true, ByteBuffer.wrap(body), callback);
    }
  }
}
