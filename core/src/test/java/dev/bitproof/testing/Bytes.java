package dev.bitproof.testing;

/** Byte-array searches for tests that find, then flip or check, a known run of bytes inside a blob. */
public final class Bytes {
  private Bytes() {}

  /** Where {@code needle} first starts in {@code hay}, or -1. */
  public static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
