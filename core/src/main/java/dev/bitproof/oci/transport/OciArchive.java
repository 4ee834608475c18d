package dev.bitproof.oci.transport;

import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.OciCode;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * The {@code oci-archive:} transport: an OCI image layout packed in a tar file. Same root rules as {@code oci:}
 * ({@link OciLayout}). Written in one pass into a hidden temp file beside the target, blobs at reserved offsets
 * ({@link TarDestination}), renamed into place at {@link ImageDestination#commit()}, so a failed copy never leaves a
 * half-written archive.
 */
public final class OciArchive {
  private OciArchive() {}

  public static ImageSource source(ImageReference ref) throws IOException {
    return new Source(ref, TarArchive.open(Path.of(ref.path())));
  }

  public static ImageDestination destination(ImageReference ref) throws IOException {
    return new Destination(ref);
  }

  static String blobName(Digest d) {
    return "blobs/" + d.algorithm() + "/" + d.hex();
  }

  static final class Source extends TarSource {
    Source(ImageReference ref, TarArchive tar) {
      super(ref, tar);
    }

    @Override
    public RawManifest root() throws IOException {
      return OciLayout.selectRoot(indexJson(), tar.file() + ":index.json", ref, this::manifest);
    }

    @Override
    public Referrers referrers(Digest subject, java.util.Optional<String> artifactType) throws IOException {
      String where = tar.file() + ":index.json";
      return Referrers.inLayout(RawManifest.of(indexJson(), dev.bitproof.oci.MediaType.OCI_INDEX, where), this, subject,
          artifactType, where);
    }

    private byte[] indexJson() throws IOException {
      if (!tar.has("index.json")) {
        throw new CheckException(TransportCode.LAYOUT_INVALID, tar.file().toString(), "index.json is missing: not an OCI archive");
      }
      if (!tar.has("oci-layout")) {
        throw new CheckException(TransportCode.LAYOUT_INVALID, tar.file().toString(), "oci-layout is missing: not an OCI archive");
      }
      return tar.readSmall("index.json", RawManifest.MAX_SIZE, TransportCode.LAYOUT_INVALID, OciCode.MANIFEST_TOO_LARGE);
    }

    @Override
    public RawManifest manifest(Descriptor d) throws IOException {
      return OciLayout.manifestFromBlob(this, d);
    }

    @Override
    protected Optional<TarArchiveEntry> blobEntry(Descriptor d) {
      return tar.find(blobName(d.digest()));
    }
  }

  static final class Destination extends TarDestination {
    Destination(ImageReference ref) throws IOException {
      super(ref);
    }

    @Override
    protected void finish() throws IOException {
      writer.add("index.json", OciLayout.indexJson(root, rootTag.or(ref::tag), null, ref.toString()));
    }
  }
}
