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

  /** @param rules the apko release whose layering (and installed-db location) to reproduce */
  public static List<byte[]> tars(MemFs fs, List<ApkInstaller.Installed> installed, ImageConfiguration.Layering l,
      ApkoRules rules) throws IOException {
    if (l == null || l.strategy().isEmpty() || l.budget() <= 1) {
      return List.of(LayerTar.write(fs));
    }
    if (!l.strategy().equals("origin")) {
      throw new CheckException(GoCompatCode.APKO_CONFIG_INVALID, "layering.strategy", "unknown layering strategy '" + l.strategy() + "'");
    }
    return OriginLayers.tars(fs, installed, (int) l.budget(), rules);
  }
}
