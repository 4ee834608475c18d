package dev.bitproof.rebuild;

import dev.bitproof.io.Decompress;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
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

  /** Uncompressed layers above this are not held for comparison. */
  static final long MAX_TAR = 4L * 1024 * 1024 * 1024;

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
        byte[] blob = published.blobBytes(theirs, Integer.MAX_VALUE - 64);
        byte[] tar;
        try (InputStream in = Decompress.layer(theirs.mediaType(), new java.io.ByteArrayInputStream(blob), subject)) {
          tar = in.readNBytes((int) Math.min(MAX_TAR, Integer.MAX_VALUE - 64));
        }
        var diff = TarDiff.firstDifference(tar, ours.tar());
        if (diff.isPresent()) {
          throw CheckException.integrity(RebuildCode.LAYER_REUSE_MISMATCH, subject,
              "published layer does not decompress to the rebuilt tar: " + diff.get());
        }
        layers.add(new BuildResult.Layer(ours.tar(), ours.diffId(), blob, theirs, "reused:" + theirs.digest()));
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
