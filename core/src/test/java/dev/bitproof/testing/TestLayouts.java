package dev.bitproof.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Builds tampered copies of a real OCI layout for tests: the layers' tars are edited at the byte level (so every
 * untouched header stays exactly as the original tool wrote it), configs are edited as JSON, and only the
 * documents that changed are re-serialized; everything else keeps its original bytes.
 */
public final class TestLayouts {
  private TestLayouts() {}

  /** Edits one uncompressed layer: (architecture, tar bytes) → new tar bytes, or null to keep the blob as it is. */
  public interface TarEdit extends BiFunction<String, byte[], byte[]> {}

  /**
   * Copies {@code src} (an OCI layout whose index.json is the image index) to {@code out}, applying the edits.
   *
   * @param recompress re-gzip every layer with Java's deflater even when its tar is unchanged
   */
  public static Path rewrite(Path src, Path out, TarEdit tarEdit, Consumer<ObjectNode> configEdit, boolean recompress) {
    try {
      Files.createDirectories(out.resolve("blobs/sha256"));
      Files.copy(src.resolve("oci-layout"), out.resolve("oci-layout"));
      try (var s = Files.list(src.resolve("blobs/sha256"))) {
        for (Path p : (Iterable<Path>) s::iterator) {
          Files.copy(p, out.resolve("blobs/sha256").resolve(p.getFileName()));
        }
      }
      byte[] indexBytes = Files.readAllBytes(src.resolve("index.json"));
      ObjectNode index = Json.parseObject(indexBytes, "index");
      boolean indexChanged = false;
      for (JsonNode m : index.get("manifests")) {
        ObjectNode md = (ObjectNode) m;
        byte[] manifestBytes = blob(src, md.get("digest").asText());
        ObjectNode manifest = Json.parseObject(manifestBytes, "manifest");
        ObjectNode cfgDesc = (ObjectNode) manifest.get("config");
        byte[] configBytes = blob(src, cfgDesc.get("digest").asText());
        ObjectNode config = Json.parseObject(configBytes, "config");
        String arch = config.get("architecture").asText();
        boolean changed = false;
        ArrayNode layers = (ArrayNode) manifest.get("layers");
        for (int i = 0; i < layers.size(); i++) {
          ObjectNode ld = (ObjectNode) layers.get(i);
          byte[] tar = gunzip(blob(src, ld.get("digest").asText()));
          byte[] edited = tarEdit == null ? null : tarEdit.apply(arch, tar);
          if (edited == null && !recompress) {
            continue;
          }
          byte[] newTar = edited == null ? tar : edited;
          byte[] gz = gzip(newTar);
          ld.put("digest", put(out, gz).toString());
          ld.put("size", gz.length);
          ((ArrayNode) config.get("rootfs").get("diff_ids")).set(i, Digest.sha256(newTar).toString());
          changed = true;
        }
        if (configEdit != null) {
          configEdit.accept(config);
        }
        if (changed || !Json.parseObject(configBytes, "config").equals(config)) {
          byte[] cb = Json.mapper().writeValueAsBytes(config);
          cfgDesc.put("digest", put(out, cb).toString());
          cfgDesc.put("size", cb.length);
          changed = true;
        }
        if (changed) {
          byte[] mb = Json.mapper().writeValueAsBytes(manifest);
          md.put("digest", put(out, mb).toString());
          md.put("size", mb.length);
          indexChanged = true;
        }
      }
      Files.write(out.resolve("index.json"), indexChanged ? Json.mapper().writeValueAsBytes(index) : indexBytes);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A byte-for-byte copy of the layout (or any tree) {@code src} at {@code out}, for a test to tamper with. */
  public static Path copy(Path src, Path out) throws IOException {
    try (var walk = Files.walk(src)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path t = out.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return out;
  }

  /** Rewrites only index.json (as JSON). */
  public static void editIndex(Path layout, Consumer<ObjectNode> edit) throws IOException {
    ObjectNode index = Json.parseObject(Files.readAllBytes(layout.resolve("index.json")), "index");
    edit.accept(index);
    Files.write(layout.resolve("index.json"), Json.mapper().writeValueAsBytes(index));
  }

  public static byte[] blob(Path layout, String digest) throws IOException {
    return Files.readAllBytes(layout.resolve("blobs/sha256").resolve(Digest.parse(digest).hex()));
  }

  public static Digest put(Path layout, byte[] bytes) throws IOException {
    Digest d = Digest.sha256(bytes);
    Files.write(layout.resolve("blobs/sha256").resolve(d.hex()), bytes);
    return d;
  }

  public static byte[] gunzip(byte[] gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  public static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bos)) {
      out.write(raw);
    }
    return bos.toByteArray();
  }

  /** Where one entry sits in a raw tar. */
  public record RawEntry(String name, int headerOffset, int dataOffset, long size) {}

  /** The entries of a ustar/PAX/GNU tar, by offset (PAX {@code path} and GNU long names honoured). */
  public static List<RawEntry> entries(byte[] tar) {
    List<RawEntry> out = new ArrayList<>();
    int off = 0;
    String longName = null;
    int start = -1;
    while (off + 512 <= tar.length) {
      if (isZero(tar, off)) {
        break;
      }
      if (start < 0) {
        start = off;
      }
      byte flag = tar[off + 124 + 32];
      long size = Long.parseLong(new String(tar, off + 124, 12, StandardCharsets.US_ASCII).replace("\0", "").trim().isEmpty()
          ? "0" : new String(tar, off + 124, 12, StandardCharsets.US_ASCII).replace("\0", "").trim(), 8);
      int data = off + 512;
      int next = data + (int) ((size + 511) / 512 * 512);
      if (flag == 'x') {
        String pax = new String(tar, data, (int) size, StandardCharsets.UTF_8);
        for (String rec : pax.split("\n")) {
          int sp = rec.indexOf(' ');
          if (sp > 0 && rec.substring(sp + 1).startsWith("path=")) {
            longName = rec.substring(sp + 6);
          }
        }
      } else if (flag == 'L') {
        longName = new String(tar, data, (int) size, StandardCharsets.UTF_8).replace("\0", "");
      } else {
        String name = longName != null ? longName : cstr(tar, off, 100);
        String prefix = cstr(tar, off + 345, 155);
        if (longName == null && !prefix.isEmpty()) {
          name = prefix + "/" + name;
        }
        out.add(new RawEntry(name, start, data, size));
        longName = null;
        start = -1;
      }
      off = next;
    }
    return out;
  }

  /** Sets the mtime of the named entry in its ustar header (and fixes the header checksum). */
  public static byte[] setMtime(byte[] tar, String path, long mtime) {
    for (RawEntry e : entries(tar)) {
      if (e.name().equals(path)) {
        byte[] copy = tar.clone();
        int h = e.dataOffset() - 512;
        byte[] field = String.format("%011o\0", mtime).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(field, 0, copy, h + 136, 12);
        java.util.Arrays.fill(copy, h + 148, h + 156, (byte) ' ');
        long sum = 0;
        for (int i = h; i < h + 512; i++) {
          sum += copy[i] & 0xff;
        }
        byte[] chk = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, copy, h + 148, 8);
        return copy;
      }
    }
    throw new IllegalArgumentException("no entry " + path);
  }

  /** Offset of the end-of-archive marker (where new entries go). */
  public static int endOfEntries(byte[] tar) {
    List<RawEntry> es = entries(tar);
    RawEntry last = es.get(es.size() - 1);
    return last.dataOffset() + (int) ((last.size() + 511) / 512 * 512);
  }

  /** Flips one bit in the middle of the named file's content; the header stays as it was. */
  public static byte[] flipByte(byte[] tar, String path) {
    for (RawEntry e : entries(tar)) {
      if (e.name().equals(path) || e.name().equals("./" + path) || e.name().equals("/" + path)) {
        if (e.size() == 0) {
          throw new IllegalArgumentException(path + " is empty");
        }
        byte[] copy = tar.clone();
        copy[e.dataOffset() + (int) (e.size() / 2)] ^= 0x20;
        return copy;
      }
    }
    throw new IllegalArgumentException("no entry " + path);
  }

  /** Inserts a regular file (mode 0644, 0:0, mtime 0) at {@code before} (an entry's header offset or the end). */
  public static byte[] insertFile(byte[] tar, int before, String path, byte[] content) throws IOException {
    ByteArrayOutputStream entry = new ByteArrayOutputStream();
    TarArchiveOutputStream t = new TarArchiveOutputStream(entry, 512);
    TarArchiveEntry e = new TarArchiveEntry(path);
    e.setSize(content.length);
    e.setMode(0100644);
    e.setModTime(0);
    t.putArchiveEntry(e);
    t.write(content);
    t.closeArchiveEntry();
    t.flush();
    byte[] bytes = entry.toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tar, 0, before);
    out.write(bytes);
    out.write(tar, before, tar.length - before);
    return out.toByteArray();
  }

  /** A minimal tar: the given entries as files (mode 0644, 0:0, mtime given), then the end-of-archive marker. */
  public static byte[] tar(long mtime, String... pathsAndContents) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bos)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (int i = 0; i < pathsAndContents.length; i += 2) {
        byte[] c = pathsAndContents[i + 1].getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(pathsAndContents[i]);
        e.setSize(c.length);
        e.setMode(0100644);
        e.setModTime(mtime * 1000);
        t.putArchiveEntry(e);
        t.write(c);
        t.closeArchiveEntry();
      }
    }
    return bos.toByteArray();
  }

  private static boolean isZero(byte[] b, int off) {
    for (int i = off; i < off + 512; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static String cstr(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  /** A one-image OCI layout (index.json → manifest → config + gzip layers) from raw tars. */
  public static Path singleImage(Path out, String arch, List<String> env, byte[]... tars) throws IOException {
    Files.createDirectories(out.resolve("blobs/sha256"));
    Files.writeString(out.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    ObjectNode config = Json.mapper().createObjectNode();
    config.put("architecture", arch);
    config.put("os", "linux");
    ArrayNode e = config.putObject("config").putArray("Env");
    env.forEach(e::add);
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    ArrayNode ids = rootfs.putArray("diff_ids");
    ObjectNode manifest = Json.mapper().createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
    ObjectNode cd = manifest.putObject("config");
    ArrayNode layers = manifest.putArray("layers");
    for (byte[] t : tars) {
      byte[] gz = gzip(t);
      ObjectNode l = layers.addObject();
      l.put("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip");
      l.put("size", gz.length);
      l.put("digest", put(out, gz).toString());
      ids.add(Digest.sha256(t).toString());
    }
    byte[] cb = Json.mapper().writeValueAsBytes(config);
    cd.put("mediaType", "application/vnd.oci.image.config.v1+json");
    cd.put("size", cb.length);
    cd.put("digest", put(out, cb).toString());
    byte[] mb = Json.mapper().writeValueAsBytes(manifest);
    ObjectNode index = Json.mapper().createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", "application/vnd.oci.image.index.v1+json");
    ObjectNode d = index.putArray("manifests").addObject();
    d.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
    d.put("size", mb.length);
    d.put("digest", put(out, mb).toString());
    d.putObject("platform").put("architecture", arch).put("os", "linux");
    Files.write(out.resolve("index.json"), Json.mapper().writeValueAsBytes(index));
    return out;
  }
}
