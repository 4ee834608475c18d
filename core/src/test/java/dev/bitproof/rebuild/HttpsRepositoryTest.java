package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.apk.ApkCode;
import dev.bitproof.fetch.FetchCode;
import dev.bitproof.fetch.FetchOptions;
import dev.bitproof.fetch.ProxyConfig;
import dev.bitproof.report.CheckException;
import dev.bitproof.testing.ApkFixtures;
import dev.bitproof.testing.RepoServer;
import dev.bitproof.testing.TinyProxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signed repository and its key served over HTTPS with a certificate the test made, reached through a real forward
 * proxy (tinyproxy), cached, then rebuilt offline from the cache alone.
 */
class HttpsRepositoryTest {
  @Test
  void buildsThroughAProxyFromHttpsThenOfflineFromTheCache(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp.resolve("www"));
    t.packages(t.apk("base", "base").entry(ApkFixtures.Entry.dir("etc")).file("etc/motd", "hi\n"),
        t.apk("app", "app").depend("base").entry(ApkFixtures.Entry.dir("usr")).file("usr/app", "app\n"));
    try (RepoServer server = RepoServer.serve(t.dir); TinyProxy proxy = TinyProxy.start(tmp)) {
      Path cfg = Files.writeString(tmp.resolve("apko.yaml"), "contents:\n  keyring:\n    - "
          + server.url("keys/bitproof-test.rsa.pub") + "\n  repositories:\n    - " + server.url("repo")
          + "\n  packages:\n    - app\narchs: [x86_64]\n");
      Path cache = tmp.resolve("cache");
      FetchOptions online = FetchOptions.defaults().withCaCerts(List.of(server.writeCa(tmp))).withCache(cache)
          .withRetries(1, Duration.ZERO).withProxy(ProxyConfig.fromEnvironment(Map.of("HTTPS_PROXY", proxy.url(),
              "NO_PROXY", ProxyConfig.NO_LOOPBACK_BYPASS)));
      BuildResult r = Rebuild.run(BuildRequest.of(cfg, tmp).withSourceDateEpoch(0).withFetch(online));
      BuildResult.ArchImage img = r.images().get(0);
      assertEquals(List.of("base", "app"), img.packages().stream().map(BuildResult.InstalledPackage::name).toList());
      assertEquals(server.url("repo") + "\n", new String(GoldenRebuildTest.tarEntry(img.layers().get(0).tar(),
          "etc/apk/repositories"), StandardCharsets.UTF_8));
      assertEquals(t.key.publicPem(), new String(GoldenRebuildTest.tarEntry(img.layers().get(0).tar(),
          "etc/apk/keys/bitproof-test.rsa.pub"), StandardCharsets.UTF_8), "the keyring came from its https URL");
      for (String path : List.of("keys/bitproof-test.rsa.pub", "repo/x86_64/APKINDEX.tar.gz", "repo/x86_64/app-1.0.0-r0.apk")) {
        assertTrue(server.requests().contains("/" + path), path + " was fetched: " + server.requests());
      }
      assertTrue(proxy.log().stream().anyMatch(l -> l.contains("CONNECT 127.0.0.1:" + server.port())), proxy.log().toString());

      // offline: the same image from the cache, the server never asked
      int asked = server.requests().size();
      BuildResult again = Rebuild.run(BuildRequest.of(cfg, tmp).withSourceDateEpoch(0).withFetch(
          online.withProxy(ProxyConfig.none()).withOffline(true)));
      assertEquals(r.index().digest(), again.index().digest());
      assertEquals(asked, server.requests().size());

      // offline with an empty cache: the first thing needed is a coded miss naming its URL
      CheckException e = assertThrows(CheckException.class, () -> Rebuild.run(BuildRequest.of(cfg, tmp)
          .withFetch(online.withCache(tmp.resolve("empty")).withOffline(true))));
      assertEquals(FetchCode.FETCH_OFFLINE_MISS, e.code());
      assertEquals(server.url("keys/bitproof-test.rsa.pub"), e.subject());
    }
  }

  @Test
  void wrongBytesFromTheServerNeverStayInTheCache(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp.resolve("www"));
    t.packages(t.apk("base", "base").entry(ApkFixtures.Entry.dir("etc")).file("etc/motd", "hi\n"),
        t.apk("app", "app").depend("base").entry(ApkFixtures.Entry.dir("usr")).file("usr/app", "app\n"));
    try (RepoServer server = RepoServer.serve(t.dir)) {
      Path cfg = Files.writeString(tmp.resolve("apko.yaml"), "contents:\n  keyring:\n    - " + t.keyFile
          + "\n  repositories:\n    - " + server.url("repo") + "\n  packages:\n    - app\narchs: [x86_64]\n");
      FetchOptions opts = FetchOptions.defaults().withCaCerts(List.of(server.writeCa(tmp)))
          .withCache(tmp.resolve("cache")).withRetries(0, Duration.ZERO);
      // the server sends base's bytes for app: the index pins another Q1
      server.corrupt("/repo/x86_64/app-1.0.0-r0.apk", Files.readAllBytes(t.repo.resolve("x86_64/base-1.0.0-r0.apk")));
      CheckException e = assertThrows(CheckException.class, () -> Rebuild.run(BuildRequest.of(cfg, tmp).withFetch(opts)));
      assertEquals(ApkCode.APK_CHECKSUM_MISMATCH, e.code());
      assertEquals(2, server.requests().stream().filter(r -> r.endsWith("/app-1.0.0-r0.apk")).count(),
          "dropped from the cache and fetched once more");
      server.restore("/repo/x86_64/app-1.0.0-r0.apk");
      BuildResult r = Rebuild.run(BuildRequest.of(cfg, tmp).withFetch(opts));
      assertEquals(List.of("base", "app"), r.images().get(0).packages().stream().map(BuildResult.InstalledPackage::name)
          .toList(), "the wrong bytes were not served from the cache");
    }
  }

  @Test
  void withoutTheCaTheBuildStopsOnTls(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp.resolve("www"));
    t.packages(t.apk("app", "app").entry(ApkFixtures.Entry.dir("usr")).file("usr/app", "app\n"));
    try (RepoServer server = RepoServer.serve(t.dir)) {
      Path cfg = Files.writeString(tmp.resolve("apko.yaml"), "contents:\n  keyring:\n    - " + t.keyFile
          + "\n  repositories:\n    - " + server.url("repo") + "\n  packages:\n    - app\narchs: [x86_64]\n");
      CheckException e = assertThrows(CheckException.class, () -> Rebuild.run(BuildRequest.of(cfg, tmp)));
      assertEquals(FetchCode.FETCH_TLS_FAILED, e.code());
      assertTrue(e.getMessage().startsWith("failed to resolve packages"), e.getMessage());
      assertTrue(e.getMessage().contains(server.url("repo/x86_64/APKINDEX.tar.gz")), e.getMessage());
    }
  }
}
