package dev.bitproof.rebuild;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bitproof.oci.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Where a rebuild differs from a golden OCI layout, most specific first: a layer tar entry (with the text
 * around the first differing byte of its content), the layer's gzip bytes, the config JSON, the manifest JSON,
 * the index JSON.
 */
final class LayoutDiff {
  private LayoutDiff() {}

  static final ObjectMapper JSON = new ObjectMapper();

  static Optional<String> first(Path layout, BuildResult r) throws IOException {
    byte[] index = Files.readAllBytes(layout.resolve("index.json"));
    if (Arrays.equals(index, r.index().bytes())) {
      return Optional.empty();
    }
    JsonNode gi = JSON.readTree(index);
    for (JsonNode m : gi.get("manifests")) {
      String arch = m.path("platform").path("architecture").asText();
      BuildResult.ArchImage img = r.images().stream().filter(i -> i.arch().platform().architecture().equals(arch))
          .findFirst().orElse(null);
      if (img == null) {
        return Optional.of("index: no rebuilt image for " + arch);
      }
      byte[] gm = blob(layout, m.get("digest").asText());
      JsonNode gmj = JSON.readTree(gm);
      JsonNode layers = gmj.get("layers");
      if (layers.size() != img.layers().size()) {
        return Optional.of(arch + " manifest: " + layers.size() + " layers expected, " + img.layers().size() + " rebuilt");
      }
      for (int i = 0; i < layers.size(); i++) {
        byte[] gblob = blob(layout, layers.get(i).get("digest").asText());
        BuildResult.Layer ours = img.layers().get(i);
        if (Arrays.equals(gblob, ours.blob())) {
          continue;
        }
        byte[] gtar = gunzip(gblob);
        Optional<String> td = TarDiff.firstDifference(gtar, ours.tar());
        if (td.isPresent()) {
          return Optional.of(arch + " layer " + i + " tar: " + td.get() + contentDiff(gtar, ours.tar(), td.get()));
        }
        int off = Arrays.mismatch(gblob, ours.blob());
        return Optional.of(arch + " layer " + i + ": same tar, gzip bytes differ at offset " + off + " (sizes "
            + gblob.length + " vs " + ours.blob().length + ", compressor " + ours.compressor() + ")");
      }
      byte[] gc = blob(layout, gmj.get("config").get("digest").asText());
      if (!Arrays.equals(gc, img.config())) {
        return Optional.of(arch + " config JSON: " + textDiff(gc, img.config()));
      }
      if (!Arrays.equals(gm, img.manifest().bytes())) {
        return Optional.of(arch + " manifest JSON: " + textDiff(gm, img.manifest().bytes()));
      }
    }
    return Optional.of("index JSON: " + textDiff(index, r.index().bytes()));
  }

  static byte[] blob(Path layout, String digest) throws IOException {
    return Files.readAllBytes(layout.resolve("blobs/sha256").resolve(Digest.parse(digest).hex()));
  }

  static byte[] gunzip(byte[] b) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
      return in.readAllBytes();
    }
  }

  /** The expected and found text around the first differing byte. */
  static String textDiff(byte[] expected, byte[] actual) {
    int off = Arrays.mismatch(expected, actual);
    int from = Math.max(0, off - 80);
    return "at byte " + off + "\n  expected: …" + slice(expected, from, off + 120) + "\n  found:    …"
        + slice(actual, from, off + 120);
  }

  private static String slice(byte[] b, int from, int to) {
    return new String(b, Math.min(from, b.length), Math.max(0, Math.min(to, b.length) - Math.min(from, b.length)),
        StandardCharsets.UTF_8).replace("\n", "\\n");
  }

  private static String contentDiff(byte[] gtar, byte[] ours, String td) throws IOException {
    if (!td.contains("content-sha256") && !td.contains("size expected")) {
      return "";
    }
    String name = td.substring(0, td.indexOf(':'));
    return "\n  " + name + " " + textDiff(entry(gtar, name), entry(ours, name));
  }

  static byte[] entry(byte[] tar, String name) throws IOException {
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (e.getName().equals(name)) {
          return in.readAllBytes();
        }
      }
    }
    return new byte[0];
  }
}
