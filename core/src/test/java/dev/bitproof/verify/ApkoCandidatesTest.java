package dev.bitproof.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.OciLayout;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.rebuild.ApkoRules;
import dev.bitproof.rebuild.BuildRequest;
import dev.bitproof.rebuild.BuildResult;
import dev.bitproof.rebuild.Rebuild;
import dev.bitproof.testing.TestApkoImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule sets a published image's own features allow, on images our build made from {@link TestApkoImage}'s
 * inputs (title and vendor annotations, as apko's TestBuild) with the rules of apko v0.13.0 (what apko's golden of
 * 2023-12 was made with) and of v1.2.25 (today's golden). That the real goldens are named by the versions that
 * made them is {@code ApkoHistoryVerifyTest}'s and {@code GoldenVerifyTest}'s claim.
 */
class ApkoCandidatesTest {
  @TempDir
  static Path dir;
  static TestApkoImage.Built fixture;

  @BeforeAll
  static void buildFixture() throws Exception {
    fixture = TestApkoImage.build(dir.resolve("fixture"));
  }

  /** The fixture's inputs built with the rules of apko {@code version}, written as a layout. */
  static Path publishedBy(String version) throws Exception {
    BuildResult r = Rebuild.run(BuildRequest.of(fixture.config(), fixture.dir())
        .withAnnotations(TestApkoImage.ANNOTATIONS).withRules(ApkoRules.select(version)));
    Path out = dir.resolve("published-" + version);
    try (ImageDestination d = OciLayout.destination(ImageReference.oci(out.toString(), null))) {
      r.writeTo(d, Optional.empty());
    }
    return out;
  }

  static List<String> candidates(Path layout, ApkoCandidates.TopLayer[] top) throws Exception {
    try (ImageSource s = Transports.source(ImageReference.parse("oci:" + layout), TransportOptions.defaults())) {
      Images.Tree t = Images.walk(s);
      top[0] = ApkoCandidates.TopLayer.read(t, s);
      return ApkoCandidates.forImage(t, top[0]).stream().map(ApkoRules::label).toList();
    }
  }

  @Test
  void a2023ImageAllowsOnlyTheRulesBeforeTheCreatedAnnotation() throws Exception {
    ApkoCandidates.TopLayer[] top = new ApkoCandidates.TopLayer[1];
    List<String> c = candidates(publishedBy("v0.13.0"), top);
    assertEquals(new ApkoCandidates.TopLayer(Optional.of(false), Optional.of(false)), top[0], "no apko.json, lib/apk/db");
    assertEquals(List.of(ApkoRules.newest().label(), "v0.19.0–v0.19.2", "v0.16.0–v0.18.1", "v0.14.1–v0.15.0",
        "v0.12.0–v0.14.0"), c, "the newest always, then those without created annotation, newest first");
  }

  @Test
  void aV1225ImageAllowsOnlyTheRulesWithArtifactType() throws Exception {
    ApkoCandidates.TopLayer[] top = new ApkoCandidates.TopLayer[1];
    List<String> c = candidates(publishedBy("v1.2.25"), top);
    assertEquals(new ApkoCandidates.TopLayer(Optional.of(true), Optional.of(true)), top[0]);
    assertEquals(List.of("v1.2.30–v1.2.39", "v1.2.25–v1.2.29"), c);
  }
}
