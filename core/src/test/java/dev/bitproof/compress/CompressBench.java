package dev.bitproof.compress;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Throughput of our apko-exact gzip against java.util.zip at level 5, on one file held in memory (so disk speed
 * does not count). Run by {@code bench/compress.sh}; prints one line per compressor. Not a test.
 */
public final class CompressBench {
  private CompressBench() {}

  public static void main(String[] args) throws IOException {
    Path input = Path.of(args[0]);
    byte[] data = Files.readAllBytes(input);
    double mb = data.length / 1e6;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf("input %s: %.1f MB, %d processors%n", input, mb, cores);

    // Warm up the JIT on a slice so the timed runs measure compiled code.
    byte[] warm = java.util.Arrays.copyOf(data, Math.min(data.length, 8 << 20));
    ApkoGzip.compress(warm, 1);
    zlib(warm, 5);

    byte[] ours = null;
    for (int p : new int[] {1, cores}) {
      long best = Long.MAX_VALUE;
      for (int i = 0; i < rounds; i++) {
        long t0 = System.nanoTime();
        ours = ApkoGzip.compress(data, p);
        best = Math.min(best, System.nanoTime() - t0);
      }
      report("bitproof apko-exact, " + p + " thread(s)", mb, best, ours.length);
    }
    long best = Long.MAX_VALUE;
    long size = 0;
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      size = zlib(data, 5);
      best = Math.min(best, System.nanoTime() - t0);
    }
    report("java.util.zip level 5, 1 thread", mb, best, size);
    if (args.length > 1) {
      // The Go reference on this machine is Debian's klauspost 1.15.12: compare it with that rule's bytes.
      Files.write(Path.of(args[1]), ApkoGzip.compress(data, cores, FlateVersion.V1_15_10_TO_1_18_1));
    }
  }

  private static void report(String what, double mb, long nanos, long outSize) {
    System.out.printf("%-36s %8.1f MB/s  %6.2f s  ratio %.3f%n", what, mb / (nanos / 1e9), nanos / 1e9,
        outSize / (mb * 1e6));
  }

  private static long zlib(byte[] data, int level) throws IOException {
    CountingSink sink = new CountingSink();
    try (GZIPOutputStream z = new GZIPOutputStream(sink, 1 << 16) {
      {
        def.setLevel(level);
      }
    }) {
      z.write(data);
    }
    return sink.count;
  }

  private static final class CountingSink extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }

  static {
    // Deflater is referenced so the level constants above stay checked by the compiler.
    assert Deflater.DEFAULT_COMPRESSION == -1;
  }
}
