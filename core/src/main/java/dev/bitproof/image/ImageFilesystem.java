package dev.bitproof.image;

import dev.bitproof.tar.TarPaths;

import dev.bitproof.tar.TarEntryInfo;

import dev.bitproof.tar.TarReader;

import dev.bitproof.io.Decompress;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.ImageManifest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The filesystem an image's layers produce: layers applied in order, OCI whiteouts ({@code .wh.NAME}) and opaque
 * directories ({@code .wh..wh..opq}) honoured. Holds metadata and digests for every entry and the bytes of the
 * files the caller chose to keep.
 */
public final class ImageFilesystem {
  private final NavigableMap<String, Node> nodes;

  /** An entry of the merged tree and the layer it came from. */
  public record Node(TarEntryInfo entry, int layer) {
    public String path() {
      return entry.path();
    }
  }

  private ImageFilesystem(NavigableMap<String, Node> nodes) {
    this.nodes = Collections.unmodifiableNavigableMap(nodes);
  }

  /** Reads every layer of {@code manifest} from {@code source}, streaming each once. */
  public static ImageFilesystem read(ImageSource source, ImageManifest manifest, TarReader.KeepPredicate keep)
      throws IOException {
    Builder b = new Builder();
    int i = 0;
    for (Descriptor layer : manifest.layers()) {
      String subject = "layer " + i + " " + layer.digest();
      try (InputStream blob = source.blob(layer); InputStream tar = Decompress.layer(layer.mediaType(), blob, subject)) {
        b.addLayer(tar, subject, keep);
        // drain trailing bytes so the digest check at end of stream runs
        tar.transferTo(java.io.OutputStream.nullOutputStream());
        blob.transferTo(java.io.OutputStream.nullOutputStream());
      }
      i++;
    }
    return b.build();
  }

  /** Builds a tree layer by layer from uncompressed tar streams. */
  public static final class Builder {
    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private int layer;

    public Builder addLayer(InputStream tar, String subject, TarReader.KeepPredicate keep) throws IOException {
      List<TarEntryInfo> entries = new ArrayList<>();
      TarReader.read(tar, subject, keep, TarReader.Limits.defaults(), entries::add);
      // whiteouts in a layer hide only what lower layers had
      for (TarEntryInfo e : entries) {
        if (e.isOpaqueWhiteout()) {
          removeChildren(TarPaths.parent(e.path()));
        } else if (e.isWhiteout()) {
          String hidden = join(TarPaths.parent(e.path()), TarPaths.baseName(e.path()).substring(4));
          nodes.remove(hidden);
          removeChildren(hidden);
        }
      }
      for (TarEntryInfo e : entries) {
        if (e.isWhiteout() || e.path().isEmpty()) {
          continue;
        }
        Node prev = nodes.get(e.path());
        if (prev != null && prev.entry().type() == TarEntryInfo.Type.DIRECTORY && e.type() != TarEntryInfo.Type.DIRECTORY) {
          removeChildren(e.path());
        }
        nodes.put(e.path(), new Node(e, layer));
      }
      layer++;
      return this;
    }

    private void removeChildren(String dir) {
      String prefix = dir.isEmpty() ? "" : dir + "/";
      if (prefix.isEmpty()) {
        nodes.clear();
        return;
      }
      nodes.subMap(prefix, true, prefix + Character.MAX_VALUE, true).clear();
    }

    public ImageFilesystem build() {
      return new ImageFilesystem(new TreeMap<>(nodes));
    }
  }

  private static String join(String dir, String name) {
    return dir.isEmpty() ? name : dir + "/" + name;
  }

  /** The entry at {@code path} (normalized, no leading slash) without following links. */
  public Optional<Node> get(String path) {
    return Optional.ofNullable(nodes.get(TarPaths.normalize(path, path)));
  }

  /**
   * Follows symlinks in every component (at most 40 hops, as Linux does); {@code SYMLINK_LOOP} when the chain
   * does not end. Hardlinks resolve to their target entry.
   */
  public Optional<Node> resolve(String path) {
    String p = TarPaths.normalize(path, path);
    for (int hops = 0; hops < 40; hops++) {
      String resolved = resolveParents(p, hops);
      Node n = nodes.get(resolved);
      if (n == null) {
        return Optional.empty();
      }
      switch (n.entry().type()) {
        case SYMLINK -> p = TarPaths.resolveLink(resolved, n.entry().linkTarget());
        case HARDLINK -> p = TarPaths.normalize(n.entry().linkTarget(), resolved);
        default -> {
          return Optional.of(n);
        }
      }
    }
    throw CheckException.integrity(ImageCode.SYMLINK_LOOP, path, "too many levels of symbolic links");
  }

  private String resolveParents(String p, int hopsSoFar) {
    String[] parts = p.split("/");
    String cur = "";
    int hops = hopsSoFar;
    for (int i = 0; i < parts.length - 1; i++) {
      cur = join(cur, parts[i]);
      Node n = nodes.get(cur);
      while (n != null && n.entry().type() == TarEntryInfo.Type.SYMLINK) {
        if (++hops >= 40) {
          throw CheckException.integrity(ImageCode.SYMLINK_LOOP, p, "too many levels of symbolic links");
        }
        cur = TarPaths.resolveLink(cur, n.entry().linkTarget());
        n = nodes.get(cur);
      }
    }
    return join(cur, parts[parts.length - 1]);
  }

  /** Bytes of a kept regular file (after following links), if it was kept. */
  public Optional<byte[]> content(String path) {
    return resolve(path).flatMap(n -> n.entry().content());
  }

  public Collection<Node> nodes() {
    return nodes.values();
  }

  public Map<String, Node> asMap() {
    return nodes;
  }

  public int size() {
    return nodes.size();
  }
}
