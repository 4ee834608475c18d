package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.oci.Digest;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DebPackage} reading and embedded signatures (debsigs, dpkg-sig) on debs and keys built in the test, the
 * generic twin of {@link DebPackageTest}'s real-data cases so they run on a fresh clone.
 */
class DebPackageFixtureTest {
  static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  static final PgpVerifier.Policy POLICY = PgpVerifier.Policy.at(NOW);
  static TestPgp.Key signer;

  @TempDir
  Path tmp;

  @BeforeAll
  static void key() throws Exception {
    signer = TestPgp.make(TestPgp.Spec.ed25519("Deb Signer <signer@example.invalid>", NOW.minusSeconds(86_400)));
  }

  static List<Code> codes(List<Finding> fs) {
    return fs.stream().map(Finding::code).toList();
  }

  static String hex(String alg, byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance(alg).digest(b));
  }

  /** A deb like libc6's: control with conffiles and postinst, data with a directory and two files. */
  static Map<String, byte[]> members(String readme) throws Exception {
    byte[] conf = "include /etc/ld.so.conf.d/*.conf\n".getBytes(StandardCharsets.UTF_8);
    byte[] lib = "\u007fELF not really".getBytes(StandardCharsets.UTF_8);
    byte[] doc = readme.getBytes(StandardCharsets.UTF_8);
    String md5sums = hex("MD5", lib) + "  lib/x86_64-linux-gnu/libc.so.6\n" + hex("MD5", doc) + "  usr/share/doc/libc6/README\n";
    byte[] control = TestDebs.xz(TestDebs.tar(
        TestDebs.Entry.file("./control", "Package: libc6\nVersion: 2.36-9+deb12u14\nArchitecture: amd64\n"
            + "Maintainer: Test <t@example.invalid>\nDescription: test libc\n"),
        TestDebs.Entry.file("./md5sums", md5sums),
        TestDebs.Entry.file("./conffiles", "/etc/ld.so.conf.d/x86_64-linux-gnu.conf\n"),
        TestDebs.Entry.file("./postinst", "#!/bin/sh\nexit 0\n")));
    byte[] data = TestDebs.xz(TestDebs.tar(TestDebs.Entry.dir("./"), TestDebs.Entry.dir("./lib/x86_64-linux-gnu"),
        TestDebs.Entry.file("./lib/x86_64-linux-gnu/libc.so.6", lib),
        TestDebs.Entry.file("./etc/ld.so.conf.d/x86_64-linux-gnu.conf", conf),
        TestDebs.Entry.file("./usr/share/doc/libc6/README", doc)));
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
    m.put("control.tar.xz", control);
    m.put("data.tar.xz", data);
    return m;
  }

  static byte[] debsigs(Map<String, byte[]> m, TestPgp.Key k) throws Exception {
    ByteArrayOutputStream signed = new ByteArrayOutputStream();
    for (byte[] b : m.values()) {
      signed.write(b);
    }
    Map<String, byte[]> out = new LinkedHashMap<>(m);
    out.put("_gpgorigin", TestPgp.detached(k, signed.toByteArray(), NOW.minusSeconds(3600), HashAlgorithmTags.SHA256, false));
    return TestDebs.ar(out);
  }

  /** dpkg-sig's clearsigned manifest: {@code Files:} lines of md5, sha1, size and member name. */
  static byte[] dpkgSig(Map<String, byte[]> m, TestPgp.Key k) throws Exception {
    StringBuilder s = new StringBuilder("Version: 4\nSigner: \nDate: Sat Nov 28 02:53:00 2026\nRole: builder\nFiles: \n");
    for (Map.Entry<String, byte[]> e : m.entrySet()) {
      s.append("\t").append(hex("MD5", e.getValue())).append(' ').append(hex("SHA-1", e.getValue())).append(' ')
          .append(e.getValue().length).append(' ').append(e.getKey()).append('\n');
    }
    Map<String, byte[]> out = new LinkedHashMap<>(m);
    out.put("_gpgbuilder", TestPgp.clearsign(s.toString(), NOW.minusSeconds(3600), HashAlgorithmTags.SHA256, k)
        .getBytes(StandardCharsets.UTF_8));
    return TestDebs.ar(out);
  }

  DebPackage write(String name, byte[] bytes) throws Exception {
    return DebPackage.read(Files.write(tmp.resolve(name), bytes));
  }

  @Test
  void aDebReadsCleanAndCarriesNoEmbeddedSignature() throws Exception {
    byte[] bytes = TestDebs.ar(members("hello\n"));
    DebPackage d = write("libc6_2.36-9+deb12u14_amd64.deb", bytes);
    assertEquals("libc6", d.name());
    assertEquals("2.36-9+deb12u14", d.version());
    assertEquals("amd64", d.architecture());
    assertEquals(List.of("debian-binary", "control.tar.xz", "data.tar.xz"), d.members().stream().map(ArArchive.Member::name).toList());
    assertEquals(Digest.sha256(bytes), d.sha256());
    assertEquals(bytes.length, d.size());
    assertEquals(List.of(DebCode.DEB_MD5SUMS_OK), codes(d.findings()));
    assertEquals(List.of("/etc/ld.so.conf.d/x86_64-linux-gnu.conf"), d.conffiles());
    assertTrue(d.controlFile("postinst").isPresent());
    assertTrue(d.data().stream().anyMatch(e -> e.path().equals("/lib/x86_64-linux-gnu/libc.so.6")), d.data().toString());
    assertEquals(List.of(DebCode.DEB_SIGNATURE_NONE), codes(d.verifyEmbeddedSignatures(signer.asKeyring(), POLICY)));
  }

  @Test
  void debsigsOriginVerifiesAndTamperedDataFails() throws Exception {
    Map<String, byte[]> m = members("hello\n");
    DebPackage signed = write("signed.deb", debsigs(m, signer));
    List<Finding> fs = signed.verifyEmbeddedSignatures(signer.asKeyring(), POLICY);
    assertEquals(List.of(DebCode.PGP_SIGNATURE_GOOD, DebCode.PGP_VERIFIED, DebCode.DEB_EMBEDDED_SIGNATURE_VERIFIED), codes(fs), fs.toString());
    assertEquals(TestArchive.fingerprint(signer.signerPublic()), fs.get(0).evidence().get("signingKey"));

    // keep the signature, swap in another data.tar: the signature no longer covers the contents
    Map<String, byte[]> tamperedMembers = TestDebs.arMembers(debsigs(m, signer));
    tamperedMembers.put("data.tar.xz", members("pwned\n").get("data.tar.xz"));
    DebPackage tampered = write("tampered.deb", TestDebs.ar(tamperedMembers));
    List<Finding> tf = tampered.verifyEmbeddedSignatures(signer.asKeyring(), POLICY);
    assertEquals(List.of(DebCode.PGP_SIGNATURE_BAD, DebCode.PGP_NOT_VERIFIED, DebCode.DEB_EMBEDDED_SIGNATURE_FAILED), codes(tf), tf.toString());
    assertTrue(codes(tampered.findings()).contains(DebCode.DEB_MD5SUMS_MISMATCH),
        "the swapped data no longer matches md5sums: " + tampered.findings());

    // another package's data.tar swapped in (as `ar rD` would): the signature fails and md5sums names files it lacks
    Map<String, byte[]> foreign = TestDebs.arMembers(debsigs(m, signer));
    foreign.put("data.tar.xz", TestDebs.xz(TestDebs.tar(TestDebs.Entry.dir("./"),
        TestDebs.Entry.file("./etc/mime.types", "text/plain txt\n"))));
    DebPackage swapped = write("foreign-data.deb", TestDebs.ar(foreign));
    assertEquals(List.of(DebCode.PGP_SIGNATURE_BAD, DebCode.PGP_NOT_VERIFIED, DebCode.DEB_EMBEDDED_SIGNATURE_FAILED),
        codes(swapped.verifyEmbeddedSignatures(signer.asKeyring(), POLICY)));
    assertEquals(2, codes(swapped.findings()).stream().filter(DebCode.DEB_MD5SUMS_FILE_MISSING::equals).count(),
        "neither libc.so.6 nor README is in the foreign data: " + swapped.findings());

    // a keyring that does not know the signer: no good signature
    TestPgp.Key stranger = TestPgp.make(TestPgp.Spec.ed25519("Stranger <x@example.invalid>", NOW.minusSeconds(86_400)));
    assertEquals(List.of(DebCode.PGP_SIGNATURE_UNKNOWN_KEY, DebCode.PGP_NOT_VERIFIED, DebCode.DEB_EMBEDDED_SIGNATURE_FAILED),
        codes(signed.verifyEmbeddedSignatures(stranger.asKeyring(), POLICY)));
  }

  @Test
  void dpkgSigBuilderManifestVerifiesAndCatchesASwappedMember() throws Exception {
    Map<String, byte[]> m = members("hello\n");
    List<Finding> fs = write("dpkgsig.deb", dpkgSig(m, signer)).verifyEmbeddedSignatures(signer.asKeyring(), POLICY);
    assertEquals(List.of(DebCode.PGP_SIGNATURE_GOOD, DebCode.PGP_VERIFIED, DebCode.DEB_EMBEDDED_SIGNATURE_VERIFIED), codes(fs), fs.toString());
    assertEquals("dpkg-sig", fs.get(2).evidence().get("format"));
    assertEquals("builder", fs.get(2).evidence().get("role"));

    // keep the signed _gpgbuilder, swap data.tar.xz: the signature still verifies, the manifest does not
    Map<String, byte[]> swapped = TestDebs.arMembers(dpkgSig(m, signer));
    swapped.put("data.tar.xz", members("pwned\n").get("data.tar.xz"));
    List<Finding> sf = write("swapped.deb", TestDebs.ar(swapped)).verifyEmbeddedSignatures(signer.asKeyring(), POLICY);
    assertTrue(codes(sf).contains(DebCode.DEB_DPKGSIG_FILE_MISMATCH), sf.toString());
    assertEquals(DebCode.DEB_EMBEDDED_SIGNATURE_FAILED, sf.get(sf.size() - 1).code());
  }
}
