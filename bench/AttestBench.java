import dev.bitproof.attest.Attestor;
import dev.bitproof.attest.AttestationVerifier;
import dev.bitproof.attest.intoto.Predicates;
import dev.bitproof.attest.intoto.VerificationReport;
import dev.bitproof.attest.sign.KeyType;
import dev.bitproof.attest.sign.Keys;
import dev.bitproof.attest.sign.SigningKey;
import dev.bitproof.attest.sign.VerificationKey;
import dev.bitproof.oci.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** Prints attestation throughput figures; run by bench/attest.sh. Not a test: no assertion on time. */
public class AttestBench {
  public static void main(String[] a) throws Exception {
    String zero = "sha256:" + "0".repeat(64);
    Digest image = Digest.sha256(new byte[] {1});
    byte[] report = Files.readString(Path.of(a[0])).replace(zero, image.toString()).getBytes("UTF-8");
    VerificationReport r = VerificationReport.parse(report, "report");
    SecureRandom rnd = new SecureRandom();
    for (KeyType t : KeyType.values()) {
      SigningKey k = Keys.generate(t, rnd);
      VerificationKey v = new VerificationKey(k.publicKey(), t);
      Predicates.Context c = new Predicates.Context(Predicates.DEFAULT_VERIFIER_ID, "bench", Instant.now(), Predicates.DEFAULT_POLICY_URI,
          Optional.empty(), Optional.empty());
      AttestationVerifier.Options o = new AttestationVerifier.Options(image, Set.of(), Optional.empty(), Instant.now(), Optional.empty(), Optional.empty());
      for (int warm = 0; warm < 300; warm++) {
        AttestationVerifier.verifyDocument(Attestor.attest(r, k, c).vsa().bundle().bytes(), v, o, "w");
      }
      int n = 2000;
      long t0 = System.nanoTime();
      byte[] last = null;
      for (int i = 0; i < n; i++) {
        last = Attestor.attest(r, k, c).vsa().bundle().bytes();
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        AttestationVerifier.verifyDocument(last, v, o, "b");
      }
      long t2 = System.nanoTime();
      System.out.printf("%-11s attest (evidence+VSA, 2 signatures): %7.3f ms/report   verify bundle: %7.3f ms/attestation%n",
          t.cliName(), (t1 - t0) / 1e6 / n, (t2 - t1) / 1e6 / n);
    }
    SigningKey k = Keys.generate(KeyType.ECDSA_P256, rnd);
    byte[] enc = Keys.encryptedPem(k, "pw".toCharArray(), rnd).getBytes("US-ASCII");
    long t0 = System.nanoTime();
    for (int i = 0; i < 5; i++) {
      Keys.readSigningKey(enc, "k", "pw"::toCharArray);
    }
    System.out.printf("cosign key decrypt (scrypt N=65536 r=8 p=1): %.0f ms%n", (System.nanoTime() - t0) / 1e6 / 5);
  }
}
