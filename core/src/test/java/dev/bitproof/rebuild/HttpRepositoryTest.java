package dev.bitproof.rebuild;

import dev.bitproof.fetch.FetchCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.bitproof.report.CheckException;
import dev.bitproof.testing.SharedData;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repositories and keys over http, from a loopback server the test starts: the demo (testdata/demo) built from
 * http gives the same installed packages as from its folder, each package fetched once.
 */
class HttpRepositoryTest {
  @Test
  void demoBuildFromAnHttpRepository(@TempDir Path tmp) throws IOException {
    Path td = SharedData.testdata("demo");
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    AtomicInteger apkRequests = new AtomicInteger();
    server.createContext("/", ex -> {
      String p = ex.getRequestURI().getPath().substring(1);
      Path f = td.resolve(p).normalize();
      if (!f.startsWith(td) || !Files.isRegularFile(f)) {
        ex.sendResponseHeaders(404, -1);
        ex.close();
        return;
      }
      if (p.endsWith(".apk")) {
        apkRequests.incrementAndGet();
      }
      byte[] b = Files.readAllBytes(f);
      ex.sendResponseHeaders(200, b.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(b);
      }
    });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      Path cfg = tmp.resolve("apko.yaml");
      Files.writeString(cfg, "contents:\n  keyring:\n    - " + base + "/keys/bitproof-demo.rsa.pub\n  repositories:\n    - "
          + base + "/packages\n  packages:\n    - demo-hello\nentrypoint:\n  command: /usr/bin/hello\narchs:\n- x86_64\n- aarch64\n");
      BuildResult r = Rebuild.run(BuildRequest.of(cfg, tmp));
      BuildResult local = Rebuild.run(BuildRequest.of(td.resolve("apko.yaml"), td));
      for (BuildResult.ArchImage img : r.images()) {
        BuildResult.ArchImage same = local.image(img.arch()).orElseThrow();
        assertEquals(same.packages().stream().map(BuildResult.InstalledPackage::checksum).toList(),
            img.packages().stream().map(BuildResult.InstalledPackage::checksum).toList(), img.arch() + ": same packages");
        byte[] tar = img.layers().get(0).tar();
        assertEquals(base + "/packages\n", new String(GoldenRebuildTest.tarEntry(tar, "etc/apk/repositories"),
            StandardCharsets.UTF_8));
        assertEquals(Files.readString(td.resolve("keys/bitproof-demo.rsa.pub")),
            new String(GoldenRebuildTest.tarEntry(tar, "etc/apk/keys/bitproof-demo.rsa.pub"), StandardCharsets.UTF_8));
      }
      assertEquals(4, apkRequests.get(), "each package fetched once");
      CheckException e = assertThrows(CheckException.class, () -> Rebuild.run(BuildRequest.of(cfg, tmp)
          .withRepositoryAppend(List.of(base + "/nowhere"))));
      assertEquals(FetchCode.FETCH_NOT_FOUND, e.code());
      assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
    } finally {
      server.stop(0);
    }
  }
}
