package dev.bitproof.rebuild;

import dev.bitproof.gocompat.GoJson;

import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.Platform;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * The OCI config, manifest and index bytes as apko writes them through go-containerregistry (reference apko.md
 * §1.6): Go struct field order, compact, HTML-escaped, maps sorted, no trailing newline.
 */
public final class ImageJson {
  private ImageJson() {}

  private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
      .withZone(ZoneOffset.UTC);

  /** Go's {@code time.Time.Format(time.RFC3339)} of a UTC instant with whole seconds. */
  public static String rfc3339(long epochSeconds) {
    return RFC3339.format(Instant.ofEpochSecond(epochSeconds));
  }

  /** What the config's {@code config} object holds (ggcr {@code v1.Config} fields apko sets). */
  public record RunConfig(List<String> cmd, List<String> entrypoint, List<String> env, Map<String, String> labels,
      String user, List<String> volumes, String workingDir, String stopSignal) {}

  /**
   * ggcr {@code v1.ConfigFile}.
   *
   * @param historyComments one per layer ("" omits the comment)
   */
  public static byte[] config(Platform platform, long created, List<String> historyComments, List<Digest> diffIds,
      RunConfig rc) {
    String ts = rfc3339(created);
    GoJson.Obj o = GoJson.object();
    o.put("architecture", platform.architecture());
    o.put("author", "github.com/chainguard-dev/apko");
    o.put("created", ts);
    GoJson.Arr history = GoJson.array();
    for (String comment : historyComments) {
      history.add(GoJson.object().put("author", "apko").put("created", ts).put("created_by", "apko")
          .putIfNotEmpty("comment", comment));
    }
    o.putIfNotEmpty("history", history);
    o.put("os", platform.os());
    GoJson.Arr ids = GoJson.array();
    diffIds.forEach(d -> ids.add(d.toString()));
    o.put("rootfs", GoJson.object().put("type", "layers").put("diff_ids", ids));
    GoJson.Obj c = GoJson.object();
    c.putIfNotEmpty("Cmd", GoJson.stringArray(rc.cmd()));
    c.putIfNotEmpty("Entrypoint", GoJson.stringArray(rc.entrypoint()));
    c.putIfNotEmpty("Env", GoJson.stringArray(rc.env()));
    c.putIfNotEmpty("Labels", GoJson.stringMap(rc.labels()));
    c.putIfNotEmpty("User", rc.user());
    if (!rc.volumes().isEmpty()) {
      GoJson.Obj v = GoJson.object();
      new java.util.TreeSet<>(rc.volumes()).forEach(k -> v.put(k, GoJson.object()));
      c.put("Volumes", v);
    }
    c.putIfNotEmpty("WorkingDir", rc.workingDir());
    c.putIfNotEmpty("StopSignal", rc.stopSignal());
    o.put("config", c);
    o.putIfNotEmpty("os.version", platform.osVersion());
    o.putIfNotEmpty("variant", platform.variant());
    o.putIfNotEmpty("os.features", GoJson.stringArray(platform.osFeatures()));
    return GoJson.marshal(o);
  }

  /** ggcr {@code v1.Manifest}. */
  public static byte[] manifest(Descriptor config, List<Descriptor> layers, Map<String, String> annotations) {
    GoJson.Obj o = GoJson.object();
    o.put("schemaVersion", 2);
    o.put("mediaType", MediaType.OCI_MANIFEST.value());
    o.put("config", descriptor(config));
    GoJson.Arr ls = GoJson.array();
    layers.forEach(l -> ls.add(descriptor(l)));
    o.put("layers", ls);
    o.putIfNotEmpty("annotations", GoJson.stringMap(annotations));
    return GoJson.marshal(o);
  }

  /** ggcr {@code v1.IndexManifest}; entries in the given order (apko sorts them by OCI arch string). */
  public static byte[] index(List<Descriptor> manifests, Map<String, String> annotations) {
    GoJson.Obj o = GoJson.object();
    o.put("schemaVersion", 2);
    o.put("mediaType", MediaType.OCI_INDEX.value());
    GoJson.Arr ms = GoJson.array();
    manifests.forEach(m -> ms.add(descriptor(m)));
    o.put("manifests", ms);
    o.putIfNotEmpty("annotations", GoJson.stringMap(annotations));
    return GoJson.marshal(o);
  }

  /** ggcr {@code v1.Descriptor} field order: mediaType, size, digest, data, urls, annotations, platform, artifactType. */
  static GoJson.Obj descriptor(Descriptor d) {
    GoJson.Obj o = GoJson.object();
    o.put("mediaType", d.mediaType().value());
    o.put("size", d.size());
    o.put("digest", d.digest().toString());
    o.putIfNotEmpty("urls", GoJson.stringArray(d.urls()));
    o.putIfNotEmpty("annotations", GoJson.stringMap(d.annotations()));
    d.platform().ifPresent(p -> {
      GoJson.Obj po = GoJson.object().put("architecture", p.architecture()).put("os", p.os());
      po.putIfNotEmpty("os.version", p.osVersion());
      po.putIfNotEmpty("os.features", GoJson.stringArray(p.osFeatures()));
      po.putIfNotEmpty("variant", p.variant());
      o.put("platform", po);
    });
    d.artifactType().ifPresent(a -> o.put("artifactType", a));
    return o;
  }
}
