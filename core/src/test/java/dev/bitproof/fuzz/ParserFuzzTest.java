package dev.bitproof.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bitproof.apk.ApkIndex;
import dev.bitproof.apk.ApkKeyring;
import dev.bitproof.apk.ApkPackage;
import dev.bitproof.apk.ApkVerifier;
import dev.bitproof.apk.PkgInfo;
import dev.bitproof.apk.db.ApkInstalledDb;
import dev.bitproof.apko.ConfigLoader;
import dev.bitproof.deb.Deb822;
import dev.bitproof.deb.Release;
import dev.bitproof.io.Decompress;
import dev.bitproof.json.Json;
import dev.bitproof.oci.ImageConfig;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.policy.Policy;
import dev.bitproof.report.Finding;
import dev.bitproof.sbom.ApkoSpdx;
import dev.bitproof.sbom.LayerSbom;
import dev.bitproof.sbom.LoadedImage;
import dev.bitproof.sbom.Purl;
import dev.bitproof.sbom.SbomGenerator;
import dev.bitproof.sbom.SbomReader;
import dev.bitproof.tar.TarReader;
import dev.bitproof.testing.Fuzz;
import dev.bitproof.testing.SharedData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every parser that takes hostile bytes, fuzzed with {@link Fuzz} from seeds the project makes itself (the demo's
 * signed APKs, APKINDEX, OCI layout, layers, generated SBOMs). The normal suite runs a short fixed sample
 * ({@code -Dbitproof.fuzz.iterations}, default 300 per target, same seed every run); {@code bench/fuzz.sh} runs
 * the same harnesses for as long as asked. Verifiers carry an oracle: a mutant they accept must mean what its
 * seed meant.
 */
public class ParserFuzzTest {
  static final long ITERATIONS = Long.getLong("bitproof.fuzz.iterations", 300);
  static final long SEED = Long.getLong("bitproof.fuzz.seed", 18);

  static Path demo;
  static List<byte[]> apks = new ArrayList<>();
  static List<byte[]> layers = new ArrayList<>();
  static List<byte[]> tars = new ArrayList<>();
  static List<byte[]> indexes = new ArrayList<>();
  static List<byte[]> manifests = new ArrayList<>();
  static List<byte[]> configs = new ArrayList<>();
  static List<byte[]> installedDbs = new ArrayList<>();
  static List<byte[]> sboms = new ArrayList<>();
  static List<byte[]> apkindexes = new ArrayList<>();
  static ApkKeyring keyring;

  @BeforeAll
  static void seeds() throws Exception {
    demo = SharedData.testdata("demo");
    keyring = ApkKeyring.load(demo.resolve("keys"));
    for (String arch : List.of("x86_64", "aarch64")) {
      Path dir = demo.resolve("packages").resolve(arch);
      try (Stream<Path> s = Files.list(dir)) {
        for (Path p : s.sorted().toList()) {
          (p.toString().endsWith(".apk") ? apks : apkindexes).add(Files.readAllBytes(p));
        }
      }
    }
    Path layout = demo.resolve("published");
    indexes.add(Files.readAllBytes(layout.resolve("index.json")));
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + layout), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      for (Images.Resolved r : tree.images()) {
        manifests.add(r.manifest().raw().bytes());
        configs.add(src.blobBytes(r.manifest().config(), ImageConfig.MAX_SIZE));
        for (var d : r.manifest().layers()) {
          byte[] gz = src.blobBytes(d, 1 << 24);
          layers.add(gz);
          byte[] tar = Decompress.gzip(new ByteArrayInputStream(gz), 1 << 26, 1000, "seed").readAllBytes();
          tars.add(tar);
          installedDbs.add(member(tar, "usr/lib/apk/db/installed"));
        }
        LoadedImage img = LoadedImage.load(src, tree, r);
        LayerSbom.Options o = new LayerSbom.Options("fuzz", "demo:latest", Optional.empty(), true);
        sboms.add(ApkoSpdx.render(LayerSbom.spdx(img, o)));
        sboms.add(LayerSbom.cycloneDxJson(LayerSbom.cycloneDx(img, o)));
        sboms.add(ApkoSpdx.render(SbomGenerator.apkoSpdx(img, ApkoSpdx.Options.defaults("fuzz"))));
      }
    }
  }

  static byte[] member(byte[] tar, String name) throws IOException {
    try (TarArchiveInputStream t = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
        if (e.getName().replaceFirst("^\\./", "").equals(name)) {
          return t.readAllBytes();
        }
      }
    }
    throw new IllegalStateException(name + " not in the layer");
  }

  static void assertClean(Fuzz.Stats s) {
    System.out.println("fuzz " + s);
    assertEquals(List.of(), s.findings(), s.name() + ": inputs that escaped as something other than CheckException");
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- containers: tar, gzip

  @Test
  void tar() {
    TarReader.Limits lim = new TarReader.Limits(10_000, 1 << 22, 1 << 20);
    assertClean(Fuzz.run("tar", tars, ITERATIONS, SEED, b ->
        TarReader.read(new ByteArrayInputStream(b), "fuzz", (path, size) -> true, lim, e -> { })));
  }

  @Test
  void gzip() {
    assertClean(Fuzz.run("gzip", layers, ITERATIONS, SEED, b -> {
      try (InputStream in = Decompress.gzip(new ByteArrayInputStream(b), 1 << 24, 1000, "fuzz")) {
        in.transferTo(OutputStream.nullOutputStream());
      }
    }));
  }

  // ---------------------------------------------------------------- apk

  /** The oracle: an accepted package has the control and data streams of one of the seeds. */
  @Test
  void apkPackageAndItsSignature() throws Exception {
    Set<String> meanings = new HashSet<>();
    for (byte[] a : apks) {
      meanings.add(meaning(ApkPackage.read(a, "seed")));
    }
    assertClean(Fuzz.run("apk", apks, ITERATIONS, SEED, b -> {
      ApkPackage p = ApkPackage.read(b, "fuzz");
      List<Finding> fs = ApkVerifier.verify(p, keyring, "fuzz");
      if (fs.stream().noneMatch(Finding::fails) && !meanings.contains(meaning(p))) {
        throw new Fuzz.MeaningChanged("verified an APK whose control or data differs from every seed: " + fs);
      }
    }));
  }

  /**
   * Structure-aware: byte-level mutants of an APK mostly stop at a gzip CRC, so here the seeds are the APKs'
   * uncompressed members (signature, control and data tars) framed as {@code <length>\n<bytes>}; the mutants
   * (length edits included) are re-framed, each member re-gzipped, and the package read and verified — the tar,
   * .PKGINFO and datahash code behind the gzip layer gets the hostile bytes. The demo's APKs were compressed by
   * the same deflater, so an unchanged member re-compresses to the signed bytes: a verified mutant must have a
   * seed's control and data streams.
   */
  @Test
  void apkInsideItsGzipMembers() throws Exception {
    List<byte[]> framed = new ArrayList<>();
    Set<String> meanings = new HashSet<>();
    for (byte[] a : apks) {
      framed.add(frame(members(a)));
      meanings.add(meaning(ApkPackage.read(a, "seed")));
    }
    assertClean(Fuzz.run("apk-members", framed, ITERATIONS, SEED, b -> {
      java.io.ByteArrayOutputStream apk = new java.io.ByteArrayOutputStream();
      for (byte[] m : unframe(b)) {
        apk.write(dev.bitproof.testing.ApkFixtures.gzip(m));
      }
      ApkPackage p = ApkPackage.read(apk.toByteArray(), "fuzz");
      List<Finding> fs = ApkVerifier.verify(p, keyring, "fuzz");
      if (fs.stream().noneMatch(Finding::fails) && !meanings.contains(meaning(p))) {
        throw new Fuzz.MeaningChanged("verified an APK whose control or data differs from every seed: " + fs);
      }
    }));
  }

  /** The same inside an APKINDEX's gzip members (signature tar, index tar with APKINDEX and DESCRIPTION). */
  @Test
  void apkindexInsideItsGzipMembers() throws Exception {
    List<byte[]> framed = new ArrayList<>();
    Set<String> meanings = new HashSet<>();
    for (byte[] a : apkindexes) {
      framed.add(frame(members(a)));
      meanings.add(ApkIndex.read(a, "seed").packages().toString());
    }
    assertClean(Fuzz.run("apkindex-members", framed, ITERATIONS, SEED, b -> {
      java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
      for (byte[] m : unframe(b)) {
        file.write(dev.bitproof.testing.ApkFixtures.gzip(m));
      }
      ApkIndex idx = ApkIndex.read(file.toByteArray(), "fuzz");
      Finding f = ApkVerifier.verify(idx, keyring, "fuzz");
      if (!f.fails() && !meanings.contains(idx.packages().toString())) {
        throw new Fuzz.MeaningChanged("verified an APKINDEX whose packages differ from every seed: " + f);
      }
    }));
  }

  /** The decompressed gzip members of a file, in order. */
  static List<byte[]> members(byte[] file) throws IOException {
    List<byte[]> out = new ArrayList<>();
    dev.bitproof.apk.GzipMembers g = new dev.bitproof.apk.GzipMembers(new ByteArrayInputStream(file), "seed");
    while (!g.atEnd()) {
      var m = g.next(new dev.bitproof.apk.GzipMembers.MemberLimits(1 << 26, 1000, 0, dev.bitproof.apk.ApkCode.APK_DECOMPRESSION_BOMB, dev.bitproof.apk.ApkCode.APK_DATA_TOO_LARGE), false, dev.bitproof.apk.ApkCode.APK_NOT_GZIP);
      out.add(m.readAllBytes());
      m.finish();
    }
    return out;
  }

  public static byte[] frame(List<byte[]> parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes((p.length + "\n").getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Lenient: a bad or overlong length takes the rest as one member. */
  public static List<byte[]> unframe(byte[] b) {
    List<byte[]> out = new ArrayList<>();
    int i = 0;
    while (i < b.length && out.size() < 8) {
      int nl = i;
      while (nl < b.length && nl - i < 12 && b[nl] >= '0' && b[nl] <= '9') {
        nl++;
      }
      int len;
      if (nl < b.length && b[nl] == '\n' && nl > i) {
        long v = Long.parseLong(new String(b, i, nl - i, StandardCharsets.US_ASCII));
        len = (int) Math.min(v, b.length - nl - 1);
        i = nl + 1;
      } else {
        len = b.length - i;
      }
      out.add(java.util.Arrays.copyOfRange(b, i, i + len));
      i += len;
    }
    return out;
  }

  static String meaning(ApkPackage p) {
    return p.checksum() + " " + java.util.HexFormat.of().formatHex(p.data().sha256());
  }

  @Test
  void apkindexAndItsSignature() throws Exception {
    Set<String> meanings = new HashSet<>();
    for (byte[] a : apkindexes) {
      meanings.add(ApkIndex.read(a, "seed").packages().toString());
    }
    assertClean(Fuzz.run("apkindex", apkindexes, ITERATIONS, SEED, b -> {
      ApkIndex idx = ApkIndex.read(b, "fuzz");
      Finding f = ApkVerifier.verify(idx, keyring, "fuzz");
      if (!f.fails() && !meanings.contains(idx.packages().toString())) {
        throw new Fuzz.MeaningChanged("verified an APKINDEX whose packages differ from every seed: " + f);
      }
    }));
  }

  @Test
  void pkginfoAndInstalledDb() {
    List<byte[]> pkginfo = List.of(utf8("# Generated by abuild\npkgname = demo-hello\npkgver = 1.0.0-r0\narch = x86_64\n"
        + "size = 1234\norigin = demo-hello\nbuilddate = 1700000000\ndepend = demo-baselayout\n"
        + "datahash = " + "ab".repeat(32) + "\nlicense = MIT\nprovides = cmd:hello=1.0.0-r0\n"));
    assertClean(Fuzz.run("pkginfo", pkginfo, ITERATIONS, SEED, b -> PkgInfo.parse(b, "fuzz")));
    assertClean(Fuzz.run("installed-db", installedDbs, ITERATIONS, SEED, b -> ApkInstalledDb.parse(b, "fuzz")));
  }

  // ---------------------------------------------------------------- OCI JSON

  @Test
  void ociIndexManifestAndConfig() {
    assertClean(Fuzz.run("oci-index", indexes, ITERATIONS, SEED,
        b -> RawManifest.of(b, MediaType.OCI_INDEX, "fuzz").asIndex()));
    assertClean(Fuzz.run("oci-manifest", manifests, ITERATIONS, SEED,
        b -> RawManifest.of(b, MediaType.OCI_MANIFEST, "fuzz").asImage()));
    assertClean(Fuzz.run("oci-config", configs, ITERATIONS, SEED, b -> {
      ImageConfig c = ImageConfig.parse(b);
      c.platform();
      c.diffIds();
    }));
  }

  // ---------------------------------------------------------------- SBOMs, purls

  @Test
  void sbomsAndPurls() {
    assertClean(Fuzz.run("sbom", sboms, ITERATIONS, SEED, b -> SbomReader.read(b, "fuzz")));
    List<byte[]> purls = List.of(utf8("pkg:apk/wolfi/hello@2.12-r0?arch=x86_64&distro=wolfi"),
        utf8("pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&epoch=1"),
        utf8("pkg:oci/golden@sha256%3A69f0237c7f8cf0b8a329d1bf1d6870c870c4ec323e39d3a6da59596632d0f2f4?arch=amd64#sub/path"));
    assertClean(Fuzz.run("purl", purls, ITERATIONS, SEED, b -> Purl.parse(new String(b, StandardCharsets.UTF_8))));
  }

  // ---------------------------------------------------------------- config files, deb822

  @Test
  void apkoConfigAndPolicy() throws Exception {
    assertClean(Fuzz.run("apko-config", List.of(Files.readAllBytes(demo.resolve("apko.yaml"))), ITERATIONS, SEED,
        b -> ConfigLoader.parse(b, "fuzz")));
    List<byte[]> policies = List.of(utf8("rules:\n  SETUID_FILE: {allow: [/app/helper]}\n  DEBUG_SYMBOLS: {severity: FAIL}\n"));
    assertClean(Fuzz.run("policy", policies, ITERATIONS, SEED, b -> Policy.parse(b, "fuzz")));
  }

  static final String RELEASE = """
      Origin: Debian
      Label: Debian
      Suite: stable
      Codename: bookworm
      Date: Sat, 10 Aug 2024 09:48:04 UTC
      Valid-Until: Sat, 17 Aug 2024 09:48:04 UTC
      Architectures: all amd64 arm64
      Components: main contrib
      Description: Debian 12.6 Released 29 June 2024
      SHA256:
       6b2a1b5c0bda0c5f2bd4c3b55e4fd4bfc2f3e8f0c2a9c95f0f3e1c4b7a6e1d2c  1234567 main/binary-amd64/Packages
       0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0   345678 main/binary-amd64/Packages.xz
      """;

  @Test
  void deb822AndRelease() {
    String packages = "Package: netbase\nVersion: 6.4\nArchitecture: all\nFilename: pool/main/n/netbase/netbase_6.4_all.deb\n"
        + "Size: 12345\nSHA256: " + "ab".repeat(32) + "\nDescription: Basic TCP/IP networking system\n multi-line\n .\n more\n\n"
        + "Package: libc6\nSource: glibc (2.36-9)\nVersion: 2.36-9+deb12u14\nArchitecture: amd64\n";
    assertClean(Fuzz.run("deb822", List.of(utf8(packages), utf8(RELEASE)), ITERATIONS, SEED, b -> Deb822.parse(b, "fuzz")));
    assertClean(Fuzz.run("release", List.of(utf8(RELEASE)), ITERATIONS, SEED, b -> Release.parse(b, "fuzz")));
  }
}
