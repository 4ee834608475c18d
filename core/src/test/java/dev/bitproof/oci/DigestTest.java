package dev.bitproof.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.CheckException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {
  @Test
  void sha256OfBytesMatchesKnownValue() {
    Digest d = Digest.sha256("abc".getBytes(StandardCharsets.US_ASCII));
    assertEquals("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", d.toString());
    assertTrue(d.matches("abc".getBytes(StandardCharsets.US_ASCII)));
    assertFalse(d.matches("abd".getBytes(StandardCharsets.US_ASCII)));
    assertEquals(d, Digest.parse(d.toString()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "sha256", "sha256:", "sha256:ABC", "md5:d41d8cd98f00b204e9800998ecf8427e",
      "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
      "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
      "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"})
  void rejectsMalformed(String s) {
    CheckException e = assertThrows(CheckException.class, () -> Digest.parse(s));
    assertEquals(OciCode.DIGEST_INVALID, e.code());
  }
}
