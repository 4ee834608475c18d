package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.Finding;
import dev.bitproof.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bar of issue 7 on real Debian data: InRelease → Packages.xz → every deb. */
class ArchiveChainRealDataTest {
  static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  static PgpKeyring keyring;
  static ArchiveVerifier.Options options;

  @BeforeAll
  static void keys() throws Exception {
    keyring = PgpKeyring.load(SharedData.require("deb/keyrings/debian-archive-keyring.gpg"));
    options = ArchiveVerifier.Options.at(NOW);
  }

  static ArchiveVerifier.VerifiedRelease inRelease(String name) throws Exception {
    return ArchiveVerifier.verifyInRelease(Files.readAllBytes(SharedData.require("deb/release/" + name)), name, keyring, options);
  }

  static List<String> codes(List<Finding> fs) {
    return fs.stream().map(Finding::code).toList();
  }

  @Test
  void bookwormInReleaseIsTrustedAndNamesItsThreeSigners() throws Exception {
    ArchiveVerifier.VerifiedRelease r = inRelease("bookworm_InRelease");
    assertTrue(r.trusted(), r.findings().toString());
    assertEquals(List.of("PGP_SIGNATURE_GOOD", "PGP_SIGNATURE_GOOD", "PGP_SIGNATURE_GOOD", "PGP_VERIFIED", "DEB_RELEASE_TRUSTED"),
        codes(r.findings()));
    assertEquals("bookworm", r.release().codename());
    assertEquals(Instant.parse("2026-07-11T10:16:37Z"), r.release().date().orElseThrow());
    assertEquals(772, r.release().sha256().size());
    Finding summary = r.findings().get(4);
    assertTrue(summary.evidence().get("signers").contains("Debian Stable Release Key (12/bookworm)"), summary.toString());
  }

  @Test
  void detachedReleaseGpgVerifiesOverRelease() throws Exception {
    ArchiveVerifier.VerifiedRelease r = ArchiveVerifier.verifyDetached(
        Files.readAllBytes(SharedData.require("deb/release/bookworm_Release")),
        Files.readAllBytes(SharedData.require("deb/release/bookworm_Release.gpg")), "bookworm_Release", keyring, options);
    assertTrue(r.trusted(), r.findings().toString());
    assertEquals(3, r.verdict().good());
  }

  @Test
  void staleReleaseGpgFailsWithBadSignature() throws Exception {
    ArchiveVerifier.VerifiedRelease r = ArchiveVerifier.verifyDetached(
        Files.readAllBytes(SharedData.require("deb/release/bookworm-updates_Release")),
        Files.readAllBytes(SharedData.require("deb/release/bookworm-updates_Release.gpg.STALE-2026-10-30")),
        "bookworm-updates_Release", keyring, options);
    assertFalse(r.trusted());
    assertTrue(r.verdict().bad() >= 1, r.findings().toString());
    assertTrue(codes(r.findings()).contains("PGP_SIGNATURE_BAD"));
    assertTrue(codes(r.findings()).contains("PGP_NOT_VERIFIED"));
    assertTrue(codes(r.findings()).contains("DEB_RELEASE_UNTRUSTED"));
    // the same Release, correctly signed inside InRelease, is fine
    assertTrue(inRelease("bookworm-updates_InRelease").trusted());
  }

  @Test
  void everyDebChainsToASignedPackagesEntry() throws Exception {
    List<ArchiveVerifier.VerifiedRelease> releases = List.of(inRelease("bookworm_InRelease"), inRelease("bookworm-updates_InRelease"));
    List<PackagesIndex> indexes = new ArrayList<>();
    for (String p : List.of("bookworm_main_binary-amd64_Packages.xz", "bookworm-updates_main_binary-amd64_Packages.xz")) {
      ArchiveVerifier.LoadedIndex li = ArchiveVerifier.loadPackages(SharedData.require("deb/packages/" + p), releases,
          options, n -> false);
      assertTrue(li.index().isPresent(), li.findings().toString());
      assertTrue(codes(li.findings()).containsAll(List.of("DEB_PACKAGES_IN_RELEASE", "DEB_PACKAGES_UNCOMPRESSED_OK")),
          li.findings().toString());
      indexes.add(li.index().get());
    }
    assertEquals(63_440, indexes.get(0).entries().size(), "reference §1.1: 63,440 stanzas");
    assertEquals("main", indexes.get(0).component());
    assertEquals("amd64", indexes.get(0).architecture());
    List<Path> debs;
    try (Stream<Path> s = Files.list(SharedData.require("deb/debs"))) {
      debs = s.filter(p -> p.toString().endsWith(".deb")).sorted().toList();
    }
    assertTrue(debs.size() >= 7);
    for (Path deb : debs) {
      DebPackage d = DebPackage.read(deb);
      Finding f = ArchiveVerifier.checkDeb(d.subject(), d.name(), d.version(), d.architecture(), d.sha256(), d.size(), indexes);
      assertEquals("DEB_IN_ARCHIVE", f.code(), f.toString());
      assertTrue(f.evidence().get("filename").endsWith(deb.getFileName().toString().replace("%3a", ":")), f.toString());
    }
  }

  @Test
  void packagesWithAnotherHashIsRefusedAndNamed(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    List<ArchiveVerifier.VerifiedRelease> releases = List.of(inRelease("bookworm-updates_InRelease"));
    byte[] real = Files.readAllBytes(SharedData.require("deb/packages/bookworm-updates_main_binary-amd64_Packages.xz"));
    byte[] altered = real.clone();
    altered[altered.length / 2] ^= 1;
    Path p = tmp.resolve("bookworm-updates_main_binary-amd64_Packages.xz");
    Files.write(p, altered);
    ArchiveVerifier.LoadedIndex li = ArchiveVerifier.loadPackages(p, releases, options, n -> false);
    assertTrue(li.index().isEmpty());
    assertEquals(List.of("DEB_PACKAGES_HASH_MISMATCH"), codes(li.findings()));
    assertEquals("main/binary-amd64/Packages.xz", li.findings().get(0).evidence().get("path"));
    Path other = tmp.resolve("unnamed.xz");
    Files.write(other, altered);
    assertEquals(List.of("DEB_PACKAGES_NOT_IN_RELEASE"),
        codes(ArchiveVerifier.loadPackages(other, releases, options, n -> false).findings()));
    // a selection that excludes the real index: not anchored either
    assertEquals(List.of("DEB_PACKAGES_NOT_IN_RELEASE"), codes(ArchiveVerifier.loadPackages(
        SharedData.require("deb/packages/bookworm-updates_main_binary-amd64_Packages.xz"), releases,
        options.withArchitecture("arm64"), n -> false).findings()));
  }

  @Test
  void dateChecksUseTheInjectedClock() throws Exception {
    byte[] in = Files.readAllBytes(SharedData.require("deb/release/bookworm_InRelease"));
    ArchiveVerifier.VerifiedRelease early = ArchiveVerifier.verifyInRelease(in, "bookworm_InRelease", keyring,
        ArchiveVerifier.Options.at(Instant.parse("2026-07-01T00:00:00Z")));
    assertTrue(codes(early.findings()).contains("DEB_RELEASE_FROM_FUTURE"), early.findings().toString());
    assertFalse(early.trusted());
    ArchiveVerifier.VerifiedRelease wrongSuite = ArchiveVerifier.verifyInRelease(in, "bookworm_InRelease", keyring,
        options.withSuite("trixie"));
    assertTrue(codes(wrongSuite.findings()).contains("DEB_RELEASE_SUITE_MISMATCH"));
    assertTrue(ArchiveVerifier.verifyInRelease(in, "x", keyring, options.withSuite("oldstable")).trusted());
    // after the bookworm keys expire (2031-01-19 automatic, 2031-01-21 release) nothing counts any more
    ArchiveVerifier.VerifiedRelease late = ArchiveVerifier.verifyInRelease(in, "bookworm_InRelease", keyring,
        ArchiveVerifier.Options.at(Instant.parse("2031-06-01T00:00:00Z")));
    assertTrue(codes(late.findings()).contains("PGP_KEY_EXPIRED"), late.findings().toString());
    assertTrue(codes(late.findings()).contains("PGP_SIGNATURE_GOOD"), "the trixie key is still valid in 2031: " + late.findings());
  }
}
