package dev.bitproof.rebuild;

import dev.bitproof.io.Decompress;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --reuse-layers-from REF}: takes a published compressed layer in place of ours, but only after proving
 * it decompresses to exactly our tar bytes (not merely the same diff_id claim). Then manifests and index are
 * recomputed over the reused descriptors. A layer that does not match is {@code LAYER_REUSE_MISMATCH} naming the
 * first tar entry that differs; a layer the published image does not have is {@code LAYER_REUSE_MISSING}.
 */
public final class LayerReuse {
  private LayerReuse() {}

  /** A mismatch between tars up to this size names the first entry that differs (both are read whole for it). */
  static final long MAX_DIFF_TAR = 32L * 1024 * 1024;

  /** Copies what is read from {@code in} to {@code out}. */
  private static final class TeeInputStream extends java.io.FilterInputStream {
    private final OutputStream out;

    TeeInputStream(InputStream in, OutputStream out) {
      super(in);
      this.out = out;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        out.write(b);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        out.write(b, off, n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] buf = new byte[(int) Math.min(n, 1 << 16)];
      int r = read(buf, 0, buf.length);
      return Math.max(r, 0);
    }
  }

  public static BuildResult reuse(BuildResult built, ImageSource published) throws IOException {
    Images.Tree tree = Images.walk(published);
    List<Rebuild.Parts> parts = new ArrayList<>();
    List<String> notes = new ArrayList<>(built.notes());
    for (BuildResult.ArchImage img : built.images()) {
      Images.Resolved match = null;
      for (Images.Resolved r : tree.images()) {
        if (r.config().platform().matches(img.arch().platform())) {
          match = r;
        }
      }
      if (match == null) {
        throw new CheckException(RebuildCode.LAYER_REUSE_MISSING, published.reference().toString(),
            "published image has no " + img.arch().platform() + " image");
      }
      if (match.manifest().layers().size() != img.layers().size()) {
        throw new CheckException(RebuildCode.LAYER_REUSE_MISSING, img.arch().apk(), "published image has "
            + match.manifest().layers().size() + " layers, the rebuild " + img.layers().size());
      }
      List<BuildResult.Layer> layers = new ArrayList<>();
      for (int i = 0; i < img.layers().size(); i++) {
        BuildResult.Layer ours = img.layers().get(i);
        Descriptor theirs = match.manifest().layers().get(i);
        String subject = img.arch().apk() + " layer " + i + " " + theirs.digest();
        // streamed: the published blob goes to a temp file (past a few MiB) while its tar is digested; equal
        // diff_ids (SHA-256 of the whole tar) prove the tars are the same bytes without holding either
        LayerBlob.Sink sink = new LayerBlob.Sink();
        java.security.MessageDigest sha = dev.bitproof.oci.Digest.newSha256();
        long tarSize = 0;
        try (InputStream raw = published.blob(theirs);
            InputStream tee = new TeeInputStream(raw, sink);
            InputStream in = Decompress.layer(theirs.mediaType(), tee, subject)) {
          byte[] buf = new byte[1 << 16];
          for (int n; (n = in.read(buf)) > 0; ) {
            sha.update(buf, 0, n);
            tarSize += n;
          }
          tee.transferTo(OutputStream.nullOutputStream());
        } catch (IOException | RuntimeException e) {
          sink.discard();
          throw e;
        }
        sink.close();
        LayerBlob blob = sink.blob();
        dev.bitproof.oci.Digest theirDiffId = dev.bitproof.oci.Digest.sha256(sha);
        if (!theirDiffId.equals(ours.diffId())) {
          String where = "decompresses to " + theirDiffId + ", the rebuilt tar is " + ours.diffId();
          if (tarSize <= MAX_DIFF_TAR && ours.tarSize() <= MAX_DIFF_TAR) {
            // small enough to name the first entry that differs
            byte[] tar;
            try (InputStream in = Decompress.layer(theirs.mediaType(), blob.open(), subject)) {
              tar = in.readAllBytes();
            }
            where = TarDiff.firstDifference(tar, ours.tar()).orElse(where);
          }
          throw CheckException.integrity(RebuildCode.LAYER_REUSE_MISMATCH, subject,
              "published layer does not decompress to the rebuilt tar: " + where);
        }
        layers.add(new BuildResult.Layer(ours.diffId(), ours.tarSize(), blob, theirs, "reused:" + theirs.digest()));
        notes.add(img.arch().apk() + ": layer " + i + " reused from " + published.reference() + " after proving it "
            + "decompresses to the rebuilt tar (" + ours.diffId() + ")");
      }
      parts.add(new Rebuild.Parts(img.arch(), layers, img.config(), img.buildDate(), img.packages(),
          img.lockedConfig(), img.installedDb(), img.baseAnnotations()));
    }
    BuildResult.ArchImage first = built.images().get(0);
    return Rebuild.finish(parts, first.lockedConfig().vcsUrl(), annotationsOf(built), built.lock(), built.steps(), notes,
        built.rules());
  }

  /** The annotations the build used (the locked config carries the merged set). */
  private static java.util.Map<String, String> annotationsOf(BuildResult built) {
    return built.images().get(0).lockedConfig().annotations();
  }
}
