package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.*;

import dev.bitproof.report.CheckException;
import dev.bitproof.testing.ApkFixtures;
import dev.bitproof.testing.SharedData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java truststore byte for byte against keystore-go v4.5.0 as apko drives it. {@code testdata/cacerts} (see its
 * README) holds stores written by keystore-go itself: apko's own test case ("inline certificate with existing Java
 * truststore": store {@code existing} + {@code test-cert-<fp>}, epoch 1337, equal to what apko's test expects), three
 * certificates with a capitalised name, and a keytool-written JKS (private key + trusted certificate) with one added.
 */
class JavaTruststoreTest {
  static final String CERT_3 = """
      -----BEGIN CERTIFICATE-----
      MIIBwjCCAWegAwIBAgIUBKZDifzRAz30jwlcoQLIOxkBPLMwCgYIKoZIzj0EAwIw
      NTEeMBwGA1UEAwwVVGVzdCBDQSBDZXJ0aWZpY2F0ZSAzMRMwEQYDVQQKDApUZXN0
      IE9yZyAzMCAXDTI2MDIyNzIwMzk1OVoYDzIxMjYwMjAzMjAzOTU5WjA1MR4wHAYD
      VQQDDBVUZXN0IENBIENlcnRpZmljYXRlIDMxEzARBgNVBAoMClRlc3QgT3JnIDMw
      WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARx/10O/q2rOnQtpBXHjARAUryfNWjD
      UXeshzFk44hrv45loTsGQcyb5vAL6h3FSdBN91njUch4eF1NEYLKoR3Qo1MwUTAd
      BgNVHQ4EFgQUhLbWEa0IUIixKPBVvuKxhK6UMnMwHwYDVR0jBBgwFoAUhLbWEa0I
      UIixKPBVvuKxhK6UMnMwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBG
      AiEAqgTlOPOiNJLPJhMjRl9Zpaq6TTGfh+awe7N3fcEdHVICIQDfgVRRkuv1KTWk
      44YBh2/IaTSFwFo8cd39Fnv7CYi/2g==
      -----END CERTIFICATE-----
      """;
  static final String FP_3 = "347537af7a09d403f19f58f83c3568912af24b7c12e745f1d5557079708c91ad";
  static final String CACERTS = "etc/ssl/certs/java/cacerts";

  static byte[] golden(String name) throws Exception {
    return Files.readAllBytes(SharedData.testdata("cacerts/" + name));
  }

  static byte[] der(String pem) {
    String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(b64);
  }

  static byte[] add(byte[] store, long date, String... aliasPem) {
    JavaTruststore ks = JavaTruststore.load(store, CACERTS);
    for (int i = 0; i < aliasPem.length; i += 2) {
      ks.addTrusted(aliasPem[i], der(aliasPem[i + 1]), date);
    }
    return ks.store(CACERTS);
  }

  @Test
  void apkosOwnTestCaseByteForByte() throws Exception {
    byte[] out = add(golden("existing.jks"), 1337, "test-cert-" + CaCertificatesTest.FP_1, CaCertificatesTest.CERT_1);
    assertArrayEquals(golden("existing+test-cert.jks"), out);
  }

  @Test
  void severalCertificatesAliasesLowerCasedAndSorted() throws Exception {
    byte[] out = add(golden("existing.jks"), 1337, "test-cert-1-" + CaCertificatesTest.FP_1, CaCertificatesTest.CERT_1,
        "Test-Cert-2-" + CaCertificatesTest.FP_2, CaCertificatesTest.CERT_2, "pkg-" + FP_3, CERT_3);
    assertArrayEquals(golden("existing+three.jks"), out);
    assertEquals(List.of("existing", "pkg-" + FP_3, "test-cert-1-" + CaCertificatesTest.FP_1,
        "test-cert-2-" + CaCertificatesTest.FP_2), JavaTruststore.load(out, CACERTS).aliases());
  }

  @Test
  void aKeytoolStoreKeepsItsEntriesAndPrivateKey() throws Exception {
    byte[] out = add(golden("keytool.jks"), 1700000000L, "corp-root-" + CaCertificatesTest.FP_1,
        CaCertificatesTest.CERT_1);
    assertArrayEquals(golden("keytool+corp.jks"), out);
    // the JDK reads what we wrote: the private key still decrypts with the store password
    KeyStore jks = KeyStore.getInstance("JKS");
    jks.load(new ByteArrayInputStream(out), "changeit".toCharArray());
    assertEquals(List.of("corp-root-" + CaCertificatesTest.FP_1, "corp-root-upper", "mykey"),
        Collections.list(jks.aliases()).stream().sorted().toList());
    assertNotNull(jks.getKey("mykey", "changeit".toCharArray()));
    X509Certificate c = (X509Certificate) jks.getCertificate("corp-root-" + CaCertificatesTest.FP_1);
    assertArrayEquals(der(CaCertificatesTest.CERT_1), c.getEncoded());
    assertEquals(1700000000000L, jks.getCreationDate("corp-root-" + CaCertificatesTest.FP_1).getTime());
  }

  @Test
  void storesApkoCannotLoadAreRefused() throws Exception {
    byte[] good = golden("existing.jks");
    KeyStore p12 = KeyStore.getInstance("PKCS12");
    p12.load(null, null);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    p12.store(bos, "changeit".toCharArray());
    byte[] tampered = good.clone();
    tampered[40] ^= 1;
    byte[] wrongPassword = java.util.Arrays.copyOf(good, good.length);
    wrongPassword[good.length - 1] ^= 1;
    for (byte[] bad : List.of(bos.toByteArray(), tampered, wrongPassword, java.util.Arrays.copyOf(good, 30),
        new byte[0], "JKS-bytes".getBytes(StandardCharsets.US_ASCII))) {
      CheckException e = assertThrows(CheckException.class, () -> JavaTruststore.load(bad, CACERTS));
      assertEquals(RebuildCode.BUILD_TRUSTSTORE_INVALID, e.code(), e.getMessage());
    }
  }

  @Test
  void theBuildAddsCertificatesToAShippedTruststore(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp);
    ApkFixtures.Apk jdk = t.apk("java-cacerts", "java-cacerts").set("builddate", "1337");
    for (String d : List.of("etc", "etc/ssl", "etc/ssl/certs", "etc/ssl/certs/java")) {
      jdk.entry(ApkFixtures.Entry.dir(d));
    }
    jdk.entry(new ApkFixtures.Entry(CACERTS, golden("existing.jks"), 'f', "", Map.of()));
    t.packages(jdk);
    BuildResult r = Rebuild.run(BuildRequest.of(t.config(CaCertificatesTest.additional("test-cert",
        CaCertificatesTest.CERT_1), "java-cacerts"), tmp));
    byte[] tar = r.images().get(0).layers().get(0).tar();
    byte[] cacerts = GoldenRebuildTest.tarEntry(tar, CACERTS);
    assertArrayEquals(golden("existing+test-cert.jks"), cacerts, "the layer's cacerts is keystore-go's bytes");
    Map<String, TarArchiveEntry> e = ConfigFeaturesTest.entries(tar);
    assertEquals(0644, e.get(CACERTS).getMode() & 07777);
    assertEquals(1337, CaCertificatesTest.mtime(e.get(CACERTS)), "Chtimes(build date) after writing");
    assertEquals(CaCertificatesTest.sha256(cacerts) + "  cacerts\n",
        CaCertificatesTest.text(tar, "etc/ssl/certs/java/.cacerts.sha256"), "the sidecar hashes the rewritten store");
  }

  @Test
  void noCertificatesLeaveTheStoreAlone(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp);
    ApkFixtures.Apk jdk = t.apk("java-cacerts", "java-cacerts");
    for (String d : List.of("etc", "etc/ssl", "etc/ssl/certs", "etc/ssl/certs/java")) {
      jdk.entry(ApkFixtures.Entry.dir(d));
    }
    t.packages(jdk.file(CACERTS, "not even a keystore"));
    BuildResult r = Rebuild.run(BuildRequest.of(t.config("", "java-cacerts"), tmp));
    assertEquals("not even a keystore", CaCertificatesTest.text(r.images().get(0).layers().get(0).tar(), CACERTS));
  }
}
