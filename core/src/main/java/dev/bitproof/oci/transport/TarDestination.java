package dev.bitproof.oci.transport;

import dev.bitproof.io.VerifyingInputStream;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.RawManifest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * An archive destination written in one pass: blobs stream (verified) straight into a hidden {@code .partial}
 * tar next to the target, the subclass adds its metadata at {@link #commit()}, and only then is the tar moved
 * into place. On any failure {@link #close()} deletes the partial file, so nothing half-written stays.
 */
abstract class TarDestination implements ImageDestination {
  protected final ImageReference ref;
  private final Path target;
  private final Path tmp;
  private final OutputStream os;
  protected final TarArchive.Writer writer;
  private final Set<Digest> written = new HashSet<>();
  protected RawManifest root;
  protected Optional<String> rootTag = Optional.empty();
  private boolean committed;

  TarDestination(ImageReference ref) throws IOException {
    this.ref = ref;
    this.target = Path.of(ref.path()).toAbsolutePath();
    Files.createDirectories(target.getParent());
    this.tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".partial");
    this.os = Files.newOutputStream(tmp);
    this.writer = new TarArchive.Writer(os);
    writer.add("oci-layout", OciLayout.OCI_LAYOUT_FILE);
  }

  @Override
  public ImageReference reference() {
    return ref;
  }

  @Override
  public boolean hasBlob(Digest digest) {
    return written.contains(digest);
  }

  @Override
  public void putBlob(Descriptor d, InputStream content) throws IOException {
    if (written.contains(d.digest())) {
      return;
    }
    try (InputStream in = new VerifyingInputStream(content, d.digest(), d.size(), d.digest().toString())) {
      writer.add(OciArchive.blobName(d.digest()), d.size(), in);
    }
    written.add(d.digest());
  }

  @Override
  public void putManifest(RawManifest m, Optional<String> tag) throws IOException {
    putBlob(m.descriptor(), new ByteArrayInputStream(m.bytes()));
    // children come first, the root last (ImageDestination's contract)
    root = m;
    rootTag = tag;
  }

  /** Adds the archive's own metadata ({@code index.json}, {@code manifest.json}). */
  protected abstract void finish() throws IOException;

  @Override
  public void commit() throws IOException {
    if (root == null) {
      throw new IllegalStateException("commit without a root manifest");
    }
    finish();
    writer.close();
    dev.bitproof.io.AtomicWrite.move(tmp, target);
    committed = true;
  }

  @Override
  public void close() throws IOException {
    if (!committed) {
      try {
        os.close();
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
