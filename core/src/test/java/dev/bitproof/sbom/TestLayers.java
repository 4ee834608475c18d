package dev.bitproof.sbom;

import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.testing.TestImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small layers built in test code: a tar of named files (and symlinks), read into an {@link ImageFilesystem}. */
final class TestLayers {
  private final Map<String, Object> entries = new LinkedHashMap<>();

  TestLayers file(String path, String content) {
    entries.put(path, content.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  TestLayers file(String path, byte[] content) {
    entries.put(path, content.clone());
    return this;
  }

  TestLayers symlink(String path, String target) {
    entries.put(path, new Link(target));
    return this;
  }

  record Link(String target) {}

  byte[] tar() throws IOException {
    List<TestImages.Entry> list = new ArrayList<>();
    for (var e : entries.entrySet()) {
      list.add(e.getValue() instanceof Link l ? TestImages.Entry.symlink(e.getKey(), l.target())
          : TestImages.Entry.file(e.getKey(), 0644, (byte[]) e.getValue()));
    }
    return TestImages.tar(list);
  }

  /** {@code dir} becomes an OCI layout (tag {@code latest}) of one amd64 image whose only layer is {@code tar}. */
  static Path ociLayout(Path dir, byte[] tar) throws IOException {
    new TestImages().writeTars(dir, List.of(tar));
    return dir;
  }

  ImageFilesystem fs() throws IOException {
    return new ImageFilesystem.Builder().addLayer(new ByteArrayInputStream(tar()), "test layer", ImageContents.KEEP).build();
  }

  static String q1(String content) {
    try {
      return "Q1" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One apk installed-DB record owning {@code files} (path to content) under their directories. */
  static String apkRecord(String name, String version, String arch, Map<String, String> files) {
    StringBuilder sb = new StringBuilder("P:" + name + "\nV:" + version + "\nA:" + arch + "\nL:MIT\no:" + name + "\n");
    String dir = null;
    for (var f : files.entrySet()) {
      String d = f.getKey().contains("/") ? f.getKey().substring(0, f.getKey().lastIndexOf('/')) : "";
      if (!d.equals(dir)) {
        sb.append("F:").append(d).append('\n');
        dir = d;
      }
      sb.append("R:").append(f.getKey().substring(f.getKey().lastIndexOf('/') + 1)).append('\n');
      sb.append("Z:").append(q1(f.getValue())).append('\n');
    }
    return sb.append('\n').toString();
  }
}
