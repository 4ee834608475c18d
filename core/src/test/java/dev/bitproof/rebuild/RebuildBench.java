package dev.bitproof.rebuild;

import dev.bitproof.testing.ApkFixtures;
import dev.bitproof.testing.SharedData;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Prints wall time per step and peak heap for (1) apko's golden config and (2) a synthetic 50-package config
 * (each package ~40 files, 4-64 KiB, a dependency chain). Not a test: run {@code bench/rebuild.sh}.
 */
public final class RebuildBench {
  private RebuildBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path cli = SharedData.root().resolve("data/apk/apko/internal/cli");
    BuildRequest golden = BuildRequest.of(cli.resolve("testdata/apko.yaml"), cli).withArchs(List.of("x86_64", "aarch64"))
        .withAnnotations(Map.of("org.opencontainers.image.vendor", "Vendor", "org.opencontainers.image.title", "Title"));
    Path tmp = Files.createTempDirectory("bitproof-bench");
    TestRepo t = new TestRepo(tmp);
    List<ApkFixtures.Apk> apks = new ArrayList<>();
    List<String> names = new ArrayList<>();
    Random rnd = new Random(42);
    for (int i = 0; i < 50; i++) {
      String name = String.format("pkg%02d", i);
      names.add(name);
      ApkFixtures.Apk a = t.apk(name, name).set("size", "100000").entry(ApkFixtures.Entry.dir("usr"))
          .entry(ApkFixtures.Entry.dir("usr/lib")).entry(ApkFixtures.Entry.dir("usr/lib/" + name));
      if (i > 0) {
        a.depend(String.format("pkg%02d", i - 1));
      }
      for (int f = 0; f < 40; f++) {
        byte[] b = new byte[4096 + rnd.nextInt(60 * 1024)];
        rnd.nextBytes(b);
        a.file("usr/lib/" + name + "/f" + f, new String(b, java.nio.charset.StandardCharsets.ISO_8859_1));
      }
      apks.add(a);
    }
    t.packages(apks.toArray(ApkFixtures.Apk[]::new));
    BuildRequest synthetic = t.request(t.config("", names.get(names.size() - 1)));
    run("golden (2 arches, 2 packages each)", golden, rounds);
    run("synthetic (1 arch, 50 packages, 2000 files)", synthetic, rounds);
  }

  static void run(String label, BuildRequest req, int rounds) throws Exception {
    Rebuild.run(req); // warm-up
    long best = Long.MAX_VALUE;
    BuildResult last = null;
    long peak = 0;
    for (int i = 0; i < rounds; i++) {
      System.gc();
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        p.resetPeakUsage();
      }
      long t0 = System.nanoTime();
      last = Rebuild.run(req);
      best = Math.min(best, (System.nanoTime() - t0) / 1_000_000);
      long pk = 0;
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        if (p.getType() == MemoryType.HEAP) {
          pk += p.getPeakUsage().getUsed();
        }
      }
      peak = Math.max(peak, pk);
    }
    long tar = last.images().stream().mapToLong(a -> a.layers().stream().mapToLong(BuildResult.Layer::tarSize).sum()).sum();
    System.out.printf("%s: best of %d = %d ms wall, peak heap %.1f MiB, layer tars %.1f MiB, index %s%n", label, rounds,
        best, peak / 1048576.0, tar / 1048576.0, last.index().digest());
    System.out.println("  steps (last run, ms summed over arches): " + last.steps());
  }
}
