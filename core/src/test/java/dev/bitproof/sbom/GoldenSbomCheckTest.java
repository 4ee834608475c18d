package dev.bitproof.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.Finding;
import dev.bitproof.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** apko's golden image against apko's golden SBOMs. */
class GoldenSbomCheckTest {
  @Test
  void goldenSbomsMatchGoldenImage() throws Exception {
    Path golden = SharedData.apkoTestdata().resolve("golden");
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + golden), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      LoadedImage amd = LoadedImage.load(src, tree, tree.images().get(0));
      System.out.println(amd.contents().packages());
      List<Finding> db = SbomCheck.database(amd.contents());
      db.forEach(System.out::println);
      SbomDocument doc = SbomReader.read(Files.readAllBytes(golden.resolve("sboms/sbom-x86_64.spdx.json")), "x86");
      List<Finding> fs = SbomCheck.compare(amd.contents(), doc, amd.identity(), "sbom-x86_64.spdx.json");
      fs.forEach(System.out::println);
      assertTrue(fs.stream().noneMatch(Finding::fails));
    }
  }
}
