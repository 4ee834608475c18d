package dev.bitproof.sbom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.testing.SharedCsvSource;
import dev.bitproof.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.Test;

/** Our apko-compatible SPDX output against apko's own golden SBOMs and its generator's unit goldens. */
class ApkoSpdxTest {
  static final ApkoSpdx.Options APKO_DEVEL = new ApkoSpdx.Options("Tool: apko (devel)", "golden:latest");

  @Test
  void goldenImageSbomsAreReproducedAsParsedJson() throws Exception {
    Path golden = SharedData.apkoTestdata().resolve("golden");
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + golden), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      String[] apkArch = {"x86_64", "aarch64"};
      for (int i = 0; i < 2; i++) {
        LoadedImage img = LoadedImage.load(src, tree, tree.images().get(i));
        ObjectNode ours = SbomGenerator.apkoSpdx(img, APKO_DEVEL);
        byte[] expectedBytes = Files.readAllBytes(golden.resolve("sboms/sbom-" + apkArch[i] + ".spdx.json"));
        assertEquals(Json.parse(expectedBytes, "golden"), Json.parse(ApkoSpdx.render(ours), "ours"),
            "sbom-" + apkArch[i] + ".spdx.json differs");
        // apko's encoder layout too: the bytes themselves are equal
        assertEquals(new String(expectedBytes), new String(ApkoSpdx.render(ours)));
      }
      ObjectNode index = SbomGenerator.apkoSpdxIndex(tree, APKO_DEVEL);
      byte[] expected = Files.readAllBytes(golden.resolve("sboms/sbom-index.spdx.json"));
      assertEquals(Json.parse(expected, "golden"), Json.parse(ApkoSpdx.render(index), "ours"));
      assertArrayEquals(expected, ApkoSpdx.render(index));
    }
  }

  /**
   * apko's document structure on an apko-style image the tests build ({@code TestApkoImage}): the image, its layer,
   * the OS from os-release, and each package's own shipped SBOM elements copied in; deterministic, and checked clean
   * against the image it describes.
   */
  @Test
  void apkoFormOfAFixtureImageHasApkosStructure(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    dev.bitproof.testing.TestApkoImage.Built fx = dev.bitproof.testing.TestApkoImage.build(tmp);
    try (ImageSource src = Transports.source(fx.reference(), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      LoadedImage img = LoadedImage.load(src, tree, tree.images().get(0));
      ApkoSpdx.Options o = new ApkoSpdx.Options("Tool: apko (devel)", "fixture:latest");
      byte[] doc = ApkoSpdx.render(SbomGenerator.apkoSpdx(img, o));
      assertArrayEquals(doc, ApkoSpdx.render(SbomGenerator.apkoSpdx(LoadedImage.load(src, tree, tree.images().get(0)), o)),
          "deterministic");
      JsonNode d = Json.parse(doc, "ours");
      String manifest = fx.result().images().get(0).manifest().digest().toString();
      String layer = fx.result().images().get(0).layers().get(0).descriptor().digest().toString();
      String imageId = "SPDXRef-Package-Image-" + manifest.replace(':', '-');
      assertEquals("[\"" + imageId + "\"]", d.get("documentDescribes").toString());
      assertEquals("Tool: apko (devel)", d.path("creationInfo").path("creators").get(0).asText());
      Map<String, JsonNode> byId = new java.util.TreeMap<>();
      d.get("packages").forEach(p -> byId.put(p.get("SPDXID").asText(), p));
      JsonNode image = byId.get(imageId);
      assertEquals("CONTAINER", image.get("primaryPackagePurpose").asText());
      assertEquals("pkg:oci/fixture@" + manifest + "?arch=amd64&mediaType=application%2Fvnd.oci.image.manifest.v1%2Bjson&os=linux",
          image.get("externalRefs").get(0).get("referenceLocator").asText());
      assertEquals("CONTAINER", byId.get("SPDXRef-Package-ImageLayer-" + layer.replace(':', '-')).get("primaryPackagePurpose").asText());
      JsonNode os = d.get("packages").findParents("primaryPackagePurpose").stream()
          .filter(p -> p.get("primaryPackagePurpose").asText().equals("OPERATING_SYSTEM")).findFirst().orElseThrow();
      assertEquals("1.0", os.get("versionInfo").asText(), "VERSION_ID of etc/os-release");
      for (String pkg : List.of("fixture-baselayout", "fixture-hello")) {
        JsonNode p = byId.get("SPDXRef-Package-apk-" + pkg + "-1.0.0-r0");
        assertEquals("pkg:apk/bitproof-fixture/" + pkg + "@1.0.0-r0?arch=x86_64", p.get("externalRefs").get(0).get("referenceLocator").asText(),
            "copied from the package's own SBOM");
      }
      SbomDocument read = SbomReader.read(doc, "ours");
      List<dev.bitproof.report.Finding> fs = SbomCheck.compare(img.contents(), read, img.identity(), "ours");
      assertEquals(List.of(), fs.stream().filter(dev.bitproof.report.Finding::fails).toList(), fs.toString());
    }
  }

  /** Every JSON kind a copied SBOM may carry comes out as Go's indenting encoder writes it. */
  @Test
  void renderWritesEveryJsonKindAsGoEncoderDoes() throws Exception {
    JsonNode doc = Json.parse(("{\"z\":\"<x>&\\u2028\",\"b\":[],\"c\":{},\"n\":3,\"f\":1.5,\"t\":true,\"u\":null,"
        + "\"a\":[{\"k\":\"v\"},2]}").getBytes(java.nio.charset.StandardCharsets.UTF_8), "doc");
    assertEquals("{\n  \"z\": \"\\u003cx\\u003e\\u0026\\u2028\",\n  \"b\": [],\n  \"c\": {},\n  \"n\": 3,\n"
        + "  \"f\": 1.5,\n  \"t\": true,\n  \"u\": null,\n  \"a\": [\n    {\n      \"k\": \"v\"\n    },\n    2\n  ]\n}\n",
        new String(ApkoSpdx.render(doc), java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * By default the first creator names bitproof; that is the only difference from the document written as apko
   * (whose bytes equal apko's own: goldenImageSbomsAreReproducedAsParsedJson). On the fixture image, both archs.
   */
  @Test
  void ourToolNameIsTheOnlyDifferenceByDefault(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    dev.bitproof.testing.TestApkoImage.Built fx = dev.bitproof.testing.TestApkoImage.build(tmp);
    try (ImageSource src = Transports.source(fx.reference(), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      for (int i = 0; i < 2; i++) {
        LoadedImage img = LoadedImage.load(src, tree, tree.images().get(i));
        ObjectNode ours = SbomGenerator.apkoSpdx(img, ApkoSpdx.Options.defaults("test"));
        ObjectNode asApko = (ObjectNode) Json.parse(ApkoSpdx.render(SbomGenerator.apkoSpdx(img, new ApkoSpdx.Options("Tool: apko (devel)", ""))), "apko");
        assertEquals("Tool: apko (devel)", asApko.path("creationInfo").path("creators").get(0).asText());
        ((ArrayNode) asApko.path("creationInfo").path("creators")).set(0, "Tool: bitproof (test)");
        assertEquals(asApko, Json.parse(ApkoSpdx.render(ours), "ours"), "image " + i);
      }
    }
  }

  /** apko's {@code pkg/sbom/generator/spdx} test cases: the same options, the same embedded SBOMs, the same output. */
  @ParameterizedTest
  @SharedCsvSource(data = "apk/apko/pkg/sbom/generator/spdx/testdata", value = {
      "custom-license, unknown, unknown, font-ubuntu=0.869-r1",
      "no-supplier, 'Apko Images, Plc', apko-images, libattr1=2.5.1-r2",
      "package-deduplicating, unknown, unknown, logstash-8=8.15.3-r4 logstash-8-compat=8.15.3-r4",
      "unbound-package-dedupe, unknown, unknown, unbound-libs=1.23.0-r0 unbound=1.23.0-r0 unbound-config=1.23.0-r0",
      "both-describes-methods, unknown, unknown, test-pkg-both=1.0.0-r0",
      "describes-relationship, unknown, unknown, test-pkg-describes=1.0.0-r0",
  })
  void apkoGeneratorGoldens(String name, String osName, String osId, String packages) throws Exception {
    Path td = SharedData.require("apk/apko/pkg/sbom/generator/spdx/testdata");
    List<Map.Entry<String, String>> pkgs = java.util.Arrays.stream(packages.split(" "))
        .<Map.Entry<String, String>>map(s -> new AbstractMap.SimpleImmutableEntry<>(s.split("=")[0], s.split("=")[1])).toList();
    ApkoSpdx.ImageInput in = new ApkoSpdx.ImageInput("", "", "", List.of(new ApkoSpdx.Layer("", "")),
        "0001-01-01T00:00:00Z", new OsRelease(Map.of("NAME", osName, "ID", osId, "VERSION_ID", "3.0")), pkgs,
        path -> {
          Path p = td.resolve("apk_sboms").resolve(path.substring("var/lib/db/sbom/".length()));
          try {
            return Files.exists(p) ? Optional.of(Files.readAllBytes(p)) : Optional.empty();
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    ObjectNode ours = ApkoSpdx.image(in, new ApkoSpdx.Options("Tool: apko (devel)", ""));
    JsonNode expected = Json.parse(Files.readAllBytes(td.resolve("expected_image_sboms/" + name + ".spdx.json")), name);
    assertEquals(expected.toPrettyString(), Json.parse(ApkoSpdx.render(ours), "ours").toPrettyString(), name);
  }
}
