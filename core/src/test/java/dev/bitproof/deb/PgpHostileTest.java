package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.CheckException;
import dev.bitproof.testing.SharedData;
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

/**
 * Hostile and edge-case signatures made in the test with BouncyCastle, each verdict cross-checked against gpgv
 * (the verifier apt runs). Times are relative to the real clock because gpgv has no fake-time option.
 */
class PgpHostileTest {
  static final Instant NOW = Instant.now();
  static final String PITFALLS = "Origin: Test\nSuite: pitfalls\n-----BEGIN not an armor line\n- a dash line\n"
      + "From the start\ntrailing spaces   \ntrailing tab\t\n\n  indented\nlast line\n";
  static TestPgp.Key good;
  static TestPgp.Key other;

  @TempDir
  Path tmp;

  @BeforeAll
  static void keys() throws Exception {
    good = TestPgp.make(TestPgp.Spec.ed25519("Good <good@example.invalid>", NOW.minus(Duration.ofDays(10))));
    other = TestPgp.make(TestPgp.Spec.ed25519("Stranger <x@example.invalid>", NOW.minus(Duration.ofDays(10))));
  }

  PgpVerifier.Verdict ours(String clearsigned, TestPgp.Key trusted) {
    ClearSigned cs = ClearSigned.parse(clearsigned.getBytes(StandardCharsets.UTF_8), "t");
    return PgpVerifier.verify(cs.signatures(), cs.signedBytes(), trusted.asKeyring(), PgpVerifier.Policy.at(Instant.now()));
  }

  Gpgv.Result gpgv(String clearsigned, TestPgp.Key trusted) throws Exception {
    Path f = tmp.resolve("InRelease-" + System.nanoTime());
    Files.writeString(f, clearsigned);
    return Gpgv.run(trusted.writeKeyring(tmp, "k-" + System.nanoTime() + ".gpg"), f);
  }

  @Test
  void cleartextPitfallsVerifyLikeGpgv() throws Exception {
    String signed = TestPgp.clearsign(PITFALLS, NOW.minusSeconds(60), HashAlgorithmTags.SHA256, good);
    assertTrue(signed.contains("\n- -----BEGIN not an armor line\n"), "dash-escaped");
    ClearSigned cs = ClearSigned.parse(signed.getBytes(StandardCharsets.UTF_8), "t");
    assertEquals(PITFALLS, new String(cs.content(), StandardCharsets.UTF_8), "content is the unescaped text");
    PgpVerifier.Verdict v = ours(signed, good);
    assertTrue(v.accepted(), v.toString());
    Gpgv.Result g = gpgv(signed, good);
    assertEquals(0, g.exit(), g.status().toString());
    assertEquals(1, g.count("GOODSIG"));
  }

  @Test
  void signatureOverDifferentTextIsBad() throws Exception {
    String signed = TestPgp.clearsign(PITFALLS, NOW.minusSeconds(60), HashAlgorithmTags.SHA256, good);
    String altered = signed.replace("Suite: pitfalls", "Suite: pitfallz");
    PgpVerifier.Verdict v = ours(altered, good);
    assertFalse(v.accepted());
    assertEquals(SignatureCheck.Status.BAD, v.signatures().get(0).status());
    assertTrue(v.findings("t").stream().anyMatch(f -> f.code().equals(DebCode.PGP_SIGNATURE_BAD)));
    Gpgv.Result g = gpgv(altered, good);
    assertNotEquals(0, g.exit());
    assertEquals(1, g.count("BADSIG"));
    // whitespace that the cleartext rules ignore does not break the signature (both agree)
    String spaced = signed.replace("Suite: pitfalls\n", "Suite: pitfalls \t\n");
    assertTrue(ours(spaced, good).accepted());
    assertEquals(1, gpgv(spaced, good).count("GOODSIG"));
  }

  @Test
  void unknownKeysAreToleratedNextToAGoodOneButNotAlone() throws Exception {
    String both = TestPgp.clearsign(PITFALLS, NOW.minusSeconds(60), HashAlgorithmTags.SHA256, other, good);
    PgpVerifier.Verdict v = ours(both, good);
    assertTrue(v.accepted());
    assertEquals(List.of(SignatureCheck.Status.NO_PUBKEY, SignatureCheck.Status.GOOD),
        v.signatures().stream().map(SignatureCheck::status).toList());
    Gpgv.Result g = gpgv(both, good);
    assertEquals(1, g.count("GOODSIG"));
    assertEquals(1, g.count("NO_PUBKEY"));

    String strangerOnly = TestPgp.clearsign(PITFALLS, NOW.minusSeconds(60), HashAlgorithmTags.SHA256, other);
    PgpVerifier.Verdict alone = ours(strangerOnly, good);
    assertFalse(alone.accepted());
    assertEquals(DebCode.PGP_NOT_VERIFIED, alone.findings("t").get(1).code());
    assertEquals(0, gpgv(strangerOnly, good).count("GOODSIG"));
  }

  @Test
  void expiredKeysDoNotCount() throws Exception {
    TestPgp.Key expiring = TestPgp.make(TestPgp.Spec.ed25519("Expired <e@example.invalid>", NOW.minus(Duration.ofDays(60)))
        .expiringAfter(Duration.ofDays(30).toSeconds()));
    // signed while valid, verified after expiry; and signed after expiry ("expired at the Release date")
    for (Instant when : List.of(NOW.minus(Duration.ofDays(45)), NOW.minus(Duration.ofDays(10)))) {
      String s = TestPgp.clearsign(PITFALLS, when, HashAlgorithmTags.SHA256, expiring);
      PgpVerifier.Verdict v = ours(s, expiring);
      assertEquals(SignatureCheck.Status.KEY_EXPIRED, v.signatures().get(0).status(), v.toString());
      assertFalse(v.accepted());
      assertEquals(1, gpgv(s, expiring).count("EXPKEYSIG"));
    }
    // before expiry the same key is good: the clock decides
    String s = TestPgp.clearsign(PITFALLS, NOW.minus(Duration.ofDays(45)), HashAlgorithmTags.SHA256, expiring);
    ClearSigned cs = ClearSigned.parse(s.getBytes(StandardCharsets.UTF_8), "t");
    assertTrue(PgpVerifier.verify(cs.signatures(), cs.signedBytes(), expiring.asKeyring(),
        PgpVerifier.Policy.at(NOW.minus(Duration.ofDays(40)))).accepted());
  }

  @Test
  void subkeysSignWhenBoundAndNotWhenRevoked() throws Exception {
    TestPgp.Key withSub = TestPgp.make(TestPgp.Spec.ed25519("Sub <s@example.invalid>", NOW.minus(Duration.ofDays(5)))
        .withSubkey(0, false));
    String s = TestPgp.clearsign(PITFALLS, NOW.minusSeconds(60), HashAlgorithmTags.SHA256, withSub);
    PgpVerifier.Verdict v = ours(s, withSub);
    assertTrue(v.accepted(), v.toString());
    assertNotEquals(v.signatures().get(0).signingKey(), v.signatures().get(0).primaryKey());
    assertEquals(1, gpgv(s, withSub).count("GOODSIG"));

    TestPgp.Key revoked = TestPgp.make(TestPgp.Spec.ed25519("Revoked <r@example.invalid>", NOW.minus(Duration.ofDays(5)))
        .withSubkey(0, true));
    String r = TestPgp.clearsign(PITFALLS, NOW.minusSeconds(60), HashAlgorithmTags.SHA256, revoked);
    PgpVerifier.Verdict rv = ours(r, revoked);
    assertEquals(SignatureCheck.Status.KEY_REVOKED, rv.signatures().get(0).status(), rv.toString());
    assertFalse(rv.accepted());
    assertEquals(1, gpgv(r, revoked).count("REVKEYSIG"));
  }

  @Test
  void weakDigestsAndWeakKeysAreWorthless() throws Exception {
    String sha1 = TestPgp.clearsign(PITFALLS, NOW.minusSeconds(60), HashAlgorithmTags.SHA1, good);
    PgpVerifier.Verdict v = ours(sha1, good);
    assertEquals(SignatureCheck.Status.WEAK_DIGEST, v.signatures().get(0).status());
    assertFalse(v.accepted());
    // gpgv calls it valid; apt reads the digest algorithm (field 8 of VALIDSIG, 2 = SHA1) and refuses it
    Gpgv.Result g = gpgv(sha1, good);
    String validsig = g.status().stream().filter(l -> l.contains(" VALIDSIG ")).findFirst().orElseThrow();
    assertEquals("2", validsig.split(" ")[9], validsig);

    TestPgp.Key rsa1024 = TestPgp.make(TestPgp.Spec.ed25519("Small <r@example.invalid>", NOW.minus(Duration.ofDays(1))).rsa(1024));
    byte[] data = "Origin: Test\n".getBytes(StandardCharsets.UTF_8);
    byte[] sig = TestPgp.detached(rsa1024, data, NOW.minusSeconds(60), HashAlgorithmTags.SHA256, true);
    PgpVerifier.Verdict w = PgpVerifier.verify(ClearSigned.readSignatures(sig, "s"), data, rsa1024.asKeyring(),
        PgpVerifier.Policy.at(Instant.now()));
    assertEquals(SignatureCheck.Status.WEAK_KEY, w.signatures().get(0).status());
  }

  @Test
  void damagedFramingAndArmorAreRefused() throws Exception {
    String signed = TestPgp.clearsign(PITFALLS, NOW.minusSeconds(60), HashAlgorithmTags.SHA256, good);
    int b = signed.indexOf(ClearSigned.SIG_BEGIN);
    int line = signed.indexOf('\n', signed.indexOf('\n', b) + 1) + 1;
    String damaged = signed.substring(0, line) + "!!!!" + signed.substring(line + 4);
    CheckException e = assertThrows(CheckException.class,
        () -> ClearSigned.parse(damaged.getBytes(StandardCharsets.UTF_8), "t"));
    assertTrue(List.of(DebCode.PGP_ARMOR_CORRUPT, DebCode.PGP_SIGNATURE_MALFORMED).contains(e.code()), e.toString());
    assertNotEquals(0, gpgv(damaged, good).exit());

    e = assertThrows(CheckException.class, () -> ClearSigned.parse((signed + "Suite: injected\n").getBytes(StandardCharsets.UTF_8), "t"));
    assertEquals(DebCode.PGP_CLEARSIGN_TRAILING_DATA, e.code());
    e = assertThrows(CheckException.class, () -> ClearSigned.parse(("Suite: injected\n" + signed).getBytes(StandardCharsets.UTF_8), "t"));
    assertEquals(DebCode.PGP_CLEARSIGN_MALFORMED, e.code());
    e = assertThrows(CheckException.class, () -> ClearSigned.parse(signed.replace("Hash: SHA256", "Comment: x").getBytes(StandardCharsets.UTF_8), "t"));
    assertEquals(DebCode.PGP_CLEARSIGN_MALFORMED, e.code());
    e = assertThrows(CheckException.class, () -> ClearSigned.parse(signed.replace("- -----BEGIN not", "-----BEGIN not").getBytes(StandardCharsets.UTF_8), "t"));
    assertEquals(DebCode.PGP_CLEARSIGN_MALFORMED, e.code());
    e = assertThrows(CheckException.class, () -> ClearSigned.parse(signed.substring(0, b).getBytes(StandardCharsets.UTF_8), "t"));
    assertEquals(DebCode.PGP_CLEARSIGN_MALFORMED, e.code());
  }

  @Test
  void keyringsLoadBinaryAndArmored() throws Exception {
    PgpKeyring armored = PgpKeyring.load(SharedData.require("deb/debsig/test-signer.pub.asc"));
    PgpKeyring binary = PgpKeyring.load(SharedData.require("deb/debsig/test-signer.pub.gpg"));
    assertEquals("9E30213EE4531C5D8479E09294D9692945C3BA82", PgpKeyring.fingerprint(armored.rings().get(0).getPublicKey()));
    assertEquals(PgpKeyring.fingerprint(binary.rings().get(0).getPublicKey()), PgpKeyring.fingerprint(armored.rings().get(0).getPublicKey()));
    // two armored blocks in one file, plus a binary file: all certificates
    Path two = tmp.resolve("two.asc");
    Files.writeString(two, Files.readString(SharedData.require("deb/debsig/test-signer.pub.asc")) + "\n"
        + armor(good.keyring()));
    assertEquals(2, PgpKeyring.load(two).size());
    assertEquals(11, PgpKeyring.load(two, SharedData.require("deb/keyrings/debian-archive-keyring.gpg")).size());
    Path junk = tmp.resolve("junk.gpg");
    Files.writeString(junk, "not a key");
    assertThrows(CheckException.class, () -> PgpKeyring.load(junk));
  }

  /** The fixture twin of {@link #keyringsLoadBinaryAndArmored}: the same checks on keys the test makes. */
  @Test
  void fixtureKeyringsLoadBinaryAndArmored() throws Exception {
    TestPgp.Key other = TestPgp.make(TestPgp.Spec.ed25519("Other <o@example.invalid>", NOW.minus(Duration.ofDays(10)))
        .withSubkey(0, false));
    Path asc = tmp.resolve("good.asc");
    Files.writeString(asc, armor(good.keyring()));
    PgpKeyring armored = PgpKeyring.load(asc);
    PgpKeyring binary = PgpKeyring.load(good.writeKeyring(tmp, "good.gpg"));
    assertEquals(PgpKeyring.fingerprint(good.ring().getPublicKey()), PgpKeyring.fingerprint(armored.rings().get(0).getPublicKey()));
    assertEquals(PgpKeyring.fingerprint(binary.rings().get(0).getPublicKey()), PgpKeyring.fingerprint(armored.rings().get(0).getPublicKey()));
    // two armored blocks in one file, plus a binary file: all certificates
    Path two = tmp.resolve("two.asc");
    Files.writeString(two, armor(good.keyring()) + "\n" + armor(other.keyring()));
    assertEquals(2, PgpKeyring.load(two).size());
    TestPgp.Key third = TestPgp.make(TestPgp.Spec.ed25519("Third <t@example.invalid>", NOW.minus(Duration.ofDays(10))));
    assertEquals(3, PgpKeyring.load(two, third.writeKeyring(tmp, "third.gpg")).size());
    Path junk = tmp.resolve("junk.gpg");
    Files.writeString(junk, "not a key");
    assertThrows(CheckException.class, () -> PgpKeyring.load(junk));
  }

  private static String armor(byte[] binary) throws Exception {
    java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream();
    try (org.bouncycastle.bcpg.ArmoredOutputStream a = org.bouncycastle.bcpg.ArmoredOutputStream.builder().build(bos)) {
      a.write(binary);
    }
    return bos.toString(StandardCharsets.US_ASCII);
  }
}
