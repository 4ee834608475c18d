package dev.bitproof.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.OciLayout;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds small single-image OCI layouts in tests: layers from entries, a config, a manifest. */
public final class TestImages {
  /** One tar entry. {@code type} is a tar type flag: '0' file, '5' dir, '2' symlink, '1' hardlink. */
  public record Entry(String name, char type, int mode, int uid, int gid, byte[] content, String link) {
    public static Entry file(String name, int mode, String content) {
      return new Entry(name, '0', mode, 0, 0, content.getBytes(StandardCharsets.UTF_8), "");
    }

    public static Entry file(String name, int mode, byte[] content) {
      return new Entry(name, '0', mode, 0, 0, content, "");
    }

    public static Entry dir(String name, int mode) {
      return new Entry(name, '5', mode, 0, 0, new byte[0], "");
    }

    public static Entry symlink(String name, String target) {
      return new Entry(name, '2', 0777, 0, 0, new byte[0], target);
    }

    public Entry owned(int u, int g) {
      return new Entry(name, type, mode, u, g, content, link);
    }
  }

  private final List<List<Entry>> layers = new ArrayList<>();
  private final ObjectNode config = Json.mapper().createObjectNode();

  public TestImages() {
    config.put("architecture", "amd64");
    config.put("os", "linux");
    config.putObject("config");
  }

  public TestImages layer(Entry... entries) {
    layers.add(List.of(entries));
    return this;
  }

  public TestImages layer(List<Entry> entries) {
    layers.add(List.copyOf(entries));
    return this;
  }

  public TestImages user(String user) {
    ((ObjectNode) config.get("config")).put("User", user);
    return this;
  }

  public TestImages entrypoint(String... argv) {
    ArrayNode a = ((ObjectNode) config.get("config")).putArray("Entrypoint");
    for (String s : argv) {
      a.add(s);
    }
    return this;
  }

  public TestImages env(String... env) {
    ArrayNode a = ((ObjectNode) config.get("config")).putArray("Env");
    for (String s : env) {
      a.add(s);
    }
    return this;
  }

  public static byte[] tar(List<Entry> entries) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bos)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Entry e : entries) {
        TarArchiveEntry te = switch (e.type()) {
          case '2' -> {
            TarArchiveEntry x = new TarArchiveEntry(e.name(), TarConstants.LF_SYMLINK);
            x.setLinkName(e.link());
            yield x;
          }
          case '1' -> {
            TarArchiveEntry x = new TarArchiveEntry(e.name(), TarConstants.LF_LINK);
            x.setLinkName(e.link());
            yield x;
          }
          case '5' -> new TarArchiveEntry(e.name().endsWith("/") ? e.name() : e.name() + "/");
          default -> {
            TarArchiveEntry x = new TarArchiveEntry(e.name());
            x.setSize(e.content().length);
            yield x;
          }
        };
        te.setMode(e.mode() | switch (e.type()) {
          case '5' -> 040000;
          case '2' -> 0120000;
          default -> 0100000;
        });
        te.setUserId(e.uid());
        te.setGroupId(e.gid());
        te.setModTime(0);
        t.putArchiveEntry(te);
        if (e.type() == '0') {
          t.write(e.content());
        }
        t.closeArchiveEntry();
      }
    }
    return bos.toByteArray();
  }

  public static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(bos)) {
      g.write(b);
    }
    return bos.toByteArray();
  }

  /** Writes the image as an OCI layout at {@code dir} (index.json lists the manifest) and returns its reference. */
  public ImageReference writeTo(Path dir) throws IOException {
    List<byte[]> tars = new ArrayList<>();
    for (List<Entry> l : layers) {
      tars.add(tar(l));
    }
    return writeTars(dir, tars);
  }

  /** Writes layers given as uncompressed tar bytes. */
  public ImageReference writeTars(Path dir, List<byte[]> tars) throws IOException {
    ImageReference ref = ImageReference.parse("oci:" + dir);
    ObjectNode cfg = config.deepCopy();
    ObjectNode rootfs = cfg.putObject("rootfs");
    rootfs.put("type", "layers");
    ArrayNode diffIds = rootfs.putArray("diff_ids");
    ObjectNode manifest = Json.mapper().createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", MediaType.OCI_MANIFEST.value());
    try (ImageDestination dst = OciLayout.destination(ref)) {
      ArrayNode layerArr = Json.mapper().createArrayNode();
      for (byte[] tar : tars) {
        diffIds.add(Digest.sha256(tar).toString());
        byte[] gz = gzip(tar);
        Descriptor d = Descriptor.ofBytes(MediaType.OCI_LAYER_GZIP, gz);
        dst.putBlob(d, new ByteArrayInputStream(gz));
        ObjectNode l = layerArr.addObject();
        l.put("mediaType", d.mediaType().value());
        l.put("digest", d.digest().toString());
        l.put("size", d.size());
      }
      byte[] cfgBytes = Json.mapper().writeValueAsBytes(cfg);
      Descriptor cd = Descriptor.ofBytes(MediaType.OCI_CONFIG, cfgBytes);
      dst.putBlob(cd, new ByteArrayInputStream(cfgBytes));
      ObjectNode c = manifest.putObject("config");
      c.put("mediaType", cd.mediaType().value());
      c.put("digest", cd.digest().toString());
      c.put("size", cd.size());
      manifest.set("layers", layerArr);
      byte[] mb = Json.mapper().writeValueAsBytes(manifest);
      dst.putManifest(RawManifest.of(mb, MediaType.OCI_MANIFEST, "test manifest"), Optional.of("latest"));
      dst.commit();
    }
    return ImageReference.parse("oci:" + dir + ":latest");
  }
}
