package dev.bitproof.apk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Throughput figures, printed (never asserted): {@code bench/apk.sh} runs it with the shared data.
 * Args: keyring-dir index-file apk-file...
 */
public final class ApkBench {
  private ApkBench() {}

  public static void main(String[] args) throws Exception {
    ApkKeyring keys = ApkKeyring.load(Path.of(args[0]));
    Path index = Path.of(args[1]);
    byte[] idx = Files.readAllBytes(index);
    // warm-up, then the measured runs: parse + signature check of the whole index
    for (int i = 0; i < 30; i++) {
      ApkVerifier.verify(ApkIndex.read(idx, "warm"), keys, "warm");
    }
    List<Long> times = new ArrayList<>();
    int packages = 0;
    String code = "";
    for (int i = 0; i < 20; i++) {
      long t0 = System.nanoTime();
      ApkIndex ix = ApkIndex.read(idx, index.toString());
      code = ApkVerifier.verify(ix, keys, "bench").code().name();
      times.add(System.nanoTime() - t0);
      packages = ix.packages().size();
    }
    times.sort(null);
    System.out.printf("index %s: %d packages, %d bytes, %s; parse+verify warm median %.1f ms (min %.1f ms)%n",
        index.getFileName(), packages, idx.length, code, times.get(times.size() / 2) / 1e6, times.get(0) / 1e6);
    for (int a = 2; a < args.length; a++) {
      Path apk = Path.of(args[a]);
      byte[] b = Files.readAllBytes(apk);
      ApkPackage.read(b, "warm");
      ApkPackage.read(b, "warm");
      long best = Long.MAX_VALUE;
      long out = 0;
      for (int i = 0; i < 5; i++) {
        long t0 = System.nanoTime();
        ApkPackage p = ApkPackage.read(b, apk.toString());
        ApkVerifier.verify(p, keys, "bench");
        best = Math.min(best, System.nanoTime() - t0);
        out = p.data().uncompressedSize() + p.control().uncompressedSize();
      }
      System.out.printf("apk %s: %d bytes -> %d uncompressed; read+verify best %.1f ms = %.1f MB/s compressed, %.1f MB/s uncompressed%n",
          apk.getFileName(), b.length, out, best / 1e6, b.length / (best / 1e9) / 1e6, out / (best / 1e9) / 1e6);
    }
  }
}
