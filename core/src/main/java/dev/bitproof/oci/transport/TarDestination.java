package dev.bitproof.oci.transport;

import dev.bitproof.io.VerifyingInputStream;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.RawManifest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * An archive destination written in one pass with no staging copy: blobs stream (verified) straight into a hidden
 * {@code .partial} tar next to the target, the subclass adds its metadata at {@link #commit()}, and only then is the
 * tar moved into place. The blobs {@link #plan planned} ahead get fixed offsets in the tar (each header's position
 * follows from the sizes before it), so several stream in at once. On any failure {@link #close()} deletes the
 * partial file, so nothing half-written stays.
 */
abstract class TarDestination implements ImageDestination {
  protected final ImageReference ref;
  private final Path target;
  private final Path tmp;
  private final FileChannel channel;
  protected final TarArchive.Writer writer;
  private final Set<Digest> written = ConcurrentHashMap.newKeySet();
  private final Map<Digest, TarArchive.Writer.Slot> slots = new ConcurrentHashMap<>();
  protected RawManifest root;
  protected Optional<String> rootTag = Optional.empty();
  private boolean committed;

  TarDestination(ImageReference ref) throws IOException {
    this.ref = ref;
    this.target = Path.of(ref.path()).toAbsolutePath();
    Files.createDirectories(target.getParent());
    this.tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".partial");
    this.channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
    this.writer = new TarArchive.Writer(channel);
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

  /** Reserves each blob's place in the tar, in the order given, so they can be written in any order and at once. */
  @Override
  public void plan(List<Descriptor> blobs) {
    for (Descriptor d : blobs) {
      String name = OciArchive.blobName(d.digest());
      if (!written.contains(d.digest()) && !slots.containsKey(d.digest()) && TarArchive.Writer.reservable(name, d.size())) {
        slots.put(d.digest(), writer.reserve(name, d.size()));
      }
    }
  }

  @Override
  public int blobConcurrency() {
    return slots.isEmpty() ? 1 : Copier.MAX_PARALLEL_BLOBS;
  }

  @Override
  public void putBlob(Descriptor d, InputStream content) throws IOException {
    if (written.contains(d.digest())) {
      return;
    }
    try (InputStream in = VerifyingInputStream.verifying(content, d.digest(), d.size(), d.digest().toString())) {
      TarArchive.Writer.Slot slot = slots.remove(d.digest());
      if (slot != null) {
        slot.write(in);
      } else {
        writer.add(OciArchive.blobName(d.digest()), d.size(), in);
      }
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
    if (!slots.isEmpty()) {
      throw new IllegalStateException("commit with " + slots.size() + " planned blob(s) never written");
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
        channel.close();
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
