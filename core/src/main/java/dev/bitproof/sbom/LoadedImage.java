package dev.bitproof.sbom;

import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.image.ImageFilesystem;
import java.io.IOException;
import java.util.Optional;

/** One image of a tree with its layers read (once) into the contents an SBOM is checked against. */
public record LoadedImage(Images.Resolved image, ImageIdentity identity, ImageContents contents) {
  public static LoadedImage load(ImageSource source, Images.Tree tree, Images.Resolved image) throws IOException {
    ImageFilesystem fs = ImageFilesystem.read(source, image.manifest(), ImageContents.KEEP);
    Optional<Digest> index = tree.index().isPresent() ? Optional.of(tree.root().digest()) : Optional.empty();
    ImageIdentity id = new ImageIdentity(Optional.of(image.manifest().digest()), index,
        image.manifest().layers().stream().map(Descriptor::digest).toList());
    return new LoadedImage(image, id, ImageContents.of(fs));
  }
}
