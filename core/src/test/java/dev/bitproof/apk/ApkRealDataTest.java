package dev.bitproof.apk;

import static org.junit.jupiter.api.Assertions.*;

import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.testing.SharedCsvSource;
import dev.bitproof.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/** Real upstream packages and indexes from ../shared/data/apk, with the keys that did (or did not) sign them. */
class ApkRealDataTest {
  static Finding code(List<Finding> fs, java.util.Set<ApkCode> codes) {
    return fs.stream().filter(f -> codes.contains(f.code())).findFirst().orElseThrow(() -> new AssertionError(codes + " not in " + fs));
  }

  static Finding code(List<Finding> fs, Code code) {
    return fs.stream().filter(f -> f.code() == code).findFirst().orElseThrow(() -> new AssertionError(code + " not in " + fs));
  }

  @Test
  void alpineIndexVerifiesWithAlpineKey() throws Exception {
    Path idx = SharedData.require("apk/apko/pkg/apk/apk/testdata/alpine-316/APKINDEX.tar.gz");
    ApkKeyring keys = ApkKeyring.load(SharedData.require("apk/derived/keys"));
    ApkIndex index = ApkIndex.read(idx);
    assertEquals(4929, index.packages().size());
    assertEquals(667, index.signature().orElseThrow().end(), "signed range starts after the first gzip stream");
    Finding f = ApkVerifier.verify(index, keys, idx.toString());
    assertEquals(ApkCode.APKINDEX_SIGNATURE_OK, f.code(), f.toString());
    assertEquals("alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub", f.evidence().get("key"));
    assertEquals("RSA", f.evidence().get("algorithm"));
    IndexEntry musl = index.byName("musl").get(0);
    assertFalse(musl.checksum().isEmpty());
    assertTrue(musl.size() > 0);
    assertTrue(index.packages().stream().anyMatch(p -> p.provides().stream().anyMatch(s -> s.startsWith("so:"))));
  }

  @Test
  void alpineBaselayoutVerifiesWithAlpineKey() throws Exception {
    Path apk = SharedData.require("apk/apko/pkg/apk/apk/testdata/alpine-316/alpine-baselayout-3.2.0-r23.apk");
    ApkPackage p = ApkPackage.read(apk);
    assertEquals("Q1LLq2qDNrS/qRnhxQ3hsY/sHbQnc=", p.checksum());
    assertEquals(1662926906L, p.pkgInfo().buildDate());
    List<Finding> fs = ApkVerifier.verify(p, ApkKeyring.load(SharedData.require("apk/derived/keys")), apk.toString());
    Finding sig = code(fs, ApkCode.PACKAGE_SIGNATURE);
    assertEquals(ApkCode.APK_SIGNATURE_OK, sig.code(), fs.toString());
    assertEquals("alpine-devel@lists.alpinelinux.org-616ae350.rsa.pub", sig.evidence().get("key"));
    assertEquals(ApkCode.APK_DATAHASH_OK, code(fs, ApkCode.DATAHASH).code());
    assertTrue(fs.stream().noneMatch(Finding::fails), fs.toString());
  }

  @Test
  void everyMelangePackageAndIndexVerifiesWithMelangeKey() throws Exception {
    Path root = SharedData.apkoTestdata().resolve("packages");
    ApkKeyring keys = ApkKeyring.load(root);
    assertEquals(1, keys.size(), "the subdirectories are not keys");
    int packages = 0;
    for (String arch : List.of("x86_64", "aarch64")) {
      Path idxFile = root.resolve(arch).resolve("APKINDEX.tar.gz");
      ApkIndex index = ApkIndex.read(idxFile);
      assertEquals(ApkCode.APKINDEX_SIGNATURE_OK, ApkVerifier.verify(index, keys, idxFile.toString()).code());
      assertEquals(4, index.packages().size());
      for (IndexEntry e : index.packages()) {
        Path apk = root.resolve(arch).resolve(e.fileName());
        ApkPackage p = ApkPackage.read(apk);
        List<Finding> fs = ApkVerifier.verify(p, keys, apk.toString());
        assertTrue(fs.stream().noneMatch(Finding::fails), apk + ": " + fs);
        assertEquals("melange.rsa.pub", code(fs, ApkCode.APK_SIGNATURE_OK).evidence().get("key"));
        assertEquals("RSA256", code(fs, ApkCode.APK_SIGNATURE_OK).evidence().get("algorithm"));
        List<Finding> cross = ApkVerifier.crossCheck(e, p, apk.toString());
        assertEquals(List.of(ApkCode.APKINDEX_PACKAGE_OK), cross.stream().map(Finding::code).toList(), cross.toString());
        assertEquals(arch, p.pkgInfo().arch());
        packages++;
      }
    }
    assertEquals(8, packages);
  }

  @ParameterizedTest(name = "{0}")
  @SharedCsvSource(data = "apk/apko/pkg/apk/apk/testdata", value = {
      "apk/apko/pkg/apk/apk/testdata/rsa256-signed/APKINDEX.tar.gz, apk/apko/pkg/apk/apk/testdata/rsa256-signed, test-rsa256.rsa.pub, RSA256",
      "apk/apko/pkg/apk/apk/testdata/signing/APKINDEX.tar.gz, apk/apko/pkg/apk/apk/testdata/signing/keys, chainguard-0106f58bac88057c2ff5c2829850df492717a876ed700443550353c7ab23f5a0.rsa.pub, RSA256",
  })
  void otherSignedIndexesVerify(String index, String keyDir, String key, String alg) throws Exception {
    Path idx = SharedData.require(index);
    Finding f = ApkVerifier.verify(ApkIndex.read(idx), ApkKeyring.load(SharedData.require(keyDir)), index);
    assertEquals(ApkCode.APKINDEX_SIGNATURE_OK, f.code(), f.toString());
    assertEquals(key, f.evidence().get("key"));
    assertEquals(alg, f.evidence().get("algorithm"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @SharedCsvSource(data = "apk", value = {
      // Wolfi's key is in none of the snapshots: untrusted, not a crash
      "apk/melange/pkg/sca/testdata/libcap-2.69-r0.apk, APK_SIGNATURE_UNTRUSTED_KEY",
      "apk/melange/pkg/linter/testdata/kubeflow-pipelines-2.1.3-r7.apk, APK_SIGNATURE_UNTRUSTED_KEY",
      "apk/melange/pkg/sca/testdata/ruby3.2-base64-0.2.0-r2.apk, APK_SIGNATURE_UNTRUSTED_KEY",
      "apk/melange/pkg/sign/testdata/test.apk, APK_SIGNATURE_UNTRUSTED_KEY",
      "apk/apko/pkg/apk/fs/testdata/hello-2.12-r0.apk, APK_SIGNATURE_UNTRUSTED_KEY",
      "apk/apko/pkg/apk/apk/testdata/hello-0.1.0-r0.apk, APK_UNSIGNED",
      "apk/melange/pkg/sca/testdata/bash-doc-5.2.37-r2.apk, APK_UNSIGNED",
      "apk/apko/pkg/apk/apk/testdata/replaces/replaces-0.0.1-r0.apk, APK_UNSIGNED",
  })
  void signatureVerdictsOnRealPackages(String file, String expected) throws Exception {
    Path apk = SharedData.require(file);
    List<Finding> fs = ApkVerifier.verify(ApkPackage.read(apk), ApkKeyring.load(SharedData.require("apk/derived/keys")), file);
    assertEquals(ApkCode.valueOf(expected), fs.get(0).code(), fs.toString());
  }

  @Test
  void sameNamedButDifferentKeyIsAnInvalidSignature() throws Exception {
    // hello-wolfi is signed .SIGN.RSA.melange.rsa.pub by a different melange key than apko's test key
    Path apk = SharedData.require("apk/apko/pkg/apk/apk/testdata/hello-wolfi-2.12.1-r0.apk");
    List<Finding> fs = ApkVerifier.verify(ApkPackage.read(apk), ApkKeyring.load(SharedData.apkoTestdata().resolve("packages")), "hello-wolfi");
    assertEquals(ApkCode.APK_SIGNATURE_INVALID, fs.get(0).code(), fs.toString());
    assertEquals("melange.rsa.pub", fs.get(0).evidence().get("key"));
  }

  @ParameterizedTest
  @SharedCsvSource(data = "apk/melange/pkg/sca/testdata", value = {"apk/melange/pkg/sca/testdata/aws-c-s3-0.4.9-r0.apk", "apk/melange/pkg/sca/testdata/neon-4604-r0.apk"})
  void realDatahashMismatchesAreFound(String file) throws Exception {
    ApkPackage p = ApkPackage.read(SharedData.require(file));
    assertEquals(java.util.Optional.of(false), p.datahashMatches());
    List<Finding> fs = ApkVerifier.verify(p, ApkKeyring.empty(), file);
    Finding f = code(fs, ApkCode.DATAHASH);
    assertEquals(ApkCode.APK_DATAHASH_MISMATCH, f.code());
    assertEquals(p.dataSha256Hex(), f.evidence().get("actual"));
  }

  @Test
  void everySharedApkReadsAndMatchesItsProvenanceChecksum() throws Exception {
    Path root = SharedData.require("apk");
    List<Path> apks;
    try (Stream<Path> s = Files.walk(root)) {
      apks = s.filter(p -> p.toString().endsWith(".apk")).sorted().toList();
    }
    assertTrue(apks.size() >= 30, "found " + apks.size());
    String prov = Files.readString(root.resolve("PROVENANCE.md"));
    Map<String, String> seen = new java.util.TreeMap<>();
    for (Path apk : apks) {
      ApkPackage p = ApkPackage.read(apk);
      seen.put(root.relativize(apk).toString(), p.checksum());
      // apko-history/ is described by its own README and cases.tsv (apko's testdata at old commits), not PROVENANCE.md
      boolean history = root.relativize(apk).startsWith("apko-history");
      assertTrue(history || prov.contains("C:" + p.checksum() + ";"), apk + " has Q1 " + p.checksum() + " not listed in PROVENANCE.md");
      assertTrue(p.fileChecksumMismatches().isEmpty(), apk + ": " + p.fileChecksumMismatches());
      assertEquals(Files.size(apk), p.size());
      assertEquals(p.data().end(), p.size());
    }
    assertEquals(apks.size(), seen.size());
  }

  @Test
  void legacySingleStreamIndexSignsNothing() throws Exception {
    Path idx = SharedData.require("apk/apko/pkg/apk/apk/testdata/APKINDEX.tar.gz");
    ApkIndex index = ApkIndex.read(idx);
    assertEquals(2, index.packages().size());
    assertFalse(index.signed());
    Finding f = ApkVerifier.verify(index, ApkKeyring.load(SharedData.require("apk/derived/keys")), "legacy");
    assertTrue(f.fails(), f.toString());
    assertEquals(List.of(), index.packages().stream().filter(e -> e.checksum().isEmpty()).map(IndexEntry::name).collect(Collectors.toList()));
  }
}
