package dev.bitproof.fetch;

import dev.bitproof.io.IoCode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.apk.ApkCode;
import dev.bitproof.fetch.RemoteFetcher.Freshness;
import dev.bitproof.rebuild.RebuildCode;
import dev.bitproof.report.CheckException;
import dev.bitproof.testing.RepoServer;
import dev.bitproof.testing.TinyProxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS, custom CA, retries, the content-addressed cache and offline mode, against a loopback HTTPS server. */
class RemoteFetcherTest {
  static RepoServer server;
  static Path ca;
  static final byte[] BODY = "the package bytes\n".getBytes(StandardCharsets.UTF_8);

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    Files.write(Files.createDirectories(dir.resolve("www/x86_64")).resolve("a.apk"), BODY);
    Files.write(dir.resolve("www/x86_64/APKINDEX.tar.gz"), "index v1".getBytes(StandardCharsets.UTF_8));
    server = RepoServer.serve(dir.resolve("www"));
    ca = server.writeCa(dir);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static FetchOptions trusting() {
    return FetchOptions.defaults().withCaCerts(List.of(ca)).withRetries(3, Duration.ZERO);
  }

  @Test
  void httpsWithTheTestCaReadsTheBytes() throws Exception {
    RemoteFetcher f = new RemoteFetcher(trusting(), null);
    assertArrayEquals(BODY, f.readAll(URI.create(server.url("x86_64/a.apk")), 1024, ApkCode.APK_TOO_LARGE, Freshness.IMMUTABLE));
  }

  /** Each download is a progress task of its own, counted as it streams and closed with the stream; a cache hit is none. */
  @Test
  void downloadsAreReportedAndCacheHitsAreNot(@TempDir Path dir) throws Exception {
    dev.bitproof.report.ProgressWiringTest.Recording p = new dev.bitproof.report.ProgressWiringTest.Recording();
    RemoteFetcher f = new RemoteFetcher(trusting().withCache(dir.resolve("cache")).withProgress(p), null);
    URI u = URI.create(server.url("x86_64/a.apk"));
    assertArrayEquals(BODY, f.readAll(u, 1024, ApkCode.APK_TOO_LARGE, Freshness.IMMUTABLE));
    assertArrayEquals(BODY, f.readAll(u, 1024, ApkCode.APK_TOO_LARGE, Freshness.IMMUTABLE));
    var t = p.only("downloading a.apk");
    assertEquals(BODY.length, t.bytes.get());
    assertTrue(t.closed);
    RemoteFetcher direct = new RemoteFetcher(trusting().withProgress(p), null);
    assertArrayEquals(BODY, direct.readAll(u, 1024, ApkCode.APK_TOO_LARGE, Freshness.IMMUTABLE));
    assertEquals(2, p.tasks.size(), "without a cache every read is a download");
    assertTrue(p.tasks.get(1).closed);
  }

  @Test
  void anUntrustedCertificateIsATlsFailureNamingTheUrl() {
    RemoteFetcher f = new RemoteFetcher(FetchOptions.defaults().withRetries(3, Duration.ZERO), null);
    CheckException e = assertThrows(CheckException.class, () -> f.readAll(URI.create(server.url("x86_64/a.apk")), 1024,
        ApkCode.APK_TOO_LARGE, Freshness.IMMUTABLE));
    assertEquals(FetchCode.FETCH_TLS_FAILED, e.code());
    assertEquals(CheckException.Kind.CANNOT_CHECK, e.kind());
    assertEquals(server.url("x86_64/a.apk"), e.subject());
    assertTrue(e.getMessage().contains("--ca-cert"), e.getMessage());
    assertFalse(e.getMessage().contains("null"), e.getMessage());
  }

  @Test
  void aCaFileThatIsNotACertificateIsRefused(@TempDir Path dir) throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    RemoteFetcher f = new RemoteFetcher(FetchOptions.defaults().withCaCerts(List.of(bad)), null);
    CheckException e = assertThrows(CheckException.class, () -> f.readAll(URI.create(server.url("x86_64/a.apk")), 1024,
        IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE));
    assertEquals(FetchCode.FETCH_CA_CERT_INVALID, e.code());
    RemoteFetcher g = new RemoteFetcher(FetchOptions.defaults().withCaCerts(List.of(dir.resolve("absent.pem"))), null);
    assertEquals(FetchCode.FETCH_CA_CERT_INVALID, assertThrows(CheckException.class, () -> g.readAll(
        URI.create(server.url("x86_64/a.apk")), 1024, IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE)).code());
  }

  @Test
  void transientFailuresAreRetriedWithDoublingBackoff() throws Exception {
    server.failNext("/x86_64/retry.apk", 503, 2);
    Files.write(server.root().resolve("x86_64/retry.apk"), BODY);
    List<Duration> waits = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    RemoteFetcher f = new RemoteFetcher(FetchOptions.defaults().withCaCerts(List.of(ca))
        .withRetries(3, Duration.ofMillis(100)), notes::add, waits::add);
    assertArrayEquals(BODY, f.readAll(URI.create(server.url("x86_64/retry.apk")), 1024, IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE));
    assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), waits);
    assertEquals(2, notes.size());
    assertTrue(notes.get(0).contains("HTTP 503"), notes.get(0));
  }

  @Test
  void retriesEndWithTheLastStatusAndA404IsNotRetried() {
    server.failNext("/x86_64/down.apk", 502, 10);
    List<Duration> waits = new ArrayList<>();
    RemoteFetcher f = new RemoteFetcher(FetchOptions.defaults().withCaCerts(List.of(ca))
        .withRetries(2, Duration.ofMillis(1)), null, waits::add);
    CheckException e = assertThrows(CheckException.class, () -> f.readAll(URI.create(server.url("x86_64/down.apk")),
        1024, IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE));
    assertEquals(FetchCode.FETCH_FAILED, e.code());
    assertTrue(e.getMessage().contains("HTTP 502") && e.getMessage().contains("after 2 retries"), e.getMessage());
    assertEquals(2, waits.size());
    waits.clear();
    CheckException nf = assertThrows(CheckException.class, () -> f.readAll(URI.create(server.url("x86_64/none.apk")),
        1024, IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE));
    assertEquals(FetchCode.FETCH_NOT_FOUND, nf.code());
    assertTrue(waits.isEmpty());
  }

  @Test
  void aRefusedConnectionNamesUrlAndCauseNeverNull() throws Exception {
    // port 1 on loopback (tcpmux) has no listener; nothing is bound and released for this
    URI u = URI.create("https://127.0.0.1:1/x86_64/APKINDEX.tar.gz");
    RemoteFetcher f = new RemoteFetcher(FetchOptions.defaults().withRetries(1, Duration.ZERO), null);
    CheckException e = assertThrows(CheckException.class, () -> f.readAll(u, 1024, IoCode.LAYER_TOO_LARGE, Freshness.REFRESH));
    assertEquals(FetchCode.FETCH_FAILED, e.code());
    assertEquals(u.toString(), e.subject());
    assertTrue(e.getMessage().contains(u.toString()) && e.getMessage().contains("ConnectException"), e.getMessage());
    assertFalse(e.getMessage().contains("null"), e.getMessage());
  }

  @Test
  void aResponseOverTheLimitIsRefused() {
    RemoteFetcher f = new RemoteFetcher(trusting(), null);
    CheckException e = assertThrows(CheckException.class, () -> f.readAll(URI.create(server.url("x86_64/a.apk")), 4,
        ApkCode.APK_TOO_LARGE, Freshness.IMMUTABLE));
    assertEquals(ApkCode.APK_TOO_LARGE, e.code());
  }

  @Test
  void theCacheServesImmutableEntriesOfflineAndRefreshesIndexesOnline(@TempDir Path cache) throws Exception {
    URI apk = URI.create(server.url("x86_64/a.apk"));
    URI idx = URI.create(server.url("x86_64/APKINDEX.tar.gz"));
    RemoteFetcher online = new RemoteFetcher(trusting().withCache(cache), null);
    assertArrayEquals(BODY, online.readAll(apk, 1024, IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE));
    assertEquals("index v1", new String(online.readAll(idx, 1024, IoCode.LAYER_TOO_LARGE, Freshness.REFRESH), StandardCharsets.UTF_8));
    // content-addressed: the blob is named by its sha256
    Path blob = cache.resolve("sha256").resolve(RemoteFetcher.sha256Hex(BODY));
    assertArrayEquals(BODY, Files.readAllBytes(blob));
    try (Stream<Path> s = Files.list(cache.resolve("sha256"))) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".partial")));
    }
    int before = server.requests().size();
    assertArrayEquals(BODY, online.readAll(apk, 1024, IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE));
    assertEquals(before, server.requests().size(), "an immutable entry is served from the cache");
    server.corrupt("/x86_64/APKINDEX.tar.gz", "index v2".getBytes(StandardCharsets.UTF_8));
    try {
      assertEquals("index v2", new String(online.readAll(idx, 1024, IoCode.LAYER_TOO_LARGE, Freshness.REFRESH), StandardCharsets.UTF_8));
    } finally {
      server.corrupt("/x86_64/APKINDEX.tar.gz", "index v1".getBytes(StandardCharsets.UTF_8));
    }
    int seen = server.requests().size();
    RemoteFetcher offline = new RemoteFetcher(trusting().withCache(cache).withOffline(true), null);
    assertArrayEquals(BODY, offline.readAll(apk, 1024, IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE));
    assertEquals("index v2", new String(offline.readAll(idx, 1024, IoCode.LAYER_TOO_LARGE, Freshness.REFRESH), StandardCharsets.UTF_8));
    assertEquals(seen, server.requests().size(), "offline never reaches the server");
    CheckException miss = assertThrows(CheckException.class, () -> offline.readAll(URI.create(server.url(
        "x86_64/other.apk")), 1024, IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE));
    assertEquals(FetchCode.FETCH_OFFLINE_MISS, miss.code());
    assertEquals(CheckException.Kind.CANNOT_CHECK, miss.kind());
  }

  @Test
  void aCorruptCacheEntryIsNeverServed(@TempDir Path cache) throws Exception {
    URI apk = URI.create(server.url("x86_64/a.apk"));
    new RemoteFetcher(trusting().withCache(cache), null).readAll(apk, 1024, IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE);
    Path blob = cache.resolve("sha256").resolve(RemoteFetcher.sha256Hex(BODY));
    Files.writeString(blob, "tampered on disk");
    // offline: refused with its own code, and the entry is gone
    RemoteFetcher offline = new RemoteFetcher(trusting().withCache(cache).withOffline(true), null);
    CheckException e = assertThrows(CheckException.class, () -> offline.readAll(apk, 1024, IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE));
    assertEquals(FetchCode.FETCH_CACHE_CORRUPT, e.code());
    assertFalse(Files.exists(blob));
    assertEquals(FetchCode.FETCH_OFFLINE_MISS, assertThrows(CheckException.class,
        () -> offline.readAll(apk, 1024, IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE)).code());
    // online: re-fetched, with a note
    new RemoteFetcher(trusting().withCache(cache), null).readAll(apk, 1024, IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE);
    Files.writeString(blob, "tampered again");
    List<String> notes = new ArrayList<>();
    int before = server.requests().size();
    assertArrayEquals(BODY, new RemoteFetcher(trusting().withCache(cache), notes::add).readAll(apk, 1024, IoCode.LAYER_TOO_LARGE,
        Freshness.IMMUTABLE));
    assertEquals(before + 1, server.requests().size());
    assertTrue(notes.get(0).contains("corrupt"), notes.toString());
    assertArrayEquals(BODY, Files.readAllBytes(blob));
  }

  @Test
  void throughARealForwardProxy(@TempDir Path dir) throws Exception {
    try (TinyProxy proxy = TinyProxy.start(dir)) {
      ProxyConfig pc = ProxyConfig.fromEnvironment(Map.of("HTTPS_PROXY", proxy.url(), "NO_PROXY",
          ProxyConfig.NO_LOOPBACK_BYPASS));
      RemoteFetcher f = new RemoteFetcher(trusting().withProxy(pc), null);
      assertArrayEquals(BODY, f.readAll(URI.create(server.url("x86_64/a.apk")), 1024, IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE));
      assertTrue(proxy.log().stream().anyMatch(l -> l.contains("CONNECT 127.0.0.1:" + server.port())),
          "tinyproxy tunnelled the request: " + proxy.log());
    }
  }

  @Test
  void aProxyThatRefusesTheTunnelHasItsOwnCode(@TempDir Path dir) throws Exception {
    // tinyproxy refuses CONNECT to any port but 443
    try (TinyProxy proxy = TinyProxy.start(dir, "ConnectPort 443")) {
      ProxyConfig pc = ProxyConfig.fromEnvironment(Map.of("https_proxy", proxy.url(), "no_proxy",
          ProxyConfig.NO_LOOPBACK_BYPASS));
      RemoteFetcher f = new RemoteFetcher(trusting().withProxy(pc), null);
      CheckException e = assertThrows(CheckException.class, () -> f.readAll(URI.create(server.url("x86_64/a.apk")),
          1024, IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE));
      assertEquals(FetchCode.FETCH_PROXY_REFUSED, e.code(), e.getMessage());
      assertTrue(e.getMessage().contains(proxy.url()), e.getMessage());
    }
  }

  @Test
  void anUnreachableProxyHasItsOwnCode() {
    ProxyConfig pc = ProxyConfig.fromEnvironment(Map.of("HTTPS_PROXY", "127.0.0.1:1", "NO_PROXY",
        ProxyConfig.NO_LOOPBACK_BYPASS));
    RemoteFetcher f = new RemoteFetcher(trusting().withProxy(pc).withRetries(0, Duration.ZERO), null);
    CheckException e = assertThrows(CheckException.class, () -> f.readAll(URI.create(server.url("x86_64/a.apk")),
        1024, IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE));
    assertEquals(FetchCode.FETCH_PROXY_UNREACHABLE, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains("http://127.0.0.1:1"), e.getMessage());
  }

  @Test
  void loopbackBypassesTheProxyUnlessToldOtherwise() throws Exception {
    // the proxy does not exist: the request succeeds only because loopback is never proxied (as in Go)
    ProxyConfig pc = ProxyConfig.fromEnvironment(Map.of("HTTPS_PROXY", "http://127.0.0.1:1"));
    RemoteFetcher f = new RemoteFetcher(trusting().withProxy(pc), null);
    assertArrayEquals(BODY, f.readAll(URI.create(server.url("x86_64/a.apk")), 1024, IoCode.LAYER_TOO_LARGE, Freshness.IMMUTABLE));
  }
}
