package dev.bitproof.apk;

import static org.junit.jupiter.api.Assertions.*;

import dev.bitproof.report.Finding;
import dev.bitproof.testing.ApkFixtures;
import dev.bitproof.testing.ApkFixtures.Apk;
import dev.bitproof.testing.ApkFixtures.TestKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The verdicts {@link ApkRealDataTest} once drew from upstream packages (an untrusted Wolfi key, unsigned packages,
 * a same-named melange key, packages whose data does not match their datahash, apko's unsigned legacy index), on
 * packages built here in the same shapes: what is checked is the verifier's rule, not upstream's bytes. Each shape
 * is also signed by the trusted key once, so a verdict is about the key or the hash, never about the shape.
 */
class ApkVerdictTest {
  /** The key a repository directory holds, under the file name melange and apko use for their test key. */
  static final TestKey TRUSTED = ApkFixtures.key("verdict-melange.rsa.pub");
  /** Another key that signs under the trusted key's file name (apko's hello-wolfi vs apko's own melange.rsa.pub). */
  static final TestKey SAME_NAME = new TestKey(TRUSTED.name(), ApkFixtures.key("verdict-impostor.rsa.pub").pair());
  /** A key no keyring here holds (Wolfi's signing key is in none of the shared snapshots). */
  static final TestKey STRANGER = ApkFixtures.key("verdict-wolfi-signing.rsa.pub");

  @TempDir
  Path tmp;

  /**
   * A keyring directory laid out as apko's testdata/packages: the public key beside one subdirectory per arch,
   * each with an index and a package. Only the key file is a key.
   */
  ApkKeyring repositoryKeyring() throws Exception {
    Path repo = tmp.resolve("packages");
    TRUSTED.writePublic(repo);
    for (String arch : List.of("x86_64", "aarch64")) {
      byte[] apk = new Apk("replayout", "1.0.0-r0", arch).file("etc/os-release", "ID=replayout\n").signedBy(TRUSTED).build();
      Files.createDirectories(repo.resolve(arch));
      Files.write(repo.resolve(arch).resolve("replayout-1.0.0-r0.apk"), apk);
      Files.write(repo.resolve(arch).resolve("APKINDEX.tar.gz"),
          ApkFixtures.index(ApkFixtures.stanza(apk, ApkPackage.read(apk, arch)), TRUSTED, "RSA256"));
    }
    ApkKeyring keys = ApkKeyring.load(repo);
    assertEquals(1, keys.size(), "the subdirectories and their files are not keys");
    return keys;
  }

  /** A package in one of the shapes the shared packages have (which producer, which signature, how many data members). */
  static Apk shape(String shape) {
    Apk a = new Apk("libcap", "2.69-r0", "x86_64").set("origin", "libcap").file("usr/lib/libcap.so.2", "ELF?".repeat(500))
        .file("usr/share/doc/libcap/README", "capabilities\n".repeat(200));
    return switch (shape) {
      case "melange-rsa256" -> a.signedBy(TRUSTED, "RSA256");
      case "abuild-rsa-sha1" -> a.signedBy(TRUSTED, "RSA");
      case "rsa512" -> a.signedBy(TRUSTED, "RSA512");
      case "multi-member-data" -> a.dataMembers(1024).signedBy(TRUSTED, "RSA256");
      default -> throw new IllegalArgumentException(shape);
    };
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"melange-rsa256, RSA256", "abuild-rsa-sha1, RSA", "rsa512, RSA512", "multi-member-data, RSA256"})
  void signatureVerdictsOnEachShape(String shape, String algorithm) throws Exception {
    ApkKeyring keys = repositoryKeyring();

    List<Finding> trusted = ApkVerifier.verify(ApkPackage.read(shape(shape).build(), shape), keys, shape);
    assertEquals(ApkCode.APK_SIGNATURE_OK, trusted.get(0).code(), trusted.toString());
    assertTrue(trusted.stream().noneMatch(Finding::fails), trusted.toString());

    // signed by a key nobody here trusts: untrusted, named, and the data still checked
    List<Finding> untrusted = ApkVerifier.verify(ApkPackage.read(shape(shape).signedBy(STRANGER, algorithm).build(), shape), keys, shape);
    assertEquals(ApkCode.APK_SIGNATURE_UNTRUSTED_KEY, untrusted.get(0).code(), untrusted.toString());
    assertEquals(STRANGER.name(), untrusted.get(0).evidence().get("key"));
    assertEquals(algorithm, untrusted.get(0).evidence().get("algorithm"));
    assertEquals(ApkCode.APK_DATAHASH_OK, ApkRealDataTest.code(untrusted, ApkCode.DATAHASH).code(), untrusted.toString());

    // no signature stream at all
    ApkFixtures.Streams s = shape(shape).streams();
    ApkPackage unsigned = ApkPackage.read(ApkFixtures.concat(s.control(), s.data()), shape);
    assertFalse(unsigned.signed());
    List<Finding> fs = ApkVerifier.verify(unsigned, keys, shape);
    assertEquals(ApkCode.APK_UNSIGNED, fs.get(0).code(), fs.toString());
    assertEquals(ApkCode.APK_DATAHASH_OK, ApkRealDataTest.code(fs, ApkCode.DATAHASH).code(), fs.toString());
  }

  @Test
  void sameNamedButDifferentKeyIsAnInvalidSignature() throws Exception {
    ApkKeyring keys = repositoryKeyring();
    Apk hello = new Apk("hello-wolfi", "2.12.1-r0", "x86_64").file("usr/bin/hello", "hello\n");
    List<Finding> fs = ApkVerifier.verify(ApkPackage.read(hello.signedBy(SAME_NAME).build(), "hello-wolfi"), keys, "hello-wolfi");
    assertEquals(ApkCode.APK_SIGNATURE_INVALID, fs.get(0).code(), fs.toString());
    assertEquals(TRUSTED.name(), fs.get(0).evidence().get("key"));
    // the same package signed by the key the keyring holds under that name
    assertEquals(ApkCode.APK_SIGNATURE_OK,
        ApkVerifier.verify(ApkPackage.read(hello.signedBy(TRUSTED).build(), "hello-wolfi"), keys, "hello-wolfi").get(0).code());
  }

  /** The control stream (and its signature) of one build, the data of another: the datahash no longer binds them. */
  @ParameterizedTest(name = "data in chunks of {0} bytes (0: one member)")
  @ValueSource(ints = {0, 700})
  void datahashMismatchesAreFound(int chunk) throws Exception {
    ApkFixtures.Streams signed = new Apk("aws-c-s3", "0.4.9-r0", "x86_64").file("usr/lib/libaws-c-s3.so.0unstable", "lib".repeat(900))
        .dataMembers(chunk).signedBy(TRUSTED).streams();
    ApkFixtures.Streams other = new Apk("aws-c-s3", "0.4.9-r0", "x86_64").file("usr/lib/libaws-c-s3.so.0unstable", "lix".repeat(900))
        .dataMembers(chunk).signedBy(TRUSTED).streams();
    ApkPackage p = ApkPackage.read(ApkFixtures.concat(signed.signature(), signed.control(), other.data()), "swapped");
    assertEquals(Optional.of(false), p.datahashMatches());
    assertEquals(HexFormat.of().formatHex(ApkFixtures.sha("SHA-256", other.data())), p.dataSha256Hex());

    List<Finding> fs = ApkVerifier.verify(p, ApkKeyring.empty(), "swapped");
    Finding f = ApkRealDataTest.code(fs, ApkCode.DATAHASH);
    assertEquals(ApkCode.APK_DATAHASH_MISMATCH, f.code());
    assertEquals(p.dataSha256Hex(), f.evidence().get("actual"));
    assertEquals(HexFormat.of().formatHex(ApkFixtures.sha("SHA-256", signed.data())), f.evidence().get("expected"));
    assertEquals(String.valueOf(signed.signature().length + signed.control().length), f.evidence().get("dataOffset"));
    assertEquals(ApkCode.APK_DATAHASH_OK, ApkRealDataTest.code(ApkVerifier.verify(
        ApkPackage.read(signed.concat(), "as built"), ApkKeyring.empty(), "as built"), ApkCode.DATAHASH).code());
  }

  /** An index of one gzip stream (apko's legacy testdata shape): nothing is signed, and the verdict says so. */
  @Test
  void legacySingleStreamIndexSignsNothing() throws Exception {
    StringBuilder text = new StringBuilder();
    for (String name : List.of("hello", "world")) {
      byte[] apk = new Apk(name, "0.1.0-r0", "x86_64").file("usr/bin/" + name, name).build();
      text.append(ApkFixtures.stanza(apk, ApkPackage.read(apk, name)));
    }
    byte[] bytes = ApkFixtures.index(text.toString(), null, null);
    ApkIndex index = ApkIndex.read(bytes, "legacy");
    assertEquals(2, index.packages().size());
    assertFalse(index.signed());
    assertTrue(index.signature().isEmpty());
    ApkKeyring keys = repositoryKeyring();
    Finding f = ApkVerifier.verify(index, keys, "legacy");
    assertTrue(f.fails(), f.toString());
    assertEquals(ApkCode.APKINDEX_UNSIGNED, f.code());
    assertEquals(List.of(), index.packages().stream().filter(e -> e.checksum().isEmpty()).map(IndexEntry::name).toList());
    // the same text signed: the verdict is about the signature stream alone
    assertEquals(ApkCode.APKINDEX_SIGNATURE_OK,
        ApkVerifier.verify(ApkIndex.read(ApkFixtures.index(text.toString(), TRUSTED, "RSA256"), "signed"), keys, "signed").code());
  }
}
