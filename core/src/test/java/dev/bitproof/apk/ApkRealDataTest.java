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
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Real upstream packages and indexes from ../shared/data/apk, accepted under the keys that signed them, and every
 * shared package read and held to PROVENANCE.md (its Q1 checksum, its datahash verdict). The verdicts that do not depend on upstream's bytes (untrusted key, unsigned, same-named key,
 * datahash mismatch, unsigned legacy index) are {@link ApkVerdictTest}'s, on packages built there.
 */
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
    List<String> mismatches = new java.util.ArrayList<>();
    for (Path apk : apks) {
      ApkPackage p = ApkPackage.read(apk);
      Path rel = root.relativize(apk);
      seen.put(rel.toString(), p.checksum());
      // apko-history/ is described by its own README and cases.tsv (apko's testdata at old commits), not PROVENANCE.md
      boolean history = rel.startsWith("apko-history");
      assertTrue(history || prov.contains("C:" + p.checksum() + ";"), apk + " has Q1 " + p.checksum() + " not listed in PROVENANCE.md");
      if (!history) {
        // PROVENANCE.md records each package's datahash verdict ("matches" or MISMATCH: melange shipped two such)
        String row = prov.lines().filter(l -> l.startsWith("| " + rel.getName(0) + " | `" + rel.subpath(1, rel.getNameCount()) + "`"))
            .findFirst().orElseThrow(() -> new AssertionError(rel + " has no row in PROVENANCE.md"));
        boolean recordedMismatch = row.contains("datahash MISMATCH");
        assertTrue(recordedMismatch || row.contains("datahash matches"), row);
        assertEquals(Optional.of(!recordedMismatch), p.datahashMatches(), rel + ": " + row);
        if (recordedMismatch) {
          Finding f = code(ApkVerifier.verify(p, ApkKeyring.empty(), rel.toString()), ApkCode.DATAHASH);
          assertEquals(ApkCode.APK_DATAHASH_MISMATCH, f.code());
          assertEquals(p.dataSha256Hex(), f.evidence().get("actual"));
          mismatches.add(rel.getFileName().toString());
        }
      }
      assertTrue(p.fileChecksumMismatches().isEmpty(), apk + ": " + p.fileChecksumMismatches());
      assertEquals(Files.size(apk), p.size());
      assertEquals(p.data().end(), p.size());
    }
    assertEquals(apks.size(), seen.size());
    assertEquals(List.of("aws-c-s3-0.4.9-r0.apk", "neon-4604-r0.apk"), mismatches, "the real datahash mismatches");
  }
}
