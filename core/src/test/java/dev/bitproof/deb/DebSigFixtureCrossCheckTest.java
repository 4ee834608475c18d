package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bitproof.report.Finding;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Same verdicts as Debian's debsig-verify and gpgv on debs and a key the test builds (signed, tampered, unsigned):
 * the generic twin of {@link DebSigCrossCheckTest}, runnable without ../shared.
 */
class DebSigFixtureCrossCheckTest {
  static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  static final PgpVerifier.Policy POLICY = PgpVerifier.Policy.at(NOW);
  static TestPgp.Key signer;
  static Map<String, byte[]> debs;

  @TempDir
  Path tmp;

  @BeforeAll
  static void build() throws Exception {
    signer = TestPgp.make(TestPgp.Spec.ed25519("Deb Signer <signer@example.invalid>", NOW.minusSeconds(86_400)));
    Map<String, byte[]> m = DebPackageFixtureTest.members("hello\n");
    byte[] signed = DebPackageFixtureTest.debsigs(m, signer);
    Map<String, byte[]> tampered = TestDebs.arMembers(signed);
    tampered.put("data.tar.xz", DebPackageFixtureTest.members("pwned\n").get("data.tar.xz"));
    debs = Map.of("signed", signed, "tampered", TestDebs.ar(tampered), "unsigned", TestDebs.ar(m));
  }

  /** Our summary code for a deb, and debsig-verify's exit code for it (0 ok, 10 unsigned, 13 failed). */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"signed, DEB_EMBEDDED_SIGNATURE_VERIFIED, 0", "tampered, DEB_EMBEDDED_SIGNATURE_FAILED, 13", "unsigned, DEB_SIGNATURE_NONE, 10"})
  void debsigVerifyAgrees(String deb, String ourCode, int debsigExit) throws Exception {
    Path file = Files.write(tmp.resolve(deb + ".deb"), debs.get(deb));
    List<Finding> fs = DebPackage.read(file).verifyEmbeddedSignatures(signer.asKeyring(), POLICY);
    assertEquals(DebCode.valueOf(ourCode), fs.get(fs.size() - 1).code(), fs.toString());

    Path tool = Path.of("/usr/bin/debsig-verify");
    Assumptions.assumeTrue(Files.isExecutable(tool), "skipped: debsig-verify is not installed (apt-get install debsig-verify)");
    String fpr = TestArchive.fingerprint(signer.signerPublic());
    String keyId = fpr.substring(fpr.length() - 16);
    Path policies = Files.createDirectories(tmp.resolve("root/policies/" + keyId));
    Path keyrings = Files.createDirectories(tmp.resolve("root/keyrings/" + keyId));
    signer.writeKeyring(keyrings, "signer.gpg");
    Files.writeString(policies.resolve("test.pol"), "<?xml version=\"1.0\"?>\n"
        + "<!DOCTYPE Policy SYSTEM \"https://www.debian.org/debsig/1.0/policy.dtd\">\n"
        + "<Policy xmlns=\"https://www.debian.org/debsig/1.0/\">\n"
        + "  <Origin Name=\"fixture\" id=\"" + fpr + "\" Description=\"test-built signer\"/>\n"
        + "  <Selection>\n    <Required Type=\"origin\" File=\"signer.gpg\" id=\"" + fpr + "\"/>\n  </Selection>\n"
        + "  <Verification MinOptional=\"0\">\n    <Required Type=\"origin\" File=\"signer.gpg\" id=\"" + fpr + "\"/>\n"
        + "  </Verification>\n</Policy>\n");
    ProcessBuilder pb = new ProcessBuilder(tool.toString(), "--policies-dir", tmp.resolve("root/policies").toString(),
        "--keyrings-dir", tmp.resolve("root/keyrings").toString(), file.toString()).redirectErrorStream(true);
    pb.environment().put("GNUPGHOME", Files.createDirectories(tmp.resolve("gnupg")).toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    assertEquals(debsigExit, p.exitValue(), out);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"signed, GOODSIG", "tampered, BADSIG"})
  void gpgvAgreesOnTheOriginSignature(String deb, String keyword) throws Exception {
    Gpgv.require();
    Map<String, byte[]> m = TestDebs.arMembers(debs.get(deb));
    Path sig = Files.write(tmp.resolve("sig"), m.get("_gpgorigin"));
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    data.write(m.get("debian-binary"));
    data.write(m.get("control.tar.xz"));
    data.write(m.get("data.tar.xz"));
    Path d = Files.write(tmp.resolve("data"), data.toByteArray());
    Gpgv.Result r = Gpgv.run(signer.writeKeyring(tmp, "signer.gpg"), sig, d);
    assertEquals(1, r.count(keyword), r.status().toString());
  }
}
