package dev.bitproof.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.io.IoCode;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.tar.TarCode;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestApkoImage;
import dev.bitproof.testing.TestLayouts;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An apko-style OCI layout read as a published image: {@link TestApkoImage}'s, which our build wrote from its inputs
 * (index.json = image index of an amd64 and an arm64 image). Reading apko's own golden layout is the fidelity claim of
 * {@code GoldenVerifyTest} and {@code BitIdenticalVerifyTest}, which walk it to its published digests.
 */
class OciLayoutGoldenTest {
  @Test
  void walksTheLayoutToBothImagesWithExactDigests(@TempDir Path tmp) throws Exception {
    TestApkoImage.Built fx = TestApkoImage.build(tmp.resolve("fixture"));
    Path layout = fx.published();
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + layout), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      assertEquals(Digest.sha256(Files.readAllBytes(layout.resolve("index.json"))), tree.root().digest(),
          "the root is index.json itself, digested as stored");
      assertEquals(fx.result().index().digest(), tree.root().digest());
      assertEquals(2, tree.images().size());
      assertEquals(fx.result().images().get(0).manifest().digest(), tree.images().get(0).manifest().digest());
      assertEquals(fx.result().images().get(1).manifest().digest(), tree.images().get(1).manifest().digest());
      assertEquals("amd64", tree.images().get(0).config().architecture());
      assertEquals("arm64", tree.images().get(1).config().architecture());
      Images.Resolved amd64 = tree.images().get(0);
      assertEquals(1, amd64.manifest().layers().size());
      assertEquals(amd64.config().diffIds().size(), amd64.manifest().layers().size());

      ImageFilesystem fs = ImageFilesystem.read(src, amd64.manifest(), (p, size) -> p.equals("etc/apk/arch"));
      assertTrue(fs.get("usr/lib/apk/db/installed").isPresent(), "installed db in the layer");
      assertEquals("x86_64\n", new String(fs.content("etc/apk/arch").orElseThrow(), java.nio.charset.StandardCharsets.UTF_8));
      Images.Resolved arm64 = tree.images().get(1);
      assertEquals("aarch64\n", new String(ImageFilesystem.read(src, arm64.manifest(), (p, size) -> p.equals("etc/apk/arch"))
          .content("etc/apk/arch").orElseThrow(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @Test
  void tamperedBlobIsRejectedWhileStreaming(@TempDir Path tmp) throws Exception {
    Path golden = SharedData.testdata("demo/published");
    Path copy = TestLayouts.copy(golden, tmp.resolve("golden"));
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + copy), TransportOptions.defaults())) {
      Images.Resolved img = Images.walk(src).images().get(0);
      Path layer = copy.resolve("blobs/sha256/" + img.manifest().layers().get(0).digest().hex());
      byte[] b = Files.readAllBytes(layer);
      b[b.length / 2] ^= 1;
      Files.write(layer, b);
      CheckException e = assertThrows(CheckException.class, () -> ImageFilesystem.read(src, img.manifest(), null));
      assertTrue(e.code() == IoCode.BLOB_DIGEST_MISMATCH || e.code() == IoCode.COMPRESSED_CORRUPT
          || e.code() == IoCode.COMPRESSED_TRUNCATED || e.code() instanceof TarCode, String.valueOf(e.code()));
    }
  }

  @Test
  void missingIndexJsonIsCannotCheck(@TempDir Path tmp) throws Exception {
    Files.writeString(tmp.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + tmp), TransportOptions.defaults())) {
      assertEquals(TransportCode.LAYOUT_INVALID, assertThrows(CheckException.class, src::root).code());
    }
  }
}
