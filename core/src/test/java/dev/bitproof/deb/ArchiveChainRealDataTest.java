package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bar of issue 7 on real Debian data: InRelease → Packages.xz → every deb, under Debian's real keys. Only the
 * fidelity claims live here (real signatures accepted, real keyrings, the real index parsed to known facts); the
 * generic behaviour (stale Release.gpg, altered Packages, Signed-By fingerprints, the injected clock) is held by
 * {@link ArchiveChainFixtureTest} on an archive the test builds, so it runs on a fresh clone.
 */
class ArchiveChainRealDataTest {
  static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  static PgpKeyring keyring;
  static ArchiveVerifier.Options options;

  /** Per test, not {@code @BeforeAll}: without ../shared each test skips with its reason instead of vanishing. */
  @BeforeEach
  void keys() throws Exception {
    if (keyring == null) {
      keyring = PgpKeyring.load(SharedData.require("deb/keyrings/debian-archive-keyring.gpg"));
    }
    options = ArchiveVerifier.Options.at(NOW);
  }

  static ArchiveVerifier.VerifiedRelease inRelease(String name) throws Exception {
    return ArchiveVerifier.verifyInRelease(Files.readAllBytes(SharedData.require("deb/release/" + name)), name, keyring, options);
  }

  static List<Code> codes(List<Finding> fs) {
    return fs.stream().map(Finding::code).toList();
  }

  @Test
  void bookwormInReleaseIsTrustedAndNamesItsThreeSigners() throws Exception {
    ArchiveVerifier.VerifiedRelease r = inRelease("bookworm_InRelease");
    assertTrue(r.trusted(), r.findings().toString());
    assertEquals(List.of(DebCode.PGP_SIGNATURE_GOOD, DebCode.PGP_SIGNATURE_GOOD, DebCode.PGP_SIGNATURE_GOOD, DebCode.PGP_VERIFIED, DebCode.DEB_RELEASE_TRUSTED),
        codes(r.findings()));
    assertEquals("bookworm", r.release().codename());
    assertEquals(Instant.parse("2026-07-11T10:16:37Z"), r.release().date().orElseThrow());
    assertEquals(772, r.release().sha256().size());
    Finding summary = r.findings().get(4);
    assertTrue(summary.evidence().get("signers").contains("Debian Stable Release Key (12/bookworm)"), summary.toString());
  }

  @Test
  void perSuiteKeyringsLeaveTheOtherSignersUnknownAndStillAccept() throws Exception {
    PgpKeyring bookwormOnly = PgpKeyring.load(SharedData.require("deb/keyrings/debian-archive-bookworm-automatic.gpg"),
        SharedData.require("deb/keyrings/debian-archive-bookworm-stable.gpg"));
    ArchiveVerifier.VerifiedRelease r = ArchiveVerifier.verifyInRelease(
        Files.readAllBytes(SharedData.require("deb/release/bookworm_InRelease")), "bookworm_InRelease", bookwormOnly, options);
    assertEquals(List.of(DebCode.PGP_SIGNATURE_GOOD, DebCode.PGP_SIGNATURE_UNKNOWN_KEY, DebCode.PGP_SIGNATURE_GOOD, DebCode.PGP_VERIFIED,
        DebCode.DEB_RELEASE_TRUSTED), codes(r.findings()), "the trixie key signs bookworm too; apt tolerates NO_PUBKEY");
    // the removed-keys keyring alone (23 old keys) trusts nothing here
    ArchiveVerifier.VerifiedRelease none = ArchiveVerifier.verifyInRelease(
        Files.readAllBytes(SharedData.require("deb/release/bookworm_InRelease")), "bookworm_InRelease",
        PgpKeyring.load(SharedData.require("deb/keyrings/debian-archive-removed-keys.gpg")), options);
    assertFalse(none.trusted());
    assertEquals(0, none.verdict().good());
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
  void everyDebChainsToASignedPackagesEntry() throws Exception {
    List<ArchiveVerifier.VerifiedRelease> releases = List.of(inRelease("bookworm_InRelease"), inRelease("bookworm-updates_InRelease"));
    // selected-stanzas.txt: the real stanzas of the debs, each after a "# suite:" comment line
    List<ControlParagraph> selected = Deb822.parse(Files.readAllBytes(SharedData.require("deb/packages/selected-stanzas.txt")), "sel");
    java.util.Set<String> names = new java.util.HashSet<>();
    selected.forEach(p -> names.add(p.value("Package")));
    List<PackagesIndex> indexes = new ArrayList<>();
    for (String p : List.of("bookworm_main_binary-amd64_Packages.xz", "bookworm-updates_main_binary-amd64_Packages.xz")) {
      ArchiveVerifier.LoadedIndex li = ArchiveVerifier.loadPackages(SharedData.require("deb/packages/" + p), releases,
          options, names::contains);
      assertTrue(li.index().isPresent(), li.findings().toString());
      assertTrue(codes(li.findings()).containsAll(List.of(DebCode.DEB_PACKAGES_IN_RELEASE, DebCode.DEB_PACKAGES_UNCOMPRESSED_OK)),
          li.findings().toString());
      indexes.add(li.index().get());
    }
    assertEquals(63_440, indexes.get(0).entries().size(), "reference §1.1: 63,440 stanzas");
    assertEquals("main", indexes.get(0).component());
    assertEquals("amd64", indexes.get(0).architecture());
    int compared = 0;
    for (ControlParagraph want : selected) {
      for (PackagesIndex.Entry e : indexes.get(0).named(want.value("Package"))) {
        if (e.version().equals(want.value("Version")) && e.architecture().equals(want.value("Architecture"))) {
          assertEquals(want, e.paragraph(), "all fields, multi-line Tag included, in order");
          compared++;
        }
      }
    }
    assertTrue(compared >= 7, "compared " + compared);
    List<Path> debs;
    try (Stream<Path> s = Files.list(SharedData.require("deb/debs"))) {
      debs = s.filter(p -> p.toString().endsWith(".deb")).sorted().toList();
    }
    assertTrue(debs.size() >= 7);
    for (Path deb : debs) {
      DebPackage d = DebPackage.read(deb);
      Finding f = ArchiveVerifier.checkDeb(d.subject(), d.name(), d.version(), d.architecture(), d.sha256(), d.size(), indexes);
      assertEquals(DebCode.DEB_IN_ARCHIVE, f.code(), f.toString());
      assertTrue(f.evidence().get("filename").endsWith(deb.getFileName().toString().replace("%3a", ":")), f.toString());
    }
  }
}
