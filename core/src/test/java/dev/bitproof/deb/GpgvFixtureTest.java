package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our verdict and gpgv's on the archive the test builds ({@link TestArchive}): the same good and bad signatures and
 * the same signing fingerprints. The twin of {@link GpgvRealDataTest}, runnable without {@code ../shared}.
 */
class GpgvFixtureTest {
  static TestArchive a;

  @TempDir
  Path tmp;

  @BeforeAll
  static void archive() throws Exception {
    a = new TestArchive();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"InRelease, 2, 0", "Release.gpg, 1, 0", "stale Release.gpg, 0, 1"})
  void sameVerdictAsGpgv(String kind, int good, int bad) throws Exception {
    Gpgv.require();
    ByteArrayOutputStream ring = new ByteArrayOutputStream();
    ring.write(a.archiveKey.keyring());
    ring.write(a.otherKey.keyring());
    Path keyring = Files.write(tmp.resolve("archive.gpg"), ring.toByteArray());
    PgpVerifier.Policy policy = PgpVerifier.Policy.at(TestArchive.NOW);
    PgpVerifier.Verdict v;
    Gpgv.Result g;
    if (kind.equals("InRelease")) {
      Path data = Files.write(tmp.resolve("InRelease"), a.inRelease);
      ClearSigned cs = ClearSigned.parse(a.inRelease, "InRelease");
      v = PgpVerifier.verify(cs.signatures(), cs.signedBytes(), a.keyring(), policy);
      g = Gpgv.run(keyring, data);
    } else {
      byte[] sig = kind.startsWith("stale")
          ? TestPgp.detached(a.archiveKey, TestArchive.releaseText("Fri, 27 Nov 2026 02:53:00 UTC", a.packagesXz, a.packages)
              .getBytes(StandardCharsets.UTF_8), TestArchive.DATE.minus(Duration.ofDays(1)), HashAlgorithmTags.SHA256, true)
          : a.releaseGpg;
      Path data = Files.write(tmp.resolve("Release"), a.release);
      Path s = Files.write(tmp.resolve("Release.gpg"), sig);
      v = PgpVerifier.verify(ClearSigned.readSignatures(sig, "Release.gpg"), a.release, a.keyring(), policy);
      g = Gpgv.run(keyring, s, data);
    }
    assertEquals(good, v.good(), v.toString());
    assertEquals(bad, v.bad(), v.toString());
    assertEquals(good, g.count("GOODSIG"), g.status().toString());
    if (bad > 0) {
      assertTrue(g.count("BADSIG") >= 1, g.status().toString());
      assertNotEquals(0, g.exit());
      assertFalse(v.accepted());
    } else {
      assertEquals(0, g.exit(), g.status().toString());
      assertTrue(v.accepted());
    }
    List<String> gpgvFprs = g.status().stream().filter(l -> l.contains(" VALIDSIG ")).map(l -> l.split(" ")[2]).sorted().toList();
    List<String> ours = v.signatures().stream().filter(SignatureCheck::good).map(SignatureCheck::signingKey).sorted().toList();
    assertEquals(gpgvFprs, ours);
  }
}
