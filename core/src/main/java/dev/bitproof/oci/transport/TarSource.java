package dev.bitproof.oci.transport;

import dev.bitproof.io.VerifyingInputStream;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * An archive source (the reading side of {@link TarDestination}): the subclass finds the root and each blob's
 * member, and every blob streams from the tar through a {@link VerifyingInputStream} against its descriptor.
 */
abstract class TarSource implements ImageSource {
  protected final ImageReference ref;
  protected final TarArchive tar;

  TarSource(ImageReference ref, TarArchive tar) {
    this.ref = ref;
    this.tar = tar;
  }

  @Override
  public ImageReference reference() {
    return ref;
  }

  /** The member that holds the blob, if the archive has one. */
  protected abstract Optional<TarArchiveEntry> blobEntry(Descriptor d) throws IOException;

  @Override
  public InputStream blob(Descriptor d) throws IOException {
    TarArchiveEntry e = blobEntry(d).orElseThrow(
        () -> new CheckException(TransportCode.BLOB_NOT_FOUND, d.digest().toString(), "blob not in archive " + tar.file()));
    return new VerifyingInputStream(tar.open(e), d.digest(), d.size(), ref + "@" + d.digest());
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }
}
