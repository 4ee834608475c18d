package dev.bitproof.oci.transport;

import dev.bitproof.io.AtomicWrite;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.io.VerifyingInputStream;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageIndex;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.OciCode;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The {@code oci:} transport: an OCI image layout directory.
 *
 * <p>Without a tag, the layout's {@code index.json} itself is the root (apko writes the image index there, so its
 * digest is the published index digest). With {@code :TAG}, the root is the {@code index.json} entry whose
 * {@code org.opencontainers.image.ref.name} is TAG.
 */
public final class OciLayout {
  public static final String REF_NAME = "org.opencontainers.image.ref.name";

  private OciLayout() {}

  public static ImageSource source(ImageReference ref) {
    return new Source(ref, Path.of(ref.path()));
  }

  public static ImageDestination destination(ImageReference ref) throws IOException {
    return new Destination(ref, Path.of(ref.path()));
  }

  /** Reads a descriptor's manifest; lets archive layouts share {@link #selectRoot}. */
  interface ManifestReader {
    RawManifest read(Descriptor d) throws IOException;
  }

  /**
   * The root a layout reference names: {@code index.json} itself without a tag, else its one entry whose
   * {@value #REF_NAME} is the tag.
   */
  static RawManifest selectRoot(byte[] indexJson, String subject, ImageReference ref, ManifestReader manifests)
      throws IOException {
    RawManifest layoutIndex = RawManifest.of(indexJson, MediaType.OCI_INDEX, subject);
    if (ref.tag().isEmpty()) {
      return layoutIndex;
    }
    String tag = ref.tag().get();
    ImageIndex idx = layoutIndex.asIndex();
    Descriptor found = null;
    for (Descriptor d : idx.manifests()) {
      if (tag.equals(d.annotations().get(REF_NAME))) {
        if (found != null) {
          throw new CheckException(TransportCode.LAYOUT_INVALID, ref.toString(), "two index.json entries are named '" + tag + "'");
        }
        found = d;
      }
    }
    if (found == null) {
      throw new CheckException(TransportCode.IMAGE_NOT_FOUND, ref.toString(), "no image named '" + tag + "' in index.json");
    }
    return manifests.read(found);
  }

  /**
   * The {@code index.json} for a layout whose root is {@code root}: without a tag an index root is written as
   * is (its digest stays the published one, as apko does); otherwise an entry for the root, named {@code tag},
   * replaces any same-named entry of {@code existing}.
   */
  static byte[] indexJson(RawManifest root, Optional<String> tag, byte[] existing, String subject) throws IOException {
    if (tag.isEmpty() && root.isIndex()) {
      return root.bytes();
    }
    ObjectNode idx;
    if (existing != null) {
      idx = Json.parseObject(existing, subject);
    } else {
      idx = Json.mapper().createObjectNode();
      idx.put("schemaVersion", 2);
      idx.put("mediaType", MediaType.OCI_INDEX.value());
      idx.putArray("manifests");
    }
    if (!(idx.get("manifests") instanceof ArrayNode ms)) {
      throw new CheckException(TransportCode.LAYOUT_INVALID, subject, "index.json has no manifests array");
    }
    for (int i = ms.size() - 1; i >= 0; i--) {
      JsonNode a = ms.get(i).get("annotations");
      if (tag.isPresent() && a != null && tag.get().equals(a.path(REF_NAME).asText(null))) {
        ms.remove(i);
      }
    }
    ObjectNode entry = ms.addObject();
    entry.put("mediaType", root.mediaType().value());
    entry.put("digest", root.digest().toString());
    entry.put("size", root.size());
    tag.ifPresent(t -> entry.putObject("annotations").put(REF_NAME, t));
    return Json.mapper().writeValueAsBytes(idx);
  }

  static final byte[] OCI_LAYOUT_FILE = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  /** A manifest stored as a blob (layouts, archives): at most 4 MiB, and its bytes must hash to the descriptor. */
  static RawManifest manifestFromBlob(ImageSource source, Descriptor d) throws IOException {
    if (d.size() > RawManifest.MAX_SIZE) {
      throw new CheckException(OciCode.MANIFEST_TOO_LARGE, d.digest().toString(), "descriptor size " + d.size() + " is over 4 MiB");
    }
    try (InputStream in = source.blob(d)) {
      byte[] bytes = LimitedInputStream.readAll(in, RawManifest.MAX_SIZE, OciCode.MANIFEST_TOO_LARGE, d.digest().toString());
      return RawManifest.verified(bytes, d.mediaType(), d.digest(), d.digest().toString());
    }
  }

  static Path blobPath(Path dir, Digest d) {
    return dir.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
  }

  static final class Source implements ImageSource {
    private final ImageReference ref;
    private final Path dir;

    Source(ImageReference ref, Path dir) {
      this.ref = ref;
      this.dir = dir;
    }

    @Override
    public ImageReference reference() {
      return ref;
    }

    @Override
    public RawManifest root() throws IOException {
      return selectRoot(indexJson(), dir.resolve("index.json").toString(), ref, this::manifest);
    }

    @Override
    public Referrers referrers(Digest subject, Optional<String> artifactType) throws IOException {
      String where = dir.resolve("index.json").toString();
      return Referrers.inLayout(RawManifest.of(indexJson(), MediaType.OCI_INDEX, where), this, subject, artifactType, where);
    }

    private byte[] indexJson() throws IOException {
      if (!Files.isDirectory(dir)) {
        throw new CheckException(TransportCode.LAYOUT_NOT_FOUND, dir.toString(), "no such OCI layout directory");
      }
      Path indexJson = dir.resolve("index.json");
      if (!Files.isRegularFile(indexJson)) {
        throw new CheckException(TransportCode.LAYOUT_INVALID, dir.toString(), "index.json is missing: not an OCI image layout");
      }
      if (!Files.isRegularFile(dir.resolve("oci-layout"))) {
        throw new CheckException(TransportCode.LAYOUT_INVALID, dir.toString(), "oci-layout file is missing: not an OCI image layout");
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(indexJson)) {
        bytes = LimitedInputStream.readAll(in, RawManifest.MAX_SIZE, OciCode.MANIFEST_TOO_LARGE, indexJson.toString());
      }
      return bytes;
    }

    @Override
    public RawManifest manifest(Descriptor d) throws IOException {
      return manifestFromBlob(this, d);
    }

    @Override
    public InputStream blob(Descriptor d) throws IOException {
      Path p = blobPath(dir, d.digest());
      try {
        return new VerifyingInputStream(Files.newInputStream(p), d.digest(), d.size(), ref + "@" + d.digest());
      } catch (NoSuchFileException e) {
        throw new CheckException(TransportCode.BLOB_NOT_FOUND, d.digest().toString(), "blob missing from layout " + dir, e);
      }
    }

    @Override
    public void close() {}
  }

  static final class Destination implements ImageDestination {
    private final ImageReference ref;
    private final Path dir;
    private RawManifest root;
    private Optional<String> rootTag = Optional.empty();

    Destination(ImageReference ref, Path dir) throws IOException {
      this.ref = ref;
      this.dir = dir;
      Files.createDirectories(dir.resolve("blobs"));
    }

    @Override
    public ImageReference reference() {
      return ref;
    }

    @Override
    public boolean hasBlob(Digest digest) {
      return Files.isRegularFile(blobPath(dir, digest));
    }

    /** Each blob goes to its own temp file: several can stream at once. */
    @Override
    public int blobConcurrency() {
      return Copier.MAX_PARALLEL_BLOBS;
    }

    @Override
    public void putBlob(Descriptor d, InputStream content) throws IOException {
      Path target = blobPath(dir, d.digest());
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), ".tmp-", ".partial");
      try {
        try (VerifyingInputStream in = VerifyingInputStream.verifying(content, d.digest(), d.size(), d.digest().toString());
            OutputStream out = Files.newOutputStream(tmp)) {
          in.transferTo(out);
        }
        AtomicWrite.move(tmp, target);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }

    @Override
    public void putManifest(RawManifest m, Optional<String> tag) throws IOException {
      putBlob(m.descriptor(), new java.io.ByteArrayInputStream(m.bytes()));
      // children come first, the root last (ImageDestination's contract): the last manifest put is the root
      root = m;
      rootTag = tag;
    }

    @Override
    public void commit() throws IOException {
      if (root == null) {
        throw new IllegalStateException("commit without a root manifest");
      }
      Path indexJson = dir.resolve("index.json");
      Optional<String> tag = rootTag.or(ref::tag);
      byte[] existing = tag.isPresent() && Files.isRegularFile(indexJson) ? Files.readAllBytes(indexJson) : null;
      byte[] index = indexJson(root, tag, existing, indexJson.toString());
      AtomicWrite.write(dir.resolve("oci-layout"), OCI_LAYOUT_FILE);
      AtomicWrite.write(indexJson, index);
    }


    @Override
    public void close() {}
  }

}
