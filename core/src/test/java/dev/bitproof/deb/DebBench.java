package dev.bitproof.deb;

import dev.bitproof.io.Decompress;
import dev.bitproof.testing.SharedData;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * Benchmark (not a test; run by {@code bench/deb.sh}): prints warm figures for InRelease verification, the
 * Packages.xz chain and the debs. Usage: {@code java -cp <cli jar>:core/target/test-classes dev.bitproof.deb.DebBench}.
 */
public final class DebBench {
  private DebBench() {}

  public static void main(String[] args) throws Exception {
    Path data = args.length > 0 ? Path.of(args[0]) : SharedData.root().resolve("data");
    Path deb = data.resolve("deb");
    ArchiveVerifier.Options o = ArchiveVerifier.Options.at(Instant.parse("2026-11-29T12:00:00Z"));
    PgpKeyring k = PgpKeyring.load(deb.resolve("keyrings/debian-archive-keyring.gpg"));
    byte[] in = Files.readAllBytes(deb.resolve("release/bookworm_InRelease"));
    Path packages = deb.resolve("packages/bookworm_main_binary-amd64_Packages.xz");
    List<Path> debs;
    try (Stream<Path> s = Files.list(deb.resolve("debs"))) {
      debs = s.filter(p -> p.toString().endsWith(".deb")).sorted().toList();
    }
    // warm-up
    for (int i = 0; i < 30; i++) {
      ArchiveVerifier.verifyInRelease(in, "InRelease", k, o);
    }
    java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
    int n = 100;
    long c0 = cpu.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      if (!ArchiveVerifier.verifyInRelease(in, "InRelease", k, o).trusted()) {
        throw new IllegalStateException("not trusted");
      }
    }
    double inReleaseMs = (System.nanoTime() - t0) / 1e6 / n;
    double inReleaseCpu = (cpu.getCurrentThreadCpuTime() - c0) / 1e6 / n;
    System.out.printf("warm InRelease verify (parse + 3 signatures, 151 KB): %.2f ms wall, %.2f ms cpu%n", inReleaseMs, inReleaseCpu);

    ArchiveVerifier.VerifiedRelease rel = ArchiveVerifier.verifyInRelease(in, "InRelease", k, o);
    for (int round = 0; round < 3; round++) {
      long ca = cpu.getCurrentThreadCpuTime();
      long a = System.nanoTime();
      try (InputStream x = Decompress.open(Decompress.Format.XZ, Files.newInputStream(packages), 1L << 31, 1000, "p")) {
        x.transferTo(java.io.OutputStream.nullOutputStream());
      }
      long b = System.nanoTime();
      long cb = cpu.getCurrentThreadCpuTime();
      ArchiveVerifier.LoadedIndex li = ArchiveVerifier.loadPackages(packages, List.of(rel), o, name -> false);
      long c = System.nanoTime();
      long cc = cpu.getCurrentThreadCpuTime();
      long d0 = System.nanoTime();
      int ok = 0;
      for (Path p : debs) {
        DebPackage dp = DebPackage.read(p);
        if (ArchiveVerifier.checkDeb(dp.subject(), dp.name(), dp.version(), dp.architecture(), dp.sha256(), dp.size(),
            List.of(li.index().orElseThrow())).code().equals(DebCode.DEB_IN_ARCHIVE)) {
          ok++;
        }
      }
      long d = System.nanoTime();
      long cd = cpu.getCurrentThreadCpuTime();
      System.out.printf("round %d (wall/cpu ms): xz -d only %.0f/%.0f; Packages.xz sha256+xz+parse+uncompressed sha256 (%d stanzas) %.0f/%.0f;"
          + " %d debs read+md5sums+chain %.0f/%.0f (%d ok)%n",
          round + 1, (b - a) / 1e6, (cb - ca) / 1e6, li.index().orElseThrow().entries().size(), (c - b) / 1e6, (cc - cb) / 1e6,
          debs.size(), (d - d0) / 1e6, (cd - cc) / 1e6, ok);
    }
  }
}
