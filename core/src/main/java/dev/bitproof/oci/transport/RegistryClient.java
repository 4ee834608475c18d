package dev.bitproof.oci.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.registry.credentials.DockerConfigCredentialRetriever;
import dev.bitproof.json.Json;
import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import dev.bitproof.oci.transport.BlockingHttp.Headers;
import dev.bitproof.oci.transport.BlockingHttp.Request;
import dev.bitproof.oci.transport.BlockingHttp.Response;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;

/**
 * The registry v2 HTTP API over {@link BlockingHttp} (the JDK's {@code HttpURLConnection}), for one repository.
 *
 * <p>Why not jib-core's {@code RegistryClient} for everything: its manifest pull hands back a re-serialized
 * template, never the bytes the registry served, so digests of annotations-bearing or pretty-printed manifests
 * change (see java-dependencies.md §2). Jib serves us where it is exact: reading {@code ~/.docker/config.json}
 * (auths, credHelpers, credsStore) through {@link DockerConfigCredentialRetriever}.
 *
 * <p>Auth: the {@code /v2/} ping's challenge picks Basic or Bearer; a bearer token is fetched from the realm
 * with the credentials (or anonymously) for {@code repository:REPO:pull[,push]}. Redirects are followed by hand
 * (at most {@value #MAX_REDIRECTS}) and the {@code Authorization} header is never sent to another host, so blob
 * storage (S3, a CDN) never sees registry credentials. 429 and 5xx are retried with exponential backoff,
 * honouring {@code Retry-After} up to the policy's cap; other statuses map to stable codes.
 */
public final class RegistryClient {
  static final int MAX_REDIRECTS = 5;
  static final String USER_AGENT = "bitproof/0.1";
  static final Duration INSECURE_PROBE_TIMEOUT = Duration.ofSeconds(2);
  /** Registries (host:port) this JVM found speaking plain http; only consulted with {@code insecure}. */
  private static final Map<String, String> PLAIN_HTTP = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * How often and how long to retry a request answered with 429 or 5xx, or whose connection was refused.
   *
   * @param attempts total tries (1 = no retry)
   * @param base first backoff; doubled each time
   * @param max cap for one wait, also for a server's {@code Retry-After}
   * @param timeout how long to wait for a response's headers before the attempt counts as failed
   */
  public record Retry(int attempts, Duration base, Duration max, Duration timeout) {
    public static final Retry DEFAULT = new Retry(4, Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofSeconds(60));

    public Retry {
      if (attempts < 1) {
        throw new IllegalArgumentException("attempts must be >= 1");
      }
    }

    Duration delay(int attempt, Optional<Duration> retryAfter) {
      Duration d = retryAfter.orElseGet(() -> base.multipliedBy(1L << Math.min(attempt, 20)));
      return d.compareTo(max) > 0 ? max : d;
    }
  }

  /** What the registry is asked to allow. */
  enum Access {
    PULL("pull"), PUSH("pull,push");

    final String actions;

    Access(String actions) {
      this.actions = actions;
    }
  }

  private final String registry;
  private final String repository;
  private final TransportOptions options;
  private final Retry retry;
  private final Access access;
  private final BlockingHttp http;
  // set once by the ping, renewed on a 401; blobs move on several threads (Copier), so reads see the latest
  private volatile String scheme;
  private volatile String authorization;
  private volatile Challenge challenge;
  private Optional<Credential> credential;

  /**
   * A response body as readers should see it: a read that waits the retry timeout for a byte (the socket's read
   * timeout) ends with {@code REGISTRY_STALLED}, a body cut short of its {@code Content-Length} or by a reset with
   * {@code REGISTRY_TRUNCATED}.
   */
  java.io.InputStream body(Response r, String subject) {
    return new Registry.TruncationGuard(r.body(), r.headers().firstValueAsLong("Content-Length"), subject);
  }

  RegistryClient(String registry, String repository, TransportOptions options, Retry retry, Access access) {
    this.registry = registry;
    this.repository = repository;
    this.options = options;
    this.retry = retry;
    this.access = access;
    this.http = options.insecure() ? new BlockingHttp(RegistryClient::trustAll, true) : new BlockingHttp(null, false);
  }

  /**
   * With {@code insecure}, a loopback registry is asked over plain http first: the traffic never leaves the machine,
   * so there is nothing to downgrade, and the https probe costs a TLS handshake's key generation (about 0.3 s of CPU
   * in a fresh JVM) to learn what a plain {@code GET /v2/} says at once. Only a registry's answer (200 or 401) counts;
   * anything else (a TLS server's 400, a reset) falls back to https first. The answer is the ping's: it is not asked
   * twice.
   */
  private Optional<Response> answersPlainHttp() {
    try (Response r = http.send(Request.to(URI.create("http://" + registry + "/v2/"))
        .timeout(INSECURE_PROBE_TIMEOUT).header("User-Agent", USER_AGENT).GET(), INSECURE_PROBE_TIMEOUT)) {
      return r.statusCode() == 200 || r.statusCode() == 401 ? Optional.of(r) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static boolean loopback(String hostPort) {
    String host = hostPort.startsWith("[") ? hostPort.substring(1, Math.max(1, hostPort.indexOf(']')))
        : hostPort.contains(":") ? hostPort.substring(0, hostPort.lastIndexOf(':')) : hostPort;
    return host.equals("localhost") || host.equals("::1") || host.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");
  }

  /** Tests: skip the https probe for a loopback server known to speak plain http (used only with insecure). */
  static void rememberPlainHttp(String registry) {
    PLAIN_HTTP.put(registry, "http");
  }

  public String registry() {
    return registry;
  }

  public String repository() {
    return repository;
  }

  /** {@code https://host/v2/<repo>/<path>} (or http for an insecure registry that does not speak TLS). */
  URI uri(String path) throws IOException {
    return URI.create(base() + "/v2/" + repository + "/" + path);
  }

  private synchronized String base() throws IOException {
    if (scheme == null) {
      ping();
    }
    return scheme + "://" + registry;
  }

  /**
   * {@code GET /v2/}: learns the scheme and the auth challenge. https first; plain http only with
   * {@code insecure} (loopback test registries), as docker and skopeo do.
   */
  private void ping() throws IOException {
    Response r;
    Optional<Response> plain = Optional.empty();
    try {
      if ("http".equals(PLAIN_HTTP.get(registry)) && options.insecure()) {
        throw new SSLException("known to speak plain http");
      }
      if (options.insecure() && loopback(registry) && (plain = answersPlainHttp()).isPresent()) {
        throw new SSLException("a loopback registry answering plain http");
      }
      r = sendWithRetry(() -> {
        Request b = Request.to(URI.create("https://" + registry + "/v2/"));
        if (options.insecure()) {
          // a plain-http server may sit silent on a TLS hello (Go's answers at once, the JDK's does not)
          b.timeout(INSECURE_PROBE_TIMEOUT);
        }
        return b;
      });
      scheme = "https";
    } catch (IOException e) {
      if (!options.insecure()) {
        throw new CheckException(TransportCode.REGISTRY_UNREACHABLE, registry, "cannot reach https://" + registry + " (" + e + ")"
            + (e instanceof SSLException ? "; for a plain-http or self-signed loopback registry pass --insecure" : ""), e);
      }
      try {
        r = plain.isPresent() ? plain.get() : sendWithRetry(() -> Request.to(URI.create("http://" + registry + "/v2/")));
      } catch (IOException e2) {
        throw new CheckException(TransportCode.REGISTRY_UNREACHABLE, registry, "cannot reach " + registry + " over https ("
            + e + ") or http (" + e2 + ")", e2);
      }
      scheme = "http";
      PLAIN_HTTP.put(registry, "http");
    }
    r.close();
    if (r.statusCode() == 401) {
      challenge = Challenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(""));
      authenticate();
    } else if (r.statusCode() != 200) {
      // some registries answer /v2/ with 404; requests will show what is really wrong
      challenge = null;
    }
  }

  private synchronized Optional<Credential> credential() throws IOException {
    if (credential == null) {
      if (options.username().isPresent()) {
        credential = Optional.of(Credential.from(options.username().get(), options.password().orElse("")));
      } else if (options.dockerConfig().isPresent() && java.nio.file.Files.isRegularFile(options.dockerConfig().get())) {
        try {
          credential = DockerConfigCredentialRetriever.create(registry, options.dockerConfig().get()).retrieve(e -> {});
        } catch (IOException e) {
          throw new CheckException(TransportCode.REGISTRY_CREDENTIALS_INVALID, options.dockerConfig().get().toString(),
              "cannot read credentials from the docker config: " + e.getMessage(), e);
        }
      } else {
        credential = Optional.empty();
      }
    }
    return credential;
  }

  /** Sets {@link #authorization} for the current challenge. */
  private synchronized void authenticate() throws IOException {
    if (challenge == null) {
      return;
    }
    Optional<Credential> cred = credential();
    if (challenge.scheme().equals("basic")) {
      if (cred.isEmpty()) {
        throw new CheckException(TransportCode.REGISTRY_UNAUTHORIZED, registry,
            "registry wants basic auth and no credentials were given (--username/--password, --creds, "
                + "BITPROOF_REGISTRY_USERNAME/PASSWORD or ~/.docker/config.json)");
      }
      authorization = basicHeader(cred.get());
      return;
    }
    if (!challenge.scheme().equals("bearer")) {
      throw new CheckException(TransportCode.REGISTRY_AUTH_UNSUPPORTED, registry, "unsupported auth scheme '" + challenge.scheme() + "'");
    }
    String realm = challenge.params().get("realm");
    if (realm == null) {
      throw new CheckException(TransportCode.REGISTRY_AUTH_UNSUPPORTED, registry, "bearer challenge without a realm");
    }
    StringBuilder q = new StringBuilder();
    if (challenge.params().containsKey("service")) {
      q.append("service=").append(URLEncoder.encode(challenge.params().get("service"), StandardCharsets.UTF_8)).append('&');
    }
    q.append("scope=").append(URLEncoder.encode("repository:" + repository + ":" + access.actions, StandardCharsets.UTF_8));
    URI tokenUri = URI.create(realm + (realm.contains("?") ? "&" : "?") + q);
    if (!options.insecure() && !tokenUri.getScheme().equals("https")) {
      throw new CheckException(TransportCode.REGISTRY_AUTH_INSECURE, registry,
          "token realm " + realm + " is not https; refusing to send credentials (pass --insecure for loopback test registries)");
    }
    Response r = sendWithRetry(() -> {
      Request b = Request.to(tokenUri).header("Accept", "application/json");
      cred.ifPresent(c -> b.header("Authorization", basicHeader(c)));
      return b;
    });
    byte[] body;
    try (InputStream in = body(r, realm)) {
      body = LimitedInputStream.readAll(in, 1024 * 1024, TransportCode.REGISTRY_TOKEN_INVALID, realm);
    }
    if (r.statusCode() == 401 || r.statusCode() == 403) {
      throw new CheckException(TransportCode.REGISTRY_UNAUTHORIZED, registry, "token server " + realm + " refused the credentials (HTTP "
          + r.statusCode() + ")");
    }
    if (r.statusCode() != 200) {
      throw new CheckException(TransportCode.REGISTRY_TOKEN_INVALID, registry, "token server " + realm + " answered HTTP " + r.statusCode());
    }
    JsonNode n = Json.parseObject(body, "token from " + realm);
    String token = Json.text(n, "token").or(() -> Json.text(n, "access_token")).orElseThrow(
        () -> new CheckException(TransportCode.REGISTRY_TOKEN_INVALID, realm, "token response has neither token nor access_token"));
    authorization = "Bearer " + token;
  }

  private static String basicHeader(Credential c) {
    return "Basic " + Base64.getEncoder().encodeToString((c.getUsername() + ":" + c.getPassword()).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Sends an authenticated request to the registry, following redirects by hand and re-authenticating once on
   * 401. Returns the final response; statuses other than 401 are left to the caller.
   */
  Response send(Supplier<Request> request) throws IOException {
    return send(request, true);
  }

  Response send(Supplier<Request> request, boolean replayable) throws IOException {
    base();
    boolean reauthed = false;
    while (true) {
      Response r = followRedirects(request, replayable);
      if (r.statusCode() == 401 && !reauthed && replayable) {
        closeQuietly(r);
        Challenge c = Challenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(""));
        if (c.scheme().isEmpty()) {
          throw new CheckException(TransportCode.REGISTRY_UNAUTHORIZED, registry, "registry answered 401 without a challenge");
        }
        synchronized (this) {
          challenge = c;
          authenticate();
        }
        reauthed = true;
        continue;
      }
      if (r.statusCode() == 401) {
        closeQuietly(r);
        throw new CheckException(TransportCode.REGISTRY_UNAUTHORIZED, registry + "/" + repository,
            "registry refused " + (credential().isPresent() ? "the credentials" : "anonymous access") + " (HTTP 401)");
      }
      if (r.statusCode() == 403) {
        closeQuietly(r);
        throw new CheckException(TransportCode.REGISTRY_DENIED, registry + "/" + repository,
            "registry denied " + access.actions + " access (HTTP 403)");
      }
      return r;
    }
  }

  private Response followRedirects(Supplier<Request> request, boolean replayable) throws IOException {
    URI first = request.get().uri();
    URI current = first;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      final URI target = current;
      final boolean sameHost = sameOrigin(first, target);
      Response r = sendWithRetry(() -> {
        Request b = request.get().at(target);
        if (authorization != null && sameHost) {
          b.header("Authorization", authorization);
        }
        return b;
      }, replayable);
      int s = r.statusCode();
      if (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) {
        String loc = r.headers().firstValue("Location").orElseThrow(
            () -> new CheckException(TransportCode.REGISTRY_PROTOCOL_ERROR, target.toString(), "redirect without Location"));
        closeQuietly(r);
        current = target.resolve(loc);
        if (!options.insecure() && target.getScheme().equals("https") && !current.getScheme().equals("https")) {
          throw new CheckException(TransportCode.REGISTRY_PROTOCOL_ERROR, target.toString(), "redirect from https to " + current.getScheme());
        }
        continue;
      }
      return r;
    }
    throw new CheckException(TransportCode.REGISTRY_PROTOCOL_ERROR, first.toString(), "more than " + MAX_REDIRECTS + " redirects");
  }

  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }

  /** One request, retried on 429, 5xx and refused connections with backoff. */
  private Response sendWithRetry(Supplier<Request> request) throws IOException {
    return sendWithRetry(request, true);
  }

  /** {@code replayable} false: the body is a one-shot stream, so a 429/5xx is reported, not retried. */
  private Response sendWithRetry(Supplier<Request> request, boolean replayable) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Request req = request.get().header("User-Agent", USER_AGENT);
      if (req.timeout().isEmpty()) {
        req.timeout(retry.timeout());
      }
      boolean httpsProbe = options.insecure() && req.uri().getPath().equals("/v2/") && req.uri().getScheme().equals("https");
      Response r;
      try {
        r = http.send(req, retry.timeout());
      } catch (SocketTimeoutException e) {
        if (httpsProbe) {
          throw e;
        }
        if (attempt + 1 >= retry.attempts() || !replayable) {
          throw new CheckException(TransportCode.REGISTRY_TIMEOUT, req.uri().toString(),
              "no response within " + req.timeout().orElse(retry.timeout()).toMillis() + " ms after " + (attempt + 1) + " attempt(s)", e);
        }
        sleep(retry.delay(attempt, Optional.empty()));
        continue;
      } catch (ConnectException e) {
        if (attempt + 1 >= retry.attempts() || !replayable || httpsProbe) {
          throw e;
        }
        sleep(retry.delay(attempt, Optional.empty()));
        continue;
      } catch (IOException e) {
        CheckException ce = causeCheck(e);
        if (ce != null) {
          throw ce;
        }
        throw e;
      }
      int s = r.statusCode();
      boolean retryable = s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
      if (!retryable) {
        return r;
      }
      closeQuietly(r);
      if (attempt + 1 >= retry.attempts() || !replayable) {
        throw new CheckException(s == 429 ? TransportCode.REGISTRY_RATE_LIMITED : TransportCode.REGISTRY_UNAVAILABLE, req.uri().toString(),
            "HTTP " + s + " after " + (attempt + 1) + " attempt(s)" + (s == 429 ? "; try again later" : ""));
      }
      sleep(retry.delay(attempt, retryAfter(r.headers())));
    }
  }

  static Optional<Duration> retryAfter(Headers h) {
    Optional<String> v = h.firstValue("Retry-After");
    if (v.isPresent() && v.get().trim().matches("[0-9]{1,6}")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(v.get().trim())));
    }
    return Optional.empty();
  }

  private static void sleep(Duration d) throws IOException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    }
  }

  static CheckException causeCheck(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof CheckException ce) {
        return ce;
      }
    }
    return null;
  }

  static void closeQuietly(Response r) {
    r.close();
  }

  /** A parsed {@code WWW-Authenticate} header: scheme (lowercase) and its parameters. */
  record Challenge(String scheme, Map<String, String> params) {
    private static final Pattern PARAM = Pattern.compile("([A-Za-z_]+)=(?:\"([^\"]*)\"|([^,\\s]*))");

    static Challenge parse(String header) {
      String h = header.trim();
      int sp = h.indexOf(' ');
      String scheme = (sp < 0 ? h : h.substring(0, sp)).toLowerCase(Locale.ROOT);
      Map<String, String> params = new LinkedHashMap<>();
      if (sp >= 0) {
        Matcher m = PARAM.matcher(h.substring(sp + 1));
        while (m.find()) {
          params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2) != null ? m.group(2) : m.group(3));
        }
      }
      return new Challenge(scheme, Map.copyOf(params));
    }
  }

  /** --insecure: accept any certificate (self-signed loopback registries). Never the default. */
  private static SSLContext trustAll() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new javax.net.ssl.X509ExtendedTrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket s) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket s) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, new java.security.SecureRandom());
      return ctx;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
