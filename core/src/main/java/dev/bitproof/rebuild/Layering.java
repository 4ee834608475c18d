package dev.bitproof.rebuild;

import dev.bitproof.apko.ImageConfiguration;
import dev.bitproof.gocompat.GoCompatCode;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.util.List;

/**
 * Splits the rootfs into layer tars. Without {@code layering} (or with {@code layering: {}}) there is one layer
 * holding everything; {@code strategy: origin} is apko's multi-layer mode (reference apko.md §1.7).
 */
public final class Layering {
  private Layering() {}

  /**
   * The layers, each written once through its digest into {@code compressor}: the single layer streams from the
   * rootfs (package files from the spill) so its tar is never in memory; origin layering writes its tars side by
   * side into temporary files first (see {@link OriginLayers#tars}), then streams each into its compressor.
   */
  public static List<BuildResult.Layer> layers(MemFs fs, List<ApkInstaller.Installed> installed,
      ImageConfiguration.Layering l, ApkoRules rules, LayerCompressor compressor) throws IOException {
    if (l == null || l.strategy().isEmpty() || l.budget() <= 1) {
      return List.of(compressor.layer(out -> LayerTar.write(fs, out)));
    }
    List<BuildResult.Layer> out = new java.util.ArrayList<>();
    for (LayerBlob tar : originTars(fs, installed, l, rules)) {
      out.add(compressor.layer(o -> {
        try (java.io.InputStream in = tar.open()) {
          in.transferTo(o);
        }
      }));
    }
    return out;
  }

  private static List<LayerBlob> originTars(MemFs fs, List<ApkInstaller.Installed> installed,
      ImageConfiguration.Layering l, ApkoRules rules) throws IOException {
    if (!l.strategy().equals("origin")) {
      throw new CheckException(GoCompatCode.APKO_CONFIG_INVALID, "layering.strategy", "unknown layering strategy '" + l.strategy() + "'");
    }
    return OriginLayers.tars(fs, installed, (int) l.budget(), rules);
  }

  /** @param rules the apko release whose layering (and installed-db location) to reproduce */
  public static List<byte[]> tars(MemFs fs, List<ApkInstaller.Installed> installed, ImageConfiguration.Layering l,
      ApkoRules rules) throws IOException {
    if (l == null || l.strategy().isEmpty() || l.budget() <= 1) {
      return List.of(LayerTar.write(fs));
    }
    return originTars(fs, installed, l, rules).stream().map(LayerBlob::bytes).toList();
  }
}
