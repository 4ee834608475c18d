package dev.bitproof.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.bitproof.apk.ApkCode;
import dev.bitproof.apk.ApkPackage;
import dev.bitproof.compare.CompareCode;
import dev.bitproof.compare.CompareOptions;
import dev.bitproof.compare.Verdict;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.sbom.SbomCode;
import dev.bitproof.testing.ApkFixtures;
import dev.bitproof.testing.Bytes;
import dev.bitproof.testing.ReportSchema;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestLayouts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify} end to end with our real rebuild: on apko's TestBuild inputs (config, lock file, signed repository)
 * against the golden image (fidelity, ../shared), and on the demo's inputs ({@code testdata/demo}, made by the
 * project) against tampered copies of its published image or of its repository.
 */
class GoldenVerifyTest {
  static Path cli() {
    return SharedData.require("apk/apko/internal/cli");
  }

  static Report verify(Path cliDir, Path published, Path tmp) throws Exception {
    return verify(cliDir, cliDir.resolve("testdata"), published, tmp);
  }

  /** The demo's inputs: apko.yaml and apko.lock.json at the top of {@code demo}. */
  static Path demo() {
    return SharedData.testdata("demo");
  }

  static Report verify(Path cliDir, Path inputs, Path published, Path tmp) throws Exception {
    Verifier.Request req = new Verifier.Request(inputs.resolve("apko.yaml"),
        Optional.of(inputs.resolve("apko.lock.json")), Optional.empty(), OptionalLong.empty(),
        "oci:" + published, tmp, CompareOptions.strict(), Verdict.CONTENT_IDENTICAL, TransportOptions.defaults());
    try (ImageSource s = Transports.source(ImageReference.parse("oci:" + published), TransportOptions.defaults())) {
      Report r = Verifier.run(req, new ApkoRebuilder(cliDir), s, List.of(PublishedCheck.sbom()));
      assertEquals(List.of(), ReportSchema.validate(ReportJson.toJson(r, "test")));
      return r;
    }
  }

  static List<Finding> fails(Report r, Code code) {
    return r.findings().stream().filter(f -> f.fails() && f.code().equals(code)).toList();
  }

  @Test
  void goldenImageIsBitIdenticalWithEverySignatureChecked(@TempDir Path tmp) throws Exception {
    Report r = verify(cli(), cli().resolve("testdata/golden"), tmp);
    // with apko's exact gzip (the build's default compressor) the published digests themselves are reproduced
    assertEquals("pgzip-klauspost-5", r.checks().get(0).findings().get(0).evidence().get("compressor"));
    assertEquals(Verdict.BIT_IDENTICAL, r.verdict().orElseThrow(), () -> ReportText.render(r, false));
    assertTrue(r.passed(), () -> ReportText.render(r, false));
    Report.Check sig = r.checks().get(1);
    assertEquals(Report.Status.PASS, sig.status());
    Report.Check sbom = r.checks().get(3);
    assertEquals("sbom", sbom.name());
    assertEquals(Report.Status.PASS, sbom.status(), sbom.findings().toString());
    assertEquals("2 SBOMs checked (0 published)", sbom.summary(), "the two shipped in var/lib/db/sbom");
    Report.Check versions = r.checks().get(r.checks().size() - 1);
    assertEquals("apko-version", versions.name());
    // v1.2.25 made it; the CA sidecars of v1.2.30 do not touch an image without certificates
    assertEquals("reproduced with the rules of apko v1.2.25–v1.2.39", versions.summary());
    // the index entries carry artifactType: only the two rule sets since v1.2.25 are candidates
    assertEquals("auto: tried v1.2.30–v1.2.39, v1.2.25–v1.2.29", r.inputs().get("apkoVersion"));
    assertEquals(2, sbom.findings().stream().filter(f -> f.code().equals(SbomCode.SBOM_EMBEDDED_MATCH)).count());
    // 2 indexes + 2 packages per arch, each with a signature and a datahash finding
    assertEquals(2, sig.findings().stream().filter(f -> f.code().equals(ApkCode.APKINDEX_SIGNATURE_OK)).count());
    List<Finding> pk = sig.findings().stream().filter(f -> f.code().equals(ApkCode.APK_SIGNATURE_OK)).toList();
    assertEquals(4, pk.size(), sig.findings().toString());
    assertTrue(pk.stream().anyMatch(f -> f.subject().equals("x86_64/replayout-1.0.0-r0.apk")));
    assertTrue(pk.stream().allMatch(f -> f.evidence().get("key").equals("melange.rsa.pub")));
    assertEquals("sha256:b5f05e6fc882c97d61c1daee566954ae6fc09924f8e152293e2b97a06092069f", r.b().digest().orElseThrow().toString());
    for (var img : r.comparison().orElseThrow().images()) {
      assertEquals(img.configA(), img.configB(), "our config is byte-identical to apko's for " + img.platform());
      assertEquals(img.layers().get(0).diffIdA(), img.layers().get(0).diffIdB());
    }
  }

  @Test
  void extraFileInThePublishedImageIsNamed(@TempDir Path tmp) throws Exception {
    Path t = TestLayouts.rewrite(demo().resolve("published"), tmp.resolve("pub"), (arch, tar) -> {
      try {
        return arch.equals("arm64") ? TestLayouts.insertFile(tar, TestLayouts.endOfEntries(tar), "etc/cron.d/miner",
            "* * * * * root /tmp/x\n".getBytes(StandardCharsets.UTF_8)) : null;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, null, false);
    Report r = verify(demo(), demo(), t, tmp.resolve("work"));
    assertFalse(r.passed());
    assertEquals(Verdict.DIFFERENT, r.verdict().orElseThrow());
    List<Finding> added = fails(r, CompareCode.FILE_ADDED);
    assertEquals(1, added.size());
    assertEquals("linux/arm64 layer 0 etc/cron.d/miner", added.get(0).subject());
    assertEquals(Report.Status.PASS, r.checks().get(1).status(), "the packages are fine; the image is not");
  }

  @Test
  void changedEnvVarInThePublishedConfigIsNamed(@TempDir Path tmp) throws Exception {
    Path t = TestLayouts.rewrite(demo().resolve("published"), tmp.resolve("pub"), null,
        cfg -> ((ArrayNode) cfg.get("config").get("Env")).add("LD_PRELOAD=/tmp/hook.so"), false);
    Report r = verify(demo(), demo(), t, tmp.resolve("work"));
    assertEquals(Verdict.DIFFERENT, r.verdict().orElseThrow());
    List<Finding> env = fails(r, CompareCode.CONFIG_FIELD_DIFFERS);
    assertEquals(List.of("linux/amd64 config config.Env LD_PRELOAD", "linux/arm64 config config.Env LD_PRELOAD"),
        env.stream().map(Finding::subject).toList());
    assertEquals("(unset)", env.get(0).evidence().get("a"));
  }

  @Test
  void swappedPackageVersionInThePublishedImageIsNamedAsAPackage(@TempDir Path tmp) throws Exception {
    Path t = TestLayouts.rewrite(demo().resolve("published"), tmp.resolve("pub"), (arch, tar) -> {
      if (!arch.equals("amd64")) {
        return null;
      }
      // same length, so only the installed DB's bytes move: demo-hello 1.0.0-r0 → 1.0.9-r0
      byte[] b = tar.clone();
      byte[] from = "P:demo-hello\nV:1.0.0-r0".getBytes(StandardCharsets.UTF_8);
      byte[] to = "P:demo-hello\nV:1.0.9-r0".getBytes(StandardCharsets.UTF_8);
      int at = Bytes.indexOf(b, from);
      assertTrue(at > 0, "installed DB names demo-hello");
      System.arraycopy(to, 0, b, at, to.length);
      return b;
    }, null, false);
    Report r = verify(demo(), demo(), t, tmp.resolve("work"));
    assertEquals(Verdict.DIFFERENT, r.verdict().orElseThrow());
    Finding f = fails(r, CompareCode.FILE_CHANGED).get(0);
    assertEquals("linux/amd64 layer 0 usr/lib/apk/db/installed", f.subject());
    assertTrue(f.evidence().get("diff").contains("-V:1.0.0-r0\n+V:1.0.9-r0\n"), f.evidence().get("diff"));
    Finding p = fails(r, CompareCode.PACKAGE_VERSION_DIFFERS).get(0);
    assertEquals("linux/amd64 layer 0 usr/lib/apk/db/installed demo-hello", p.subject());
    assertEquals("1.0.0-r0", p.evidence().get("a"));
    assertEquals("1.0.9-r0", p.evidence().get("b"));
  }

  @Test
  void packageReSignedWithAnUnknownKeyFailsNamingThePackage(@TempDir Path tmp) throws Exception {
    Path td = TestLayouts.copy(demo(), tmp.resolve("demo"));
    Path victim = td.resolve("packages/x86_64/demo-hello-1.0.0-r0.apk");
    byte[] apk = Files.readAllBytes(victim);
    ApkPackage pkg = ApkPackage.read(apk, "victim");
    byte[] rest = Arrays.copyOfRange(apk, (int) pkg.control().offset(), apk.length);
    byte[] control = Arrays.copyOfRange(apk, (int) pkg.control().offset(), (int) (pkg.control().offset() + pkg.control().length()));
    byte[] resigned = ApkFixtures.concat(ApkFixtures.signatureStream(ApkFixtures.key("evil.rsa.pub"), "RSA256", control), rest);
    Files.write(victim, resigned);

    Report r = verify(td, td, demo().resolve("published"), tmp.resolve("work"));
    assertFalse(r.passed(), () -> ReportText.render(r, false));
    Finding f = fails(r, ApkCode.APK_SIGNATURE_UNTRUSTED_KEY).get(0);
    assertEquals("x86_64/demo-hello-1.0.0-r0.apk", f.subject());
    assertEquals("evil.rsa.pub", f.evidence().get("key"));
    assertEquals(1, r.findings().stream().filter(Finding::fails).filter(x -> x.code() instanceof ApkCode).count());
    // apk records each package's size in the installed DB: the smaller signature shows in the image too
    assertEquals(Verdict.DIFFERENT, r.verdict().orElseThrow(), () -> ReportText.render(r, false));
    Finding db = fails(r, CompareCode.FILE_CHANGED).get(0);
    assertEquals("linux/amd64 layer 0 usr/lib/apk/db/installed", db.subject());
    assertTrue(db.evidence().get("diff").contains("-S:" + resigned.length + "\n+S:" + apk.length + "\n"), db.evidence().get("diff"));
    assertEquals(Verdict.BIT_IDENTICAL, r.comparison().orElseThrow().images().get(1).verdict(), "arm64 untouched");
    // one build, nothing relaxed: the failing package was installed to explain the image and its FAIL kept
    assertTrue(r.notes().stream().noneMatch(n -> n.contains("relaxed")), r.notes().toString());
    assertEquals(Severity.OK, r.findings().stream().filter(x -> x.subject().equals("aarch64/demo-hello-1.0.0-r0.apk")
        && ApkCode.PACKAGE_SIGNATURE.contains(x.code())).findFirst().orElseThrow().severity());
  }

}
