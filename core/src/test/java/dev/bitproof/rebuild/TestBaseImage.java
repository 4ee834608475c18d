package dev.bitproof.rebuild;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.transport.OciLayout;
import dev.bitproof.testing.ApkFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A base image the tests build, the fixture twin of apko's {@code testdata/base_image}: our own build of a signed
 * x86_64 repository ({@code fixture-baselayout} with etc/os-release, {@code package-x} with x/hello.txt) written as an
 * OCI layout, its installed database as the base's {@code metadata/x86_64/APKINDEX}, and a second repository holding
 * {@code app} (depends on fixture-baselayout) to build on top of it. The APKINDEX also names {@code package-y} in a
 * last record without the closing blank line, which apko's ParseInstalled drops (as upstream's file does).
 */
public final class TestBaseImage {
  public final Path dir;
  public final Path image;
  public final Path metadata;
  final TestRepo top;
  public final BuildResult base;

  public static final String CONFIG = """
      contents:
        baseimage:
          image: ./base
          apkindex: ./base-metadata
        keyring:
          - ./top/keys/bitproof-test.rsa.pub
        repositories:
          - ./top/repo
        packages:
          - app

      entrypoint:
        command: /bin/sh -l

      archs:
      - x86_64
      """;

  private TestBaseImage(Path dir, Path image, Path metadata, TestRepo top, BuildResult base) {
    this.dir = dir;
    this.image = image;
    this.metadata = metadata;
    this.top = top;
    this.base = base;
  }

  public static TestBaseImage build(Path dir) throws IOException {
    TestRepo b = new TestRepo(dir.resolve("base-src"));
    ApkFixtures.Apk layout = b.apk("fixture-baselayout", "fixture-baselayout").entry(ApkFixtures.Entry.dir("etc"))
        .file("etc/os-release", "ID=bitproof-fixture\nNAME=\"bitproof fixture\"\n");
    ApkFixtures.Apk x = b.apk("package-x", "package-x").depend("fixture-baselayout").entry(ApkFixtures.Entry.dir("x"))
        .file("x/hello.txt", "hello from the base\n");
    b.packages(layout, x);
    BuildResult base = Rebuild.run(b.request(b.config("", "package-x")));
    Path image = dir.resolve("base");
    base.writeTo(OciLayout.destination(ImageReference.oci(image.toString(), null)), Optional.empty());
    Path metadata = dir.resolve("base-metadata");
    Files.createDirectories(metadata.resolve("x86_64"));
    byte[] db = base.images().get(0).installedDb();
    String y = "P:package-y\nV:1.0.0-r0\nA:x86_64\nT:only in the base's index\nC:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    Files.write(metadata.resolve("x86_64/APKINDEX"), ApkFixtures.concat(db, y.getBytes(StandardCharsets.UTF_8)));

    TestRepo top = new TestRepo(dir.resolve("top"));
    // the top repository also carries the base's baselayout, as a real repository would
    ApkFixtures.Apk topLayout = top.apk("fixture-baselayout", "fixture-baselayout").entry(ApkFixtures.Entry.dir("etc"))
        .file("etc/os-release", "ID=bitproof-fixture\nNAME=\"bitproof fixture\"\n");
    top.packages(topLayout, top.apk("app", "app").depend("fixture-baselayout").entry(ApkFixtures.Entry.dir("usr"))
        .entry(ApkFixtures.Entry.dir("usr/bin")).file("usr/bin/app", "#!/bin/sh\necho app\n"));
    return new TestBaseImage(dir, image, metadata, top, base);
  }

  /** Writes {@code config} as {@code <name>.apko.yaml} in the fixture's directory. */
  public Path config(String name, String config) throws IOException {
    return Files.writeString(dir.resolve(name + ".apko.yaml"), config);
  }

  /** The config {@code config} with a lock our resolver wrote for it, as a request. */
  BuildRequest lockedRequest(String name, String config) throws IOException {
    BuildRequest req = BuildRequest.of(config(name, config), dir).withSourceDateEpoch(0);
    Path lock = dir.resolve(name + ".apko.lock.json");
    Files.write(lock, Rebuild.lock(req).toBytes());
    return req.withLockFile(lock);
  }

  /** The one (amd64) image manifest's digest in the layout. */
  static Digest manifestDigest(Path layout) throws IOException {
    JsonNode index = Json.parse(Files.readAllBytes(layout.resolve("index.json")), "index.json");
    JsonNode d = index.get("manifests").get(0);
    if (d.path("mediaType").asText().equals(MediaType.OCI_INDEX.value())) {
      JsonNode inner = Json.parse(blob(layout, Digest.parse(d.get("digest").asText())), "index");
      d = inner.get("manifests").get(0);
    }
    return Digest.parse(d.get("digest").asText());
  }

  /** A copy of the base layout whose manifest is edited by {@code edit} (index references fixed up). */
  Path withEditedManifest(Path out, UnaryOperator<ObjectNode> edit) throws IOException {
    BaseImageRebuildTest.copyTree(image, out);
    Digest old = manifestDigest(out);
    ObjectNode m = (ObjectNode) Json.parse(blob(out, old), "manifest");
    byte[] nb = Json.mapper().writeValueAsBytes(edit.apply(m));
    replaceReferences(out, Map.of(old, put(out, nb)), Map.of(old, (long) nb.length));
    return out;
  }

  /** A copy of the base layout whose config JSON text is edited by {@code edit} (manifest and index fixed up). */
  Path withEditedConfig(Path out, UnaryOperator<String> edit) throws IOException {
    Path copy = withEditedManifest(out, m -> m);
    Digest md = manifestDigest(copy);
    ObjectNode m = (ObjectNode) Json.parse(blob(copy, md), "manifest");
    ObjectNode cd = (ObjectNode) m.get("config");
    byte[] cfg = edit.apply(new String(blob(copy, Digest.parse(cd.get("digest").asText())), StandardCharsets.UTF_8))
        .getBytes(StandardCharsets.UTF_8);
    cd.put("digest", put(copy, cfg).toString());
    cd.put("size", cfg.length);
    byte[] nb = Json.mapper().writeValueAsBytes(m);
    replaceReferences(copy, Map.of(md, put(copy, nb)), Map.of(md, (long) nb.length));
    return copy;
  }

  static byte[] blob(Path layout, Digest d) throws IOException {
    return Files.readAllBytes(layout.resolve("blobs/sha256").resolve(d.hex()));
  }

  static Digest put(Path layout, byte[] bytes) throws IOException {
    Digest d = Digest.sha256(bytes);
    Files.write(layout.resolve("blobs/sha256").resolve(d.hex()), bytes);
    return d;
  }

  /** Points every index descriptor naming an old digest at the new one, up to index.json. */
  static void replaceReferences(Path layout, Map<Digest, Digest> to, Map<Digest, Long> size) throws IOException {
    ObjectNode index = (ObjectNode) Json.parse(Files.readAllBytes(layout.resolve("index.json")), "index.json");
    for (JsonNode d : index.get("manifests")) {
      ObjectNode od = (ObjectNode) d;
      Digest dg = Digest.parse(od.get("digest").asText());
      if (to.containsKey(dg)) {
        od.put("digest", to.get(dg).toString());
        od.put("size", size.get(dg));
      } else if (od.path("mediaType").asText().equals(MediaType.OCI_INDEX.value())) {
        ObjectNode inner = (ObjectNode) Json.parse(blob(layout, dg), "index");
        boolean changed = false;
        for (JsonNode e : inner.get("manifests")) {
          Digest ed = Digest.parse(e.get("digest").asText());
          if (to.containsKey(ed)) {
            ((ObjectNode) e).put("digest", to.get(ed).toString());
            ((ObjectNode) e).put("size", size.get(ed));
            changed = true;
          }
        }
        if (changed) {
          byte[] ib = Json.mapper().writeValueAsBytes(inner);
          od.put("digest", put(layout, ib).toString());
          od.put("size", ib.length);
        }
      }
    }
    Files.write(layout.resolve("index.json"), Json.mapper().writeValueAsBytes(index));
  }
}
