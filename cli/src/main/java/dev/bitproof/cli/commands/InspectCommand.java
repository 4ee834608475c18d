package dev.bitproof.cli.commands;

import dev.bitproof.report.Outcome;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.render.Result;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageInspection;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import dev.bitproof.cli.options.TransportMixin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Prints an image's digest tree: index → per-platform manifest → config → layers with size, digest and diff_id. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = {"Print the digest tree of an image or index: index -> manifests -> config -> layers (size, digest, "
        + "diff_id). Reads manifests and configs only, never a layer.",
        "REF: oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG], docker://HOST/REPO[:TAG|@DIGEST]."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
      "0:ok", "1:tampered input (a digest does not match its bytes)", "2:usage error",
      "3:could not read the image (missing, unreachable, not an image, refused)", "4:internal error"})
public final class InspectCommand implements Callable<Integer> {
  @Mixin
  Common common;

  @Mixin
  TransportMixin transport;

  @Parameters(index = "0", paramLabel = "REF", description = "The image to inspect.")
  String ref;

  @Override
  public Integer call() throws Exception {
    ImageInspection r = ImageInspection.read(ImageReference.parse(ref), transport.options());
    return common.output().render(new Result("inspect", Outcome.PASS, r, w -> text(w, r)));
  }

  static void text(PrintWriter w, ImageInspection root) {
    w.println(root.reference());
    w.println((root.isIndex() ? "index    " : "manifest ") + root.digest() + "  " + root.size() + " B  " + root.mediaType());
    List<ImageInspection.Manifest> images = root.manifests();
    for (int i = 0; i < images.size(); i++) {
      ImageInspection.Manifest r = images.get(i);
      boolean last = i == images.size() - 1;
      String branch = root.isIndex() ? (last ? "└── " : "├── ") : "";
      String indent = root.isIndex() ? (last ? "    " : "│   ") : "";
      if (root.isIndex()) {
        w.println(branch + "manifest " + r.digest() + "  " + r.size() + " B  " + r.platform());
      }
      List<ImageInspection.Layer> layers = r.layers();
      w.println(indent + (layers.isEmpty() ? "└── " : "├── ") + "config   " + r.config().digest() + "  "
          + r.config().size() + " B  " + r.configPlatform());
      for (int j = 0; j < layers.size(); j++) {
        ImageInspection.Layer l = layers.get(j);
        boolean lastLayer = j == layers.size() - 1;
        w.println(indent + (lastLayer ? "└── " : "├── ") + "layer    " + l.digest() + "  " + l.size() + " B  "
            + l.compression() + "  diff_id " + (l.diffId() != null ? l.diffId() : "(missing)"));
      }
    }
  }
}
