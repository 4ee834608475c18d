package dev.bitproof.apk;

import static org.junit.jupiter.api.Assertions.*;

import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.tar.TarEntryInfo;
import dev.bitproof.testing.ApkFixtures;
import dev.bitproof.testing.ApkFixtures.Apk;
import dev.bitproof.testing.ApkFixtures.Entry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A data section written as several concatenated gzip members (real Alpine packages of 2023 are made so) reads as
 * one tar stream, as apk-tools and apko read it: the datahash and the data section span every member.
 */
class ApkDataMembersTest {
  static final ApkFixtures.TestKey KEY = ApkFixtures.key("bitproof-test.rsa.pub");

  static Apk pkg() {
    byte[] big = new byte[5000];
    new java.util.Random(3).nextBytes(big);
    return new Apk("multi", "1.0-r0", "x86_64").file("usr/share/multi/a", "first file\n")
        .entry(new Entry("usr/share/multi/big", big, 'f', "", Map.of()))
        .entry(Entry.dir("usr/bin")).entry(Entry.symlink("usr/bin/m", "../share/multi/a"))
        .file("usr/share/multi/z", "last file\n").signedBy(KEY);
  }

  static ApkKeyring keyring() {
    return ApkKeyring.of(Map.of(KEY.name(), KEY.publicPem().getBytes(StandardCharsets.US_ASCII)));
  }

  static List<TarEntryInfo> read(byte[] apk, List<ApkPackage> out) throws Exception {
    List<TarEntryInfo> entries = new ArrayList<>();
    out.add(ApkPackage.read(new ByteArrayInputStream(apk), "multi", ApkPackage.Limits.defaults(),
        new ApkPackage.DataVisitor() {
          @Override
          public boolean keep(String path, long size) {
            return true;
          }

          @Override
          public void entry(TarEntryInfo e) {
            entries.add(e);
          }
        }));
    return entries;
  }

  @Test
  void severalDataMembersReadAsOneStreamWithTheDatahashOverAll() throws Exception {
    ApkFixtures.Streams s = pkg().dataMembers(700).streams();
    byte[] apk = s.concat();
    assertTrue(GzipMembersTest.split(s.data()).size() > 5, "the fixture must really have many data members");
    List<ApkPackage> p = new ArrayList<>();
    List<TarEntryInfo> multi = read(apk, p);
    ApkPackage pkg = p.get(0);

    // signature / control / data split to the byte
    assertEquals(0, pkg.signature().orElseThrow().offset());
    assertEquals(s.signature().length, pkg.control().offset());
    assertEquals(s.control().length, pkg.control().length());
    assertEquals(s.signature().length + s.control().length, pkg.data().offset());
    assertEquals(s.data().length, pkg.data().length());
    assertEquals(apk.length, pkg.size());
    assertEquals(HexFormat.of().formatHex(ApkFixtures.sha("SHA-256", s.data())), pkg.dataSha256Hex());
    assertEquals(ApkPackage.q1(ApkFixtures.sha("SHA-1", s.control())), pkg.checksum());
    List<Finding> fs = ApkVerifier.verify(pkg, keyring(), "multi");
    assertTrue(fs.stream().noneMatch(Finding::fails), fs.toString());
    assertTrue(fs.stream().anyMatch(f -> f.code().equals(ApkCode.APK_DATAHASH_OK)), fs.toString());
    assertEquals(3, pkg.dataFiles());
    assertTrue(pkg.fileChecksumMismatches().isEmpty());

    // the same entries, byte for byte, as the single-member package of the same content
    List<ApkPackage> q = new ArrayList<>();
    List<TarEntryInfo> single = read(pkg().build(), q);
    assertEquals(single.size(), multi.size());
    for (int i = 0; i < single.size(); i++) {
      assertEquals(single.get(i).path(), multi.get(i).path());
      assertEquals(single.get(i).sha1Hex(), multi.get(i).sha1Hex());
      assertArrayEquals(single.get(i).content().orElse(new byte[0]), multi.get(i).content().orElse(new byte[0]),
          single.get(i).path());
    }
    assertEquals(single.get(1).size(), 5000);
  }

  @Test
  void unsignedPackageWithMultiMemberDataSplitsAfterTheControlStream() throws Exception {
    ApkFixtures.Streams s = new Apk("u", "1-r0", "x86_64").file("a", "x".repeat(3000)).dataMembers(512).streams();
    ApkPackage p = ApkPackage.read(s.concat(), "u");
    assertTrue(p.signature().isEmpty());
    assertEquals(s.control().length, p.data().offset());
    assertEquals(s.data().length, p.data().length());
    assertEquals(java.util.Optional.of(true), p.datahashMatches());
  }

  @Test
  void aManyMemberBombIsBoundedByCount() throws Exception {
    ApkFixtures.Streams s = pkg().streams();
    ByteArrayOutputStream empties = new ByteArrayOutputStream();
    byte[] empty = ApkFixtures.gzip(new byte[0]);
    for (int i = 0; i < 1000; i++) {
      empties.writeBytes(empty);
    }
    byte[] apk = ApkFixtures.concat(s.concat(), empties.toByteArray());
    ApkPackage.Limits small = ApkPackage.Limits.defaults().withMaxDataMembers(1000);
    CheckException e = assertThrows(CheckException.class,
        () -> ApkPackage.read(new ByteArrayInputStream(apk), "bomb", small, null));
    assertEquals(ApkCode.APK_TOO_MANY_STREAMS, e.code());
    // at the default limit the same input is read (the members are empty), and only the datahash fails
    ApkPackage p = ApkPackage.read(apk, "bomb");
    assertEquals(java.util.Optional.of(false), p.datahashMatches());
  }

  @Test
  void ratioAndSizeLimitsCountAllMembersTogether() throws Exception {
    // members of 512 KiB of zeros each stay under the per-member ratio slack, but not together
    byte[] zeros = ApkFixtures.gzip(new byte[512 * 1024]);
    byte[] many = ApkFixtures.concat(zeros, zeros, zeros, zeros);
    ApkPackage.Limits d = ApkPackage.Limits.defaults();
    ApkPackage.Limits ratio100 = new ApkPackage.Limits(d.maxSignatureStream(), d.maxControlStream(), d.maxPkgInfo(),
        d.maxDataOutput(), 100, d.maxEntries());
    byte[] apk = ApkFixtures.concat(pkg().build(), many);
    CheckException e = assertThrows(CheckException.class,
        () -> ApkPackage.read(new ByteArrayInputStream(apk), "ratio", ratio100, null));
    assertEquals(ApkCode.APK_DECOMPRESSION_BOMB, e.code());
    assertTrue(e.getMessage().contains("gzip members"), e.getMessage());

    byte[] noise = new byte[1024 * 1024];
    new java.util.Random(5).nextBytes(noise);
    byte[] noiseGz = ApkFixtures.gzip(noise);
    ApkPackage.Limits twoMiB = new ApkPackage.Limits(d.maxSignatureStream(), d.maxControlStream(), d.maxPkgInfo(),
        2 * 1024 * 1024, d.maxRatio(), d.maxEntries());
    byte[] apk2 = ApkFixtures.concat(pkg().build(), noiseGz, noiseGz, noiseGz);
    CheckException e2 = assertThrows(CheckException.class,
        () -> ApkPackage.read(new ByteArrayInputStream(apk2), "size", twoMiB, null));
    assertEquals(ApkCode.APK_DECOMPRESSION_BOMB, e2.code());
  }

  @Test
  void aCorruptLaterMemberIsCorrupt() throws Exception {
    ApkFixtures.Streams s = pkg().dataMembers(700).streams();
    byte[] data = s.data().clone();
    List<GzipMembers.Section> ms = GzipMembersTest.split(data);
    GzipMembers.Section third = ms.get(2);
    // flip a CRC byte of the third member's trailer
    data[(int) third.end() - 6] ^= 0x01;
    byte[] apk = ApkFixtures.concat(s.signature(), s.control(), data);
    CheckException e = assertThrows(CheckException.class, () -> ApkPackage.read(apk, "crc"));
    assertEquals(ApkCode.APK_CORRUPT, e.code());
    // cut inside the last member
    byte[] cut = Arrays.copyOf(s.concat(), s.concat().length - 3);
    assertEquals(ApkCode.APK_TRUNCATED, assertThrows(CheckException.class, () -> ApkPackage.read(cut, "cut")).code());
  }
}
