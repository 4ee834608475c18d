package dev.bitproof.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's accepted deb mutants: with embedded signatures required, a deb whose {@code _gpgorigin} was removed
 * (and content then changed) must fail, and a deb with a second {@code data.tar} after the first (dpkg reads the
 * first, {@code ar x} keeps the second) must be refused, as must any duplicated or trailing non-signature member.
 */
class DebTamperTest {
  static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  static final PgpVerifier.Policy POLICY = PgpVerifier.Policy.at(NOW);

  @TempDir
  Path tmp;

  /** An ar archive with members in this order, duplicates allowed. */
  static byte[] ar(List<Map.Entry<String, byte[]>> members) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(ArArchive.MAGIC);
    for (Map.Entry<String, byte[]> m : members) {
      String h = String.format("%-16s%-12d%-6d%-6d%-8s%-10d`\n", m.getKey(), 1700000000, 0, 0, "100644", m.getValue().length);
      out.write(h.getBytes(StandardCharsets.US_ASCII));
      out.write(m.getValue());
      if (m.getValue().length % 2 == 1) {
        out.write('\n');
      }
    }
    return out.toByteArray();
  }

  static List<Map.Entry<String, byte[]>> members(byte[] deb) throws Exception {
    Path p = Files.createTempFile("m", ".deb");
    try {
      Files.write(p, deb);
      List<Map.Entry<String, byte[]>> out = new ArrayList<>();
      try (var ch = java.nio.channels.FileChannel.open(p)) {
        for (ArArchive.Member m : ArArchive.index(ch, "x")) {
          out.add(new SimpleEntry<>(m.name(), ArArchive.open(ch, m).readAllBytes()));
        }
      }
      return out;
    } finally {
      Files.delete(p);
    }
  }

  static byte[] plainDeb(String content) throws Exception {
    byte[] data = TestDebs.xz(TestDebs.tar(TestDebs.Entry.file("./usr/share/doc/hostile/README", content)));
    String md5 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
        .digest(content.getBytes(StandardCharsets.UTF_8)));
    return TestDebs.deb(data, md5 + "  usr/share/doc/hostile/README\n");
  }

  /** debsigs' origin signature: a detached binary signature over debian-binary ‖ control.tar* ‖ data.tar*. */
  static byte[] debsigsSigned(byte[] deb, TestPgp.Key k) throws Exception {
    List<Map.Entry<String, byte[]>> ms = members(deb);
    ByteArrayOutputStream signed = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> m : ms) {
      signed.write(m.getValue());
    }
    byte[] sig = TestPgp.detached(k, signed.toByteArray(), NOW.minusSeconds(3600), HashAlgorithmTags.SHA256, false);
    ms.add(new SimpleEntry<>("_gpgorigin", sig));
    return ar(ms);
  }

  DebPackage write(String name, byte[] bytes) throws Exception {
    Path p = tmp.resolve(name);
    Files.write(p, bytes);
    return DebPackage.read(p);
  }

  static String last(List<Finding> fs) {
    return fs.get(fs.size() - 1).code().name();
  }

  @Test
  void aSignedDebVerifiesAndWithItsSignatureRemovedAndContentChangedItFails() throws Exception {
    TestPgp.Key k = TestPgp.make(TestPgp.Spec.ed25519("deb signer", NOW.minusSeconds(86400)));
    byte[] signed = debsigsSigned(plainDeb("hello\n"), k);
    assertEquals("DEB_EMBEDDED_SIGNATURE_VERIFIED", last(write("signed.deb", signed).verifyEmbeddedSignatures(k.asKeyring(), POLICY)));

    // the mutant: _gpgorigin dropped, then the data changed (the package is internally consistent again)
    List<Finding> fs = write("stripped.deb", plainDeb("pwned\n")).verifyEmbeddedSignatures(k.asKeyring(), POLICY);
    assertEquals("DEB_SIGNATURE_NONE", last(fs));
    assertEquals(Severity.FAIL, fs.get(fs.size() - 1).severity(), "signatures were required");
  }

  @Test
  void aSecondDataTarAfterTheFirstIsRefused() throws Exception {
    TestPgp.Key k = TestPgp.make(TestPgp.Spec.ed25519("deb signer", NOW.minusSeconds(86400)));
    byte[] signed = debsigsSigned(plainDeb("hello\n"), k);
    List<Map.Entry<String, byte[]>> ms = members(signed);
    byte[] evil = TestDebs.xz(TestDebs.tar(TestDebs.Entry.file("./usr/share/doc/hostile/README", "pwned\n")));
    for (String name : List.of("data.tar.xz", "data.tar", "control.tar.xz", "debian-binary", "extra")) {
      List<Map.Entry<String, byte[]>> m = new ArrayList<>(ms);
      m.add(3, new SimpleEntry<>(name, evil)); // after data.tar.xz, before _gpgorigin
      CheckException e = assertThrows(CheckException.class, () -> write("two-" + name + ".deb", ar(m)), name);
      assertEquals(DebCode.DEB_STRUCTURE_INVALID, e.code(), name + ": " + e);
      assertEquals(CheckException.Kind.INTEGRITY, e.kind());
    }
  }

  @Test
  void aDuplicatedSignatureMemberIsRefused() throws Exception {
    TestPgp.Key k = TestPgp.make(TestPgp.Spec.ed25519("deb signer", NOW.minusSeconds(86400)));
    List<Map.Entry<String, byte[]>> ms = members(debsigsSigned(plainDeb("hello\n"), k));
    ms.add(ms.get(ms.size() - 1));
    CheckException e = assertThrows(CheckException.class, () -> write("dup.deb", ar(ms)));
    assertEquals(DebCode.DEB_STRUCTURE_INVALID, e.code());
  }

  @Test
  void aSignedDebWithItsOriginSignatureRemovedFails() throws Exception {
    // the mutant without the content change: the rest of the deb is byte-for-byte what was signed
    TestPgp.Key k = TestPgp.make(TestPgp.Spec.ed25519("deb signer", NOW.minusSeconds(86400)));
    List<Map.Entry<String, byte[]>> ms = members(debsigsSigned(plainDeb("hello\n"), k));
    ms.removeIf(m -> m.getKey().startsWith("_gpg"));
    List<Finding> fs = write("stripped.deb", ar(ms)).verifyEmbeddedSignatures(k.asKeyring(), POLICY);
    assertEquals(List.of(DebCode.DEB_SIGNATURE_NONE), fs.stream().map(Finding::code).toList());
    assertTrue(fs.get(0).fails());
  }
}
