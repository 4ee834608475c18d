package dev.bitproof.cli.options;

import dev.bitproof.fetch.FetchCode;
import dev.bitproof.fetch.FetchOptions;
import dev.bitproof.fetch.ProxyConfig;
import dev.bitproof.report.CheckException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How remote APK repositories, keys and packages are reached ({@code @Mixin FetchMixin fetch;} then
 * {@link #options()}): the proxy environment ({@code HTTPS_PROXY}, {@code HTTP_PROXY}, {@code NO_PROXY}, lower-case
 * too), {@code --ca-cert}, the cache ({@code --cache-dir}, default {@code $XDG_CACHE_HOME/bitproof} or
 * {@code ~/.cache/bitproof}), {@code --offline} and {@code --retries}. Local repositories never use the cache.
 */
public final class FetchMixin {
  @Option(names = "--cache-dir", paramLabel = "DIR", description = "Content-addressed cache of remote indexes, keys "
      + "and packages (default: $XDG_CACHE_HOME/bitproof, else ~/.cache/bitproof). Entries are verified when read.")
  Path cacheDir;

  @Option(names = "--no-cache", description = "Do not read or write the cache.")
  boolean noCache;

  @Option(names = "--offline", description = "Use no network: remote indexes, keys and packages come from the cache "
      + "only (a missing entry is FETCH_OFFLINE_MISS, exit 3).")
  boolean offline;

  @Option(names = "--ca-cert", paramLabel = "FILE", description = "PEM file of CA certificates to trust for HTTPS "
      + "repositories, besides the JDK's (repeatable).")
  List<Path> caCerts = new ArrayList<>();

  @Option(names = "--retries", paramLabel = "N", defaultValue = "3", description = "Retries of a transient fetch "
      + "failure (connection error, HTTP 408/429/5xx), with exponential backoff from 500 ms (default: 3).")
  int retries;

  /** @param wd the command's working directory ({@code -C}): relative {@code --cache-dir}/{@code --ca-cert} resolve there */
  public FetchOptions options(Path wd) {
    return options(Environment.get(), wd);
  }

  FetchOptions options(Map<String, String> env, Path wd) {
    if (noCache && (offline || cacheDir != null)) {
      throw CheckException.usage(FetchCode.FETCH_OPTIONS_INVALID, "--no-cache excludes --offline and --cache-dir");
    }
    if (retries < 0 || retries > 20) {
      throw CheckException.usage(FetchCode.FETCH_OPTIONS_INVALID, "--retries must be 0..20");
    }
    List<Path> cas = caCerts.stream().map(p -> WorkDir.resolve(wd, p)).toList();
    for (Path p : cas) {
      if (!Files.isRegularFile(p)) {
        throw new CheckException(FetchCode.FETCH_CA_CERT_INVALID, p.toString(), Files.isDirectory(p)
            ? "is a directory; --ca-cert takes a PEM file" : "no such CA certificate file");
      }
    }
    FetchOptions o = FetchOptions.defaults().withProxy(ProxyConfig.fromEnvironment(env))
        .withCaCerts(cas)
        .withRetries(retries, Duration.ofMillis(500));
    if (!noCache) {
      o = o.withCache(cacheDir != null ? WorkDir.resolve(wd, cacheDir) : defaultCacheDir(env)).withOffline(offline);
    }
    return o;
  }

  /** {@code $XDG_CACHE_HOME/bitproof}, else {@code ~/Library/Caches/bitproof} on macOS, else {@code ~/.cache/bitproof}. */
  static Path defaultCacheDir(Map<String, String> env) {
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "bitproof");
    }
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("mac")) {
      return Path.of(home, "Library", "Caches", "bitproof");
    }
    return Path.of(home, ".cache", "bitproof");
  }
}
