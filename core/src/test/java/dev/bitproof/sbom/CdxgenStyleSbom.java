package dev.bitproof.sbom;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.testing.DistrolessLayer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A CycloneDX document in the shape cdxgen 12 writes for a Debian root filesystem, written here (not by our generator)
 * for {@link DistrolessLayer}: the generic twin of {@code ../shared/data/deb/sbom/sbom-distroless-like.cdx.json.gz}.
 * What it takes from cdxgen's form: spec 1.7 (no bundled schema), a {@code pkg:container} root component,
 * {@code bom-ref}s with a raw {@code +} beside purls that escape it, the {@code distro_name} qualifier, one component
 * per Debian source package tagged {@code source} beside its binaries, several licence entries per component
 * (the {@code -or-later} and the {@code -only} form of one licence), os-release as a {@code file} component with MD5
 * and SHA-1 and a {@code SrcFile} property, and a dependency graph whose root names every component.
 *
 * <p>The layer it describes is {@link #layer()}: DistrolessLayer with netbase shipping a machine-readable (DEP-5)
 * copyright file, so that licences are compared too.
 */
final class CdxgenStyleSbom {
  private CdxgenStyleSbom() {}

  static final String NETBASE_COPYRIGHT = """
      Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
      Upstream-Name: netbase

      Files: *
      Copyright: 2026 bitproof tests
      License: GPL-2+

      Files: etc/services
      Copyright: 2026 bitproof tests
      License: MPL-2.0
      """;

  /** The licences cdxgen writes for a package whose copyright file says GPL-2+ and MPL-2.0. */
  static final List<String> NETBASE_LICENSES = List.of("GPL-2.0-or-later", "GPL-2.0-only", "MPL-2.0");

  /** DistrolessLayer's packages, netbase with its copyright file. */
  static final List<DistrolessLayer.Pkg> PACKAGES = DistrolessLayer.PACKAGES.stream().map(p -> {
    if (!p.name().equals("netbase")) {
      return p;
    }
    Map<String, String> files = new LinkedHashMap<>(p.files());
    files.put("usr/share/doc/netbase/copyright", NETBASE_COPYRIGHT);
    return new DistrolessLayer.Pkg(p.name(), p.source(), p.version(), p.arch(), files);
  }).toList();

  /** The layer this document describes, as an uncompressed tar. */
  static byte[] layer() throws IOException {
    return DistrolessLayer.tar(PACKAGES);
  }

  /** The Debian source packages of {@link #PACKAGES} (those with a {@code Source:} field), each once. */
  static Set<String> sources() {
    Set<String> out = new LinkedHashSet<>();
    PACKAGES.stream().filter(p -> p.source() != null).forEach(p -> out.add(p.source()));
    return out;
  }

  static ObjectNode document() {
    ObjectNode doc = Json.mapper().createObjectNode();
    doc.put("bomFormat", "CycloneDX").put("specVersion", "1.7")
        .put("serialNumber", "urn:uuid:6b1b0a1e-58f4-4c5e-9b0e-3f3d3f1c2a10").put("version", 1);
    ObjectNode root = doc.putObject("metadata").put("timestamp", "2026-01-01T00:00:00Z").putObject("component");
    root.put("type", "container").put("name", "distroless-like-root").put("version", "latest")
        .put("bom-ref", "pkg:container/distroless-like-root@latest").put("purl", "pkg:container/distroless-like-root@latest");
    ArrayNode comps = doc.putArray("components");
    List<String> refs = new ArrayList<>();
    for (DistrolessLayer.Pkg p : PACKAGES) {
      ObjectNode c = library(comps, p.name(), p.version(), p.arch());
      if (p.name().equals("netbase")) {
        ArrayNode ls = c.putArray("licenses");
        NETBASE_LICENSES.forEach(id -> ls.addObject().putObject("license").put("id", id));
      }
      refs.add(c.get("bom-ref").asText());
    }
    for (String src : sources()) {
      DistrolessLayer.Pkg bin = PACKAGES.stream().filter(p -> src.equals(p.source())).findFirst().orElseThrow();
      ObjectNode c = library(comps, src, bin.version(), bin.arch());
      c.putArray("tags").add("source");
      refs.add(c.get("bom-ref").asText());
    }
    String osRelease = "pkg:generic/os-release?path=%2Fusr%2Flib%2Fos-release";
    ObjectNode file = comps.addObject().put("name", "os-release").put("type", "file").put("purl", osRelease).put("bom-ref", osRelease);
    ArrayNode hashes = file.putArray("hashes");
    hashes.addObject().put("alg", "MD5").put("content", hex("MD5", DistrolessLayer.OS_RELEASE));
    hashes.addObject().put("alg", "SHA-1").put("content", hex("SHA-1", DistrolessLayer.OS_RELEASE));
    file.putArray("properties").addObject().put("name", "SrcFile").put("value", "/usr/lib/os-release");
    refs.add(osRelease);
    ArrayNode deps = doc.putArray("dependencies");
    ArrayNode all = deps.addObject().put("ref", root.get("bom-ref").asText()).putArray("dependsOn");
    refs.forEach(all::add);
    refs.stream().filter(r -> r.startsWith("pkg:deb/")).forEach(r -> deps.addObject().put("ref", r).putArray("dependsOn"));
    return doc;
  }

  private static ObjectNode library(ArrayNode comps, String name, String version, String arch) {
    String q = "?arch=" + arch + "&distro=debian-12&distro_name=bookworm";
    return comps.addObject().put("bom-ref", "pkg:deb/debian/" + name + "@" + version + q).put("type", "library")
        .put("name", name).put("version", version)
        .put("purl", "pkg:deb/debian/" + name + "@" + version.replace("+", "%2B") + q).put("group", "debian");
  }

  static byte[] bytes(ObjectNode doc) {
    return doc.toString().getBytes(StandardCharsets.UTF_8);
  }

  static ObjectNode component(ObjectNode doc, String name) {
    for (var c : doc.path("components")) {
      if (c.path("name").asText().equals(name) && c.path("tags").isMissingNode()) {
        return (ObjectNode) c;
      }
    }
    throw new AssertionError("no binary component " + name);
  }

  static void remove(ObjectNode doc, String name) {
    ArrayNode comps = (ArrayNode) doc.path("components");
    for (int i = 0; i < comps.size(); i++) {
      if (comps.get(i).path("name").asText().equals(name) && comps.get(i).path("tags").isMissingNode()) {
        comps.remove(i);
        return;
      }
    }
    throw new AssertionError("no binary component " + name);
  }

  /** Digests computed here with the JDK, independently of the code under test. */
  private static String hex(String alg, String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(alg).digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
