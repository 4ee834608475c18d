package dev.bitproof.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.rebuild.ApkoRules;
import dev.bitproof.testing.SharedData;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rule sets a published image's own features allow, on apko goldens of 2023-12 and of v1.2.25. */
class ApkoCandidatesTest {
  static List<String> candidates(Path layout, ApkoCandidates.TopLayer[] top) throws Exception {
    try (ImageSource s = Transports.source(ImageReference.parse("oci:" + layout), TransportOptions.defaults())) {
      Images.Tree t = Images.walk(s);
      top[0] = ApkoCandidates.TopLayer.read(t, s);
      return ApkoCandidates.forImage(t, top[0]).stream().map(ApkoRules::label).toList();
    }
  }

  @Test
  void a2023ImageAllowsOnlyTheRulesBeforeTheCreatedAnnotation() throws Exception {
    Path golden = SharedData.require("apk/apko-history/2023-12-19-494bf502/testdata/golden");
    ApkoCandidates.TopLayer[] top = new ApkoCandidates.TopLayer[1];
    List<String> c = candidates(golden, top);
    assertEquals(new ApkoCandidates.TopLayer(Optional.of(false), Optional.of(false)), top[0], "no apko.json, lib/apk/db");
    assertEquals(List.of(ApkoRules.newest().label(), "v0.19.0–v0.19.2", "v0.16.0–v0.18.1", "v0.14.1–v0.15.0",
        "v0.12.0–v0.14.0"), c, "the newest always, then those without created annotation, newest first");
  }

  @Test
  void aV1225ImageAllowsOnlyTheRulesWithArtifactType() throws Exception {
    Path golden = SharedData.require("apk/apko/internal/cli/testdata/golden");
    ApkoCandidates.TopLayer[] top = new ApkoCandidates.TopLayer[1];
    List<String> c = candidates(golden, top);
    assertEquals(new ApkoCandidates.TopLayer(Optional.of(true), Optional.of(true)), top[0]);
    assertEquals(List.of("v1.2.30–v1.2.39", "v1.2.25–v1.2.29"), c);
  }
}
