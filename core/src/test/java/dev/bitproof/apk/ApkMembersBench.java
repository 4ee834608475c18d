package dev.bitproof.apk;

import dev.bitproof.report.CheckException;
import dev.bitproof.testing.ApkFixtures;
import dev.bitproof.testing.ApkFixtures.Apk;
import dev.bitproof.testing.ApkFixtures.Entry;
import java.io.ByteArrayOutputStream;
import java.util.Map;

/**
 * Reading a data section of many gzip members, against the same package with one member (the baseline, same run),
 * and the time and memory to refuse a many-member bomb at the default limit. Prints figures; asserts nothing.
 */
public final class ApkMembersBench {
  private ApkMembersBench() {}

  static long bestMillis(byte[] apk, int rounds) throws Exception {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < rounds; i++) {
      long s = System.nanoTime();
      ApkPackage.read(apk, "bench");
      best = Math.min(best, (System.nanoTime() - s) / 1_000_000);
    }
    return best;
  }

  public static void main(String[] args) throws Exception {
    byte[] noise = new byte[8 << 20];
    new java.util.Random(1).nextBytes(noise);
    java.util.Arrays.fill(noise, 4 << 20, 8 << 20, (byte) 'a'); // half incompressible, half text-like
    Apk base = new Apk("bench", "1-r0", "x86_64").entry(new Entry("data", noise, 'f', "", Map.of()));
    byte[] one = base.build();
    long baseline = bestMillis(one, 5);
    System.out.printf("1 member (baseline): %d bytes, %d ms%n", one.length, baseline);
    for (int chunk : new int[] {1 << 20, 64 << 10, 4 << 10}) {
      Apk a = new Apk("bench", "1-r0", "x86_64").entry(new Entry("data", noise, 'f', "", Map.of())).dataMembers(chunk);
      byte[] apk = a.build();
      long ms = bestMillis(apk, 5);
      System.out.printf("%d members (%d KiB each): %d bytes, %d ms = %.2fx baseline%n", (noise.length + 2048) / chunk,
          chunk >> 10, apk.length, ms, ms / (double) Math.max(1, baseline));
    }
    byte[] empty = ApkFixtures.gzip(new byte[0]);
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    bomb.writeBytes(new Apk("bomb", "1-r0", "x86_64").file("a", "b").build());
    int n = (1 << 17) + 1;
    for (int i = 0; i < n; i++) {
      bomb.writeBytes(empty);
    }
    byte[] b = bomb.toByteArray();
    Runtime rt = Runtime.getRuntime();
    System.gc();
    long before = rt.totalMemory() - rt.freeMemory();
    long s = System.nanoTime();
    String code;
    try {
      ApkPackage.read(b, "bomb");
      code = "read";
    } catch (CheckException e) {
      code = e.code().name();
    }
    long ms = (System.nanoTime() - s) / 1_000_000;
    long after = rt.totalMemory() - rt.freeMemory();
    System.out.printf("bomb: %d empty members (%d bytes): %s after %d ms, heap %+d MiB%n", n, b.length, code, ms,
        (after - before) >> 20);
  }
}
