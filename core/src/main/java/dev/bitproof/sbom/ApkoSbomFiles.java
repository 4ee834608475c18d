package dev.bitproof.sbom;

import dev.bitproof.io.AtomicWrite;
import dev.bitproof.apko.Arch;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The SBOM files {@code apko build} leaves in its {@code --sbom-path}: {@code sbom-<apk arch>.spdx.json} per image and
 * {@code sbom-index.spdx.json} for the index, SPDX 2.3 JSON as apko's generator writes it ({@link ApkoSpdx}).
 */
public final class ApkoSbomFiles {
  private ApkoSbomFiles() {}

  /** Writes the files for the image index {@code source} holds into {@code dir}; returns them in written order. */
  public static List<Path> write(ImageSource source, Path dir, ApkoSpdx.Options options) throws IOException {
    Images.Tree tree = Images.walk(source);
    Files.createDirectories(dir);
    List<Path> out = new ArrayList<>();
    for (Images.Resolved r : tree.images()) {
      String variant = r.config().json().path("variant").asText("");
      Arch arch = Arch.parse(r.config().architecture() + (variant.isEmpty() ? "" : "/" + variant));
      LoadedImage img = LoadedImage.load(source, tree, r);
      out.add(AtomicWrite.write(dir.resolve("sbom-" + arch.apk() + ".spdx.json"),
          ApkoSpdx.render(SbomGenerator.apkoSpdx(img, options))));
    }
    if (tree.index().isPresent()) {
      out.add(AtomicWrite.write(dir.resolve("sbom-index.spdx.json"),
          ApkoSpdx.render(SbomGenerator.apkoSpdxIndex(tree, options))));
    }
    return out;
  }

}
