package dev.bitproof.rebuild;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The tarball {@code apko build CONFIG TAG OUTPUT.tar} writes when OUTPUT is not a directory (apko
 * {@code pkg/build/oci/index.go BuildIndex} over go-containerregistry's {@code tarball.MultiWrite}): for
 * {@code docker load}, one {@code manifest.json} entry per arch image tagged {@code <registry>/<repository>:<tag>-<arch>}
 * (ggcr's fully qualified name; the arch is the OCI architecture with {@code /} as {@code _}), configs named
 * {@code sha256:<hex>}, layers {@code <hex>.tar.gz}; then apko appends each image manifest as {@code sha256:<hex>}
 * and the image index as {@code index.json}, so the multi-arch index survives.
 *
 * <p>Same members, names and bytes as apko's. Not reproduced: the member order of the first part (apko iterates a Go
 * map, so its order changes from run to run) and the stray zero block apko leaves where it appends. Written to a
 * temporary file next to the target and moved into place, so a failure leaves nothing behind.
 */
public final class ApkoTarball {
  private ApkoTarball() {}

  /** ggcr's {@code name.Tag.Name()}: registry (Docker Hub as {@code index.docker.io}), repository, tag. */
  public static String qualifiedName(String tag) {
    if (tag.contains("@")) {
      throw CheckException.usage(RebuildCode.BUILD_TAG_INVALID, "TAG must be a tag, not a digest reference: " + tag);
    }
    ImageReference r = ImageReference.parse("docker://" + tag);
    String registry = r.registry().equals(ImageReference.DOCKER_HUB) ? "index.docker.io" : r.registry();
    return registry + "/" + r.repository() + ":" + r.tag().orElse("latest");
  }

  /** The {@code RepoTags} each image gets, in index order; a later image taking the same tag wins, as in apko. */
  static Map<String, BuildResult.ArchImage> tags(BuildResult r, List<String> tags) {
    Map<String, BuildResult.ArchImage> out = new LinkedHashMap<>();
    for (BuildResult.ArchImage img : r.images()) {
      for (String t : tags) {
        String arch = img.arch().platform().architecture().replace('/', '_');
        out.put(qualifiedName(t) + "-" + arch, img);
      }
    }
    return out;
  }

  private static String layerName(BuildResult.Layer l) {
    MediaType mt = l.descriptor().mediaType();
    String ext = mt.equals(MediaType.OCI_LAYER_ZSTD) ? ".tar.zst"
        : mt.equals(MediaType.OCI_LAYER) || mt.equals(MediaType.DOCKER_LAYER) ? ".tar" : ".tar.gz";
    return l.descriptor().digest().hex() + ext;
  }

  /** Writes the tarball for the build, tagged with {@code tags} (apko passes its TAG argument). */
  public static void write(BuildResult r, List<String> tags, Path target) throws IOException {
    Map<String, BuildResult.ArchImage> tagged = tags(r, tags);
    // images in index order, each with its tags (an image whose tags all went to another has none and is left out
    // of manifest.json, as apko's map leaves it out)
    Map<Digest, List<String>> repoTags = new LinkedHashMap<>();
    Map<Digest, BuildResult.ArchImage> byDigest = new LinkedHashMap<>();
    for (BuildResult.ArchImage img : r.images()) {
      byDigest.put(img.manifest().digest(), img);
    }
    tagged.forEach((t, img) -> repoTags.computeIfAbsent(img.manifest().digest(), d -> new ArrayList<>()).add(t));
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".partial");
    try {
      try (OutputStream os = Files.newOutputStream(tmp); TarArchiveOutputStream tar = new TarArchiveOutputStream(os)) {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        Set<String> seenLayers = new HashSet<>();
        ArrayNode manifest = Json.mapper().createArrayNode();
        List<ObjectNode> items = new ArrayList<>();
        for (Map.Entry<Digest, List<String>> e : repoTags.entrySet()) {
          BuildResult.ArchImage img = byDigest.get(e.getKey());
          add(tar, img.configDescriptor().digest().toString(), img.config());
          ObjectNode item = Json.mapper().createObjectNode();
          item.put("Config", img.configDescriptor().digest().toString());
          ArrayNode rt = item.putArray("RepoTags");
          e.getValue().forEach(rt::add);
          ArrayNode ls = item.putArray("Layers");
          for (BuildResult.Layer l : img.layers()) {
            String name = layerName(l);
            ls.add(name);
            if (seenLayers.add(l.descriptor().digest().hex())) {
              try (java.io.InputStream in = l.data().open()) {
                add(tar, name, in, l.data().size());
              }
            }
          }
          items.add(item);
        }
        items.sort(Comparator.comparing(i -> String.join(",", (Iterable<String>) () -> {
          List<String> s = new ArrayList<>();
          i.get("RepoTags").forEach(x -> s.add(x.asText()));
          return s.iterator();
        })));
        items.forEach(manifest::add);
        add(tar, "manifest.json", Json.mapper().writeValueAsBytes(manifest));
        for (BuildResult.ArchImage img : r.images()) {
          add(tar, img.manifest().digest().toString(), img.manifest().bytes());
        }
        add(tar, "index.json", r.index().bytes());
        tar.finish();
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Go's {@code tar.Header{Name, Size, Mode: 0644, Typeflag: TypeReg}}: owner 0, no names, mtime 0. */
  private static void add(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
    add(tar, name, new java.io.ByteArrayInputStream(content), content.length);
  }

  /** As {@link #add(TarArchiveOutputStream, String, byte[])}, streaming a large layer. */
  private static void add(TarArchiveOutputStream tar, String name, java.io.InputStream content, long size)
      throws IOException {
    tar.putArchiveEntry(dev.bitproof.tar.TarEntries.file(name, size));
    content.transferTo(tar);
    tar.closeArchiveEntry();
  }
}
