package dev.bitproof.apk;

import static org.junit.jupiter.api.Assertions.*;

import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.testing.ApkFixtures;
import dev.bitproof.testing.ApkFixtures.Apk;
import dev.bitproof.testing.ApkFixtures.Entry;
import dev.bitproof.testing.ApkFixtures.TestKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every hostile input gets a stable code; built with the project's own test key and APK writer. */
class ApkNegativeTest {
  static final TestKey KEY = ApkFixtures.key("bitproof-test.rsa.pub");

  static Apk good() {
    return new Apk("hello", "1.0-r0", "x86_64").file("usr/share/hello/greeting", "hello world\n")
        .entry(Entry.dir("usr/bin")).entry(Entry.symlink("usr/bin/hi", "../share/hello/greeting"))
        .signedBy(KEY);
  }

  static ApkKeyring keyring() {
    return ApkKeyring.of(Map.of(KEY.name(), KEY.publicPem().getBytes(StandardCharsets.US_ASCII)));
  }

  static Code codeOf(byte[] apk) {
    CheckException e = assertThrows(CheckException.class, () -> ApkPackage.read(apk, "fixture"));
    assertEquals(CheckException.Kind.INTEGRITY, e.kind(), e.toString());
    return e.code();
  }

  static Code codeOf(byte[] apk, ApkPackage.Limits limits) {
    CheckException e = assertThrows(CheckException.class,
        () -> ApkPackage.read(new java.io.ByteArrayInputStream(apk), "fixture", limits, null));
    return e.code();
  }

  @Test
  void goodFixtureVerifies() throws Exception {
    byte[] b = good().build();
    ApkPackage p = ApkPackage.read(b, "good");
    List<Finding> fs = ApkVerifier.verify(p, keyring(), "good");
    assertTrue(fs.stream().noneMatch(Finding::fails), fs.toString());
    assertEquals(ApkCode.APK_SIGNATURE_OK, fs.get(0).code());
    assertEquals(KEY.name(), fs.get(0).evidence().get("key"));
    assertEquals(1, p.dataFiles());
    assertEquals(0, p.filesWithoutChecksum());
  }

  @Test
  void rsaSha1AndSha512SignaturesVerifyToo() throws Exception {
    for (String alg : List.of("RSA", "RSA512")) {
      ApkPackage p = ApkPackage.read(good().signedBy(KEY, alg).build(), alg);
      Finding f = ApkVerifier.verify(p, keyring(), alg).get(0);
      assertEquals(ApkCode.APK_SIGNATURE_OK, f.code(), f.toString());
      assertEquals(alg, f.evidence().get("algorithm"));
    }
  }

  @Test
  void truncatedAtEveryByteIsTruncated() throws Exception {
    ApkFixtures.Streams s = good().streams();
    byte[] b = s.concat();
    for (int n = 1; n < b.length; n++) {
      byte[] cut = java.util.Arrays.copyOf(b, n);
      assertEquals(ApkCode.APK_TRUNCATED, codeOf(cut), "cut at " + n + " of " + b.length
          + " (boundaries " + s.signature().length + ", " + (s.signature().length + s.control().length) + ")");
    }
    assertEquals(ApkCode.APK_NOT_GZIP, codeOf(new byte[0]));
  }

  @Test
  void nonGzipDataIsNotGzip() {
    assertEquals(ApkCode.APK_NOT_GZIP, codeOf("PK\3\4 this is a zip, not an apk".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void bytesAfterTheDataSectionAreDataOrRefused() throws Exception {
    // a member appended after the data is part of the data section (as apk-tools and apko read it): datahash fails
    ApkPackage p = ApkPackage.read(ApkFixtures.concat(good().build(), ApkFixtures.gzip(new byte[512])), "appended");
    assertEquals(java.util.Optional.of(false), p.datahashMatches());
    assertTrue(ApkVerifier.verify(p, keyring(), "appended").stream().anyMatch(f -> f.code().equals(ApkCode.APK_DATAHASH_MISMATCH)));
    // bytes that are not a gzip member: apko's multistream reader fails on them, so do we
    assertEquals(ApkCode.APK_NOT_GZIP, codeOf(ApkFixtures.concat(good().build(), "junk".getBytes(StandardCharsets.US_ASCII))));
    assertEquals(ApkCode.APK_TRUNCATED, codeOf(ApkFixtures.concat(good().build(), new byte[] {0x1f})));
  }

  @Test
  void controlWithoutPkgInfo() throws Exception {
    assertEquals(ApkCode.APK_NO_PKGINFO, codeOf(good().noPkgInfo().controlEntry(Entry.file(".post-install", "#!/bin/sh\n")).build()));
  }

  @Test
  void oversizedPkgInfo() throws Exception {
    StringBuilder sb = new StringBuilder("pkgname = big\npkgver = 1-r0\n");
    java.util.Random r = new java.util.Random(1);
    while (sb.length() < 1_200_000) {
      sb.append("# ").append(Long.toHexString(r.nextLong())).append(Long.toHexString(r.nextLong())).append('\n');
    }
    assertEquals(ApkCode.APK_PKGINFO_TOO_LARGE, codeOf(good().rawPkgInfo(sb.toString()).build()));
  }

  @Test
  void pkgInfoWithoutNameOrWithGarbageLine() throws Exception {
    assertEquals(ApkCode.APK_PKGINFO_INVALID, codeOf(good().rawPkgInfo("pkgver = 1\n").build()));
    assertEquals(ApkCode.APK_PKGINFO_INVALID, codeOf(good().rawPkgInfo("pkgname = x\npkgver = 1\nno equals sign\n").build()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"../etc/passwd", "usr/../../etc/passwd"})
  void dataEntryEscapingTheRoot(String name) throws Exception {
    assertEquals(ApkCode.APK_TAR_PATH_ESCAPE, codeOf(good().file(name, "x").build()));
  }

  @Test
  void absoluteDataEntry() throws Exception {
    assertEquals(ApkCode.APK_TAR_PATH_ABSOLUTE, codeOf(good().file("/etc/passwd", "x").build()));
  }

  @Test
  void controlEntryEscapingTheRoot() throws Exception {
    assertEquals(ApkCode.APK_TAR_PATH_ESCAPE, codeOf(good().controlEntry(Entry.file("../.PKGINFO", "x")).build()));
    assertEquals(ApkCode.APK_LAYOUT_INVALID, codeOf(good().controlEntry(Entry.file("etc/passwd", "x")).build()));
  }

  @Test
  void tamperedControlBreaksTheSignature() throws Exception {
    ApkFixtures.Streams s = good().streams();
    ApkFixtures.Streams other = good().set("pkgdesc", "evil").streams();
    byte[] forged = ApkFixtures.concat(s.signature(), other.control(), other.data());
    ApkPackage p = ApkPackage.read(forged, "forged");
    Finding f = ApkVerifier.verify(p, keyring(), "forged").get(0);
    assertEquals(ApkCode.APK_SIGNATURE_INVALID, f.code(), f.toString());
    assertEquals(KEY.name(), f.evidence().get("key"));
  }

  @Test
  void tamperedDataBreaksTheDatahash() throws Exception {
    ApkFixtures.Streams s = good().streams();
    ApkFixtures.Streams other = good().file("usr/bin/backdoor", "evil").streams();
    ApkPackage p = ApkPackage.read(ApkFixtures.concat(s.signature(), s.control(), other.data()), "swapped");
    List<Finding> fs = ApkVerifier.verify(p, keyring(), "swapped");
    assertEquals(ApkCode.APK_SIGNATURE_OK, fs.get(0).code(), "the signature still covers the untouched control stream");
    assertEquals(ApkCode.APK_DATAHASH_MISMATCH, fs.get(1).code());
  }

  @Test
  void tamperedFileContentBreaksItsChecksum() throws Exception {
    Entry lying = new Entry("usr/bin/tool", "evil".getBytes(StandardCharsets.UTF_8), 'f', "",
        Map.of("APK-TOOLS.checksum.SHA1", "0000000000000000000000000000000000000000"));
    ApkPackage p = ApkPackage.read(good().noChecksums().entry(lying).build(), "lying");
    List<Finding> fs = ApkVerifier.verify(p, keyring(), "lying");
    assertTrue(fs.stream().anyMatch(f -> f.code().equals(ApkCode.APK_FILE_CHECKSUM_MISMATCH) && f.subject().endsWith("usr/bin/tool")), fs.toString());
  }

  @Test
  void olderMelangeQ1FileChecksumsAreCheckedToo() throws Exception {
    byte[] content = "tool".getBytes(StandardCharsets.UTF_8);
    String q1 = "Q1" + java.util.Base64.getEncoder().encodeToString(ApkFixtures.sha("SHA-1", content));
    Entry right = new Entry("usr/bin/right", content, 'f', "", Map.of("APK-TOOLS.checksum.SHA1", q1));
    Entry wrong = new Entry("usr/bin/wrong", "evil".getBytes(StandardCharsets.UTF_8), 'f', "", Map.of("APK-TOOLS.checksum.SHA1", q1));
    ApkPackage p = ApkPackage.read(good().noChecksums().entry(right).entry(wrong).build(), "q1");
    assertEquals(List.of("usr/bin/wrong"), p.fileChecksumMismatches().stream().map(ApkPackage.FileMismatch::path).toList());
    assertEquals(1, p.filesWithoutChecksum(), "the fixture's own greeting file carries no checksum here");
  }

  @Test
  void missingDatahashFails() throws Exception {
    ApkPackage p = ApkPackage.read(good().noDatahash().build(), "nohash");
    assertEquals(ApkCode.APK_DATAHASH_ABSENT, ApkVerifier.verify(p, keyring(), "nohash").get(1).code());
  }

  @Test
  void signatureByAKeyNotInTheKeyring() throws Exception {
    ApkPackage p = ApkPackage.read(good().signedBy(ApkFixtures.key("stranger.rsa.pub")).build(), "stranger");
    Finding f = ApkVerifier.verify(p, keyring(), "stranger").get(0);
    assertEquals(ApkCode.APK_SIGNATURE_UNTRUSTED_KEY, f.code());
    assertEquals("stranger.rsa.pub", f.evidence().get("key"));
  }

  @Test
  void sameKeyNameButOtherKeyIsInvalid() throws Exception {
    ApkKeyring impostor = ApkKeyring.of(Map.of(KEY.name(), ApkFixtures.key("other").publicPem().getBytes(StandardCharsets.US_ASCII)));
    Finding f = ApkVerifier.verify(ApkPackage.read(good().build(), "x"), impostor, "x").get(0);
    assertEquals(ApkCode.APK_SIGNATURE_INVALID, f.code());
  }

  @Test
  void keyFileThatIsNotRsa() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    String ecPem = ApkFixtures.pem(g.generateKeyPair().getPublic());
    Finding f = ApkVerifier.verify(ApkPackage.read(good().build(), "x"),
        ApkKeyring.of(Map.of(KEY.name(), ecPem.getBytes(StandardCharsets.US_ASCII))), "x").get(0);
    assertEquals(ApkCode.APK_SIGNATURE_KEY_INVALID, f.code(), f.toString());
    assertTrue(f.message().contains("not an RSA key"), f.message());
    Finding g2 = ApkVerifier.verify(ApkPackage.read(good().build(), "x"),
        ApkKeyring.of(Map.of(KEY.name(), "garbage".getBytes(StandardCharsets.US_ASCII))), "x").get(0);
    assertEquals(ApkCode.APK_SIGNATURE_KEY_INVALID, g2.code());
  }

  @Test
  void signatureEntriesThatAreNotSignatures() throws Exception {
    ApkFixtures.Streams s = good().streams();
    byte[] traversal = ApkFixtures.gzip(ApkFixtures.tar(List.of(new Entry(".SIGN.RSA.dir/../../etc/passwd", new byte[256], 'f', "", Map.of())), false));
    assertEquals(ApkCode.APK_TAR_PATH_ESCAPE, codeOf(ApkFixtures.concat(traversal, s.control(), s.data())));
    byte[] slash = ApkFixtures.gzip(ApkFixtures.tar(List.of(new Entry(".SIGN.RSA.keys/other.rsa.pub", new byte[256], 'f', "", Map.of())), false));
    assertEquals(ApkCode.APK_SIGNATURE_ENTRY_INVALID, codeOf(ApkFixtures.concat(slash, s.control(), s.data())));
    byte[] smuggled = ApkFixtures.gzip(ApkFixtures.tar(List.of(new Entry(".SIGN.RSA256." + KEY.name(), new byte[256], 'f', "", Map.of()),
        Entry.file("usr/bin/evil", "x")), false));
    assertEquals(ApkCode.APK_SIGNATURE_ENTRY_INVALID, codeOf(ApkFixtures.concat(smuggled, s.control(), s.data())));
    byte[] twoSigs = ApkFixtures.concat(s.signature(), s.signature(), s.control(), s.data());
    assertEquals(ApkCode.APK_LAYOUT_INVALID, codeOf(twoSigs), "a second signature stream is taken as the control stream and refused");
  }

  @Test
  void unsignedPackage() throws Exception {
    Apk a = new Apk("plain", "1-r0", "x86_64").file("a", "b");
    assertEquals(ApkCode.APK_UNSIGNED, ApkVerifier.verify(ApkPackage.read(a.build(), "u"), keyring(), "u").get(0).code());
  }

  @Test
  void decompressionBombByRatio() throws Exception {
    // 24 MiB of zeros deflates about 1030:1, over the 1000:1 default
    Entry zeros = new Entry("zeros", new byte[24 * 1024 * 1024], 'f', "", Map.of());
    assertEquals(ApkCode.APK_DECOMPRESSION_BOMB, codeOf(good().entry(zeros).build()));
  }

  @Test
  void decompressionBombByAbsoluteSize() throws Exception {
    java.util.Random r = new java.util.Random(7);
    byte[] noise = new byte[3 * 1024 * 1024];
    r.nextBytes(noise);
    byte[] apk = good().entry(new Entry("noise", noise, 'f', "", Map.of())).build();
    ApkPackage.Limits d = ApkPackage.Limits.defaults();
    ApkPackage.Limits small = new ApkPackage.Limits(d.maxSignatureStream(), d.maxControlStream(), d.maxPkgInfo(),
        2 * 1024 * 1024, d.maxRatio(), d.maxEntries());
    assertEquals(ApkCode.APK_DECOMPRESSION_BOMB, codeOf(apk, small));
  }

  @Test
  void corruptDeflateData() throws Exception {
    ApkFixtures.Streams s = good().streams();
    byte[] data = s.data().clone();
    for (int i = 12; i < data.length - 8; i++) {
      data[i] ^= 0x5a;
    }
    Code code = codeOf(ApkFixtures.concat(s.signature(), s.control(), data));
    assertTrue(code.equals(ApkCode.APK_CORRUPT) || code.equals(ApkCode.APK_TAR_CORRUPT), String.valueOf(code));
  }

  @Test
  void indexSignatureCoversEverythingAfterTheFirstStream() throws Exception {
    byte[] apk = good().build();
    String text = ApkFixtures.stanza(apk, ApkPackage.read(apk, "x"));
    byte[] idx = ApkFixtures.index(text, KEY, "RSA256");
    assertEquals(ApkCode.APKINDEX_SIGNATURE_OK, ApkVerifier.verify(ApkIndex.read(idx, "i"), keyring(), "i").code());
    // tamper: re-sign nothing, swap the body for another one
    byte[] sigOnly = java.util.Arrays.copyOf(idx, (int) ApkIndex.read(idx, "i").signature().orElseThrow().end());
    byte[] forged = ApkFixtures.concat(sigOnly, ApkFixtures.index(text.replace("P:hello", "P:hellO"), null, null));
    assertEquals(ApkCode.APKINDEX_SIGNATURE_INVALID, ApkVerifier.verify(ApkIndex.read(forged, "f"), keyring(), "f").code());
    assertEquals(ApkCode.APKINDEX_UNSIGNED, ApkVerifier.verify(ApkIndex.read(ApkFixtures.index(text, null, null), "u"), keyring(), "u").code());
    assertEquals(ApkCode.APKINDEX_SIGNATURE_UNTRUSTED_KEY,
        ApkVerifier.verify(ApkIndex.read(ApkFixtures.index(text, ApkFixtures.key("stranger.rsa.pub"), "RSA"), "s"), keyring(), "s").code());
  }

  @Test
  void indexCrossCheckFindsEveryMismatch() throws Exception {
    byte[] apk = good().build();
    ApkPackage p = ApkPackage.read(apk, "x");
    String text = ApkFixtures.stanza(apk, p).replace("C:" + p.checksum(), "C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        .replace("S:" + apk.length, "S:1").replace("V:1.0-r0", "V:1.0-r1");
    IndexEntry e = ApkIndex.parseText(text, "t", ApkIndex.Limits.defaults()).get(0);
    List<Code> codes = ApkVerifier.crossCheck(e, p, "x").stream().map(Finding::code).toList();
    assertEquals(List.of(ApkCode.APKINDEX_PACKAGE_CHECKSUM_MISMATCH, ApkCode.APKINDEX_PACKAGE_SIZE_MISMATCH, ApkCode.APKINDEX_PACKAGE_VERSION_MISMATCH), codes);
  }

  @Test
  void indexDecompressionBomb() throws Exception {
    // 24 MiB of one byte deflates about 1030:1, over the 1000:1 default; the guard trips while inflating
    byte[] idx = ApkFixtures.index("P:" + "a".repeat(24 * 1024 * 1024), null, null);
    assertEquals(ApkCode.APKINDEX_DECOMPRESSION_BOMB, assertThrows(CheckException.class, () -> ApkIndex.read(idx, "bomb")).code());
  }

  @Test
  void hostileIndexes() throws Exception {
    ApkIndex.Limits d = ApkIndex.Limits.defaults();
    CheckException big = assertThrows(CheckException.class, () -> ApkIndex.read(ApkFixtures.index("P:a\nV:1\n\n".repeat(1000), null, null), "big",
        new ApkIndex.Limits(d.maxFile(), 4096, d.maxRatio(), d.maxLine(), d.maxPackages())));
    assertTrue(big.code().equals(ApkCode.APKINDEX_TOO_LARGE) || big.code().equals(ApkCode.APKINDEX_DECOMPRESSION_BOMB), String.valueOf(big.code()));
    assertEquals(ApkCode.APKINDEX_INVALID, assertThrows(CheckException.class, () -> ApkIndex.read(ApkFixtures.index("P:a\nnonsense\n", null, null), "bad")).code());
    assertEquals(ApkCode.APKINDEX_INVALID, assertThrows(CheckException.class, () -> ApkIndex.read(ApkFixtures.index("P:a\n\n", null, null), "nov")).code());
    assertEquals(ApkCode.APKINDEX_NOT_GZIP, assertThrows(CheckException.class, () -> ApkIndex.read("nope".getBytes(), "ng")).code());
    byte[] ok = ApkFixtures.index("P:a\nV:1\n\n", null, null);
    assertEquals(ApkCode.APKINDEX_TOO_MANY_STREAMS, assertThrows(CheckException.class, () -> ApkIndex.read(ApkFixtures.concat(ok, ApkFixtures.gzip(new byte[10])), "x")).code());
    assertEquals(ApkCode.APK_TRUNCATED, assertThrows(CheckException.class, () -> ApkIndex.read(java.util.Arrays.copyOf(ok, ok.length - 3), "t")).code());
    assertEquals(ApkCode.APKINDEX_MISSING, assertThrows(CheckException.class, () -> ApkIndex.read(ApkFixtures.gzip(ApkFixtures.tar(List.of(Entry.file("DESCRIPTION", "x")), true)), "m")).code());
    assertEquals(ApkCode.APKINDEX_LINE_TOO_LONG, assertThrows(CheckException.class, () -> ApkIndex.read(ApkFixtures.index("P:" + "a".repeat(100), null, null), "l",
        new ApkIndex.Limits(d.maxFile(), d.maxText(), d.maxRatio(), 50, d.maxPackages()))).code());
  }
}
