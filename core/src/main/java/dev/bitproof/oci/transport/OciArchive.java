package dev.bitproof.oci.transport;

import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.io.VerifyingInputStream;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * The {@code oci-archive:} transport: an OCI image layout packed in a tar file. Same root rules as {@code oci:}
 * ({@link OciLayout}). Written by staging a layout next to the target and packing it at {@link
 * ImageDestination#commit()}, so a failed copy never leaves a half-written archive.
 */
public final class OciArchive {
  private OciArchive() {}

  public static ImageSource source(ImageReference ref) throws IOException {
    return new Source(ref, TarArchive.open(Path.of(ref.path())));
  }

  public static ImageDestination destination(ImageReference ref) throws IOException {
    return new Destination(ref, Path.of(ref.path()));
  }

  static String blobName(Digest d) {
    return "blobs/" + d.algorithm() + "/" + d.hex();
  }

  static final class Source implements ImageSource {
    private final ImageReference ref;
    private final TarArchive tar;

    Source(ImageReference ref, TarArchive tar) {
      this.ref = ref;
      this.tar = tar;
    }

    @Override
    public ImageReference reference() {
      return ref;
    }

    @Override
    public RawManifest root() throws IOException {
      if (!tar.has("index.json")) {
        throw new CheckException("LAYOUT_INVALID", tar.file().toString(), "index.json is missing: not an OCI archive");
      }
      if (!tar.has("oci-layout")) {
        throw new CheckException("LAYOUT_INVALID", tar.file().toString(), "oci-layout is missing: not an OCI archive");
      }
      byte[] index = tar.readSmall("index.json", RawManifest.MAX_SIZE, "LAYOUT_INVALID", "MANIFEST_TOO_LARGE");
      return OciLayout.selectRoot(index, tar.file() + ":index.json", ref, this::manifest);
    }

    @Override
    public RawManifest manifest(Descriptor d) throws IOException {
      if (d.size() > RawManifest.MAX_SIZE) {
        throw new CheckException("MANIFEST_TOO_LARGE", d.digest().toString(), "descriptor size " + d.size() + " is over 4 MiB");
      }
      try (InputStream in = blob(d)) {
        byte[] bytes = LimitedInputStream.readAll(in, RawManifest.MAX_SIZE, "MANIFEST_TOO_LARGE", d.digest().toString());
        return RawManifest.verified(bytes, d.mediaType(), d.digest(), d.digest().toString());
      }
    }

    @Override
    public InputStream blob(Descriptor d) throws IOException {
      TarArchiveEntry e = tar.find(blobName(d.digest())).orElseThrow(
          () -> new CheckException("BLOB_NOT_FOUND", d.digest().toString(), "blob missing from archive " + tar.file()));
      return new VerifyingInputStream(tar.open(e), d.digest(), d.size(), ref + "@" + d.digest());
    }

    @Override
    public void close() throws IOException {
      tar.close();
    }
  }

  static final class Destination implements ImageDestination {
    private final ImageReference ref;
    private final Path target;
    private final Path staging;
    private final ImageDestination layout;

    Destination(ImageReference ref, Path target) throws IOException {
      this.ref = ref;
      this.target = target.toAbsolutePath();
      Files.createDirectories(this.target.getParent());
      this.staging = Files.createTempDirectory(this.target.getParent(), "." + this.target.getFileName() + ".partial-");
      this.layout = OciLayout.destination(ImageReference.oci(staging.toString(), ref.tag().orElse(null)));
    }

    @Override
    public ImageReference reference() {
      return ref;
    }

    @Override
    public boolean hasBlob(Digest digest) throws IOException {
      return layout.hasBlob(digest);
    }

    @Override
    public void putBlob(Descriptor descriptor, InputStream content) throws IOException {
      layout.putBlob(descriptor, content);
    }

    @Override
    public void putManifest(RawManifest manifest, Optional<String> tag) throws IOException {
      layout.putManifest(manifest, tag);
    }

    @Override
    public void commit() throws IOException {
      layout.commit();
      packLayout(staging, target);
    }

    @Override
    public void close() throws IOException {
      deleteTree(staging);
    }
  }

  /** Packs a layout directory into {@code target} (oci-layout, index.json, then blobs in name order), atomically. */
  static void packLayout(Path layoutDir, Path target) throws IOException {
    Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName() + ".", ".partial");
    try {
      try (OutputStream os = Files.newOutputStream(tmp); TarArchive.Writer w = new TarArchive.Writer(os)) {
        w.add("oci-layout", layoutDir.resolve("oci-layout"));
        w.add("index.json", layoutDir.resolve("index.json"));
        List<Path> blobs = new ArrayList<>();
        try (Stream<Path> s = Files.walk(layoutDir.resolve("blobs"))) {
          s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).forEach(blobs::add);
        }
        blobs.sort(null);
        for (Path b : blobs) {
          w.add(layoutDir.relativize(b).toString().replace('\\', '/'), b);
        }
      }
      OciLayout.moveInto(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
