package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bitproof.testing.SharedCsvSource;
import dev.bitproof.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.openpgp.PGPSignature;
import org.junit.jupiter.params.ParameterizedTest;

/** Our verdict and gpgv's on the real Release files: the same number of good and bad signatures. */
class GpgvRealDataTest {
  @ParameterizedTest(name = "{0} {1}")
  @SharedCsvSource(data = "deb/release", value = {
    "bookworm_InRelease, '', 3, 0",
    "bookworm-updates_InRelease, '', 2, 0",
    "bookworm_Release, bookworm_Release.gpg, 3, 0",
    "bookworm-updates_Release, bookworm-updates_Release.gpg.STALE-2026-10-30, 0, 2",
  })
  void sameVerdictAsGpgv(String file, String sig, int good, int bad) throws Exception {
    Path keyring = SharedData.require("deb/keyrings/debian-archive-keyring.gpg");
    Path data = SharedData.require("deb/release/" + file);
    PgpKeyring k = PgpKeyring.load(keyring);
    PgpVerifier.Policy policy = PgpVerifier.Policy.at(Instant.parse("2026-11-29T12:00:00Z"));
    PgpVerifier.Verdict v;
    Gpgv.Result g;
    if (sig.isEmpty()) {
      ClearSigned cs = ClearSigned.parse(Files.readAllBytes(data), file);
      v = PgpVerifier.verify(cs.signatures(), cs.signedBytes(), k, policy);
      g = Gpgv.run(keyring, data);
    } else {
      Path s = SharedData.require("deb/release/" + sig);
      List<PGPSignature> sigs = ClearSigned.readSignatures(Files.readAllBytes(s), sig);
      v = PgpVerifier.verify(sigs, Files.readAllBytes(data), k, policy);
      g = Gpgv.run(keyring, s, data);
    }
    assertEquals(good, v.good(), v.toString());
    assertEquals(bad, v.bad(), v.toString());
    assertEquals(good, g.count("GOODSIG"), g.status().toString());
    if (bad > 0) {
      // gpgv stops at the first bad signature; the verdict (rejected) is the same
      org.junit.jupiter.api.Assertions.assertTrue(g.count("BADSIG") >= 1, g.status().toString());
      org.junit.jupiter.api.Assertions.assertNotEquals(0, g.exit());
      org.junit.jupiter.api.Assertions.assertFalse(v.accepted());
    } else {
      assertEquals(0, g.exit());
      org.junit.jupiter.api.Assertions.assertTrue(v.accepted());
    }
    assertEquals(good, g.count("VALIDSIG"));
    // the signing fingerprints gpgv reports (VALIDSIG field 3) are the ones we name
    List<String> gpgvFprs = g.status().stream().filter(l -> l.contains(" VALIDSIG ")).map(l -> l.split(" ")[2]).sorted().toList();
    List<String> ours = v.signatures().stream().filter(SignatureCheck::good).map(SignatureCheck::signingKey).sorted().toList();
    assertEquals(gpgvFprs, ours);
  }
}
