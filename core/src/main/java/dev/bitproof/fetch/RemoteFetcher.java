package dev.bitproof.fetch;

import dev.bitproof.report.Code;
import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.rebuild.RebuildCode;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The one place bitproof reads {@code http(s)://} repositories, keys and packages: proxies from {@link ProxyConfig},
 * extra trusted CAs, retries with exponential backoff for transient failures, and a content-addressed cache.
 *
 * <p>Cache layout under {@code cacheDir}: {@code sha256/<hex>} holds the bytes, {@code urls/<sha256 of the URL>}
 * names the blob a URL last gave ({@code sha256:<hex>\n<url>\n}). Every blob is hashed before it is served; one whose
 * bytes are not its name is deleted and fetched again (offline: {@code FETCH_CACHE_CORRUPT}), never served. Writes go
 * to a temporary file in the cache and are moved into place atomically, so an interrupted fetch leaves no entry.
 * {@link Freshness#IMMUTABLE} locations (packages) are served from the cache when there; {@link Freshness#REFRESH}
 * ones (indexes, keys) are fetched again when online and come from the cache only offline.
 */
public final class RemoteFetcher {
  /** Whether a cached copy may stand in for the location while online. */
  public enum Freshness { IMMUTABLE, REFRESH }

  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final FetchOptions options;
  private final Consumer<String> notes;
  private final Sleeper sleeper;
  private volatile HttpClient http;

  /** Waits between retries (tests pass one that records instead of sleeping). */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  public RemoteFetcher(FetchOptions options, Consumer<String> notes) {
    this(options, notes, d -> Thread.sleep(d.toMillis()));
  }

  public RemoteFetcher(FetchOptions options, Consumer<String> notes, Sleeper sleeper) {
    this.options = options;
    this.notes = notes == null ? n -> { } : notes;
    this.sleeper = sleeper;
  }

  public FetchOptions options() {
    return options;
  }

  /** Opens the URL's bytes (the caller closes); more than {@code limit} bytes fails with {@code tooLargeCode}. */
  public InputStream open(URI url, long limit, Code tooLargeCode, Freshness freshness) throws IOException {
    String where = url.toString();
    Optional<Path> cache = options.cacheDir();
    if (cache.isEmpty()) {
      return downloading(url, new LimitedInputStream(get(url, limit, tooLargeCode), limit, tooLargeCode, where));
    }
    Path dir = cache.get();
    if (options.offline() || freshness == Freshness.IMMUTABLE) {
      Optional<Path> hit = lookup(dir, url);
      if (hit.isPresent()) {
        return serve(hit.get(), limit, tooLargeCode, where);
      }
      if (options.offline()) {
        throw new CheckException(FetchCode.FETCH_OFFLINE_MISS, where, "offline, and the cache " + dir + " has no entry for "
            + where + " (run once online with the same --cache-dir to fill it)");
      }
    }
    Path blob = store(dir, url, limit, tooLargeCode);
    return serve(blob, limit, tooLargeCode, where);
  }

  /**
   * Forgets what the cache holds for the URL (the caller proved its bytes wrong: another checksum than the lock or
   * index pins), so the next read fetches it again. Returns whether there was an entry.
   */
  public boolean evict(URI url) throws IOException {
    if (options.cacheDir().isEmpty()) {
      return false;
    }
    return Files.deleteIfExists(urlEntry(options.cacheDir().get(), url));
  }

  public byte[] readAll(URI url, long limit, Code tooLargeCode, Freshness freshness) throws IOException {
    try (InputStream in = open(url, limit, tooLargeCode, freshness)) {
      return in.readAllBytes();
    }
  }

  private static InputStream serve(Path blob, long limit, Code code, String where) throws IOException {
    if (Files.size(blob) > limit) {
      throw CheckException.integrity(code, where, "is " + Files.size(blob) + " bytes, over the limit of " + limit);
    }
    return new LimitedInputStream(Files.newInputStream(blob), limit, code, where);
  }

  // ---- cache

  static String sha256Hex(byte[] b) {
    return HexFormat.of().formatHex(sha256().digest(b));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path urlEntry(Path dir, URI url) {
    return dir.resolve("urls").resolve(sha256Hex(url.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** The verified blob the cache holds for the URL; a corrupt one is removed (offline: an error). */
  Optional<Path> lookup(Path dir, URI url) throws IOException {
    Path entry = urlEntry(dir, url);
    String text;
    try (InputStream in = Files.newInputStream(entry)) {
      text = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    String[] lines = text.split("\n");
    String hex = lines.length >= 2 && lines[0].startsWith("sha256:") && lines[1].equals(url.toString())
        ? lines[0].substring(7) : "";
    Path blob = hex.matches("[0-9a-f]{64}") ? dir.resolve("sha256").resolve(hex) : null;
    String problem;
    if (blob == null) {
      problem = "its index entry " + entry + " is malformed";
    } else if (!Files.isRegularFile(blob)) {
      problem = "its blob " + blob + " is missing";
    } else {
      String actual = hashFile(blob);
      if (actual.equals(hex)) {
        return Optional.of(blob);
      }
      problem = "its blob " + blob + " hashes to sha256:" + actual;
      Files.deleteIfExists(blob);
    }
    Files.deleteIfExists(entry);
    if (options.offline()) {
      throw new CheckException(FetchCode.FETCH_CACHE_CORRUPT, url.toString(), "offline, and the cache entry for " + url
          + " is corrupt: " + problem + " (removed; run online to fetch it again)");
    }
    notes.accept("cache entry for " + url + " was corrupt (" + problem + "); removed and fetched again");
    return Optional.empty();
  }

  private static String hashFile(Path p) throws IOException {
    MessageDigest md = sha256();
    try (InputStream in = Files.newInputStream(p)) {
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** Downloads into the cache (temporary file, then atomic moves) and returns the blob. */
  private Path store(Path dir, URI url, long limit, Code tooLargeCode) throws IOException {
    Path blobs = Files.createDirectories(dir.resolve("sha256"));
    Path urls = Files.createDirectories(dir.resolve("urls"));
    Path tmp = Files.createTempFile(blobs, ".fetch-", ".partial");
    try {
      MessageDigest md = sha256();
      try (InputStream in = downloading(url, new LimitedInputStream(get(url, limit, tooLargeCode), limit, tooLargeCode,
          url.toString()));
          OutputStream out = Files.newOutputStream(tmp)) {
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
          out.write(buf, 0, n);
        }
      } catch (CheckException e) {
        throw e;
      } catch (IOException e) {
        throw failure(url, e);
      }
      String hex = HexFormat.of().formatHex(md.digest());
      Path blob = blobs.resolve(hex);
      move(tmp, blob);
      Path etmp = Files.createTempFile(urls, ".entry-", ".partial");
      Files.writeString(etmp, "sha256:" + hex + "\n" + url + "\n", StandardCharsets.UTF_8);
      move(etmp, urlEntry(dir, url));
      return blob;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * The download's bytes counted into a task of {@link FetchOptions#progress} of its own, ended when the stream is
   * closed: a slow download shows while it runs (short ones leave nothing, as the renderer decides).
   */
  private InputStream downloading(URI url, InputStream in) {
    String path = url.getPath() == null ? "" : url.getPath();
    Progress.Task task = options.progress().start("downloading " + path.substring(path.lastIndexOf('/') + 1), 0, 0);
    return new java.io.FilterInputStream(task.counting(in)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
      }

      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          task.close();
        }
      }
    };
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  // ---- HTTP

  private HttpClient client() {
    HttpClient c = http;
    if (c == null) {
      synchronized (this) {
        c = http;
        if (c == null) {
          HttpClient.Builder b = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
              .connectTimeout(options.connectTimeout()).proxy(options.proxy().selector());
          if (!options.caCerts().isEmpty()) {
            b.sslContext(sslContext(options.caCerts()));
          }
          c = b.build();
          http = c;
        }
      }
    }
    return c;
  }

  /** The JDK's trust anchors plus every certificate in the PEM files. */
  static SSLContext sslContext(List<Path> pems) {
    try {
      TrustManagerFactory dflt = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      dflt.init((KeyStore) null);
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (TrustManager tm : dflt.getTrustManagers()) {
        if (tm instanceof X509TrustManager x) {
          for (X509Certificate c : x.getAcceptedIssuers()) {
            ks.setCertificateEntry("jdk-" + i++, c);
          }
        }
      }
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (Path p : pems) {
        Collection<? extends java.security.cert.Certificate> certs;
        try (InputStream in = Files.newInputStream(p)) {
          certs = cf.generateCertificates(in);
        } catch (NoSuchFileException e) {
          throw new CheckException(FetchCode.FETCH_CA_CERT_INVALID, p.toString(), "no such CA certificate file");
        } catch (CertificateException e) {
          throw new CheckException(FetchCode.FETCH_CA_CERT_INVALID, p.toString(), "not a PEM or DER certificate file: "
              + describe(e));
        } catch (IOException e) {
          throw new CheckException(FetchCode.FETCH_CA_CERT_INVALID, p.toString(), "cannot read: " + describe(e));
        }
        if (certs.isEmpty()) {
          throw new CheckException(FetchCode.FETCH_CA_CERT_INVALID, p.toString(), "holds no certificate");
        }
        for (java.security.cert.Certificate c : certs) {
          ks.setCertificateEntry("ca-" + i++, c);
        }
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (CheckException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot set up TLS trust: " + describe(e), e);
    }
  }

  private static boolean transientStatus(int s) {
    return s == 408 || s == 429 || s >= 500;
  }

  /** GET with retries; returns the body of a 200 response. */
  private InputStream get(URI url, long limit, Code tooLargeCode) throws IOException {
    HttpRequest req = HttpRequest.newBuilder(url).timeout(options.requestTimeout()).GET().build();
    Duration wait = options.backoff();
    for (int attempt = 0; ; attempt++) {
      boolean last = attempt >= options.retries();
      String why;
      try {
        HttpResponse<InputStream> r = client().send(req, HttpResponse.BodyHandlers.ofInputStream());
        int s = r.statusCode();
        if (s == 200) {
          long declared = r.headers().firstValueAsLong("content-length").orElse(-1);
          if (declared > limit) {
            r.body().close();
            throw CheckException.integrity(tooLargeCode, url.toString(), "the server announces " + declared
                + " bytes, over the limit of " + limit);
          }
          return r.body();
        }
        r.body().close();
        if (s == 407 && options.proxy().proxyFor(url).isPresent()) {
          throw new CheckException(FetchCode.FETCH_PROXY_REFUSED, url.toString(), "the proxy "
              + options.proxy().proxyFor(url).get() + " demands authentication (HTTP 407), which is not supported");
        }
        if (!transientStatus(s) || last) {
          throw new CheckException(s == 404 || s == 410 ? FetchCode.FETCH_NOT_FOUND : FetchCode.FETCH_FAILED, url.toString(),
              "HTTP " + s + " from " + url + (attempt > 0 ? " (after " + attempt + " retries)" : ""));
        }
        why = "HTTP " + s;
      } catch (CheckException e) {
        throw e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CheckException(FetchCode.FETCH_FAILED, url.toString(), "interrupted while fetching " + url, e);
      } catch (IOException | IllegalArgumentException e) {
        CheckException f = failure(url, e);
        if (last || f.code() != FetchCode.FETCH_FAILED) {
          throw attempt == 0 ? f : new CheckException(f.code(), f.kind(), f.subject(), f.getMessage() + " (after "
              + attempt + " retries)", e);
        }
        why = describe(e);
      }
      notes.accept("fetching " + url + " failed (" + why + "); retry " + (attempt + 1) + " of " + options.retries()
          + " in " + wait.toMillis() + " ms");
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CheckException(FetchCode.FETCH_FAILED, url.toString(), "interrupted while waiting to retry " + url, e);
      }
      wait = wait.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait.multipliedBy(2);
    }
  }

  /** What went wrong, as a coded error naming the URL and the cause. */
  CheckException failure(URI url, Exception e) {
    String where = url.toString();
    Optional<URI> proxy = options.proxy().proxyFor(url);
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof SSLException) {
        return new CheckException(FetchCode.FETCH_TLS_FAILED, where, "TLS with " + url.getHost()
            + (url.getPort() >= 0 ? ":" + url.getPort() : "") + " failed: " + describe(c)
            + (proxy.isPresent() ? " (through the proxy " + proxy.get() + ")" : "")
            + "; a server with a private CA needs --ca-cert FILE", e);
      }
    }
    if (proxy.isPresent()) {
      // the JDK reports a CONNECT the proxy answered with anything but 200 as an IOException "Tunnel failed, got: N"
      // (no type of its own, so its text is all there is)
      String m = String.valueOf(e.getMessage());
      if (m.contains("Tunnel failed")) {
        return new CheckException(FetchCode.FETCH_PROXY_REFUSED, where, "the proxy " + proxy.get() + " refused to connect to "
            + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "") + ": " + describe(e), e);
      }
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof ConnectException || c instanceof HttpConnectTimeoutException) {
          return new CheckException(FetchCode.FETCH_PROXY_UNREACHABLE, where, "cannot connect to the proxy " + proxy.get()
              + " for " + url + ": " + describe(e), e);
        }
      }
    }
    if (e instanceof HttpTimeoutException) {
      return new CheckException(FetchCode.FETCH_FAILED, where, "timed out fetching " + url + ": " + describe(e), e);
    }
    return new CheckException(FetchCode.FETCH_FAILED, where, "cannot fetch " + url
        + (proxy.isPresent() ? " through the proxy " + proxy.get() : "") + ": " + describe(e), e);
  }

  /** Class and message of each distinct link of the cause chain: never "null". */
  static String describe(Throwable t) {
    Set<String> parts = new LinkedHashSet<>();
    List<String> names = new ArrayList<>();
    for (Throwable c = t; c != null && parts.size() < 4; c = c.getCause()) {
      names.add(c.getClass().getSimpleName());
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        parts.add(c.getMessage().strip());
      }
      if (c.getCause() == c) {
        break;
      }
    }
    if (parts.isEmpty()) {
      return String.join(" <- ", names);
    }
    return names.get(names.size() - 1) + ": " + String.join(": ", parts);
  }
}
