package dev.bitproof.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.cli.CliRunner;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.cli.options.Environment;
import dev.bitproof.testing.RepoServer;
import dev.bitproof.testing.TinyProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo repository and its key served over HTTPS (a certificate the test made, trusted with --ca-cert), reached
 * through tinyproxy named by HTTPS_PROXY in the environment the CLI reads, cached, then rebuilt --offline.
 */
class BuildRemoteRepositoryTest {
  static Run run(Map<String, String> env, String... args) throws Exception {
    return Environment.with(env, () -> CliRunner.run(args));
  }

  static List<String> args(Path wd, String out, String... extra) {
    List<String> a = new ArrayList<>(List.of("build", "-C", wd.toString(), "remote.yaml", "-o", "oci:" + out,
        "--retries", "0", "--format", "json"));
    a.addAll(List.of(extra));
    return a;
  }

  @Test
  void httpsThroughTheProxyThenOfflineFromTheCache(@TempDir Path tmp) throws Exception {
    Path wd = BuildApkoCommandLineTest.workdir(tmp);
    try (RepoServer server = RepoServer.serve(wd); TinyProxy proxy = TinyProxy.start(tmp)) {
      Files.writeString(wd.resolve("remote.yaml"), "contents:\n  keyring:\n    - " + server.url("keys/bitproof-demo.rsa.pub")
          + "\n  repositories:\n    - " + server.url("packages") + "\n  packages:\n    - demo-hello\narchs: [x86_64]\n");
      Path ca = server.writeCa(tmp);
      Map<String, String> env = Map.of("HTTPS_PROXY", proxy.url(), "NO_PROXY", "<-loopback>", "HOME", tmp.toString());
      Run online = run(env, args(wd, "a", "--ca-cert", ca.toString(), "--cache-dir", "cache").toArray(String[]::new));
      assertEquals(0, online.code(), online.err());
      assertTrue(proxy.log().stream().anyMatch(l -> l.contains("CONNECT 127.0.0.1:" + server.port())), proxy.log().toString());
      assertTrue(Files.isDirectory(wd.resolve("cache/sha256")), "--cache-dir resolves against -C");

      int asked = server.requests().size();
      Run offline = run(Map.of(), args(wd, "b", "--cache-dir", "cache", "--offline").toArray(String[]::new));
      assertEquals(0, offline.code(), offline.err());
      assertEquals(online.json().get("index"), offline.json().get("index"));
      assertEquals(asked, server.requests().size(), "offline asks nobody");

      Run miss = run(Map.of(), args(wd, "c", "--cache-dir", "empty", "--offline").toArray(String[]::new));
      assertEquals(3, miss.code(), miss.err());
      assertEquals("FETCH_OFFLINE_MISS", miss.json().get("error").get("code").asText());
      assertFalse(Files.exists(wd.resolve("c/index.json")));

      Run untrusted = run(Map.of(), args(wd, "d", "--no-cache").toArray(String[]::new));
      assertEquals(3, untrusted.code(), untrusted.err());
      assertEquals("FETCH_TLS_FAILED", untrusted.json().get("error").get("code").asText());
      assertTrue(untrusted.err().contains(server.url("keys/bitproof-demo.rsa.pub")), untrusted.err());
      assertFalse(untrusted.err().contains(": null"), untrusted.err());
    }
    try (TinyProxy strict = TinyProxy.start(tmp, "ConnectPort 443"); RepoServer server = RepoServer.serve(wd)) {
      Files.writeString(wd.resolve("remote.yaml"), "contents:\n  keyring:\n    - " + server.url("keys/bitproof-demo.rsa.pub")
          + "\n  repositories:\n    - " + server.url("packages") + "\n  packages:\n    - demo-hello\narchs: [x86_64]\n");
      Run refused = run(Map.of("https_proxy", strict.url(), "no_proxy", "<-loopback>"),
          args(wd, "e", "--no-cache", "--ca-cert", server.writeCa(tmp).toString()).toArray(String[]::new));
      assertEquals(3, refused.code(), refused.err());
      assertEquals("FETCH_PROXY_REFUSED", refused.json().get("error").get("code").asText());
    }
  }

  @Test
  void badFetchSettingsAreRefusedBeforeAnything(@TempDir Path tmp) throws Exception {
    Path wd = BuildApkoCommandLineTest.workdir(tmp);
    Run badProxy = run(Map.of("HTTPS_PROXY", "socks5://127.0.0.1:1080"), "build", "-C", wd.toString(),
        "examples/alpine-base.yaml", "-o", "oci:x", "--no-cache");
    assertEquals(2, badProxy.code(), badProxy.err());
    assertTrue(badProxy.err().contains("FETCH_PROXY_INVALID"), badProxy.err());
    Run noCa = run(Map.of(), "build", "-C", wd.toString(), "examples/alpine-base.yaml", "-o", "oci:x", "--no-cache",
        "--ca-cert", tmp.resolve("absent.pem").toString());
    assertEquals(3, noCa.code(), noCa.err());
    assertTrue(noCa.err().contains("FETCH_CA_CERT_INVALID"), noCa.err());
    Run both = run(Map.of(), "build", "-C", wd.toString(), "examples/alpine-base.yaml", "-o", "oci:x", "--no-cache",
        "--offline");
    assertEquals(2, both.code(), both.err());
  }
}
