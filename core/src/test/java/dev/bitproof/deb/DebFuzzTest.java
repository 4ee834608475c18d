package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bitproof.report.Finding;
import dev.bitproof.testing.Fuzz;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian parsers fuzzed with {@link Fuzz} on fixtures made here (own key, own debs): ar + deb (with the
 * embedded debsigs signature as oracle: an accepted deb has a seed's members), cleartext InRelease with its
 * OpenPGP signature (oracle: an accepted InRelease means what the seed's did), binary OpenPGP packets, keyrings,
 * Packages stanzas and md5sums.
 */
class DebFuzzTest {
  static final long ITERATIONS = Long.getLong("bitproof.fuzz.iterations", 300);
  static final long SEED = Long.getLong("bitproof.fuzz.seed", 18);
  static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  static final PgpVerifier.Policy POLICY = PgpVerifier.Policy.at(NOW);

  static TestPgp.Key key;
  static List<byte[]> debs = new ArrayList<>();
  static byte[] inRelease;

  @TempDir
  static Path tmp;

  @BeforeAll
  static void seeds() throws Exception {
    key = TestPgp.make(TestPgp.Spec.ed25519("fuzz signer", NOW.minusSeconds(86400)));
    debs.add(DebTamperTest.debsigsSigned(DebTamperTest.plainDeb("hello\n"), key));
    debs.add(DebTamperTest.plainDeb("unsigned\n"));
    inRelease = TestPgp.clearsign(RELEASE, NOW.minusSeconds(3600), HashAlgorithmTags.SHA256, key)
        .getBytes(StandardCharsets.UTF_8);
  }

  static void assertClean(Fuzz.Stats s) {
    System.out.println("fuzz " + s);
    assertEquals(List.of(), s.findings(), s.name() + ": inputs that escaped as something other than CheckException");
  }

  static String members(Path deb) throws Exception {
    StringBuilder sb = new StringBuilder();
    try (var ch = java.nio.channels.FileChannel.open(deb)) {
      for (ArArchive.Member m : ArArchive.index(ch, "m")) {
        if (!m.name().startsWith("_")) {
          sb.append(m.name()).append(' ').append(dev.bitproof.oci.Digest.sha256(ArArchive.open(ch, m).readAllBytes())).append('\n');
        }
      }
    }
    return sb.toString();
  }

  @Test
  void arDebAndEmbeddedSignatures() throws Exception {
    Set<String> meanings = new HashSet<>();
    Path seedFile = tmp.resolve("seed.deb");
    for (byte[] d : debs) {
      Files.write(seedFile, d);
      meanings.add(members(seedFile));
    }
    Path f = tmp.resolve("fuzz.deb");
    PgpKeyring k = key.asKeyring();
    assertClean(Fuzz.run("deb", debs, ITERATIONS, SEED, b -> {
      Files.write(f, b);
      DebPackage d = DebPackage.read(f);
      List<Finding> fs = d.verifyEmbeddedSignatures(k, POLICY);
      boolean verified = fs.stream().noneMatch(Finding::fails)
          && fs.stream().anyMatch(x -> x.code().equals(DebCode.DEB_EMBEDDED_SIGNATURE_VERIFIED));
      if (verified && !meanings.contains(members(f))) {
        throw new Fuzz.MeaningChanged("a deb whose members differ from every seed verified: " + fs);
      }
    }));
  }

  /**
   * Structure-aware: the control and data tars framed {@code <len>\n<bytes>}, mutated, xz-compressed into a
   * deb again and read: the control/md5sums/data-path checks behind the xz layer get the hostile bytes.
   */
  @Test
  void debInsideItsXzMembers() throws Exception {
    byte[] control = TestDebs.tar(TestDebs.Entry.file("./control", "Package: fuzz\nVersion: 1.0-1\nArchitecture: all\n"
        + "Maintainer: T <t@example.invalid>\nDescription: fuzz\n"), TestDebs.Entry.file("./md5sums",
        "b1946ac92492d2347c6235b4d2611184  usr/share/doc/fuzz/README\n"), TestDebs.Entry.file("./conffiles", "/etc/fuzz.conf\n"));
    byte[] data = TestDebs.tar(TestDebs.Entry.dir("./usr/"), TestDebs.Entry.file("./usr/share/doc/fuzz/README", "hello\n"),
        TestDebs.Entry.symlink("./usr/bin/fuzz", "../share/doc/fuzz/README"), TestDebs.Entry.file("./etc/fuzz.conf", "x=1\n"));
    List<byte[]> seeds = List.of(dev.bitproof.fuzz.ParserFuzzTest.frame(List.of(control, data)));
    Path f = tmp.resolve("inner.deb");
    assertClean(Fuzz.run("deb-members", seeds, ITERATIONS, SEED, b -> {
      List<byte[]> parts = dev.bitproof.fuzz.ParserFuzzTest.unframe(b);
      java.util.Map<String, byte[]> m = new java.util.LinkedHashMap<>();
      m.put("debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
      m.put("control.tar.xz", TestDebs.xz(parts.isEmpty() ? new byte[0] : parts.get(0)));
      m.put("data.tar.xz", TestDebs.xz(parts.size() < 2 ? new byte[0] : parts.get(1)));
      Files.write(f, TestDebs.ar(m));
      DebPackage.read(f).findings();
    }));
  }

  static String meaning(Release r) {
    return r.suite() + " " + r.codename() + " " + r.date() + " " + r.validUntil() + " " + r.sha256();
  }

  @Test
  void inReleaseAndItsSignature() throws Exception {
    ClearSigned seed = ClearSigned.parse(inRelease, "seed");
    String want = meaning(Release.parse(seed.content(), "seed"));
    PgpKeyring k = key.asKeyring();
    assertClean(Fuzz.run("inrelease", List.of(inRelease), ITERATIONS, SEED, b -> {
      ClearSigned cs = ClearSigned.parse(b, "fuzz");
      PgpVerifier.Verdict v = PgpVerifier.verify(cs.signatures(), cs.signedBytes(), k, POLICY);
      Release r = Release.parse(cs.content(), "fuzz");
      if (v.accepted() && !meaning(r).equals(want)) {
        throw new Fuzz.MeaningChanged("an InRelease whose Release differs from the seed's verified");
      }
    }));
  }

  @Test
  void openPgpPacketsAndKeyrings() throws Exception {
    byte[] sig = TestPgp.detached(key, "data".getBytes(StandardCharsets.UTF_8), NOW.minusSeconds(60), HashAlgorithmTags.SHA256, false);
    byte[] armored = TestPgp.detached(key, "data".getBytes(StandardCharsets.UTF_8), NOW.minusSeconds(60), HashAlgorithmTags.SHA512, true);
    PgpKeyring k = key.asKeyring();
    assertClean(Fuzz.run("pgp-signature", List.of(sig, armored), ITERATIONS, SEED, b -> {
      var sigs = ClearSigned.readSignatures(b, "fuzz");
      PgpVerifier.Verdict v = PgpVerifier.verify(sigs, "data".getBytes(StandardCharsets.UTF_8), k, POLICY);
      v.accepted();
    }));
    assertClean(Fuzz.run("pgp-keyring", List.of(key.keyring()), ITERATIONS, SEED, b -> PgpKeyring.parse(b, "fuzz")));
  }

  @Test
  void packagesAndMd5sums() {
    byte[] packages = ("Package: netbase\nVersion: 6.4\nArchitecture: all\nFilename: pool/main/n/netbase/netbase_6.4_all.deb\n"
        + "Size: 12345\nSHA256: " + "ab".repeat(32) + "\n\nPackage: libc6\nSource: glibc (2.36-9)\nVersion: 2.36-9+deb12u14\n"
        + "Architecture: amd64\nFilename: pool/main/g/glibc/libc6.deb\nSize: 99\nSHA256: " + "cd".repeat(32) + "\n")
        .getBytes(StandardCharsets.UTF_8);
    assertClean(Fuzz.run("packages", List.of(packages), ITERATIONS, SEED, b -> PackagesIndex.parse(
        new ByteArrayInputStream(b), "fuzz", "stable", "main", "amd64", n -> true)));
    byte[] md5 = ("0123456789abcdef0123456789abcdef  usr/share/doc/x/README\n"
        + "fedcba9876543210fedcba9876543210  usr/bin/x\n").getBytes(StandardCharsets.UTF_8);
    assertClean(Fuzz.run("md5sums", List.of(md5), ITERATIONS, SEED, b -> DpkgDatabase.parseMd5sums(b, "fuzz")));
  }

  static final String RELEASE = """
      Origin: Debian
      Suite: stable
      Codename: bookworm
      Date: Sat, 10 Aug 2024 09:48:04 UTC
      Valid-Until: Tue, 17 Aug 2027 09:48:04 UTC
      Architectures: all amd64
      Components: main
      SHA256:
       6b2a1b5c0bda0c5f2bd4c3b55e4fd4bfc2f3e8f0c2a9c95f0f3e1c4b7a6e1d2c  1234567 main/binary-amd64/Packages
       0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0   345678 main/binary-amd64/Packages.xz
      """;
}
