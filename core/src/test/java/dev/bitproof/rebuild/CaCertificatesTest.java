package dev.bitproof.rebuild;

import dev.bitproof.gocompat.GoCompatCode;
import dev.bitproof.gocompat.GoPem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.CheckException;
import dev.bitproof.testing.ApkFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * apko's {@code installCertificates} / {@code writeCABundleChecksums}: the exact tree a build writes for
 * {@code certificates.additional}, {@code certificates.providers} and the bundle sidecars.
 */
class CaCertificatesTest {
  /** Let's Encrypt staging root X1, apko's {@code testCertPEM}; its DER SHA-256 is apko's testCertPEMFingerprint. */
  static final String CERT_1 = """
      -----BEGIN CERTIFICATE-----
      MIIFmDCCA4CgAwIBAgIQU9C87nMpOIFKYpfvOHFHFDANBgkqhkiG9w0BAQsFADBm
      MQswCQYDVQQGEwJVUzEzMDEGA1UEChMqKFNUQUdJTkcpIEludGVybmV0IFNlY3Vy
      aXR5IFJlc2VhcmNoIEdyb3VwMSIwIAYDVQQDExkoU1RBR0lORykgUHJldGVuZCBQ
      ZWFyIFgxMB4XDTE1MDYwNDExMDQzOFoXDTM1MDYwNDExMDQzOFowZjELMAkGA1UE
      BhMCVVMxMzAxBgNVBAoTKihTVEFHSU5HKSBJbnRlcm5ldCBTZWN1cml0eSBSZXNl
      YXJjaCBHcm91cDEiMCAGA1UEAxMZKFNUQUdJTkcpIFByZXRlbmQgUGVhciBYMTCC
      AiIwDQYJKoZIhvcNAQEBBQADggIPADCCAgoCggIBALbagEdDTa1QgGBWSYkyMhsc
      ZXENOBaVRTMX1hceJENgsL0Ma49D3MilI4KS38mtkmdF6cPWnL++fgehT0FbRHZg
      jOEr8UAN4jH6omjrbTD++VZneTsMVaGamQmDdFl5g1gYaigkkmx8OiCO68a4QXg4
      wSyn6iDipKP8utsE+x1E28SA75HOYqpdrk4HGxuULvlr03wZGTIf/oRt2/c+dYmD
      oaJhge+GOrLAEQByO7+8+vzOwpNAPEx6LW+crEEZ7eBXih6VP19sTGy3yfqK5tPt
      TdXXCOQMKAp+gCj/VByhmIr+0iNDC540gtvV303WpcbwnkkLYC0Ft2cYUyHtkstO
      fRcRO+K2cZozoSwVPyB8/J9RpcRK3jgnX9lujfwA/pAbP0J2UPQFxmWFRQnFjaq6
      rkqbNEBgLy+kFL1NEsRbvFbKrRi5bYy2lNms2NJPZvdNQbT/2dBZKmJqxHkxCuOQ
      FjhJQNeO+Njm1Z1iATS/3rts2yZlqXKsxQUzN6vNbD8KnXRMEeOXUYvbV4lqfCf8
      mS14WEbSiMy87GB5S9ucSV1XUrlTG5UGcMSZOBcEUpisRPEmQWUOTWIoDQ5FOia/
      GI+Ki523r2ruEmbmG37EBSBXdxIdndqrjy+QVAmCebyDx9eVEGOIpn26bW5LKeru
      mJxa/CFBaKi4bRvmdJRLAgMBAAGjQjBAMA4GA1UdDwEB/wQEAwIBBjAPBgNVHRMB
      Af8EBTADAQH/MB0GA1UdDgQWBBS182Xy/rAKkh/7PH3zRKCsYyXDFDANBgkqhkiG
      9w0BAQsFAAOCAgEAncDZNytDbrrVe68UT6py1lfF2h6Tm2p8ro42i87WWyP2LK8Y
      nLHC0hvNfWeWmjZQYBQfGC5c7aQRezak+tHLdmrNKHkn5kn+9E9LCjCaEsyIIn2j
      qdHlAkepu/C3KnNtVx5tW07e5bvIjJScwkCDbP3akWQixPpRFAsnP+ULx7k0aO1x
      qAeaAhQ2rgo1F58hcflgqKTXnpPM02intVfiVVkX5GXpJjK5EoQtLceyGOrkxlM/
      sTPq4UrnypmsqSagWV3HcUlYtDinc+nukFk6eR4XkzXBbwKajl0YjztfrCIHOn5Q
      CJL6TERVDbM/aAPly8kJ1sWGLuvvWYzMYgLzDul//rUF10gEMWaXVZV51KpS9DY/
      5CunuvCXmEQJHo7kGcViT7sETn6Jz9KOhvYcXkJ7po6d93A/jy4GKPIPnsKKNEmR
      xUuXY4xRdh45tMJnLTUDdC9FIU0flTeO9/vNpVA8OPU1i14vCz+MU8KX1bV3GXm/
      fxlB7VBBjX9v5oUep0o/j68R/iDlCOM4VVfRa8gX6T2FU7fNdatvGro7uQzIvWof
      gN9WUwCbEMBy/YhBSrXycKA8crgGg3x1mIsopn88JKwmMBa68oS7EHM9w7C4y71M
      7DiA+/9Qdp9RBWJpTS9i/mDnJg1xvo8Xz49mrrgfmcAXTCJqXi24NatI3Oc=
      -----END CERTIFICATE-----
      """;
  static final String FP_1 = "e70570a989f8565aabdf7cae27abd1621872d6a3f811e3fef27e3dba02912198";

  /** Let's Encrypt staging root X2, apko's {@code testCertPEM2}. */
  static final String CERT_2 = """
      -----BEGIN CERTIFICATE-----
      MIICTjCCAdSgAwIBAgIRAIPgc3k5LlLVLtUUvs4K/QcwCgYIKoZIzj0EAwMwaDEL
      MAkGA1UEBhMCVVMxMzAxBgNVBAoTKihTVEFHSU5HKSBJbnRlcm5ldCBTZWN1cml0
      eSBSZXNlYXJjaCBHcm91cDEkMCIGA1UEAxMbKFNUQUdJTkcpIEJvZ3VzIEJyb2Nj
      b2xpIFgyMB4XDTIwMDkwNDAwMDAwMFoXDTQwMDkxNzE2MDAwMFowaDELMAkGA1UE
      BhMCVVMxMzAxBgNVBAoTKihTVEFHSU5HKSBJbnRlcm5ldCBTZWN1cml0eSBSZXNl
      YXJjaCBHcm91cDEkMCIGA1UEAxMbKFNUQUdJTkcpIEJvZ3VzIEJyb2Njb2xpIFgy
      MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEOvS+w1kCzAxYOJbA06Aw0HFP2tLBLKPo
      FQqR9AMskl1nC2975eQqycR+ACvYelA8rfwFXObMHYXJ23XLB+dAjPJVOJ2OcsjT
      VqO4dcDWu+rQ2VILdnJRYypnV1MMThVxo0IwQDAOBgNVHQ8BAf8EBAMCAQYwDwYD
      VR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQU3tGjWWQOwZo2o0busBB2766XlWYwCgYI
      KoZIzj0EAwMDaAAwZQIwRcp4ZKBsq9XkUuN8wfX+GEbY1N5nmCRc8e80kUkuAefo
      uc2j3cICeXo1cOybQ1iWAjEA3Ooawl8eQyR4wrjCofUE8h44p0j7Yl/kBlJZT8+9
      vbtH7QiVzeKCOTQPINyRql6P
      -----END CERTIFICATE-----
      """;
  static final String FP_2 = "9b2a339fe6a3e85585c4cd75536cb8c1cf7cd603b9a64bec2521858ae48da85d";

  static final String BUNDLE = "etc/ssl/certs/ca-certificates.crt";
  static final String ECS = "var/lib/ecs/deps/execute-command/certs/tls-ca-bundle.pem";
  static final long BUILD_DATE = 1700000000L;

  /** A bundle package like ca-certificates-bundle (plus the AWS ECS bundle apko also appends to). */
  static ApkFixtures.Apk bundlePackage(TestRepo t) {
    ApkFixtures.Apk a = t.apk("ca-certificates-bundle", "ca-certificates").set("builddate", Long.toString(BUILD_DATE));
    for (String d : List.of("etc", "etc/ssl", "etc/ssl/certs", "var", "var/lib", "var/lib/ecs", "var/lib/ecs/deps",
        "var/lib/ecs/deps/execute-command", "var/lib/ecs/deps/execute-command/certs")) {
      a.entry(ApkFixtures.Entry.dir(d));
    }
    return a.file(BUNDLE, "# system bundle\n").file(ECS, "# ecs bundle\n");
  }

  static String additional(String... nameContent) {
    StringBuilder y = new StringBuilder("certificates:\n  additional:\n");
    for (int i = 0; i < nameContent.length; i += 2) {
      y.append("    - name: ").append(nameContent[i]).append("\n      content: |\n");
      for (String line : nameContent[i + 1].split("\n", -1)) {
        if (!line.isEmpty()) {
          y.append("        ").append(line).append('\n');
        }
      }
    }
    return y.toString();
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  static String text(byte[] tar, String path) throws Exception {
    return new String(GoldenRebuildTest.tarEntry(tar, path), StandardCharsets.UTF_8);
  }

  static long mtime(TarArchiveEntry e) {
    return e.getLastModifiedTime().toInstant().getEpochSecond();
  }

  @Test
  void additionalCertificatesAreWrittenAppendedAndSidecarred(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp);
    t.packages(bundlePackage(t));
    // the second entry carries text before the block: apko re-encodes, which drops it
    Path cfg = t.config(additional("corp-root", CERT_1, "corp-ecc", "explanatory text\n" + CERT_2),
        "ca-certificates-bundle");
    BuildResult r = Rebuild.run(BuildRequest.of(cfg, tmp));
    byte[] tar = r.images().get(0).layers().get(0).tar();
    Map<String, TarArchiveEntry> e = ConfigFeaturesTest.entries(tar);
    assertEquals(BUILD_DATE, r.images().get(0).buildDate());

    String f1 = "usr/local/share/ca-certificates/corp-root-" + FP_1 + ".crt";
    String f2 = "usr/local/share/ca-certificates/corp-ecc-" + FP_2 + ".crt";
    assertEquals(CERT_1, text(tar, f1));
    assertEquals(CERT_2, text(tar, f2), "text outside the PEM block is dropped");
    for (String f : List.of(f1, f2)) {
      assertEquals(0644, e.get(f).getMode(), f);
      assertEquals(BUILD_DATE, mtime(e.get(f)), f + ": mtime = build date");
      assertEquals(0, e.get(f).getLongUserId(), f);
      assertEquals(0, e.get(f).getLongGroupId(), f);
    }
    for (String d : List.of("usr/local", "usr/local/share", "usr/local/share/ca-certificates")) {
      assertTrue(e.get(d).isDirectory(), d);
      assertEquals(0755, e.get(d).getMode() & 07777, d);
      assertEquals(0, mtime(e.get(d)), d + ": made by apko's MkdirAll, Go zero time");
    }

    String bundle = "# system bundle\n" + CERT_1 + "\n" + CERT_2 + "\n";
    String ecs = "# ecs bundle\n" + CERT_1 + "\n" + CERT_2 + "\n";
    assertEquals(bundle, text(tar, BUNDLE));
    assertEquals(ecs, text(tar, ECS));
    for (String b : List.of(BUNDLE, ECS)) {
      assertEquals(0644, e.get(b).getMode() & 07777, b);
      assertEquals(BUILD_DATE, mtime(e.get(b)), b + ": Chtimes(build date) after appending");
    }

    assertEquals(sha256(bundle.getBytes(StandardCharsets.UTF_8)) + "  ca-certificates.crt\n",
        text(tar, "etc/ssl/certs/.ca-certificates.crt.sha256"), "sidecar covers the final bundle");
    assertEquals(sha256(ecs.getBytes(StandardCharsets.UTF_8)) + "  tls-ca-bundle.pem\n",
        text(tar, "var/lib/ecs/deps/execute-command/certs/.tls-ca-bundle.pem.sha256"));
    for (String s : List.of("etc/ssl/certs/.ca-certificates.crt.sha256",
        "var/lib/ecs/deps/execute-command/certs/.tls-ca-bundle.pem.sha256")) {
      assertEquals(0444, e.get(s).getMode(), s);
      assertEquals(BUILD_DATE, mtime(e.get(s)), s);
      assertEquals(0, e.get(s).getLongUserId(), s);
    }
    assertFalse(e.containsKey("etc/ca-certificates.conf"), "no providers, no conf");
    assertTrue(text(tar, "etc/apko.json").contains("\"certificates\":{\"additional\":[{\"name\":\"corp-root\""),
        text(tar, "etc/apko.json"));
  }

  @Test
  void certificatesWithoutABundleOnlyWriteTheFiles(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp);
    t.packages(t.apk("base", "base").entry(ApkFixtures.Entry.dir("etc")));
    BuildResult r = Rebuild.run(t.request(t.config(additional("one", CERT_1), "base")));
    Map<String, TarArchiveEntry> e = ConfigFeaturesTest.entries(r.images().get(0).layers().get(0).tar());
    assertTrue(e.containsKey("usr/local/share/ca-certificates/one-" + FP_1 + ".crt"));
    assertFalse(e.containsKey(BUNDLE), "apko appends only to bundles that exist");
    assertFalse(e.containsKey("etc/ssl/certs/.ca-certificates.crt.sha256"));
  }

  @Test
  void crlfAndHeadersAreReEncodedAsGoDoes(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp);
    t.packages(bundlePackage(t));
    String crlf = CERT_2.replace("\n", "\r\n");
    Path cfg = t.config("certificates:\n  additional:\n    - name: crlf\n      content: \""
        + crlf.replace("\r", "\\r").replace("\n", "\\n") + "\"\n", "ca-certificates-bundle");
    byte[] tar = Rebuild.run(BuildRequest.of(cfg, tmp)).images().get(0).layers().get(0).tar();
    assertEquals(CERT_2, text(tar, "usr/local/share/ca-certificates/crlf-" + FP_2 + ".crt"));
    assertEquals("# system bundle\n" + CERT_2 + "\n", text(tar, BUNDLE));
  }

  @Test
  void goPemEncodesHeadersProcTypeFirstThenSorted() {
    String in = "-----BEGIN CERTIFICATE-----\nZ-Key: z\nProc-Type: 4,ENCRYPTED\nA-Key:  a \n\nAAEC\n-----END CERTIFICATE-----\n";
    GoPem.Decoded d = GoPem.decode(in.getBytes(StandardCharsets.UTF_8));
    assertArrayEquals(new byte[] {0, 1, 2}, d.block().bytes());
    assertEquals("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\nA-Key: a\nZ-Key: z\n\nAAEC\n-----END CERTIFICATE-----\n",
        new String(GoPem.encode(d.block()), StandardCharsets.UTF_8));
    assertNull(GoPem.decode("-----BEGIN CERTIFICATE-----\nAAE\n-----END CERTIFICATE-----\n"
        .getBytes(StandardCharsets.UTF_8)), "Go's StdEncoding needs padding");
    assertNull(GoPem.decode("-----BEGIN CERTIFICATE-----\nAAEC\n-----END OTHER-----\n"
        .getBytes(StandardCharsets.UTF_8)), "END type must match");
  }

  @Test
  void sidecarsForEveryBundleAndTheJavaTruststoreWithoutCertificates(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp);
    t.packages(bundlePackage(t).entry(ApkFixtures.Entry.dir("etc/ssl/certs/java"))
        .file("etc/ssl/certs/java/cacerts", "JKS-bytes"));
    byte[] tar = Rebuild.run(BuildRequest.of(t.config("", "ca-certificates-bundle"), tmp)).images().get(0)
        .layers().get(0).tar();
    Map<String, TarArchiveEntry> e = ConfigFeaturesTest.entries(tar);
    assertEquals(sha256("JKS-bytes".getBytes(StandardCharsets.UTF_8)) + "  cacerts\n",
        text(tar, "etc/ssl/certs/java/.cacerts.sha256"));
    assertEquals(0444, e.get("etc/ssl/certs/java/.cacerts.sha256").getMode());
    assertEquals(sha256("# ecs bundle\n".getBytes(StandardCharsets.UTF_8)) + "  tls-ca-bundle.pem\n",
        text(tar, "var/lib/ecs/deps/execute-command/certs/.tls-ca-bundle.pem.sha256"));
    assertEquals(0, mtime(e.get(BUNDLE)), "bundle untouched without certificates: the package's mtime");
  }

  @Test
  void providersAppendPackageCertificatesSortedByPathAfterTheAdditionalOnes(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp);
    ApkFixtures.Apk corp = t.apk("corp-certs", "corp-certs").provides("custom-ca-certificates");
    for (String d : List.of("usr", "usr/share", "usr/share/ca-certificates", "usr/share/ca-certificates/corp",
        "usr/local", "usr/local/share", "usr/local/share/ca-certificates")) {
      corp.entry(ApkFixtures.Entry.dir(d));
    }
    corp.entry(ApkFixtures.Entry.dir("usr/local/share/ca-certificates/sub"))
        .file("usr/share/ca-certificates/corp/root.crt", CERT_2)                    // outside usr/local: ignored
        .file("usr/local/share/ca-certificates/sub/b.pem", CERT_2)                  // nested: collected
        .file("usr/local/share/ca-certificates/readme.pem", "not a certificate\n")  // skipped, as apko does
        .file("usr/local/share/ca-certificates/notes.txt", CERT_1)                  // not .crt/.pem
        .file("usr/local/share/ca-certificates/a-first.crt", CERT_1);
    ApkFixtures.Apk other = t.apk("other-certs", "other-certs");                  // provides nothing listed
    other.entry(ApkFixtures.Entry.dir("opt")).file("opt/other.crt", CERT_1);
    t.packages(bundlePackage(t), corp, other);
    Path cfg = t.config(additional("inline", CERT_2) + "  providers:\n    - custom-ca-certificates\n",
        "ca-certificates-bundle", "corp-certs", "other-certs");
    byte[] tar = Rebuild.run(BuildRequest.of(cfg, tmp)).images().get(0).layers().get(0).tar();
    Map<String, TarArchiveEntry> e = ConfigFeaturesTest.entries(tar);
    // additional first (config order), then the package's usr/local/share/ca-certificates/ files sorted by path
    String bundle = "# system bundle\n" + CERT_2 + "\n" + CERT_1 + "\n" + CERT_2 + "\n";
    assertEquals(bundle, text(tar, BUNDLE));
    assertEquals(sha256(bundle.getBytes(StandardCharsets.UTF_8)) + "  ca-certificates.crt\n",
        text(tar, "etc/ssl/certs/.ca-certificates.crt.sha256"));
    // released apko never writes etc/ca-certificates.conf (only an unmerged PR commit did)
    assertFalse(e.containsKey("etc/ca-certificates.conf"));
    assertEquals(CERT_1, text(tar, "usr/local/share/ca-certificates/a-first.crt"), "package files are not rewritten");
  }

  /**
   * Two packages that provide custom-ca-certificates, shaped like apko's custom-ca-certs-1/-2 test packages (each
   * file one 64-column PEM block, as melange writes them, so Go's re-encoding is the file itself): certs-1 ships
   * cert-a and cert-d (CERT_1), certs-2 cert-b and cert-c (CERT_2), so path order is not package order.
   */
  static List<ApkFixtures.Apk> certProviders(TestRepo t, String arch) {
    List<ApkFixtures.Apk> out = new java.util.ArrayList<>();
    for (String[] p : List.of(new String[] {"custom-ca-certs-1", "cert-a", "cert-d"},
        new String[] {"custom-ca-certs-2", "cert-b", "cert-c"})) {
      ApkFixtures.Apk a = t.apk(p[0], p[0], arch).provides("custom-ca-certificates");
      for (String d : List.of("usr", "usr/local", "usr/local/share", "usr/local/share/ca-certificates")) {
        a.entry(ApkFixtures.Entry.dir(d));
      }
      String cert = p[0].endsWith("1") ? CERT_1 : CERT_2;
      out.add(a.file("usr/local/share/ca-certificates/" + p[1] + ".crt", cert)
          .file("usr/local/share/ca-certificates/" + p[2] + ".crt", cert));
    }
    return out;
  }

  @Test
  void providersFromTwoPackagesAppendTheirCertificatesSortedByPath(@TempDir Path tmp) throws Exception {
    // apko-certs.yaml's providers with a bundle package beside them, so the append is visible
    TestRepo t = new TestRepo(tmp);
    List<ApkFixtures.Apk> pkgs = new java.util.ArrayList<>(certProviders(t, "x86_64"));
    pkgs.add(bundlePackage(t));
    t.packages(pkgs.toArray(ApkFixtures.Apk[]::new));
    Path cfg = t.config("certificates:\n  providers:\n    - custom-ca-certificates\n", "custom-ca-certs-1",
        "custom-ca-certs-2", "ca-certificates-bundle");
    BuildResult r = Rebuild.run(BuildRequest.of(cfg, tmp));
    byte[] tar = r.images().get(0).layers().get(0).tar();
    StringBuilder expected = new StringBuilder("# system bundle\n");
    for (String c : List.of("cert-a", "cert-b", "cert-c", "cert-d")) {
      expected.append(text(tar, "usr/local/share/ca-certificates/" + c + ".crt")).append('\n');
    }
    assertEquals(expected.toString(), text(tar, BUNDLE));
    assertEquals("# system bundle\n" + CERT_1 + "\n" + CERT_2 + "\n" + CERT_2 + "\n" + CERT_1 + "\n", text(tar, BUNDLE),
        "a, b, c, d: sorted by path across both packages");
    assertEquals(sha256(expected.toString().getBytes(StandardCharsets.UTF_8)) + "  ca-certificates.crt\n",
        text(tar, "etc/ssl/certs/.ca-certificates.crt.sha256"));
    assertFalse(ConfigFeaturesTest.entries(tar).containsKey("etc/ca-certificates.conf"),
        "usr/local certificates are not registered in ca-certificates.conf");
  }

  @Test
  void hostileCertificatesHaveCodes(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp);
    t.packages(bundlePackage(t));
    Map<String, String> invalid = Map.of(
        "not PEM", additional("x", "not a certificate"),
        "two certificates", additional("x", CERT_1 + CERT_2),
        "wrong block type", additional("x", CERT_2.replace("CERTIFICATE", "PUBLIC KEY")),
        "garbage DER", additional("x", "-----BEGIN CERTIFICATE-----\nAAECAwQF\n-----END CERTIFICATE-----\n"));
    for (Map.Entry<String, String> c : invalid.entrySet()) {
      CheckException ex = assertThrows(CheckException.class,
          () -> Rebuild.run(BuildRequest.of(t.config(c.getValue(), "ca-certificates-bundle"), tmp)), c.getKey());
      assertEquals(RebuildCode.BUILD_CERTIFICATE_INVALID, ex.code(), c.getKey() + ": " + ex.getMessage());
    }
    CheckException esc = assertThrows(CheckException.class, () -> Rebuild.run(BuildRequest.of(
        t.config(additional("../../etc/passwd", CERT_1), "ca-certificates-bundle"), tmp)));
    assertEquals(RebuildCode.BUILD_PATH_ESCAPES_ROOT, esc.code(), esc.getMessage());
    CheckException nested = assertThrows(CheckException.class, () -> Rebuild.run(BuildRequest.of(
        t.config(additional("sub/x", CERT_1), "ca-certificates-bundle"), tmp)));
    assertEquals(RebuildCode.BUILD_PATH_ESCAPES_ROOT, nested.code(), nested.getMessage());
    CheckException unnamed = assertThrows(CheckException.class, () -> Rebuild.run(BuildRequest.of(
        t.config(additional("''", CERT_1), "ca-certificates-bundle"), tmp)));
    assertEquals(GoCompatCode.APKO_CONFIG_INVALID, unnamed.code(), unnamed.getMessage());
    String big = "-----BEGIN CERTIFICATE-----\n" + "QUFB\n".repeat(20_000) + "-----END CERTIFICATE-----\n";
    CheckException large = assertThrows(CheckException.class, () -> Rebuild.run(BuildRequest.of(
        t.config(additional("big", big), "ca-certificates-bundle"), tmp)));
    assertEquals(RebuildCode.BUILD_CERTIFICATE_TOO_LARGE, large.code(), large.getMessage());
  }

  @Test
  void appendingThroughASymlinkedBundleIsRefused(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp);
    ApkFixtures.Apk a = t.apk("linked", "linked");
    for (String d : List.of("etc", "etc/ssl", "etc/ssl/certs", "etc/pki")) {
      a.entry(ApkFixtures.Entry.dir(d));
    }
    t.packages(a.file("etc/pki/bundle.pem", "# bundle\n")
        .entry(new ApkFixtures.Entry(BUNDLE, new byte[0], 'l', "/etc/pki/bundle.pem", Map.of("APK-TOOLS.checksum.SHA1",
            HexFormat.of().formatHex(ApkFixtures.sha("SHA-1", "/etc/pki/bundle.pem".getBytes(StandardCharsets.UTF_8)))))));
    CheckException ex = assertThrows(CheckException.class, () -> Rebuild.run(BuildRequest.of(
        t.config(additional("x", CERT_1), "linked"), tmp)));
    assertEquals(RebuildCode.BUILD_UNSUPPORTED, ex.code(), ex.getMessage());
  }

  @Test
  void aJavaTruststoreApkoCannotLoadFailsTheBuild(@TempDir Path tmp) throws Exception {
    TestRepo t = new TestRepo(tmp);
    t.packages(bundlePackage(t).entry(ApkFixtures.Entry.dir("etc/ssl/certs/java"))
        .file("etc/ssl/certs/java/cacerts", "JKS-bytes"));
    CheckException ex = assertThrows(CheckException.class, () -> Rebuild.run(BuildRequest.of(
        t.config(additional("x", CERT_1), "ca-certificates-bundle"), tmp)));
    assertEquals(RebuildCode.BUILD_TRUSTSTORE_INVALID, ex.code(), ex.getMessage());
    assertTrue(ex.getMessage().contains("Java truststore"), ex.getMessage());
  }
}
