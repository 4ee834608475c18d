package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.apko.ConfigLoader;
import dev.bitproof.report.CheckException;
import dev.bitproof.testing.ApkFixtures;
import dev.bitproof.testing.SharedData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** apko's other test configs and config features, with assertions on the tree that comes out. */
class ConfigFeaturesTest {
  /** path → entry, in tar order. */
  static Map<String, TarArchiveEntry> entries(byte[] tar) throws IOException {
    Map<String, TarArchiveEntry> m = new LinkedHashMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        m.put(e.getName().replaceAll("/$", ""), e);
      }
    }
    return m;
  }

  /**
   * A repository shaped like apko's layering test packages: {@code replayout} (depends on and replaces
   * {@code pretend-baselayout}, whose etc/os-release it overwrites), each shipping its SBOM; a separate build-only
   * repository. Returns the config: {@code extra} YAML appended (e.g. a layering block).
   */
  static Path layeringRepo(Path tmp, String extra) throws IOException {
    TestRepo t = new TestRepo(tmp);
    t.packages(layeringPackages(t, "x86_64").toArray(ApkFixtures.Apk[]::new));
    TestRepo build = new TestRepo(tmp.resolve("build"));
    build.packages(build.apk("build-tool", "build-tool").file("build-tool", "x"));
    Path cfg = t.config(extra, "replayout");
    // the build-only and runtime-only repositories go beside the ordinary one
    Files.writeString(cfg, Files.readString(cfg).replace("  repositories:\n", "  build_repositories:\n    - " + build.repo
        + "\n  runtime_repositories:\n    - apk.cgr.dev/runtime-only-repo\n  repositories:\n"));
    return cfg;
  }

  /** {@link #layeringRepo}'s packages for one arch: pretend-baselayout and replayout, which replaces it. */
  static List<ApkFixtures.Apk> layeringPackages(TestRepo t, String arch) {
    return List.of(t.apk("pretend-baselayout", "pretend-baselayout", arch).entry(ApkFixtures.Entry.dir("etc"))
            .file("etc/os-release", "ID=pretend\n").entry(ApkFixtures.Entry.dir("var")).entry(ApkFixtures.Entry.dir("var/lib"))
            .entry(ApkFixtures.Entry.dir("var/lib/db")).entry(ApkFixtures.Entry.dir("var/lib/db/sbom"))
            .file("var/lib/db/sbom/pretend-baselayout-1.0.0-r0.spdx.json", "{}"),
        t.apk("replayout", "replayout", arch).depend("pretend-baselayout").add("replaces", "pretend-baselayout")
            .entry(ApkFixtures.Entry.dir("etc")).file("etc/os-release", "ID=replayout\n").entry(ApkFixtures.Entry.dir("var"))
            .entry(ApkFixtures.Entry.dir("var/lib")).entry(ApkFixtures.Entry.dir("var/lib/db"))
            .entry(ApkFixtures.Entry.dir("var/lib/db/sbom")).file("var/lib/db/sbom/replayout-1.0.0-r0.spdx.json", "{}"));
  }

  @Test
  void originLayeringGivesTwoLayersAndRuntimeOnlyRepositories(@TempDir Path tmp) throws IOException {
    Path cfg = layeringRepo(tmp, "layering:\n  strategy: origin\n  budget: 2\n");
    BuildResult r = Rebuild.run(BuildRequest.of(cfg, tmp).withAnnotations(Map.of("foo", "bar")));
    assertEquals(1, r.images().size());
    for (BuildResult.ArchImage img : r.images()) {
      assertEquals(2, img.layers().size(), img.arch() + ": replayout replaces pretend-baselayout: one group + top");
      Map<String, TarArchiveEntry> pkgLayer = entries(img.layers().get(0).tar());
      Map<String, TarArchiveEntry> top = entries(img.layers().get(1).tar());
      assertTrue(pkgLayer.containsKey("etc/os-release") && !top.containsKey("etc/os-release"), pkgLayer.keySet().toString());
      assertEquals("ID=replayout\n", new String(GoldenRebuildTest.tarEntry(img.layers().get(0).tar(), "etc/os-release"),
          StandardCharsets.UTF_8), "the replacing package's file wins");
      assertTrue(pkgLayer.containsKey("var/lib/db/sbom/replayout-1.0.0-r0.spdx.json"));
      assertTrue(pkgLayer.containsKey("usr/lib/apk/db/installed"), "partial installed DB in the package layer");
      assertEquals(new String(img.installedDb(), StandardCharsets.UTF_8), new String(GoldenRebuildTest.tarEntry(
          img.layers().get(0).tar(), "usr/lib/apk/db/installed"), StandardCharsets.UTF_8),
          "the one group holds both packages, so its partial DB is the whole DB");
      List<String> order = new ArrayList<>(pkgLayer.keySet());
      assertTrue(order.indexOf("etc") < order.indexOf("etc/os-release") && order.indexOf("usr/lib/apk/db") < order.indexOf(
          "usr/lib/apk/db/installed"), "parent directories precede their files in each layer: " + order);
      assertTrue(top.containsKey("dev/console") && top.containsKey("etc/apko.json"));
      String repos = new String(GoldenRebuildTest.tarEntry(img.layers().get(1).tar(), "etc/apk/repositories"),
          StandardCharsets.UTF_8);
      assertEquals(tmp.resolve("repo") + "\napk.cgr.dev/runtime-only-repo\n", repos, "build repo excluded");
      String config = new String(img.config(), StandardCharsets.UTF_8);
      assertEquals(2, config.split("\"created_by\":\"apko\"", -1).length - 1, "one history entry per layer: " + config);
      assertFalse(config.contains("single-layer"), config);
    }
    assertTrue(new String(r.index().bytes(), StandardCharsets.UTF_8).contains("\"foo\":\"bar\""), "the annotation");
  }

  @Test
  void emptyLayeringIsOneLayerAndShowsInApkoJson(@TempDir Path tmp) throws IOException {
    BuildResult r = Rebuild.run(BuildRequest.of(layeringRepo(tmp, "# Empty layering configuration\nlayering: {}\n"), tmp));
    for (BuildResult.ArchImage img : r.images()) {
      assertEquals(1, img.layers().size());
      String apkoJson = new String(GoldenRebuildTest.tarEntry(img.layers().get(0).tar(), "etc/apko.json"),
          StandardCharsets.UTF_8);
      assertTrue(apkoJson.endsWith(",\"layering\":{}}\n"), apkoJson);
      assertTrue(new String(img.config(), StandardCharsets.UTF_8).contains(Rebuild.HISTORY_SINGLE));
    }
  }

  @Test
  void apkoCertsYamlBuildsWithProviders(@TempDir Path tmp) throws IOException {
    // apko-certs.yaml's shape: two provider packages, no CA bundle package, two arches
    TestRepo t = new TestRepo(tmp);
    for (String arch : List.of("x86_64", "aarch64")) {
      t.packagesAppend(arch, CaCertificatesTest.certProviders(t, arch)).finishIndex(arch);
    }
    Path cfg = t.config(List.of("x86_64", "aarch64"), "certificates:\n  providers:\n    - custom-ca-certificates\n",
        "custom-ca-certs-1", "custom-ca-certs-2");
    BuildResult r = Rebuild.run(BuildRequest.of(cfg, tmp));
    assertEquals(2, r.images().size());
    for (BuildResult.ArchImage img : r.images()) {
      Map<String, TarArchiveEntry> e = entries(img.layers().get(0).tar());
      // both packages provide custom-ca-certificates, so their four certificates are collected; with no bundle in
      // the image there is nothing to append to, and usr/local/share certificates are not put in ca-certificates.conf
      for (String c : List.of("cert-a", "cert-b", "cert-c", "cert-d")) {
        assertTrue(e.containsKey("usr/local/share/ca-certificates/" + c + ".crt"), img.arch() + " " + c);
      }
      assertFalse(e.containsKey("etc/ssl/certs/ca-certificates.crt"), img.arch().toString());
      assertFalse(e.containsKey("etc/ca-certificates.conf"), img.arch().toString());
      String apkoJson = new String(GoldenRebuildTest.tarEntry(img.layers().get(0).tar(), "etc/apko.json"),
          StandardCharsets.UTF_8);
      assertTrue(apkoJson.contains("\"certificates\":{\"providers\":[\"custom-ca-certificates\"]}"), apkoJson);
    }
  }

  @Test
  void accountsPathsEnvironmentAndEntrypoint(@TempDir Path tmp) throws IOException {
    TestRepo t = new TestRepo(tmp);
    t.packages(t.apk("base", "base").entry(ApkFixtures.Entry.dir("etc")).entry(ApkFixtures.Entry.dir("usr"))
        .entry(ApkFixtures.Entry.dir("usr/share")).file("usr/share/default.conf", "conf").file("etc/group", "root:x:0:\n"));
    Path cfg = t.config("""
        accounts:
          groups:
            - groupname: nginx
              gid: 10000
          users:
            - username: nginx
              uid: 10000
          run-as: nginx
        paths:
          - path: /run/nginx
            type: directory
            uid: 10000
            gid: 10000
            permissions: 0o755
          - path: /etc/nginx.conf
            type: hardlink
            source: /usr/share/default.conf
            uid: 10000
            permissions: 0o640
          - path: /var/empty-file
            type: empty-file
            permissions: 0o600
          - path: /etc/link
            type: symlink
            source: /usr/share/default.conf
        environment:
          FOO: bar
          PATH: /bin
        entrypoint:
          shell-fragment: "echo <hi> & done"
        cmd: serve --port "8080 x"
        work-dir: /srv
        stop-signal: SIGQUIT
        volumes: [/data]
        """, "base");
    BuildResult r = Rebuild.run(t.request(cfg));
    byte[] tar = r.images().get(0).layers().get(0).tar();
    Map<String, TarArchiveEntry> e = entries(tar);
    assertEquals("nginx:x:10000:10000:Account created by apko:/home/nginx:/bin/sh\n",
        new String(GoldenRebuildTest.tarEntry(tar, "etc/passwd"), StandardCharsets.UTF_8));
    assertEquals("root:x:0:\nnginx:x:10000:\n", new String(GoldenRebuildTest.tarEntry(tar, "etc/group"), StandardCharsets.UTF_8));
    assertEquals("nginx:!:::::::\n", new String(GoldenRebuildTest.tarEntry(tar, "etc/shadow"), StandardCharsets.UTF_8));
    TarArchiveEntry home = e.get("home/nginx");
    assertEquals(0700, home.getMode() & 07777);
    assertEquals(10000, home.getLongUserId());
    assertEquals("nginx", home.getUserName(), "uname from the image's own passwd");
    assertEquals("nginx", home.getGroupName());
    TarArchiveEntry run = e.get("run/nginx");
    assertEquals(10000, run.getLongUserId());
    assertTrue(run.isDirectory());
    TarArchiveEntry conf = e.get("etc/nginx.conf");
    assertTrue(conf.isFile(), "a paths: hardlink is written as a second full file, as apko does");
    assertEquals(4, conf.getSize());
    assertEquals(0640, conf.getMode() & 07777);
    assertEquals(10000, conf.getLongUserId());
    assertEquals(0, conf.getLongGroupId(), "only uid given: gid is 0");
    assertEquals(0600, e.get("var/empty-file").getMode() & 07777);
    assertEquals("/usr/share/default.conf", e.get("etc/link").getLinkName());
    String config = new String(r.images().get(0).config(), StandardCharsets.UTF_8);
    assertTrue(config.contains("\"Entrypoint\":[\"/bin/sh\",\"-c\",\"echo \\u003chi\\u003e \\u0026 done\"]"), config);
    assertTrue(config.contains("\"Cmd\":[\"serve\",\"--port\",\"8080 x\"]"), config);
    assertTrue(config.contains("\"Env\":[\"FOO=bar\",\"PATH=/bin\",\"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt\"]"), config);
    assertTrue(config.contains("\"User\":\"10000\",\"Volumes\":{\"/data\":{}},\"WorkingDir\":\"/srv\""), config);
    assertTrue(config.contains("\"StopSignal\":\"SIGQUIT\""), config);
    String apkoJson = new String(GoldenRebuildTest.tarEntry(tar, "etc/apko.json"), StandardCharsets.UTF_8);
    assertTrue(apkoJson.contains("\"run-as\":\"10000\""), apkoJson);
    assertTrue(apkoJson.contains("\"homedir\":\"/home/nginx\""), apkoJson);
  }

  @Test
  void caBundleSidecarAndRuntimeKeyring(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp);
    t.packages(t.apk("ca", "ca").set("builddate", "1700000000").entry(ApkFixtures.Entry.dir("etc"))
        .entry(ApkFixtures.Entry.dir("etc/ssl")).entry(ApkFixtures.Entry.dir("etc/ssl/certs"))
        .file("etc/ssl/certs/ca-certificates.crt", "PEM\n"));
    Path cfg = t.config("  runtime_keyring:\n    - name: mirror.rsa.pub\n      content: KEY\n", "ca");
    // runtime_keyring belongs under contents: move the appended lines there
    String y = Files.readString(cfg).replace("archs: [x86_64]\n  runtime_keyring:", "  runtime_keyring:");
    y = y.replace("      content: KEY\n", "      content: KEY\narchs: [x86_64]\n");
    Files.writeString(cfg, y);
    BuildResult r = Rebuild.run(BuildRequest.of(cfg, tmp));
    byte[] tar = r.images().get(0).layers().get(0).tar();
    Map<String, TarArchiveEntry> e = entries(tar);
    TarArchiveEntry side = e.get("etc/ssl/certs/.ca-certificates.crt.sha256");
    assertEquals(0444, side.getMode() & 07777);
    assertEquals(1700000000L, side.getLastModifiedTime().toInstant().getEpochSecond(), "mtime = build date");
    assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest("PEM\n".getBytes(StandardCharsets.UTF_8))) + "  ca-certificates.crt\n",
        new String(GoldenRebuildTest.tarEntry(tar, "etc/ssl/certs/.ca-certificates.crt.sha256"), StandardCharsets.UTF_8));
    assertEquals("KEY", new String(GoldenRebuildTest.tarEntry(tar, "etc/apk/keys/mirror.rsa.pub"), StandardCharsets.UTF_8));
    assertEquals(1700000000L, r.images().get(0).buildDate(), "newest package builddate");
  }

  @Test
  void busyboxAppletLinksFromItsManifest(@TempDir Path tmp) throws IOException {
    TestRepo t = new TestRepo(tmp);
    t.packages(t.apk("busybox", "busybox").entry(ApkFixtures.Entry.dir("bin")).file("bin/busybox", "ELF")
        .entry(ApkFixtures.Entry.dir("etc")).entry(ApkFixtures.Entry.dir("etc/busybox-paths.d"))
        .file("etc/busybox-paths.d/busybox", "/bin/busybox\n/bin/sh\n/usr/bin/env\n/bin/sh\n"));
    BuildResult r = Rebuild.run(t.request(t.config("", "busybox")));
    Map<String, TarArchiveEntry> e = entries(r.images().get(0).layers().get(0).tar());
    assertEquals("/bin/busybox", e.get("bin/sh").getLinkName());
    assertEquals("/bin/busybox", e.get("usr/bin/env").getLinkName());
    assertEquals(0755, e.get("usr/bin").getMode() & 07777);
    assertTrue(r.notes().isEmpty(), r.notes().toString());
  }

  @Test
  void serviceBundleWritesRunScriptsAndNeedsS6(@TempDir Path tmp) throws IOException {
    TestRepo t = new TestRepo(tmp);
    t.packages(t.apk("s6", "s6").entry(ApkFixtures.Entry.dir("bin")).file("bin/s6-svscan", "#!"));
    Path cfg = t.config("entrypoint:\n  type: service-bundle\n  services:\n    web: /bin/web -f\n");
    BuildResult r = Rebuild.run(t.request(cfg));
    byte[] tar = r.images().get(0).layers().get(0).tar();
    assertEquals("#!/bin/execlineb\n/bin/web -f\n", new String(GoldenRebuildTest.tarEntry(tar, "sv/web/run"),
        StandardCharsets.UTF_8));
    assertTrue(new String(r.images().get(0).config(), StandardCharsets.UTF_8)
        .contains("\"Entrypoint\":[\"/bin/s6-svscan\",\"/sv\"]"));
  }

  /** On the demo's inputs (testdata/demo): SOURCE_DATE_EPOCH moves the created times, not the layer. */
  @Test
  void sourceDateEpochSetsCreatedButNotFileTimes(@TempDir Path tmp) throws IOException {
    Path demo = SharedData.testdata("demo");
    BuildRequest req = BuildRequest.of(demo.resolve("apko.yaml"), demo).withLockFile(demo.resolve("apko.lock.json"));
    BuildResult plain = Rebuild.run(req);
    // the demo's packages were built at 1700000000, the date a build without an epoch takes
    assertTrue(new String(plain.images().get(0).config(), StandardCharsets.UTF_8).contains("\"created\":\"2023-11-14T22:13:20Z\""));
    BuildResult r = Rebuild.run(req.withSourceDateEpoch(1600000000L));
    BuildResult.ArchImage img = r.images().get(0);
    assertEquals(plain.images().get(0).diffIds(), img.diffIds(), "file mtimes are not clamped, so the layer does not change");
    assertTrue(new String(img.config(), StandardCharsets.UTF_8).contains("\"created\":\"2020-09-13T12:26:40Z\""));
    assertTrue(new String(r.index().bytes(), StandardCharsets.UTF_8).contains("2020-09-13T12:26:40Z"));
  }

  static Stream<Path> examples() throws IOException {
    return SharedData.files("apk/apko/examples", 1, p -> p.toString().endsWith(".yaml"));
  }

  /** Builds each upstream example whose repositories are all on this machine; the others need the network. */
  // without ../shared the source is one placeholder, and the test skips through SharedData.require
  @ParameterizedTest
  @MethodSource("examples")
  void upstreamExampleBuildsWhenItsPackagesAreLocal(Path example) throws IOException {
    Path apko = SharedData.require("apk/apko");
    ConfigLoader.Loaded l = ConfigLoader.load(example, apko);
    List<String> remote = new ArrayList<>();
    for (String r : l.config().buildTimeRepositories()) {
      if (Fetch.isRemote(r)) {
        remote.add(r);
      }
    }
    Assumptions.assumeTrue(remote.isEmpty() && !l.config().contents().repositories().isEmpty(),
        () -> "skipped: " + example.getFileName() + " needs remote repositories " + remote);
    BuildResult r = Rebuild.run(BuildRequest.of(example, apko));
    assertFalse(r.images().isEmpty());
  }
}
