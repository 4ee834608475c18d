package dev.bitproof.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.apk.ApkCode;
import dev.bitproof.compare.CompareOptions;
import dev.bitproof.compare.Verdict;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.Finding;
import dev.bitproof.testing.ReportSchema;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestLayouts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verify pipeline with a stand-in rebuild, so its own logic (hints, checks, verdict, report) is tested alone. */
class VerifierTest {
  static Path golden() {
    return SharedData.testdata("demo/published");
  }

  /** "Rebuilds" by re-gzipping the demo's published layout: same tars, different compressed bytes, as our build gives today. */
  static class Recompressing implements Rebuilder {
    final List<Inputs> seen = new ArrayList<>();
    final List<Finding> signatures;

    Recompressing(List<Finding> signatures) {
      this.signatures = signatures;
    }

    @Override
    public Rebuilt rebuild(Inputs in) {
      seen.add(in);
      TestLayouts.rewrite(golden(), in.output(), null, null, true);
      return new Rebuilt(ImageReference.parse("oci:" + in.output()), signatures,
          List.of(Finding.ok(VerifyCode.REBUILD_OK, "index", "rebuilt")), List.of());
    }
  }

  static Verifier.Request request(Path tmp, OptionalLong epoch) {
    return new Verifier.Request(Path.of("apko.yaml"), Optional.empty(), Optional.empty(), epoch, "oci:" + golden(), tmp,
        CompareOptions.strict(), Verdict.CONTENT_IDENTICAL, TransportOptions.defaults());
  }

  static Report run(Path tmp, Rebuilder r, OptionalLong epoch) throws Exception {
    try (ImageSource published = Transports.source(ImageReference.parse("oci:" + golden()), TransportOptions.defaults())) {
      return Verifier.run(request(tmp, epoch), r, published);
    }
  }

  @Test
  void takesBuildDateAndAnnotationsFromThePublishedImageAndSaysSo(@TempDir Path tmp) throws Exception {
    Recompressing r = new Recompressing(List.of(Finding.ok(dev.bitproof.apk.ApkCode.APK_SIGNATURE_OK, "x86_64/replayout-1.0.0-r0.apk", "signed")));
    Report report = run(tmp, r, OptionalLong.empty());
    Rebuilder.Inputs in = r.seen.get(0);
    assertEquals(OptionalLong.empty(), in.sourceDateEpoch(), "first as apko without SOURCE_DATE_EPOCH");
    assertEquals(1, r.seen.size(), "its date equals the published one: no second build");
    assertEquals(List.of(), in.archs(), "not narrowed: the config's archs are required");
    assertEquals(List.of("x86_64", "aarch64"), in.publishedArchs(), "used only when the config names none");
    assertEquals(java.util.Map.of("org.opencontainers.image.title", "bitproof demo", "org.opencontainers.image.vendor", "bitproof"),
        in.annotations());
    assertEquals("build date from the newest package builddate, as apko without SOURCE_DATE_EPOCH; it equals the "
        + "published org.opencontainers.image.created", report.notes().get(0));
    assertEquals(Verdict.CONTENT_IDENTICAL, report.verdict().orElseThrow());
    assertTrue(report.passed());
    assertEquals(List.of("rebuild", "signatures", "compare"), report.checks().stream().map(Report.Check::name).toList());
    assertEquals(List.of(), ReportSchema.validate(ReportJson.toJson(report, "test")));
  }

  @Test
  void explicitEpochWins(@TempDir Path tmp) throws Exception {
    Recompressing r = new Recompressing(List.of(Finding.ok(ApkCode.APK_SIGNATURE_OK, "p", "signed")));
    Report report = run(tmp, r, OptionalLong.of(1700000000L));
    assertEquals(OptionalLong.of(1700000000L), r.seen.get(0).sourceDateEpoch());
    assertEquals("1700000000", report.inputs().get("sourceDateEpoch"));
    assertTrue(report.notes().get(0).contains("given on the command line"));
  }

  @Test
  void whenThePackagesDateIsNotThePublishedOneItRebuildsWithThePublishedDate(@TempDir Path tmp) throws Exception {
    Recompressing r = new Recompressing(List.of(Finding.ok(ApkCode.APK_SIGNATURE_OK, "p", "signed"))) {
      @Override
      public Rebuilt rebuild(Inputs in) {
        Rebuilt out = super.rebuild(in);
        if (in.sourceDateEpoch().isEmpty()) {
          try {
            TestLayouts.editIndex(in.output(), idx -> ((com.fasterxml.jackson.databind.node.ObjectNode) idx.get("annotations"))
                .put("org.opencontainers.image.created", "2024-01-01T00:00:00Z"));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
        return out;
      }
    };
    Report report = run(tmp, r, OptionalLong.empty());
    assertEquals(2, r.seen.size());
    assertEquals(OptionalLong.of(1700000000), r.seen.get(1).sourceDateEpoch());
    assertEquals("1700000000", report.inputs().get("sourceDateEpoch"));
    assertTrue(report.notes().get(0).startsWith("build date 2023-11-14T22:13:20Z (SOURCE_DATE_EPOCH=1700000000) taken from the "
        + "published index annotation org.opencontainers.image.created (the newest package builddate, 1704067200, is not it)"),
        report.notes().get(0));
    assertEquals(Verdict.CONTENT_IDENTICAL, report.verdict().orElseThrow());
  }

  @Test
  void aBadSignatureFailsTheVerificationEvenWhenTheImageMatches(@TempDir Path tmp) throws Exception {
    Finding bad = Finding.fail(ApkCode.APK_SIGNATURE_UNTRUSTED_KEY, "x86_64/replayout-1.0.0-r0.apk", "no key named evil.rsa.pub");
    Report report = run(tmp, new Recompressing(List.of(bad)), OptionalLong.empty());
    assertFalse(report.passed());
    assertEquals(Verdict.CONTENT_IDENTICAL, report.verdict().orElseThrow());
    Report.Check sig = report.checks().get(1);
    assertEquals(Report.Status.FAIL, sig.status());
    assertEquals("0 signatures verified, 1 failed", sig.summary());
    assertTrue(ReportText.render(report, false).contains("FAIL  APK_SIGNATURE_UNTRUSTED_KEY  x86_64/replayout-1.0.0-r0.apk"));
  }

  @Test
  void noSignatureCheckedIsNotAPass(@TempDir Path tmp) throws Exception {
    Report report = run(tmp, new Recompressing(List.of()), OptionalLong.empty());
    assertFalse(report.passed());
    assertEquals(VerifyCode.SIGNATURES_NONE_CHECKED, report.checks().get(1).findings().get(0).code());
  }
}
