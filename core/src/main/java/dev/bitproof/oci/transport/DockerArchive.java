package dev.bitproof.oci.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.io.Decompress;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageConfig;
import dev.bitproof.oci.ImageManifest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.OciCode;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * The {@code docker-archive:} transport: {@code docker save} output. One image per archive entry in
 * {@code manifest.json}; the archive holds no registry manifest, so reading synthesizes a Docker v2 schema 2
 * manifest the way skopeo does (config bytes kept; layer digest = the member's sha256, which for an uncompressed
 * layer is its diff_id). Writing keeps every blob's bytes (compressed layers stay compressed, so digests survive)
 * and also writes {@code oci-layout}/{@code index.json} as docker 25+ does, so the exact manifest survives too.
 *
 * <p>Reference: {@code docker-archive:FILE[:NAME:TAG]}; the name selects the {@code RepoTags} entry when an
 * archive holds several images.
 */
public final class DockerArchive {
  static final long MAX_MANIFEST_JSON = 4L * 1024 * 1024;
  private static final Pattern HEX_NAME = Pattern.compile("(?:.*/)?(?:blobs/sha256/)?([0-9a-f]{64})(?:\\.tar|/layer\\.tar)?");

  private DockerArchive() {}

  public static ImageSource source(ImageReference ref) throws IOException {
    return new Source(ref, TarArchive.open(Path.of(ref.path())));
  }

  public static ImageDestination destination(ImageReference ref) throws IOException {
    return new Destination(ref);
  }

  static final class Source extends TarSource {
    private final Map<Digest, TarArchiveEntry> blobs = new HashMap<>();
    private RawManifest root;

    Source(ImageReference ref, TarArchive tar) {
      super(ref, tar);
    }

    @Override
    public synchronized RawManifest root() throws IOException {
      if (root != null) {
        return root;
      }
      String subject = tar.file() + ":manifest.json";
      byte[] mj = tar.readSmall("manifest.json", MAX_MANIFEST_JSON, TransportCode.ARCHIVE_INVALID, OciCode.MANIFEST_TOO_LARGE);
      JsonNode items = Json.parse(mj, subject);
      if (!items.isArray() || items.isEmpty()) {
        throw new CheckException(TransportCode.ARCHIVE_INVALID, subject, "manifest.json must be a non-empty array");
      }
      JsonNode item = select(items, subject);
      String configPath = TarArchive.checkedMemberPath(Json.requiredText(item, "Config", subject), subject + " Config");
      List<String> layerPaths = new ArrayList<>();
      for (String p : Json.stringList(item, "Layers")) {
        layerPaths.add(TarArchive.checkedMemberPath(p, subject + " Layers"));
      }
      byte[] config = tar.readSmall(configPath, ImageConfig.MAX_SIZE, TransportCode.ARCHIVE_INVALID, OciCode.CONFIG_TOO_LARGE);
      ImageConfig cfg = ImageConfig.parse(config);
      Digest configDigest = Digest.sha256(config);
      blobs.put(configDigest, tar.require(configPath, TransportCode.ARCHIVE_INVALID));
      if (!cfg.diffIds().isEmpty() && cfg.diffIds().size() != layerPaths.size()) {
        throw CheckException.integrity(TransportCode.ARCHIVE_INVALID, subject,
            layerPaths.size() + " layers but the config lists " + cfg.diffIds().size() + " diff_ids");
      }
      ObjectNode m = Json.mapper().createObjectNode();
      m.put("schemaVersion", 2);
      m.put("mediaType", MediaType.DOCKER_MANIFEST.value());
      ObjectNode c = m.putObject("config");
      c.put("mediaType", MediaType.DOCKER_CONFIG.value());
      c.put("size", config.length);
      c.put("digest", configDigest.toString());
      ArrayNode layers = m.putArray("layers");
      for (int i = 0; i < layerPaths.size(); i++) {
        String p = layerPaths.get(i);
        TarArchiveEntry e = tar.require(p, TransportCode.ARCHIVE_INVALID);
        MediaType.Compression comp = sniff(e);
        Digest d = layerDigest(p, e, comp, cfg.diffIds().isEmpty() ? null : cfg.diffIds().get(i));
        blobs.put(d, e);
        ObjectNode l = layers.addObject();
        l.put("mediaType", switch (comp) {
          case NONE -> MediaType.DOCKER_LAYER.value();
          case GZIP -> MediaType.DOCKER_LAYER_GZIP.value();
          case ZSTD -> MediaType.OCI_LAYER_ZSTD.value();
        });
        l.put("size", e.getSize());
        l.put("digest", d.toString());
      }
      root = RawManifest.of(Json.mapper().writeValueAsBytes(m), MediaType.DOCKER_MANIFEST, subject);
      return root;
    }

    private JsonNode select(JsonNode items, String subject) {
      if (ref.tag().isEmpty()) {
        if (items.size() > 1) {
          throw CheckException.usage(TransportCode.ARCHIVE_AMBIGUOUS, "archive holds " + items.size()
              + " images; name one as docker-archive:FILE:NAME:TAG");
        }
        return items.get(0);
      }
      String want = ref.tag().get();
      for (JsonNode it : items) {
        for (String t : Json.stringList(it, "RepoTags")) {
          if (t.equals(want) || t.equals("docker.io/" + want) || t.equals("docker.io/library/" + want)) {
            return it;
          }
        }
      }
      throw new CheckException(TransportCode.IMAGE_NOT_FOUND, subject, "no image tagged '" + want + "' in the archive");
    }

    /** Reads only the first bytes of a member to see how it is compressed. */
    private MediaType.Compression sniff(TarArchiveEntry e) throws IOException {
      byte[] head;
      try (InputStream in = tar.open(e)) {
        head = in.readNBytes(6);
      }
      // only what an image layer's media type can say; an xz or bzip2 member is an opaque (uncompressed) layer
      return switch (Decompress.Format.byMagic(head)) {
        case GZIP -> MediaType.Compression.GZIP;
        case ZSTD -> MediaType.Compression.ZSTD;
        default -> MediaType.Compression.NONE;
      };
    }

    /**
     * The layer's digest without reading it where the archive already says it: the diff_id for an uncompressed
     * layer, the hex in a {@code blobs/sha256/<hex>} or {@code <hex>.tar} name. Either claim is checked when the
     * blob is streamed. Otherwise the member is hashed.
     */
    private Digest layerDigest(String path, TarArchiveEntry e, MediaType.Compression comp, Digest diffId) throws IOException {
      if (comp == MediaType.Compression.NONE && diffId != null) {
        return diffId;
      }
      Matcher m = HEX_NAME.matcher(path);
      if (m.matches() && path.contains("blobs/sha256/")) {
        return new Digest("sha256", m.group(1));
      }
      MessageDigest md = Digest.newSha256();
      try (InputStream in = tar.open(e)) {
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
        }
      }
      return Digest.sha256(md);
    }

    @Override
    public RawManifest manifest(Descriptor d) throws IOException {
      RawManifest r = root();
      if (!r.digest().equals(d.digest())) {
        throw new CheckException(TransportCode.MANIFEST_NOT_FOUND, d.digest().toString(), "a docker-archive holds only its own manifest");
      }
      return r;
    }

    @Override
    protected Optional<TarArchiveEntry> blobEntry(Descriptor d) throws IOException {
      root(); // the blob table is filled when the root is synthesized
      return Optional.ofNullable(blobs.get(d.digest()));
    }
  }

  /** Writes docker 25+'s shape: {@code manifest.json} plus an OCI layout of the same blobs. */
  static final class Destination extends TarDestination {
    Destination(ImageReference ref) throws IOException {
      super(ref);
    }

    @Override
    public boolean supportsIndex() {
      return false;
    }

    @Override
    public void putManifest(RawManifest manifest, Optional<String> tag) throws IOException {
      if (manifest.isIndex()) {
        throw CheckException.usage(TransportCode.ARCHIVE_SINGLE_IMAGE,
            "a docker-archive holds one image, not an index; choose one with --platform os/arch");
      }
      manifest.asImage();
      super.putManifest(manifest, tag);
    }

    @Override
    protected void finish() throws IOException {
      ImageManifest image = root.asImage();
      writer.add("index.json", OciLayout.indexJson(root, Optional.empty(), null, ref.toString()));
      ObjectNode item = Json.mapper().createObjectNode();
      item.put("Config", OciArchive.blobName(image.config().digest()));
      ArrayNode tags = item.putArray("RepoTags");
      ref.tag().ifPresent(tags::add);
      ArrayNode layers = item.putArray("Layers");
      image.layers().forEach(l -> layers.add(OciArchive.blobName(l.digest())));
      writer.add("manifest.json", Json.mapper().writeValueAsBytes(Json.mapper().createArrayNode().add(item)));
    }
  }
}
