package dev.bitproof.apk;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import dev.bitproof.apk.ApkRepositories.Fetched;
import dev.bitproof.apk.ApkRepositories.Options;
import dev.bitproof.apk.ApkRepositories.RepositoryRef;
import dev.bitproof.apk.ApkRepositories.Request;
import dev.bitproof.report.CheckException;
import dev.bitproof.testing.ApkFixtures;
import dev.bitproof.testing.SharedData;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Repositories on disk, via file:// and over a loopback HTTP server the test starts. */
class ApkRepositoriesTest {
  @TempDir
  Path tmp;
  HttpServer server;
  final Map<String, byte[]> served = new ConcurrentHashMap<>();
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();
  final AtomicInteger requests = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(16));
    server.createContext("/", ex -> {
      requests.incrementAndGet();
      int now = inFlight.incrementAndGet();
      maxInFlight.accumulateAndGet(now, Math::max);
      try {
        Thread.sleep(20); // lets overlapping fetches overlap; the assertion is on a count, not on time
        byte[] b = served.get(ex.getRequestURI().getPath());
        if (b == null) {
          ex.sendResponseHeaders(404, -1);
        } else {
          ex.sendResponseHeaders(200, b.length);
          ex.getResponseBody().write(b);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        inFlight.decrementAndGet();
        ex.close();
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/repo";
  }

  /** The demo's signed repository (testdata/demo/packages), which the project makes itself. */
  void serveGoldenRepo() throws Exception {
    Path pk = SharedData.testdata("demo/packages/x86_64");
    try (var s = Files.list(pk)) {
      for (Path p : s.toList()) {
        served.put("/repo/x86_64/" + p.getFileName(), Files.readAllBytes(p));
      }
    }
  }

  @Test
  void localDirectoryFileUrlAndHttpGiveTheSamePackages() throws Exception {
    serveGoldenRepo();
    Path pk = SharedData.testdata("demo/packages");
    try (ApkRepositories r = new ApkRepositories(Options.defaults(null))) {
      for (String loc : List.of(pk.toString(), pk.toUri().toString(), base())) {
        RepositoryRef ref = RepositoryRef.parse(loc + "/");
        ApkIndex idx = r.fetchIndex(ref, "x86_64");
        assertEquals(2, idx.packages().size(), loc);
        Fetched f = r.fetch(ref, "x86_64", idx.byName("demo-hello").get(0));
        assertEquals("Q1VhhSASNb0FlrBWxnyDgrPx7971o=", f.pkg().checksum(), loc);
        assertFalse(f.fromCache());
      }
    }
  }

  @Test
  void cacheIsContentAddressedAndNeverServesBadBytes() throws Exception {
    serveGoldenRepo();
    Path cache = tmp.resolve("cache");
    try (ApkRepositories r = new ApkRepositories(Options.defaults(cache))) {
      RepositoryRef ref = RepositoryRef.parse(base());
      IndexEntry e = r.fetchIndex(ref, "x86_64").byName("demo-hello").get(0);
      assertFalse(r.fetch(ref, "x86_64", e).fromCache());
      Path entry = cache.resolve("apk").resolve(ApkRepositories.checksumHex(e.checksum(), "x") + ".apk");
      assertTrue(Files.isRegularFile(entry));
      int before = requests.get();
      assertTrue(r.fetch(ref, "x86_64", e).fromCache());
      assertEquals(before, requests.get(), "a cache hit does not touch the network");
      // poison the cache with another valid package: it must be replaced, not served
      Files.write(entry, served.get("/repo/x86_64/demo-baselayout-1.0.0-r0.apk"));
      Fetched again = r.fetch(ref, "x86_64", e);
      assertFalse(again.fromCache());
      assertEquals(e.checksum(), again.pkg().checksum());
      assertEquals(e.checksum(), ApkPackage.read(entry).checksum());
      Files.write(entry, new byte[] {1, 2, 3});
      assertEquals(e.checksum(), r.fetch(ref, "x86_64", e).pkg().checksum());
    }
  }

  @Test
  void serverSendingOtherBytesIsACheckedFailure() throws Exception {
    serveGoldenRepo();
    served.put("/repo/x86_64/demo-hello-1.0.0-r0.apk", served.get("/repo/x86_64/demo-baselayout-1.0.0-r0.apk"));
    try (ApkRepositories r = new ApkRepositories(Options.defaults(tmp.resolve("c")))) {
      RepositoryRef ref = RepositoryRef.parse(base());
      IndexEntry e = r.fetchIndex(ref, "x86_64").byName("demo-hello").get(0);
      CheckException ex = assertThrows(CheckException.class, () -> r.fetch(ref, "x86_64", e));
      assertEquals(ApkCode.APK_FETCH_CHECKSUM_MISMATCH, ex.code());
      assertEquals(CheckException.Kind.INTEGRITY, ex.kind());
      assertFalse(Files.exists(tmp.resolve("c/apk").resolve(ApkRepositories.checksumHex(e.checksum(), "x") + ".apk")));
    }
  }

  @Test
  void missingAndOversizedAreReported() throws Exception {
    serveGoldenRepo();
    try (ApkRepositories r = new ApkRepositories(new Options(null, 2, Duration.ofSeconds(10), 100, 100))) {
      RepositoryRef ref = RepositoryRef.parse(base());
      assertEquals(ApkCode.APK_FETCH_FAILED, assertThrows(CheckException.class, () -> r.fetchIndex(ref, "s390x")).code());
      assertEquals(ApkCode.APKINDEX_TOO_LARGE, assertThrows(CheckException.class, () -> r.fetchIndex(ref, "x86_64")).code());
    }
  }

  @Test
  void fetchAllIsBoundedAndOrdered() throws Exception {
    ApkFixtures.TestKey key = ApkFixtures.key("bitproof-test.rsa.pub");
    StringBuilder index = new StringBuilder();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      byte[] apk = new ApkFixtures.Apk("p" + i, "1.0-r" + i, "x86_64").file("f" + i, "content " + i).signedBy(key).build();
      ApkPackage p = ApkPackage.read(apk, "p" + i);
      served.put("/repo/x86_64/" + p.id() + ".apk", apk);
      index.append(ApkFixtures.stanza(apk, p));
      names.add(p.name());
    }
    served.put("/repo/x86_64/APKINDEX.tar.gz", ApkFixtures.index(index.toString(), key, "RSA256"));
    try (ApkRepositories r = new ApkRepositories(new Options(null, 3, Duration.ofSeconds(10), 1 << 20, 1 << 20))) {
      RepositoryRef ref = RepositoryRef.parse(base());
      ApkIndex idx = r.fetchIndex(ref, "x86_64");
      maxInFlight.set(0);
      List<Fetched> got = r.fetchAll(idx.packages().stream().map(e -> new Request(ref, "x86_64", e)).toList());
      assertEquals(names, got.stream().map(f -> f.pkg().name()).toList());
      assertTrue(maxInFlight.get() <= 3, "at most 3 fetches at once, saw " + maxInFlight.get());
      assertTrue(maxInFlight.get() >= 1);
    }
  }

  @Test
  void taggedRepositoryLine() {
    assertEquals(new RepositoryRef("edge", "https://example.org/alpine/edge/main"), RepositoryRef.parse("@edge https://example.org/alpine/edge/main/"));
    assertEquals(new RepositoryRef("", "./testdata/packages"), RepositoryRef.parse("./testdata/packages"));
  }
}
