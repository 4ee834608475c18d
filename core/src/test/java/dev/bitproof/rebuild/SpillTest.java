package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bitproof.apk.ApkCode;
import dev.bitproof.apk.ApkKeyring;
import dev.bitproof.report.CheckException;
import dev.bitproof.tar.TarEntryInfo;
import dev.bitproof.testing.ApkFixtures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Package files streamed into the build's spill: read back byte for byte, and a file already there stored once. */
class SpillTest {
  static final ApkFixtures.TestKey KEY = ApkFixtures.key("bitproof-test.rsa.pub");
  static final ApkKeyring KEYRING = ApkKeyring.of(Map.of(KEY.name(), KEY.publicPem().getBytes(StandardCharsets.US_ASCII)));

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static ApkFixtures.Entry file(String path, byte[] content) {
    return new ApkFixtures.Entry(path, content, 'f', "", Map.of());
  }

  static PackageContent load(Spill spill, ApkFixtures.Apk apk) throws Exception {
    return PackageLoader.load(new ByteArrayInputStream(apk.build()), "test.apk", Optional.empty(), KEYRING,
        PackageLoader.SignaturePolicy.REQUIRE, spill);
  }

  static byte[] content(PackageContent p, String path) throws Exception {
    TarEntryInfo e = p.dataEntries().stream().filter(x -> x.path().equals(path)).findFirst().orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.spilled().get(e.index()).writeTo(out);
    return out.toByteArray();
  }

  @Test
  void aFileInTwoPackagesIsStoredOnce() throws Exception {
    byte[] licence = random(200_000, 1);
    byte[] own = random(50_000, 2);
    try (Spill spill = Spill.create()) {
      PackageContent a = load(spill, new ApkFixtures.Apk("a", "1-r0", "x86_64").signedBy(KEY)
          .entry(file("usr/share/licenses/a/LICENSE", licence)).entry(file("usr/lib/liba.so", own)));
      long afterA = spill.size();
      assertEquals(250_000, afterA);
      PackageContent b = load(spill, new ApkFixtures.Apk("b", "1-r0", "x86_64").signedBy(KEY)
          .entry(file("usr/share/licenses/b/LICENSE", licence)));
      assertEquals(afterA, spill.size(), "the same bytes are not written again");
      assertArrayEquals(licence, content(b, "usr/share/licenses/b/LICENSE"));
      assertArrayEquals(own, content(a, "usr/lib/liba.so"));
    }
  }

  @Test
  void aFileClaimingAnotherFilesChecksumIsRefusedNotDeduplicated() throws Exception {
    byte[] licence = random(200_000, 1);
    String sha1 = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(licence));
    try (Spill spill = Spill.create()) {
      load(spill, new ApkFixtures.Apk("a", "1-r0", "x86_64").signedBy(KEY).entry(file("usr/share/a/LICENSE", licence)));
      byte[] other = random(200_000, 3);
      ApkFixtures.Apk liar = new ApkFixtures.Apk("b", "1-r0", "x86_64").signedBy(KEY).noChecksums()
          .entry(new ApkFixtures.Entry("usr/share/b/LICENSE", other, 'f', "",
              Map.of("APK-TOOLS.checksum.SHA1", sha1)));
      CheckException e = assertThrows(CheckException.class, () -> load(spill, liar));
      assertEquals(ApkCode.APK_FILE_CHECKSUM_MISMATCH, e.code());
    }
  }
}
