package dev.bitproof.testing;

import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A deterministic, seeded mutation fuzzer for the parsers that take hostile bytes (Jazzer is not among the
 * project's vetted dependencies, see the final report): each run takes a seed input, applies one to three of
 * the operators a mutation corpus uses — bit flips, interesting bytes, truncation, chunk deletion, duplication,
 * swap and insertion, decimal/octal length-field edits, splicing with another seed — and hands the bytes to the
 * target. What a target may do with hostile bytes:
 *
 * <ul>
 *   <li>return (the input parsed, or verified) or throw {@link CheckException} ("could not check" / integrity);
 *   <li>anything else escaping (a NullPointerException, an IOException from a decompressor, an
 *       {@link OutOfMemoryError}, a {@link StackOverflowError}) is a finding;
 *   <li>a target's own oracle may throw {@link MeaningChanged} when it can tell that a mutant whose meaning
 *       changed was accepted (verified) — also a finding;
 *   <li>one input that does not finish within {@link #HANG_SECONDS} is reported as a hang (a liveness guard
 *       for a few-KB input, not a speed assertion).
 * </ul>
 *
 * Same seed, same inputs, same result: a finding is reproduced by its iteration number, and its bytes are
 * written under {@code target/fuzz-findings/}. Regression inputs live in {@code src/test/resources/fuzz/NAME/}
 * and are replayed first.
 */
public final class Fuzz {
  public static final long HANG_SECONDS = 120;

  /** Runs one input. */
  @FunctionalInterface
  public interface Target {
    void run(byte[] input) throws Exception;
  }

  /** Thrown by a target's oracle: a mutant was accepted although what it means changed. */
  public static final class MeaningChanged extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MeaningChanged(String message) {
      super(message);
    }
  }

  /**
   * @param runs inputs run (regression corpus, seeds, mutants)
   * @param accepted inputs the target returned on
   * @param rejected inputs refused with a CheckException, by code
   * @param findings one line per finding (iteration, what escaped)
   */
  public record Stats(String name, long runs, long accepted, Map<String, Long> rejected, List<String> findings) {
    @Override
    public String toString() {
      long rej = rejected.values().stream().mapToLong(Long::longValue).sum();
      return String.format("%-14s %9d runs  %8d accepted  %8d refused (%d codes)  %d findings", name, runs, accepted,
          rej, rejected.size(), findings.size());
    }
  }

  private Fuzz() {}

  /** The regression corpus of {@code name}: every file under {@code core/src/test/resources/fuzz/NAME/}. */
  public static List<byte[]> corpus(String name) {
    Path dir = SharedData.projectRoot().resolve("core/src/test/resources/fuzz").resolve(name);
    List<byte[]> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (var s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        out.add(Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  public static Stats run(String name, List<byte[]> seeds, long iterations, long seed, Target target) {
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("no seeds for " + name);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    List<String> findings = new ArrayList<>();
    Map<String, Long> rejected = new TreeMap<>();
    long accepted = 0;
    long runs = 0;
    List<byte[]> regression = corpus(name);
    ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(null, r, "fuzz-" + name, 16L << 20);
      t.setDaemon(true);
      return t;
    });
    try {
      long total = regression.size() + seeds.size() + iterations;
      for (long i = 0; i < total; i++) {
        byte[] input;
        if (i < regression.size()) {
          input = regression.get((int) i);
        } else if (i < regression.size() + seeds.size()) {
          input = seeds.get((int) (i - regression.size()));
        } else {
          input = mutate(seeds, rnd);
        }
        runs++;
        byte[] in = input;
        Future<?> f = ex.submit(() -> {
          target.run(in);
          return null;
        });
        String problem = null;
        try {
          f.get(HANG_SECONDS, TimeUnit.SECONDS);
          accepted++;
        } catch (TimeoutException e) {
          f.cancel(true);
          problem = "hang: no result after " + HANG_SECONDS + " s";
          ex.shutdownNow();
          ex = Executors.newSingleThreadExecutor();
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof CheckException ce) {
            rejected.merge(ce.code().name(), 1L, Long::sum);
          } else {
            problem = c instanceof MeaningChanged ? "accepted a meaning-changing mutant: " + c.getMessage()
                : "escaped: " + c + at(c);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        if (problem != null) {
          findings.add("#" + i + " " + problem + " (saved " + save(name, i, input) + ")");
        }
      }
    } finally {
      ex.shutdownNow();
    }
    return new Stats(name, runs, accepted, rejected, findings);
  }

  /** Where it was thrown, and the first frame in bitproof's own code. */
  private static String at(Throwable t) {
    StackTraceElement[] st = t.getStackTrace();
    String ours = java.util.Arrays.stream(st).filter(e -> e.getClassName().startsWith("dev.bitproof.")
        && !e.getClassName().contains(".testing.")).findFirst().map(e -> " via " + e).orElse("");
    return st.length == 0 ? "" : " at " + st[0] + ours;
  }

  private static Path save(String name, long i, byte[] input) {
    Path p = SharedData.projectRoot().resolve("core/target/fuzz-findings").resolve(name + "-" + i + ".bin");
    try {
      Files.createDirectories(p.getParent());
      Files.write(p, input);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  // ---------------------------------------------------------------- operators

  static final byte[] INTERESTING = {0, (byte) 0xff, 0x7f, (byte) 0x80, '0', '9', '\n', ' ', '/', '.', '"', '{', '['};

  /** One to three operators on a copy of a random seed. */
  public static byte[] mutate(List<byte[]> seeds, SplittableRandom rnd) {
    byte[] b = seeds.get(rnd.nextInt(seeds.size())).clone();
    int ops = 1 + rnd.nextInt(3);
    for (int k = 0; k < ops; k++) {
      b = apply(rnd.nextInt(10), b, seeds, rnd);
    }
    return b;
  }

  static byte[] apply(int op, byte[] b, List<byte[]> seeds, SplittableRandom rnd) {
    if (b.length == 0) {
      return new byte[] {(byte) rnd.nextInt(256)};
    }
    int n = b.length;
    switch (op) {
      case 0 -> { // bit flips
        int flips = 1 + rnd.nextInt(4);
        for (int i = 0; i < flips; i++) {
          b[rnd.nextInt(n)] ^= (byte) (1 << rnd.nextInt(8));
        }
        return b;
      }
      case 1 -> { // an interesting byte
        b[rnd.nextInt(n)] = INTERESTING[rnd.nextInt(INTERESTING.length)];
        return b;
      }
      case 2 -> { // truncation
        return Arrays.copyOf(b, rnd.nextInt(n));
      }
      case 3 -> { // delete a chunk
        int from = rnd.nextInt(n);
        int len = 1 + rnd.nextInt(Math.min(n - from, 512));
        byte[] out = new byte[n - len];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(b, from + len, out, from, n - from - len);
        return out;
      }
      case 4 -> { // duplicate a chunk (member/entry duplication)
        int from = rnd.nextInt(n);
        int len = 1 + rnd.nextInt(Math.min(n - from, 4096));
        int at = rnd.nextInt(n + 1);
        return insert(b, at, Arrays.copyOfRange(b, from, from + len));
      }
      case 5 -> { // swap two chunks of the same length
        int len = 1 + rnd.nextInt(Math.max(1, Math.min(n / 2, 1024)));
        if (2 * len > n) {
          return b;
        }
        int x = rnd.nextInt(n - 2 * len + 1);
        int y = x + len + rnd.nextInt(n - x - 2 * len + 1);
        byte[] tmp = Arrays.copyOfRange(b, x, x + len);
        System.arraycopy(b, y, b, x, len);
        System.arraycopy(tmp, 0, b, y, len);
        return b;
      }
      case 6, 7 -> { // a length field: a run of decimal (or octal) digits replaced by a nearby or extreme value
        return lengthField(b, rnd);
      }
      case 8 -> { // splice with another seed
        byte[] o = seeds.get(rnd.nextInt(seeds.size()));
        if (o.length == 0) {
          return b;
        }
        int cut = rnd.nextInt(n);
        int from = rnd.nextInt(o.length);
        byte[] out = Arrays.copyOf(b, cut + o.length - from);
        System.arraycopy(o, from, out, cut, o.length - from);
        return out;
      }
      default -> { // insert random bytes
        byte[] r = new byte[1 + rnd.nextInt(16)];
        for (int i = 0; i < r.length; i++) {
          r[i] = (byte) rnd.nextInt(256);
        }
        return insert(b, rnd.nextInt(n + 1), r);
      }
    }
  }

  private static byte[] insert(byte[] b, int at, byte[] what) {
    byte[] out = new byte[b.length + what.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(what, 0, out, at, what.length);
    System.arraycopy(b, at, out, at + what.length, b.length - at);
    return out;
  }

  static byte[] lengthField(byte[] b, SplittableRandom rnd) {
    int start = rnd.nextInt(b.length);
    int i = start;
    while (i < b.length && !(b[i] >= '0' && b[i] <= '9')) {
      i++;
    }
    if (i == b.length) {
      b[start] ^= 1;
      return b;
    }
    int j = i;
    while (j < b.length && b[j] >= '0' && b[j] <= '9' && j - i < 18) {
      j++;
    }
    long v = Long.parseLong(new String(b, i, j - i, StandardCharsets.US_ASCII));
    long[] choices = {0, v + 1, Math.max(0, v - 1), v * 2 + 1, v + 100, 99_999_999_999L, Integer.MAX_VALUE + 1L, 7777777};
    String repl = Long.toString(choices[rnd.nextInt(choices.length)]);
    if (rnd.nextBoolean() && repl.length() <= j - i) {
      // keep the field width (fixed-width headers: tar, ar), left-padded as those formats pad
      StringBuilder sb = new StringBuilder(repl);
      while (sb.length() < j - i) {
        sb.insert(0, b[i] == '0' ? '0' : ' ');
      }
      repl = sb.toString();
    }
    byte[] r = repl.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[b.length - (j - i) + r.length];
    System.arraycopy(b, 0, out, 0, i);
    System.arraycopy(r, 0, out, i, r.length);
    System.arraycopy(b, j, out, i + r.length, b.length - j);
    return out;
  }
}
