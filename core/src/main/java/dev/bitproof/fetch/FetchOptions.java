package dev.bitproof.fetch;

import dev.bitproof.report.Progress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How remote repositories, keys and packages are reached: values only (the CLI fills them from flags and its
 * environment). Secure by default: the JDK's trust store, no cache, online.
 *
 * @param proxy the proxy rules ({@link ProxyConfig#fromEnvironment})
 * @param caCerts PEM files whose certificates are trusted besides the JDK's ({@code --ca-cert})
 * @param cacheDir the content-addressed cache, or empty for none ({@code --cache-dir})
 * @param offline serve only from the cache; a miss is {@code FETCH_OFFLINE_MISS}
 * @param retries how many times a transient failure (connection error, HTTP 408/429/5xx) is retried
 * @param backoff the first wait before a retry; each next one doubles, capped at 30 s
 * @param connectTimeout per connection
 * @param requestTimeout per request, until the response headers arrive
 * @param mirrors where to read a repository or key instead of where the config says ({@code FROM → TO}: a location
 *     equal to FROM or under {@code FROM/} is read from TO); what the image records stays FROM
 * @param progress where the long work of a run that fetches reports how far it has come (packages fetched and
 *     installed, layer bytes compressed, layers compared); never an input: it changes no byte the run writes
 */
public record FetchOptions(ProxyConfig proxy, List<Path> caCerts, Optional<Path> cacheDir, boolean offline,
    int retries, Duration backoff, Duration connectTimeout, Duration requestTimeout, Map<String, String> mirrors,
    Progress progress) {
  public FetchOptions(ProxyConfig proxy, List<Path> caCerts, Optional<Path> cacheDir, boolean offline, int retries,
      Duration backoff, Duration connectTimeout, Duration requestTimeout, Map<String, String> mirrors) {
    this(proxy, caCerts, cacheDir, offline, retries, backoff, connectTimeout, requestTimeout, mirrors, Progress.NONE);
  }

  public FetchOptions {
    progress = progress == null ? Progress.NONE : progress;
    proxy = proxy == null ? ProxyConfig.none() : proxy;
    caCerts = caCerts == null ? List.of() : List.copyOf(caCerts);
    cacheDir = cacheDir == null ? Optional.empty() : cacheDir;
    if (retries < 0 || retries > 20) {
      throw new IllegalArgumentException("retries must be 0..20");
    }
    backoff = backoff == null ? Duration.ofMillis(500) : backoff;
    connectTimeout = connectTimeout == null ? Duration.ofSeconds(30) : connectTimeout;
    requestTimeout = requestTimeout == null ? Duration.ofMinutes(5) : requestTimeout;
    mirrors = mirrors == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(mirrors));
    if (offline && cacheDir.isEmpty()) {
      throw new IllegalArgumentException("offline needs a cache directory");
    }
  }

  /** No proxy, JDK trust, no cache, online, 3 retries from 500 ms. */
  public static FetchOptions defaults() {
    return new FetchOptions(ProxyConfig.none(), List.of(), Optional.empty(), false, 3, null, null, null, null);
  }

  public FetchOptions withProxy(ProxyConfig p) {
    return new FetchOptions(p, caCerts, cacheDir, offline, retries, backoff, connectTimeout, requestTimeout, mirrors, progress);
  }

  public FetchOptions withCaCerts(List<Path> c) {
    return new FetchOptions(proxy, c, cacheDir, offline, retries, backoff, connectTimeout, requestTimeout, mirrors, progress);
  }

  public FetchOptions withCache(Path dir) {
    return new FetchOptions(proxy, caCerts, Optional.ofNullable(dir), offline, retries, backoff, connectTimeout,
        requestTimeout, mirrors, progress);
  }

  public FetchOptions withOffline(boolean o) {
    return new FetchOptions(proxy, caCerts, cacheDir, o, retries, backoff, connectTimeout, requestTimeout, mirrors, progress);
  }

  public FetchOptions withRetries(int n, Duration firstBackoff) {
    return new FetchOptions(proxy, caCerts, cacheDir, offline, n, firstBackoff, connectTimeout, requestTimeout, mirrors, progress);
  }

  public FetchOptions withMirrors(Map<String, String> m) {
    return new FetchOptions(proxy, caCerts, cacheDir, offline, retries, backoff, connectTimeout, requestTimeout, m, progress);
  }

  public FetchOptions withProgress(Progress p) {
    return new FetchOptions(proxy, caCerts, cacheDir, offline, retries, backoff, connectTimeout, requestTimeout, mirrors, p);
  }

  /** The location to read for {@code location}: its mirror when one is configured, else itself. */
  public String mirrored(String location) {
    for (Map.Entry<String, String> e : mirrors.entrySet()) {
      String from = e.getKey();
      if (location.equals(from)) {
        return e.getValue();
      }
      if (location.startsWith(from.endsWith("/") ? from : from + "/")) {
        String rest = location.substring(from.endsWith("/") ? from.length() : from.length() + 1);
        return e.getValue().endsWith("/") ? e.getValue() + rest : e.getValue() + "/" + rest;
      }
    }
    return location;
  }
}
