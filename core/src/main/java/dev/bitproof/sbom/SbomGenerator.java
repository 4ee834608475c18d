package dev.bitproof.sbom;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.transport.Images;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;

/** Builds SBOMs from what the layers contain: correct by construction, deterministic (no random IDs or clocks). */
public final class SbomGenerator {
  private SbomGenerator() {}

  /** apko's per-architecture SPDX document for a loaded image. */
  public static ObjectNode apkoSpdx(LoadedImage img, ApkoSpdx.Options o) {
    ImageContents c = img.contents();
    List<Map.Entry<String, String>> pkgs = c.packages().stream()
        .filter(p -> p.ecosystem() == InstalledPackage.Ecosystem.APK)
        .<Map.Entry<String, String>>map(p -> new AbstractMap.SimpleImmutableEntry<>(p.name(), p.version())).toList();
    List<ApkoSpdx.Layer> layers = img.image().manifest().layers().stream()
        .map(d -> new ApkoSpdx.Layer(d.digest().toString(), d.mediaType().value())).toList();
    ApkoSpdx.ImageInput in = new ApkoSpdx.ImageInput(img.image().manifest().digest().toString(),
        img.image().manifest().mediaType().value(), img.image().config().architecture(), layers, created(img.image()),
        c.osRelease(), pkgs, path -> c.filesystem().content(path));
    return ApkoSpdx.image(in, o);
  }

  /** apko's index SPDX document for a tree whose root is an index. */
  public static ObjectNode apkoSpdxIndex(Images.Tree tree, ApkoSpdx.Options o) {
    List<ApkoSpdx.IndexEntry> entries = tree.images().stream()
        .map(r -> new ApkoSpdx.IndexEntry(r.manifest().digest().toString(), r.config().architecture())).toList();
    String created = tree.index().flatMap(i -> java.util.Optional.ofNullable(i.annotations().get("org.opencontainers.image.created")))
        .orElseGet(() -> tree.images().isEmpty() ? "1970-01-01T00:00:00Z" : created(tree.images().get(0)));
    return ApkoSpdx.index(tree.root().digest().toString(), tree.root().mediaType().value(), entries, created, o);
  }

  /** The build time apko records: the config's {@code created}, else the Unix epoch. */
  static String created(Images.Resolved r) {
    String c = r.config().json().path("created").asText("");
    return c.isEmpty() ? "1970-01-01T00:00:00Z" : c;
  }

  static String apkArch(Descriptor d) {
    return d.platform().map(p -> p.architecture()).orElse("");
  }
}
