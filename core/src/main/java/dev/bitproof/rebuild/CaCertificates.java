package dev.bitproof.rebuild;

import dev.bitproof.apk.db.ApkInstalledDb;
import dev.bitproof.gocompat.GoCompatCode;
import dev.bitproof.gocompat.GoPem;

import dev.bitproof.gocompat.GoJson;

import dev.bitproof.apko.ImageConfiguration;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * apko's {@code installCertificates} and {@code writeCABundleChecksums} ({@code pkg/build/certificates.go}, PR #2331):
 * inline certificates written to {@code usr/local/share/ca-certificates}, certificates of packages that provide a
 * listed {@code providers} name collected from the installed DB, all appended to the CA bundles that exist, and a
 * {@code .<name>.sha256} sidecar next to every bundle and Java truststore.
 */
public final class CaCertificates {
  static final String CA_CERTS_DIR = "usr/local/share/ca-certificates";
  /** apko's caBundlePaths, in its order (Alpine default, AWS ECS). */
  static final List<String> BUNDLES = List.of("etc/ssl/certs/ca-certificates.crt",
      "var/lib/ecs/deps/execute-command/certs/tls-ca-bundle.pem");
  static final List<String> JAVA_TRUSTSTORES = List.of("etc/ssl/certs/java/cacerts");
  /** Our bound on one certificate's text; apko has none, a real CA certificate is a few KiB. */
  static final int MAX_CERT_BYTES = 64 * 1024;
  /** Our bound on a package's .crt/.pem file read as a certificate (a whole CA bundle is ~220 KiB). */
  static final int MAX_PACKAGE_CERT_BYTES = 16 * 1024 * 1024;

  private CaCertificates() {}

  /** A certificate as apko keeps it: Go's re-encoded PEM and the SHA-256 of its DER. */
  record Parsed(byte[] pem, String fingerprint, byte[] der) {}

  /**
   * {@code installCertificates}: the provider packages are found in {@code usr/lib/apk/db/installed} as written, as
   * apko reads it back with {@code GetInstalled} (so overwritten files and a base image's records count as in apko).
   */
  public static void install(MemFs fs, ImageConfiguration.Certificates c, long buildDate) {
    if (c == null) {
      return;
    }
    List<Parsed> certs = new ArrayList<>();
    List<String> aliases = new ArrayList<>(); // the Java truststore alias of each certificate
    if (!c.additional().isEmpty()) {
      fs.mkdirAll(CA_CERTS_DIR, 0755);
      for (ImageConfiguration.NamedContent a : c.additional()) {
        checkName(a.name());
        String subject = "certificates.additional[" + a.name() + "]";
        byte[] content = a.content().getBytes(StandardCharsets.UTF_8);
        if (content.length > MAX_CERT_BYTES) {
          throw new CheckException(RebuildCode.BUILD_CERTIFICATE_TOO_LARGE, subject,
              "certificate of " + content.length + " bytes is over the " + MAX_CERT_BYTES + "-byte limit");
        }
        Result r = parse(content);
        if (r.cert() == null) {
          throw new CheckException(RebuildCode.BUILD_CERTIFICATE_INVALID, subject,
              "failed to parse certificate " + a.name() + ": " + r.error());
        }
        Parsed p = r.cert();
        String path = CA_CERTS_DIR + "/" + a.name() + "-" + p.fingerprint() + ".crt";
        fs.writeFile(path, p.pem(), 0644);
        fs.chtimes(path, buildDate);
        certs.add(p);
        aliases.add(a.name() + "-" + p.fingerprint());
      }
    }
    // GetInstalled: every record of the installed DB, in DB order, with its p: names and F:/R: files
    List<String> pkgCertFiles = new ArrayList<>();
    String db = fs.get(ApkInstaller.INSTALLED) != null ? ApkInstaller.INSTALLED : "lib/apk/db/installed";
    if (fs.get(db) != null) {
      for (ApkInstalledDb.Package r : ApkInstalledDb.parse(fs.readFile(db), db, ApkInstalledDb.Mode.APKO).packages()) {
        if (c.providers().stream().noneMatch(r.provideNames()::contains)) {
          continue;
        }
        for (ApkInstalledDb.InstalledFile file : r.files()) {
          String f = file.path();
          // only files under usr/local/share/ca-certificates/ (apko since v1.1.14, commit 238cd7b8)
          if (f.startsWith(CA_CERTS_DIR + "/") && (f.endsWith(".crt") || f.endsWith(".pem"))) {
            pkgCertFiles.add(f);
          }
        }
      }
    }
    pkgCertFiles.sort(GoJson::compareUtf8);
    for (String f : pkgCertFiles) {
      byte[] data = fs.readFile(f);
      if (data.length > MAX_PACKAGE_CERT_BYTES) {
        throw new CheckException(RebuildCode.BUILD_CERTIFICATE_TOO_LARGE, f,
            "package certificate file of " + data.length + " bytes is over the " + MAX_PACKAGE_CERT_BYTES + "-byte limit");
      }
      Parsed p = parse(data).cert();
      if (p == null) {
        continue; // apko skips package files that are not exactly one certificate
      }
      certs.add(p);
      aliases.add("pkg-" + p.fingerprint());
    }
    if (certs.isEmpty()) {
      return;
    }
    // apko loads every truststore before appending anything (a store it cannot load fails the build)
    java.util.Map<String, JavaTruststore> stores = new java.util.LinkedHashMap<>();
    for (String ts : JAVA_TRUSTSTORES) {
      MemFs.Node n = fs.get(ts);
      if (n != null) {
        stores.put(ts, JavaTruststore.load(n.data(), ts));
      }
    }
    for (String b : BUNDLES) {
      MemFs.Node n = fs.get(b);
      if (n == null) {
        continue;
      }
      // how apko's tarfs appends through a symlink and whose mtime Chtimes then sets is not modelled
      if (n.kind() != MemFs.Kind.FILE || fs.lget(b).kind() != MemFs.Kind.FILE) {
        throw new CheckException(RebuildCode.BUILD_UNSUPPORTED, b, "appending to a CA bundle that is not a regular file");
      }
      for (Parsed p : certs) {
        fs.append(b, p.pem(), 0644);
        fs.append(b, new byte[] {'\n'}, 0644);
      }
      fs.chtimes(b, buildDate);
    }
    for (java.util.Map.Entry<String, JavaTruststore> ts : stores.entrySet()) {
      for (int i = 0; i < certs.size(); i++) {
        ts.getValue().addTrusted(aliases.get(i), certs.get(i).der(), buildDate);
      }
      fs.writeFile(ts.getKey(), ts.getValue().store(ts.getKey()), 0644);
      fs.chtimes(ts.getKey(), buildDate);
    }
  }

  /** {@code writeCABundleChecksums}: {@code "<hex>  <basename>\n"}, 0444, build date, for each bundle/truststore. */
  public static void checksums(MemFs fs, long buildDate) {
    List<String> all = new ArrayList<>(BUNDLES);
    all.addAll(JAVA_TRUSTSTORES);
    for (String path : all) {
      MemFs.Node n = fs.get(path);
      if (n == null || n.kind() != MemFs.Kind.FILE) {
        continue;
      }
      String base = MemFs.base(path);
      String side = MemFs.parent(path) + "/." + base + ".sha256";
      fs.writeFile(side, (Digest.sha256(n.data()).hex() + "  " + base + "\n").getBytes(StandardCharsets.UTF_8), 0444);
      fs.chmod(side, 0444);
      fs.chtimes(side, buildDate);
    }
  }

  /**
   * apko joins {@code <name>-<fingerprint>.crt} under {@link #CA_CERTS_DIR}, relying on a config validation we could
   * not find in its source; a name that would leave that directory is refused here, an empty one as apko's schema
   * marks it required. ("." or ".." are harmless: the fingerprint is appended to them.)
   */
  private static void checkName(String name) {
    if (name.isEmpty()) {
      throw new CheckException(GoCompatCode.APKO_CONFIG_INVALID, "certificates.additional", "a certificate entry has no name");
    }
    if (name.contains("/") || name.indexOf('\0') >= 0) {
      throw new CheckException(RebuildCode.BUILD_PATH_ESCAPES_ROOT, "certificates.additional[" + name + "]",
          "certificate name must be a single file name");
    }
  }

  /** A parsed certificate, or why apko's parseCertificates would fail. */
  record Result(Parsed cert, String error) {}

  /** apko's parseCertificates: exactly one PEM block, of type CERTIFICATE, that parses as X.509. */
  static Result parse(byte[] data) {
    if (data.length == 0) {
      return new Result(null, "no certificate data provided");
    }
    Parsed cert = null;
    byte[] rest = data;
    while (true) {
      GoPem.Decoded d = GoPem.decode(rest);
      if (d == null) {
        break;
      }
      rest = d.rest();
      if (cert != null) {
        return new Result(null, "multiple certificates found; only one is allowed");
      }
      if (!d.block().type().equals("CERTIFICATE")) {
        return new Result(null, "expected CERTIFICATE block, got " + d.block().type());
      }
      try {
        java.security.cert.Certificate x = CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(d.block().bytes()));
        if (x.getEncoded().length != d.block().bytes().length) {
          return new Result(null, "failed to parse certificate: x509: trailing data");
        }
      } catch (CertificateException | RuntimeException e) {
        return new Result(null, "failed to parse certificate: " + e.getMessage());
      }
      cert = new Parsed(GoPem.encode(d.block()), Digest.sha256(d.block().bytes()).hex(), d.block().bytes());
    }
    return cert == null ? new Result(null, "no certificates found in PEM data") : new Result(cert, "");
  }
}
