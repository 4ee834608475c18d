package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.testing.SharedData;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class InReleaseRealDataTest {
  static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

  @Test
  void allThreeBookwormSignaturesVerify() throws Exception {
    PgpKeyring keyring = PgpKeyring.load(SharedData.require("deb/keyrings/debian-archive-keyring.gpg"));
    assertEquals(9, keyring.size());
    byte[] inRelease = Files.readAllBytes(SharedData.require("deb/release/bookworm_InRelease"));
    ClearSigned cs = ClearSigned.parse(inRelease, "bookworm_InRelease");
    assertEquals(List.of("SHA256"), cs.hashes());
    assertArrayEquals(Files.readAllBytes(SharedData.require("deb/release/bookworm_Release")), cs.content(),
        "InRelease body + final newline is the served Release file");
    PgpVerifier.Verdict v = PgpVerifier.verify(cs.signatures(), cs.signedBytes(), keyring, PgpVerifier.Policy.at(NOW));
    assertEquals(3, v.signatures().size());
    assertTrue(v.accepted());
    assertEquals(List.of("4CB50190207B4758A3F73A796ED0E7B82643E131", "B8E5F13176D2A7A75220028078DBA3BC47EF2265",
        "4D64FEC119C2029067D6E791F8D2585B8783D481"), v.signatures().stream().map(SignatureCheck::signingKey).toList());
    assertEquals(List.of("B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8", "04B54C3CDCA79751B16BC6B5225629DF75B188BD",
        "4D64FEC119C2029067D6E791F8D2585B8783D481"), v.signatures().stream().map(SignatureCheck::primaryKey).toList());
    assertTrue(v.signatures().get(0).userId().contains("Debian Archive Automatic Signing Key (12/bookworm)"));
    assertTrue(v.signatures().get(1).userId().contains("(13/trixie)"));
    assertTrue(v.signatures().get(2).userId().contains("Debian Stable Release Key (12/bookworm)"));
    assertEquals("EdDSA (legacy Ed25519)", v.signatures().get(2).publicKeyAlgorithm());
    assertTrue(v.signatures().stream().allMatch(s -> s.good() && s.hashAlgorithm().equals("SHA256")), v.toString());
  }
}
