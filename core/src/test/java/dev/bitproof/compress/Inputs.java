package dev.bitproof.compress;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Deterministic test inputs of the kinds layers hold: random (incompressible), zeros, text, a tar-like mix of
 * headers, text, binary and padding, and a "structured" mix that repeats earlier data at distances around the
 * 32 KiB window, runs longer than 258 bytes and low-entropy noise, so that every block type and table-reuse
 * decision of the encoder is exercised.
 */
final class Inputs {
  private Inputs() {}

  enum Kind { RANDOM, ZEROS, TEXT, TAR, STRUCTURED }

  private static final String[] WORDS = ("the of and to in is that for it as with was on be by this are or from at an "
      + "which have not but had all were when there can been one would each their if more will about up out them then "
      + "she many some so these would other into has her two like him see time could no make than first been its who "
      + "now people my made over did down only way find use may water long little very after words called just where "
      + "most know apk alpine busybox musl libc lib usr bin etc sbin share x86_64 aarch64 sha256 digest layer image "
      + "index manifest config json tar gzip pgzip deflate huffman").split(" ");

  static byte[] make(Kind kind, long seed, int n) {
    return switch (kind) {
      case RANDOM -> random(seed, n);
      case ZEROS -> new byte[n];
      case TEXT -> text(seed, n);
      case TAR -> tarLike(seed, n);
      case STRUCTURED -> structured(seed, n);
    };
  }

  static byte[] random(long seed, int n) {
    byte[] b = new byte[n];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }

  static byte[] text(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder(n + 64);
    while (sb.length() < n) {
      sb.append(WORDS[r.nextInt(WORDS.length)]);
      int p = r.nextInt(20);
      sb.append(p == 0 ? ".\n" : p == 1 ? ", " : " ");
    }
    byte[] all = sb.toString().getBytes(StandardCharsets.US_ASCII);
    return java.util.Arrays.copyOf(all, n);
  }

  static byte[] tarLike(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    ByteArrayOutputStream out = new ByteArrayOutputStream(n + 8192);
    int file = 0;
    while (out.size() < n) {
      byte[] header = new byte[512];
      byte[] name = ("usr/lib/pkg" + (file % 17) + "/file-" + file + (r.nextBoolean() ? ".so" : ".txt"))
          .getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(name, 0, header, 0, name.length);
      byte[] meta = String.format("0000644\0000000000\0000000000\000%011o\000%011o\000", r.nextInt(1 << 20), 1700000000)
          .getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(meta, 0, header, 100, meta.length);
      System.arraycopy("ustar\00000".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 8);
      out.writeBytes(header);
      int size = switch (r.nextInt(4)) {
        case 0 -> r.nextInt(200);
        case 1 -> r.nextInt(5000);
        case 2 -> r.nextInt(60000);
        default -> r.nextInt(300000);
      };
      byte[] body = switch (r.nextInt(3)) {
        case 0 -> text(r.nextLong(), size);
        case 1 -> structured(r.nextLong(), size);
        default -> lowEntropy(r.nextLong(), size);
      };
      out.writeBytes(body);
      out.writeBytes(new byte[(512 - size % 512) % 512]);
      file++;
    }
    out.writeBytes(new byte[1024]);
    return java.util.Arrays.copyOf(out.toByteArray(), n);
  }

  /** Bytes from a small alphabet with a skewed distribution: compressible by Huffman, few long matches. */
  static byte[] lowEntropy(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      int x = r.nextInt(100);
      b[i] = (byte) (x < 50 ? 'a' : x < 75 ? 'b' : x < 88 ? 'c' : x < 95 ? 'd' : r.nextInt(256));
    }
    return b;
  }

  static byte[] structured(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] b = new byte[n];
    int i = 0;
    while (i < n) {
      int len = Math.min(n - i, 1 + r.nextInt(r.nextInt(4) == 0 ? 20000 : 700));
      switch (r.nextInt(7)) {
        case 0 -> { // random
          for (int k = 0; k < len; k++) {
            b[i + k] = (byte) r.nextInt(256);
          }
        }
        case 1 -> { // a run, often longer than one match
          byte v = (byte) r.nextInt(256);
          for (int k = 0; k < len; k++) {
            b[i + k] = v;
          }
        }
        case 2, 3 -> { // copy of earlier data, at a distance near or beyond the window
          if (i > 0) {
            int[] distances = {1, 3, 4, 7, 258, 4096, 32767, 32768, 32769, 40000, 1 + r.nextInt(i)};
            int d = Math.min(i, distances[r.nextInt(distances.length)]);
            for (int k = 0; k < len; k++) {
              // Byte by byte, so overlapping copies make runs of a period.
              b[i + k] = b[i + k - d];
            }
            if (r.nextInt(3) == 0 && len > 0) {
              b[i + r.nextInt(len)] ^= (byte) (1 + r.nextInt(255));
            }
          }
        }
        case 4 -> { // text
          byte[] t = text(r.nextLong(), len);
          System.arraycopy(t, 0, b, i, len);
        }
        case 5 -> { // low entropy
          byte[] t = lowEntropy(r.nextLong(), len);
          System.arraycopy(t, 0, b, i, len);
        }
        default -> { // counters: little-endian ints, like tables in binaries
          for (int k = 0; k < len; k++) {
            b[i + k] = (byte) ((i + k) >> (8 * (k & 3)));
          }
        }
      }
      i += len;
    }
    return b;
  }
}
