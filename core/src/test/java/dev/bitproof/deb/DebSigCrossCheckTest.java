package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bitproof.report.Finding;
import dev.bitproof.testing.SharedCsvSource;
import dev.bitproof.testing.SharedData;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

/** Same verdicts as Debian's debsig-verify and gpgv on the real debsig fixtures. */
class DebSigCrossCheckTest {
  static final PgpVerifier.Policy POLICY = PgpVerifier.Policy.at(Instant.parse("2026-11-29T12:00:00Z"));

  @TempDir
  Path tmp;

  /** Our summary code for a deb, and debsig-verify's exit code for it (0 ok, 10 unsigned, 13 failed). */
  @ParameterizedTest(name = "{0}")
  @SharedCsvSource(data = "deb/debsig", value = {
    "debsig/netbase_6.4_all.debsigs-origin.deb, DEB_EMBEDDED_SIGNATURE_VERIFIED, 0",
    "debsig/netbase_6.4_all.debsigs-origin.TAMPERED-data.deb, DEB_EMBEDDED_SIGNATURE_FAILED, 13",
    "debs/netbase_6.4_all.deb, DEB_SIGNATURE_NONE, 10",
  })
  void debsigVerifyAgrees(String deb, String ourCode, int debsigExit) throws Exception {
    Path file = SharedData.require("deb/" + deb);
    List<Finding> fs = DebPackage.read(file).verifyEmbeddedSignatures(
        PgpKeyring.load(SharedData.require("deb/debsig/test-signer.pub.gpg")), POLICY);
    assertEquals(DebCode.valueOf(ourCode), fs.get(fs.size() - 1).code(), fs.toString());

    Path tool = Path.of("/usr/bin/debsig-verify");
    Assumptions.assumeTrue(Files.isExecutable(tool), "skipped: debsig-verify is not installed (apt-get install debsig-verify)");
    Path root = SharedData.require("deb/debsig/debsig-root");
    Process p = new ProcessBuilder(tool.toString(), "--policies-dir", root.resolve("policies").toString(),
        "--keyrings-dir", root.resolve("keyrings").toString(), file.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(60, TimeUnit.SECONDS);
    assertEquals(debsigExit, p.exitValue(), out);
  }

  @ParameterizedTest(name = "{0}")
  @SharedCsvSource(data = "deb/debsig", value = {
    "debsig/netbase_6.4_all.debsigs-origin.deb, GOODSIG",
    "debsig/netbase_6.4_all.debsigs-origin.TAMPERED-data.deb, BADSIG",
  })
  void gpgvAgreesOnTheOriginSignature(String deb, String keyword) throws Exception {
    Gpgv.require();
    Map<String, byte[]> m = DebPackageTest.members(SharedData.require("deb/" + deb));
    Path sig = tmp.resolve("sig");
    Files.write(sig, m.get("_gpgorigin"));
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    data.write(m.get("debian-binary"));
    data.write(m.get("control.tar.xz"));
    data.write(m.get("data.tar.xz"));
    Path d = tmp.resolve("data");
    Files.write(d, data.toByteArray());
    Gpgv.Result r = Gpgv.run(SharedData.require("deb/debsig/test-signer.pub.gpg"), sig, d);
    assertEquals(1, r.count(keyword), r.status().toString());
  }
}
