package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generic chain InRelease / Release.gpg → Packages.xz → deb on an archive the test builds ({@link TestArchive}),
 * so it runs on a fresh clone; {@link ArchiveChainRealDataTest} keeps the same checks on Debian's real bytes.
 */
class ArchiveChainFixtureTest {
  static TestArchive a;
  static ArchiveVerifier.Options options;

  @TempDir
  Path tmp;

  @BeforeAll
  static void archive() throws Exception {
    a = new TestArchive();
    options = ArchiveVerifier.Options.at(TestArchive.NOW);
  }

  static List<Code> codes(List<Finding> fs) {
    return fs.stream().map(Finding::code).toList();
  }

  static ArchiveVerifier.VerifiedRelease inRelease(PgpKeyring k, ArchiveVerifier.Options o) {
    return ArchiveVerifier.verifyInRelease(a.inRelease, "testy_InRelease", k, o);
  }

  @Test
  void inReleaseIsTrustedAndNamesBothSigners() {
    ArchiveVerifier.VerifiedRelease r = inRelease(a.keyring(), options);
    assertTrue(r.trusted(), r.findings().toString());
    assertEquals(List.of(DebCode.PGP_SIGNATURE_GOOD, DebCode.PGP_SIGNATURE_GOOD, DebCode.PGP_VERIFIED, DebCode.DEB_RELEASE_TRUSTED),
        codes(r.findings()));
    assertEquals("testy", r.release().codename());
    assertEquals(TestArchive.DATE, r.release().date().orElseThrow());
    assertEquals(2, r.release().sha256().size());
    Finding summary = r.findings().get(3);
    assertTrue(summary.evidence().get("signers").contains("Test Stable Release Key"), summary.toString());
    assertTrue(summary.evidence().get("signers").contains("Test Archive Automatic Signing Key"), summary.toString());
  }

  @Test
  void clearsignedBodyIsTheReleaseAndSignaturesNameSubkeyAndPrimary() {
    ClearSigned cs = ClearSigned.parse(a.inRelease, "testy_InRelease");
    assertEquals(List.of("SHA256"), cs.hashes());
    assertArrayEquals(a.release, cs.content(), "InRelease body + final newline is the served Release file");
    PgpVerifier.Verdict v = PgpVerifier.verify(cs.signatures(), cs.signedBytes(), a.keyring(), PgpVerifier.Policy.at(TestArchive.NOW));
    assertEquals(2, v.signatures().size());
    assertTrue(v.accepted());
    SignatureCheck sub = v.signatures().get(0);
    assertEquals(TestArchive.fingerprint(a.archiveKey.signerPublic()), sub.signingKey());
    assertEquals(TestArchive.fingerprint(a.archiveKey.ring().getPublicKey()), sub.primaryKey());
    assertTrue(sub.userId().contains("Test Archive Automatic Signing Key"), sub.toString());
    assertEquals(TestArchive.fingerprint(a.otherKey.ring().getPublicKey()), v.signatures().get(1).signingKey());
    assertEquals("EdDSA (legacy Ed25519)", v.signatures().get(1).publicKeyAlgorithm());
    assertTrue(v.signatures().stream().allMatch(s -> s.good() && s.hashAlgorithm().equals("SHA256")), v.toString());
  }

  @Test
  void aKeyringWithOneSignerLeavesTheOtherUnknownAndStillAccepts() {
    ArchiveVerifier.VerifiedRelease r = inRelease(a.otherKey.asKeyring(), options);
    assertEquals(List.of(DebCode.PGP_SIGNATURE_UNKNOWN_KEY, DebCode.PGP_SIGNATURE_GOOD, DebCode.PGP_VERIFIED,
        DebCode.DEB_RELEASE_TRUSTED), codes(r.findings()), "apt tolerates NO_PUBKEY when another signature is good");
    ArchiveVerifier.VerifiedRelease none = inRelease(PgpKeyring.of(List.of()), options);
    assertFalse(none.trusted());
    assertEquals(0, none.verdict().good());
  }

  @Test
  void anUntrustedKeyAnchorsNothing() throws Exception {
    TestPgp.Key stranger = TestPgp.make(TestPgp.Spec.ed25519("Stranger <x@example.invalid>", TestArchive.CREATED));
    ArchiveVerifier.VerifiedRelease r = inRelease(stranger.asKeyring(), options);
    assertFalse(r.trusted());
    assertTrue(codes(r.findings()).contains(DebCode.DEB_RELEASE_UNTRUSTED), r.findings().toString());
    assertEquals(List.of(DebCode.DEB_PACKAGES_RELEASE_UNTRUSTED),
        codes(ArchiveVerifier.loadPackages(a.writePackagesXz(tmp), List.of(r), options, n -> true).findings()));
  }

  @Test
  void aTamperedInReleaseBodyFailsWithBadSignature() {
    String text = new String(a.inRelease, StandardCharsets.UTF_8).replace("Suite: stable", "Suite: stab1e");
    ArchiveVerifier.VerifiedRelease r = ArchiveVerifier.verifyInRelease(text.getBytes(StandardCharsets.UTF_8), "testy_InRelease",
        a.keyring(), options);
    assertFalse(r.trusted());
    assertEquals(2, r.verdict().bad(), r.findings().toString());
    assertTrue(codes(r.findings()).containsAll(List.of(DebCode.PGP_SIGNATURE_BAD, DebCode.PGP_NOT_VERIFIED, DebCode.DEB_RELEASE_UNTRUSTED)));
  }

  @Test
  void detachedReleaseGpgVerifiesOverRelease() {
    ArchiveVerifier.VerifiedRelease r = ArchiveVerifier.verifyDetached(a.release, a.releaseGpg, "testy_Release", a.keyring(), options);
    assertTrue(r.trusted(), r.findings().toString());
    assertEquals(1, r.verdict().good());
  }

  @Test
  void staleReleaseGpgFailsWithBadSignature() throws Exception {
    // yesterday's Release.gpg, served next to today's Release: the non-atomic pair InRelease avoids
    byte[] old = TestArchive.releaseText("Fri, 27 Nov 2026 02:53:00 UTC", a.packagesXz, a.packages).getBytes(StandardCharsets.UTF_8);
    byte[] stale = TestPgp.detached(a.archiveKey, old, TestArchive.DATE.minus(Duration.ofDays(1)), HashAlgorithmTags.SHA256, true);
    ArchiveVerifier.VerifiedRelease r = ArchiveVerifier.verifyDetached(a.release, stale, "testy_Release", a.keyring(), options);
    assertFalse(r.trusted());
    assertTrue(r.verdict().bad() >= 1, r.findings().toString());
    assertTrue(codes(r.findings()).containsAll(List.of(DebCode.PGP_SIGNATURE_BAD, DebCode.PGP_NOT_VERIFIED,
        DebCode.DEB_RELEASE_UNTRUSTED, DebCode.DEB_RELEASE_SIGNATURE_STALE)), r.findings().toString());
    // the same Release, correctly signed inside InRelease, is fine
    assertTrue(inRelease(a.keyring(), options).trusted());
  }

  @Test
  void everyDebChainsToASignedPackagesEntry() throws Exception {
    List<ArchiveVerifier.VerifiedRelease> releases = List.of(inRelease(a.keyring(), options));
    ArchiveVerifier.LoadedIndex li = ArchiveVerifier.loadPackages(a.writePackagesXz(tmp), releases, options, n -> true);
    assertTrue(li.index().isPresent(), li.findings().toString());
    assertTrue(codes(li.findings()).containsAll(List.of(DebCode.DEB_PACKAGES_IN_RELEASE, DebCode.DEB_PACKAGES_UNCOMPRESSED_OK)),
        li.findings().toString());
    PackagesIndex idx = li.index().get();
    assertEquals(2, idx.entries().size());
    assertEquals("main", idx.component());
    assertEquals("amd64", idx.architecture());
    assertEquals(Deb822.parse(a.packages, "p").get(0), idx.named("hello").get(0).paragraph(), "all fields, multi-line included, in order");
    List<Path> debs = a.writeDebs(tmp);
    for (Path deb : debs) {
      DebPackage d = DebPackage.read(deb);
      Finding f = ArchiveVerifier.checkDeb(d.subject(), d.name(), d.version(), d.architecture(), d.sha256(), d.size(), List.of(idx));
      assertEquals(DebCode.DEB_IN_ARCHIVE, f.code(), f.toString());
      String versionInPool = d.version().replaceFirst("^\\d+:", "");
      assertTrue(f.evidence().get("filename").endsWith(d.name() + "_" + versionInPool + "_" + d.architecture() + ".deb"), f.toString());
    }
    // a deb whose bytes changed (same identity) is named with the expected hash; another version is not in the archive
    DebPackage hello = DebPackage.read(debs.get(0));
    byte[] other = TestArchive.deb("hello", "1.0-1", "amd64", "./usr/bin/hello", "#!/bin/sh\necho pwned\n");
    Finding mismatch = ArchiveVerifier.checkDeb("hello.deb", "hello", "1.0-1", "amd64", dev.bitproof.oci.Digest.sha256(other),
        other.length, List.of(idx));
    assertEquals(DebCode.DEB_ARCHIVE_HASH_MISMATCH, mismatch.code());
    assertEquals(hello.sha256().toString(), mismatch.evidence().get("expectedSha256"));
    assertEquals(DebCode.DEB_NOT_IN_ARCHIVE, ArchiveVerifier.checkDeb("hello.deb", "hello", "1.0-2", "amd64", hello.sha256(),
        hello.size(), List.of(idx)).code());
  }

  @Test
  void packagesWithAnotherHashIsRefusedAndNamed() throws Exception {
    List<ArchiveVerifier.VerifiedRelease> releases = List.of(inRelease(a.keyring(), options));
    byte[] altered = a.packagesXz.clone();
    altered[altered.length / 2] ^= 1;
    Path p = Files.write(tmp.resolve("testy_main_binary-amd64_Packages.xz"), altered);
    ArchiveVerifier.LoadedIndex li = ArchiveVerifier.loadPackages(p, releases, options, n -> false);
    assertTrue(li.index().isEmpty());
    assertEquals(List.of(DebCode.DEB_PACKAGES_HASH_MISMATCH), codes(li.findings()));
    assertEquals("main/binary-amd64/Packages.xz", li.findings().get(0).evidence().get("path"));
    Path other = Files.write(tmp.resolve("unnamed.xz"), altered);
    assertEquals(List.of(DebCode.DEB_PACKAGES_NOT_IN_RELEASE),
        codes(ArchiveVerifier.loadPackages(other, releases, options, n -> false).findings()));
    // a selection that excludes the real index: not anchored either
    Path good = Files.write(tmp.resolve("good_Packages.xz"), a.packagesXz);
    assertEquals(List.of(DebCode.DEB_PACKAGES_NOT_IN_RELEASE), codes(ArchiveVerifier.loadPackages(good, releases,
        options.withArchitecture("arm64"), n -> false).findings()));
  }

  @Test
  void signedByFingerprintsRestrictTheSigners() {
    Function<Set<String>, ArchiveVerifier.VerifiedRelease> with = fprs -> inRelease(a.keyring(), new ArchiveVerifier.Options(
        new PgpVerifier.Policy(TestArchive.NOW, Duration.ofMinutes(10), fprs), Optional.empty(), Optional.empty(),
        Optional.empty(), Duration.ofMinutes(10)));
    String otherPrimary = TestArchive.fingerprint(a.otherKey.ring().getPublicKey());
    String archivePrimary = TestArchive.fingerprint(a.archiveKey.ring().getPublicKey());
    String archiveSub = TestArchive.fingerprint(a.archiveKey.signerPublic());
    ArchiveVerifier.VerifiedRelease one = with.apply(Set.of(otherPrimary));
    assertTrue(one.trusted());
    assertEquals(1, one.verdict().good());
    // a primary fingerprint admits its signing subkey; "!" pins the exact subkey
    assertEquals(1, with.apply(Set.of(archivePrimary)).verdict().good());
    assertEquals(1, with.apply(Set.of(archiveSub + "!")).verdict().good());
    assertEquals(0, with.apply(Set.of(archiveSub)).verdict().good(), "a subkey fingerprint without ! is not a primary key");
    assertFalse(with.apply(Set.of("0000000000000000000000000000000000000000")).trusted());
  }

  @Test
  void dateChecksUseTheInjectedClock() {
    ArchiveVerifier.VerifiedRelease early = inRelease(a.keyring(), ArchiveVerifier.Options.at(Instant.parse("2026-07-01T00:00:00Z")));
    assertTrue(codes(early.findings()).contains(DebCode.DEB_RELEASE_FROM_FUTURE), early.findings().toString());
    assertFalse(early.trusted());
    ArchiveVerifier.VerifiedRelease wrongSuite = inRelease(a.keyring(), options.withSuite("unstable"));
    assertTrue(codes(wrongSuite.findings()).contains(DebCode.DEB_RELEASE_SUITE_MISMATCH));
    assertTrue(inRelease(a.keyring(), options.withSuite("testy")).trusted(), "the Codename matches too");
    assertTrue(inRelease(a.keyring(), options.withSuite("stable")).trusted());
    // after the archive key expires only the other (non-expiring) key's signature counts
    ArchiveVerifier.VerifiedRelease late = inRelease(a.keyring(), ArchiveVerifier.Options.at(TestArchive.KEY_EXPIRES.plus(Duration.ofDays(30))));
    assertTrue(codes(late.findings()).contains(DebCode.PGP_KEY_EXPIRED), late.findings().toString());
    assertTrue(codes(late.findings()).contains(DebCode.PGP_SIGNATURE_GOOD), late.findings().toString());
    assertEquals(1, late.verdict().good());
  }
}
