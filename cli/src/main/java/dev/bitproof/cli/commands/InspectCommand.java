package dev.bitproof.cli.commands;

import dev.bitproof.report.Outcome;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.options.TransportMixin;
import dev.bitproof.cli.render.Output;
import dev.bitproof.cli.render.Result;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.Transports;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
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
    Output out = common.output();
    ImageReference reference = ImageReference.parse(ref);
    Images.Tree tree;
    try (ImageSource src = Transports.source(reference, transport.options())) {
      tree = Images.walk(src);
    }
    return out.render(new Result("inspect", Outcome.PASS, new Result.Tree(json(reference, tree)), w -> text(w, reference, tree)));
  }

  static ObjectNode json(ImageReference reference, Images.Tree tree) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("reference", reference.toString());
    RawManifest root = tree.root();
    n.put("digest", root.digest().toString());
    n.put("mediaType", root.mediaType().value());
    n.put("size", root.size());
    n.put("kind", root.isIndex() ? "index" : "manifest");
    ArrayNode ms = n.putArray("manifests");
    for (Images.Resolved r : tree.images()) {
      ObjectNode m = ms.addObject();
      m.put("platform", r.indexEntry().flatMap(Descriptor::platform).map(Object::toString)
          .orElse(r.config().platform().toString()));
      m.put("digest", r.manifest().digest().toString());
      m.put("mediaType", r.manifest().mediaType().value());
      m.put("size", r.manifest().raw().size());
      if (r.path().size() > 1) {
        ArrayNode via = m.putArray("via");
        r.path().subList(0, r.path().size() - 1).forEach(d -> via.add(d.digest().toString()));
      }
      r.manifest().artifactType().ifPresent(a -> m.put("artifactType", a));
      ObjectNode c = m.putObject("config");
      c.put("digest", r.manifest().config().digest().toString());
      c.put("mediaType", r.manifest().config().mediaType().value());
      c.put("size", r.manifest().config().size());
      ArrayNode ls = m.putArray("layers");
      List<Digest> diffIds = r.config().diffIds();
      for (int i = 0; i < r.manifest().layers().size(); i++) {
        Descriptor l = r.manifest().layers().get(i);
        ObjectNode ln = ls.addObject();
        ln.put("digest", l.digest().toString());
        ln.put("mediaType", l.mediaType().value());
        ln.put("size", l.size());
        if (i < diffIds.size()) {
          ln.put("diffId", diffIds.get(i).toString());
        } else {
          ln.putNull("diffId");
        }
      }
    }
    return n;
  }

  static void text(PrintWriter w, ImageReference reference, Images.Tree tree) {
    RawManifest root = tree.root();
    w.println(reference);
    w.println((root.isIndex() ? "index    " : "manifest ") + root.digest() + "  " + root.size() + " B  " + root.mediaType());
    List<Images.Resolved> images = tree.images();
    for (int i = 0; i < images.size(); i++) {
      Images.Resolved r = images.get(i);
      boolean last = i == images.size() - 1;
      String branch = root.isIndex() ? (last ? "└── " : "├── ") : "";
      String indent = root.isIndex() ? (last ? "    " : "│   ") : "";
      if (root.isIndex()) {
        String platform = r.indexEntry().flatMap(Descriptor::platform).map(Object::toString)
            .orElse(r.config().platform().toString());
        w.println(branch + "manifest " + r.manifest().digest() + "  " + r.manifest().raw().size() + " B  " + platform);
      }
      Descriptor cfg = r.manifest().config();
      List<Descriptor> layers = r.manifest().layers();
      w.println(indent + (layers.isEmpty() ? "└── " : "├── ") + "config   " + cfg.digest() + "  " + cfg.size() + " B  "
          + r.config().platform());
      List<Digest> diffIds = r.config().diffIds();
      for (int j = 0; j < layers.size(); j++) {
        Descriptor l = layers.get(j);
        boolean lastLayer = j == layers.size() - 1;
        w.println(indent + (lastLayer ? "└── " : "├── ") + "layer    " + l.digest() + "  " + l.size() + " B  "
            + compression(l) + "  diff_id " + (j < diffIds.size() ? diffIds.get(j) : "(missing)"));
      }
    }
    w.flush();
  }

  private static String compression(Descriptor l) {
    return switch (l.mediaType().layerCompression()) {
      case GZIP -> "gzip";
      case ZSTD -> "zstd";
      case NONE -> l.mediaType().isLayer() ? "tar" : l.mediaType().value();
    };
  }
}
