package dev.bitproof.deb;

import dev.bitproof.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;

/**
 * A small signed Debian archive built in the test, the generic twin of {@code ../shared/data/deb}: an Ed25519 key
 * with a signing subkey (expiring {@link #KEY_EXPIRES}), a second archive key, two debs (ar with debian-binary,
 * control.tar.gz, data.tar.gz), a Packages(.xz) listing their SHA256, a Release dated {@link #DATE} naming both
 * Packages files, an InRelease clearsigned by both keys and a detached Release.gpg. For other modules' tests it also
 * writes debs with embedded signatures ({@link #writeSignedDebs}) and a distroless-like rootfs of its debs
 * ({@link #writeRootfs}).
 */
public final class TestArchive {
  static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant DATE = Instant.parse("2026-11-28T02:53:00Z");
  static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  /** The signing key's primary expires three years after its creation. */
  static final Instant KEY_EXPIRES = CREATED.plus(Duration.ofDays(3 * 365));

  /** The debs: name, version, architecture, their one file and its content. */
  static final String[][] DEBS = {
    {"hello", "1.0-1", "amd64", "./usr/bin/hello", "#!/bin/sh\necho hello\n"},
    {"base-files", "2:13.1", "all", "./etc/debian_version", "13.1\n"},
  };
  /** Both in the deb's control file and in the Packages stanza, as third-party archives (reprepro, aptly) index it. */
  static final String LONG_DESCRIPTION = " A multi-line description\n .\n with a paragraph.\n";

  final TestPgp.Key archiveKey;
  final TestPgp.Key otherKey;
  final Map<String, byte[]> debs = new LinkedHashMap<>();
  final byte[] packages;
  final byte[] packagesXz;
  final byte[] release;
  final byte[] inRelease;
  final byte[] releaseGpg;

  public TestArchive() throws Exception {
    archiveKey = TestPgp.make(TestPgp.Spec.ed25519("Test Archive Automatic Signing Key <archive@example.invalid>", CREATED)
        .withSubkey(0, false).expiringAfter(Duration.between(CREATED, KEY_EXPIRES).getSeconds()));
    otherKey = TestPgp.make(TestPgp.Spec.ed25519("Test Stable Release Key <stable@example.invalid>", CREATED));
    for (String[] d : DEBS) {
      debs.put(d[0] + "_" + d[1] + "_" + d[2] + ".deb", deb(d[0], d[1], d[2], d[3], d[4]));
    }
    StringBuilder p = new StringBuilder();
    for (Map.Entry<String, byte[]> d : debs.entrySet()) {
      String[] nv = d.getKey().split("_");
      String name = nv[0];
      String version = nv[1];
      String arch = nv[2].replace(".deb", "");
      String pool = "pool/main/" + name.charAt(0) + "/" + name + "/" + name + "_" + version.replaceFirst("^\\d+:", "") + "_" + arch + ".deb";
      p.append("Package: ").append(name).append("\nVersion: ").append(version).append("\nArchitecture: ").append(arch)
          .append("\nMaintainer: Test <t@example.invalid>\nDescription: ").append(name).append(" for tests\n")
          .append(LONG_DESCRIPTION)
          .append("Filename: ").append(pool).append("\nSize: ").append(d.getValue().length)
          .append("\nSHA256: ").append(Digest.sha256(d.getValue()).hex()).append("\n\n");
    }
    packages = p.toString().getBytes(StandardCharsets.UTF_8);
    packagesXz = TestDebs.xz(packages);
    release = releaseText("Sat, 28 Nov 2026 02:53:00 UTC", packagesXz, packages).getBytes(StandardCharsets.UTF_8);
    inRelease = TestPgp.clearsign(new String(release, StandardCharsets.UTF_8), DATE, HashAlgorithmTags.SHA256, archiveKey, otherKey)
        .getBytes(StandardCharsets.UTF_8);
    releaseGpg = TestPgp.detached(archiveKey, release, DATE, HashAlgorithmTags.SHA256, true);
  }

  static String releaseText(String date, byte[] xz, byte[] plain) {
    return "Origin: Test\nLabel: Test\nSuite: stable\nCodename: testy\nDate: " + date + "\n"
        + "Architectures: all amd64 arm64\nComponents: main\nDescription: a test archive\nSHA256:\n"
        + " " + Digest.sha256(xz).hex() + " " + xz.length + " main/binary-amd64/Packages.xz\n"
        + " " + Digest.sha256(plain).hex() + " " + plain.length + " main/binary-amd64/Packages\n";
  }

  /** The archive's files on disk, as a mirror and a user's keyring would hold them. */
  public record Written(Path keyring, Path inRelease, Path release, Path releaseGpg, Path staleReleaseGpg, Path packagesXz,
      List<Path> debs) {}

  /**
   * Writes keyring (both keys, binary), InRelease, Release, Release.gpg, a stale Release.gpg (yesterday's Release
   * signed yesterday), the Packages.xz and the debs into {@code dir}: for tests in other modules (the CLI).
   */
  public Written writeTo(Path dir) throws Exception {
    ByteArrayOutputStream ring = new ByteArrayOutputStream();
    ring.write(archiveKey.keyring());
    ring.write(otherKey.keyring());
    byte[] old = releaseText("Fri, 27 Nov 2026 02:53:00 UTC", packagesXz, packages).getBytes(StandardCharsets.UTF_8);
    byte[] stale = TestPgp.detached(archiveKey, old, DATE.minus(Duration.ofDays(1)), HashAlgorithmTags.SHA256, true);
    return new Written(Files.write(dir.resolve("archive-keyring.gpg"), ring.toByteArray()),
        Files.write(dir.resolve("testy_InRelease"), inRelease), Files.write(dir.resolve("testy_Release"), release),
        Files.write(dir.resolve("testy_Release.gpg"), releaseGpg), Files.write(dir.resolve("testy_Release.gpg.STALE"), stale),
        writePackagesXz(dir), writeDebs(dir));
  }

  /** Debs with embedded signatures (for other modules' tests) and the keyring of their signer. */
  public record SignedDebs(Path keyring, Path debsigsOrigin, Path dpkgSigBuilder, Path tampered, Path unsigned) {}

  /**
   * Writes into {@code dir} a deb signed the debsigs way ({@code _gpgorigin}), the same deb with a dpkg-sig builder
   * manifest ({@code _gpgbuilder}), the debsigs one with another data.tar swapped in, the deb unsigned, and the
   * signer's binary keyring (a key of its own, not an archive key).
   */
  public SignedDebs writeSignedDebs(Path dir) throws Exception {
    TestPgp.Key signer = TestPgp.make(TestPgp.Spec.ed25519("Deb Signer <signer@example.invalid>", CREATED));
    Map<String, byte[]> m = DebPackageFixtureTest.members("hello\n");
    byte[] signed = DebPackageFixtureTest.debsigs(m, signer);
    Map<String, byte[]> tampered = TestDebs.arMembers(signed);
    tampered.put("data.tar.xz", DebPackageFixtureTest.members("pwned\n").get("data.tar.xz"));
    String base = "libc6_2.36-9+deb12u14_amd64";
    return new SignedDebs(signer.writeKeyring(dir, "deb-signer.gpg"),
        Files.write(dir.resolve(base + ".debsigs-origin.deb"), signed),
        Files.write(dir.resolve(base + ".dpkgsig-builder.deb"), DebPackageFixtureTest.dpkgSig(m, signer)),
        Files.write(dir.resolve(base + ".debsigs-origin.TAMPERED-data.deb"), TestDebs.ar(tampered)),
        Files.write(dir.resolve(base + ".deb"), TestDebs.ar(m)));
  }

  /**
   * A distroless-like root filesystem of this archive's debs, as rules_distroless lays them out: each deb's data,
   * {@code var/lib/dpkg/status.d/<pkg>} (its control file) and {@code <pkg>.md5sums}; plus one package installed
   * from elsewhere ({@value #LOCAL_PACKAGE}, in no index) and a file ldconfig generates. Written as
   * {@code rootfs.tar.xz}: 3 packaged files, all matching; 7 unowned files, all explained.
   */
  public Path writeRootfs(Path dir) throws Exception {
    List<TestDebs.Entry> e = new ArrayList<>(List.of(TestDebs.Entry.dir("./")));
    for (String[] d : DEBS) {
      e.add(TestDebs.Entry.file(d[3], d[4]));
      e.add(TestDebs.Entry.file("./var/lib/dpkg/status.d/" + d[0], control(d[0], d[1], d[2])));
      e.add(TestDebs.Entry.file("./var/lib/dpkg/status.d/" + d[0] + ".md5sums", md5sums(d[3], d[4])));
    }
    String tool = "#!/bin/sh\necho local\n";
    String toolPath = "./usr/local/bin/" + LOCAL_PACKAGE;
    e.add(TestDebs.Entry.file(toolPath, tool));
    e.add(TestDebs.Entry.file("./var/lib/dpkg/status.d/" + LOCAL_PACKAGE, "Package: " + LOCAL_PACKAGE
        + "\nVersion: 0.1\nArchitecture: amd64\nMaintainer: Local <l@example.invalid>\nDescription: built on site\n"));
    e.add(TestDebs.Entry.file("./var/lib/dpkg/status.d/" + LOCAL_PACKAGE + ".md5sums", md5sums(toolPath, tool)));
    e.add(TestDebs.Entry.file("./var/cache/ldconfig/aux-cache", "ldconfig aux cache"));
    return Files.write(dir.resolve("rootfs.tar.xz"), TestDebs.xz(TestDebs.tar(e.toArray(TestDebs.Entry[]::new))));
  }

  /** The package {@link #writeRootfs} installs from outside the archive. */
  public static final String LOCAL_PACKAGE = "local-tool";

  PgpKeyring keyring() {
    return PgpKeyring.of(List.of(archiveKey.ring(), otherKey.ring()));
  }

  /** Writes the debs into {@code dir} (names as on a mirror, {@code :} kept) and returns their paths. */
  public List<Path> writeDebs(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> d : debs.entrySet()) {
      out.add(Files.write(dir.resolve(d.getKey().replace(":", "%3a")), d.getValue()));
    }
    return out;
  }

  Path writePackagesXz(Path dir) throws IOException {
    return Files.write(dir.resolve("testy_main_binary-amd64_Packages.xz"), packagesXz);
  }

  static String fingerprint(org.bouncycastle.openpgp.PGPPublicKey k) {
    return HexFormat.of().withUpperCase().formatHex(k.getFingerprint());
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(bos)) {
      g.write(data);
    }
    return bos.toByteArray();
  }

  /** The deb's control file: the Packages stanza's fields before Filename, long description included. */
  static String control(String name, String version, String arch) {
    return "Package: " + name + "\nVersion: " + version + "\nArchitecture: " + arch
        + "\nMaintainer: Test <t@example.invalid>\nDescription: " + name + " for tests\n" + LONG_DESCRIPTION;
  }

  /** The deb's md5sums for its one file ({@code path} starts with {@code ./}). */
  static String md5sums(String path, String content) throws Exception {
    return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(content.getBytes(StandardCharsets.UTF_8)))
        + "  " + path.substring(2) + "\n";
  }

  /** A deb with one file: control.tar.gz (control, md5sums) and data.tar.gz. */
  static byte[] deb(String name, String version, String arch, String path, String content) throws Exception {
    byte[] control = gzip(TestDebs.tar(TestDebs.Entry.file("./control", control(name, version, arch)),
        TestDebs.Entry.file("./md5sums", md5sums(path, content))));
    byte[] data = gzip(TestDebs.tar(TestDebs.Entry.dir("./"), TestDebs.Entry.file(path, content)));
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
    m.put("control.tar.gz", control);
    m.put("data.tar.gz", data);
    return TestDebs.ar(m);
  }
}
