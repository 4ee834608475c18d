package dev.bitproof.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bitproof.attest.bundle.SigstoreBundle;
import dev.bitproof.attest.dsse.Dsse;
import dev.bitproof.attest.dsse.Envelope;
import dev.bitproof.attest.intoto.Statement;
import dev.bitproof.attest.sign.KeyType;
import dev.bitproof.attest.sign.Keys;
import dev.bitproof.attest.sign.SigningKey;
import dev.bitproof.attest.sign.VerificationKey;
import dev.bitproof.testing.Fuzz;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * DSSE envelopes, sigstore bundles and in-toto statements fuzzed with {@link Fuzz}, signed with keys made here.
 * The oracle: an envelope or bundle that verifies carries exactly a seed's payload and payload type (DSSE's
 * standard/URL-safe base64 and JSON whitespace are the only encodings that may differ).
 */
class AttestFuzzTest {
  static final long ITERATIONS = Long.getLong("bitproof.fuzz.iterations", 300);
  static final long SEED = Long.getLong("bitproof.fuzz.seed", 18);
  static final byte[] STATEMENT = ("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"img\","
      + "\"digest\":{\"sha256\":\"" + "ab".repeat(32) + "\"}}],\"predicateType\":\"https://slsa.dev/verification_summary/v1\","
      + "\"predicate\":{\"verificationResult\":\"PASSED\",\"verifier\":{\"id\":\"bitproof\"}}}").getBytes(StandardCharsets.UTF_8);

  static void assertClean(Fuzz.Stats s) {
    System.out.println("fuzz " + s);
    assertEquals(List.of(), s.findings(), s.name() + ": inputs that escaped as something other than CheckException");
  }

  static void oracle(Dsse.Verified v) {
    if (v.ok() && !Arrays.equals(v.payload().get(), STATEMENT)) {
      throw new Fuzz.MeaningChanged("verified a payload that is not the seed's");
    }
  }

  @Test
  void dsseEnvelopesAndBundles() {
    List<byte[]> envelopes = new ArrayList<>();
    List<byte[]> bundles = new ArrayList<>();
    List<VerificationKey> keys = new ArrayList<>();
    for (KeyType t : KeyType.values()) {
      SigningKey k = Keys.generate(t, new SecureRandom());
      keys.add(new VerificationKey(k.publicKey(), k.type()));
      Envelope env = Dsse.sign(Envelope.IN_TOTO, STATEMENT, k);
      envelopes.add(env.toBytes());
      bundles.add(SigstoreBundle.of(env).bytes());
    }
    assertClean(Fuzz.run("dsse", envelopes, ITERATIONS, SEED, b -> {
      Envelope e = Envelope.parse(b, "fuzz");
      for (VerificationKey k : keys) {
        oracle(Dsse.verify(e, k, "fuzz"));
      }
    }));
    assertClean(Fuzz.run("bundle", bundles, ITERATIONS, SEED, b -> {
      SigstoreBundle bundle = SigstoreBundle.parse(b, "fuzz");
      for (VerificationKey k : keys) {
        oracle(bundle.verify(k, "fuzz"));
      }
    }));
    assertClean(Fuzz.run("statement", List.of(STATEMENT), ITERATIONS, SEED, b -> Statement.parse(b, "fuzz")));
  }
}
