package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.bitproof.apk.ApkPackage;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.testing.ApkFixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A package signed by a key outside the keyring, served from a loopback repository the test starts: the finding is
 * made once, while the package is fetched (one request per package), and the relax flag changes only its weight.
 */
class UntrustedPackagesTest {
  @TempDir
  Path tmp;
  HttpServer server;
  final Map<String, Integer> requests = new TreeMap<>();

  @BeforeEach
  void repository() throws IOException {
    ApkFixtures.TestKey repoKey = ApkFixtures.key("repo.rsa.pub");
    ApkFixtures.TestKey other = ApkFixtures.key("someone-else.rsa.pub");
    Path keyFile = repoKey.writePublic(tmp.resolve("keys"));
    Path arch = tmp.resolve("www/repo/x86_64");
    byte[] base = Files.readAllBytes(new ApkFixtures.Apk("base", "1.0.0-r0", "x86_64").set("origin", "base")
        .entry(ApkFixtures.Entry.dir("etc")).file("etc/base", "trusted").signedBy(repoKey).write(arch));
    byte[] app = Files.readAllBytes(new ApkFixtures.Apk("app", "1.0.0-r0", "x86_64").set("origin", "app")
        .depend("base").entry(ApkFixtures.Entry.dir("usr")).file("usr/app", "untrusted").signedBy(other).write(arch));
    Files.write(arch.resolve("APKINDEX.tar.gz"), ApkFixtures.index(ApkFixtures.stanza(base, ApkPackage.read(base, "base"))
        + ApkFixtures.stanza(app, ApkPackage.read(app, "app")), repoKey, "RSA256"));
    Path www = tmp.resolve("www");
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      String p = ex.getRequestURI().getPath().substring(1);
      Path f = www.resolve(p).normalize();
      synchronized (requests) {
        requests.merge(p, 1, Integer::sum);
      }
      if (!f.startsWith(www) || !Files.isRegularFile(f)) {
        ex.sendResponseHeaders(404, -1);
        ex.close();
        return;
      }
      byte[] b = Files.readAllBytes(f);
      ex.sendResponseHeaders(200, b.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(b);
      }
    });
    server.start();
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/repo";
    Files.writeString(tmp.resolve("apko.yaml"), "contents:\n  keyring: [" + keyFile + "]\n  repositories: [" + url
        + "]\n  packages: [app]\narchs: [x86_64]\n");
    // the "published" image: what the relaxed build makes (the image is fine, its inputs are not vouched for)
    Run b = run("build", "-C", tmp.toString(), "apko.yaml", "-o", "oci:" + tmp.resolve("published"),
        "--allow-untrusted-packages", "--no-cache", "--format", "json");
    assertEquals(0, b.code(), b.err());
    JsonNode pkg = b.json().get("images").get(0).get("packages").get(1);
    assertEquals("app", pkg.get("name").asText());
    assertEquals("APK_SIGNATURE_UNTRUSTED_KEY", pkg.get("findings").get(0).get("code").asText());
    assertEquals("WARN", pkg.get("findings").get(0).get("severity").asText(), "relaxed, but kept");
    requests.clear();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  /**
   * One rule set ({@code --apko-version newest}: without it the verification rebuilds once per rule set the image
   * allows) and no cache (a cached package would not be fetched at all), so the requests count one rebuild's fetches.
   */
  Run verify(String... more) {
    List<String> args = new ArrayList<>(List.of("verify", tmp.resolve("apko.yaml").toString(), "--image",
        "oci:" + tmp.resolve("published"), "-C", tmp.toString(), "--no-policy", "--apko-version", "newest",
        "--no-cache", "--format", "json"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  static JsonNode finding(JsonNode report, String subject) {
    for (JsonNode c : report.get("checks")) {
      for (JsonNode f : c.path("findings")) {
        if (f.path("subject").asText().equals(subject) && f.path("code").asText().startsWith("APK_SIGNATURE")) {
          return f;
        }
      }
    }
    throw new AssertionError("no signature finding for " + subject + " in " + report.toPrettyString());
  }

  @Test
  void untrustedPackageFailsTheVerificationAndEachPackageIsFetchedOnce() {
    Run r = verify();
    assertEquals(1, r.code(), r.out() + r.err());
    JsonNode j = r.json();
    assertEquals("FAIL", j.get("result").asText());
    assertEquals("BIT_IDENTICAL", j.get("verdict").asText(), "the image is still explained, digest by digest");
    JsonNode f = finding(j, "x86_64/app-1.0.0-r0.apk");
    assertEquals("APK_SIGNATURE_UNTRUSTED_KEY", f.get("code").asText());
    assertEquals("FAIL", f.get("severity").asText());
    assertEquals("APK_SIGNATURE_OK", finding(j, "x86_64/base-1.0.0-r0.apk").get("code").asText());
    assertEquals(1, requests.get("repo/x86_64/app-1.0.0-r0.apk"), requests.toString());
    assertEquals(1, requests.get("repo/x86_64/base-1.0.0-r0.apk"), requests.toString());
  }

  @Test
  void relaxedTheFindingStaysAsAWarning() {
    Run r = verify("--allow-untrusted-packages");
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode j = r.json();
    assertEquals("PASS", j.get("result").asText());
    JsonNode f = finding(j, "x86_64/app-1.0.0-r0.apk");
    assertEquals("APK_SIGNATURE_UNTRUSTED_KEY", f.get("code").asText());
    assertEquals("WARN", f.get("severity").asText());
    assertTrue(j.get("notes").toString().contains("--allow-untrusted-packages"), j.get("notes").toString());
    assertEquals(1, requests.get("repo/x86_64/app-1.0.0-r0.apk"), requests.toString());
  }

  @Test
  void buildWithoutTheFlagStopsOnTheUntrustedPackage() {
    Run r = run("build", "-C", tmp.toString(), "apko.yaml", "-o", "oci:" + tmp.resolve("strict"), "--no-cache",
        "--format", "json");
    assertEquals(1, r.code(), r.err());
    assertEquals("APK_SIGNATURE_UNTRUSTED_KEY", r.json().get("error").get("code").asText());
    assertTrue(!Files.exists(tmp.resolve("strict")), "nothing written");
  }
}
