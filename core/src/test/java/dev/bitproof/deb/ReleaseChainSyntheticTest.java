package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.oci.Digest;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small signed archive made in the test: Valid-Until, SHA256-less Releases, index and deb hash mismatches. */
class ReleaseChainSyntheticTest {
  static final Instant T = Instant.parse("2026-11-28T02:53:00Z");
  static TestPgp.Key key;

  @TempDir
  Path tmp;

  @BeforeAll
  static void key() throws Exception {
    key = TestPgp.make(TestPgp.Spec.ed25519("Archive <a@example.invalid>", T.minus(Duration.ofDays(100))));
  }

  static List<Code> codes(List<Finding> fs) {
    return fs.stream().map(Finding::code).toList();
  }

  static String release(String extra, byte[] packagesXz, byte[] packages) {
    StringBuilder sb = new StringBuilder("Origin: Test\nSuite: stable\nCodename: testy\n"
        + "Date: Sat, 28 Nov 2026 02:53:00 UTC\n" + extra + "SHA256:\n");
    if (packagesXz != null) {
      sb.append(' ').append(Digest.sha256(packagesXz).hex()).append(' ').append(packagesXz.length)
          .append(" main/binary-amd64/Packages.xz\n");
    }
    sb.append(' ').append(Digest.sha256(packages).hex()).append(' ').append(packages.length).append(" main/binary-amd64/Packages\n");
    return sb.toString();
  }

  ArchiveVerifier.VerifiedRelease verify(String release, Instant now) throws Exception {
    String signed = TestPgp.clearsign(release, T, HashAlgorithmTags.SHA256, key);
    return ArchiveVerifier.verifyInRelease(signed.getBytes(StandardCharsets.UTF_8), "InRelease", key.asKeyring(),
        ArchiveVerifier.Options.at(now));
  }

  @Test
  void validUntilIsEnforcedWithTheInjectedClock() throws Exception {
    String r = release("Valid-Until: Sat, 05 Dec 2026 02:53:00 UTC\n", null, "x".getBytes(StandardCharsets.UTF_8));
    assertTrue(verify(r, Instant.parse("2026-12-01T00:00:00Z")).trusted());
    ArchiveVerifier.VerifiedRelease late = verify(r, Instant.parse("2026-12-06T00:00:00Z"));
    assertFalse(late.trusted());
    assertTrue(codes(late.findings()).contains(DebCode.DEB_RELEASE_EXPIRED));
    assertEquals("2026-12-05T02:53:00Z", late.findings().stream().filter(f -> f.code().equals(DebCode.DEB_RELEASE_EXPIRED))
        .findFirst().orElseThrow().evidence().get("validUntil"));
  }

  @Test
  void md5OnlyReleaseAnchorsNothing() throws Exception {
    String r = "Origin: Test\nSuite: stable\nDate: Sat, 28 Nov 2026 02:53:00 UTC\nMD5Sum:\n"
        + " d41d8cd98f00b204e9800998ecf8427e 0 main/binary-amd64/Packages\n";
    ArchiveVerifier.VerifiedRelease v = verify(r, T.plusSeconds(60));
    assertTrue(codes(v.findings()).contains(DebCode.DEB_RELEASE_NO_SHA256));
    assertFalse(v.trusted());
  }

  @Test
  void packagesAndDebMismatches() throws Exception {
    byte[] deb = "not really a deb".getBytes(StandardCharsets.UTF_8);
    String stanza = "Package: foo\nVersion: 1:1.0-1\nArchitecture: amd64\nFilename: pool/main/f/foo/foo_1.0-1_amd64.deb\n"
        + "Size: " + deb.length + "\nSHA256: " + Digest.sha256(deb).hex() + "\nDescription: foo\n";
    byte[] plain = stanza.getBytes(StandardCharsets.UTF_8);
    byte[] xz = TestDebs.xz(plain);
    Path p = tmp.resolve("testy_main_binary-amd64_Packages.xz");
    Files.write(p, xz);
    ArchiveVerifier.Options o = ArchiveVerifier.Options.at(T.plusSeconds(60));

    ArchiveVerifier.VerifiedRelease good = verify(release("", xz, plain), T.plusSeconds(60));
    ArchiveVerifier.LoadedIndex li = ArchiveVerifier.loadPackages(p, List.of(good), o, n -> true);
    assertTrue(li.index().isPresent(), li.findings().toString());
    List<PackagesIndex> idx = List.of(li.index().get());
    assertEquals(DebCode.DEB_IN_ARCHIVE, ArchiveVerifier.checkDeb("foo.deb", "foo", "1:1.0-1", "amd64", Digest.sha256(deb), deb.length, idx).code());
    byte[] other = "another deb".getBytes(StandardCharsets.UTF_8);
    Finding mismatch = ArchiveVerifier.checkDeb("foo.deb", "foo", "1:1.0-1", "amd64", Digest.sha256(other), other.length, idx);
    assertEquals(DebCode.DEB_ARCHIVE_HASH_MISMATCH, mismatch.code());
    assertEquals(Digest.sha256(deb).toString(), mismatch.evidence().get("expectedSha256"));
    assertEquals(DebCode.DEB_NOT_IN_ARCHIVE, ArchiveVerifier.checkDeb("foo.deb", "foo", "1:1.0-2", "amd64", Digest.sha256(deb), deb.length, idx).code());

    // the Release signs this Packages.xz, but its plain line names other content: refused
    ArchiveVerifier.VerifiedRelease lying = verify(release("", xz, "other".getBytes(StandardCharsets.UTF_8)), T.plusSeconds(60));
    ArchiveVerifier.LoadedIndex l2 = ArchiveVerifier.loadPackages(p, List.of(lying), o, n -> true);
    assertTrue(l2.index().isEmpty());
    assertTrue(codes(l2.findings()).contains(DebCode.DEB_PACKAGES_UNCOMPRESSED_MISMATCH), l2.findings().toString());

    // an untrusted Release (signed by a key outside the keyring) anchors nothing, even with matching hashes
    TestPgp.Key stranger = TestPgp.make(TestPgp.Spec.ed25519("X <x@example.invalid>", T.minus(Duration.ofDays(1))));
    String signed = TestPgp.clearsign(release("", xz, plain), T, HashAlgorithmTags.SHA256, stranger);
    ArchiveVerifier.VerifiedRelease untrusted = ArchiveVerifier.verifyInRelease(signed.getBytes(StandardCharsets.UTF_8),
        "InRelease", key.asKeyring(), o);
    assertFalse(untrusted.trusted());
    assertEquals(List.of(DebCode.DEB_PACKAGES_RELEASE_UNTRUSTED),
        codes(ArchiveVerifier.loadPackages(p, List.of(untrusted), o, n -> true).findings()));
  }
}
