package dev.bitproof.compress;

import java.util.Arrays;

/** A growable byte array: where one deflate block's output accumulates before it is written in order. */
final class ByteSink {
  private byte[] buf;
  private int size;

  ByteSink(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  void ensureRoom(int extra) {
    int need = size + extra;
    if (need > buf.length) {
      if (need < 0) {
        throw new IllegalStateException("deflate output over 2 GiB in one block");
      }
      buf = Arrays.copyOf(buf, Math.max(need, buf.length + (buf.length >> 1)));
    }
  }

  void write(int b) {
    ensureRoom(1);
    buf[size++] = (byte) b;
  }

  void write(byte[] b, int off, int len) {
    ensureRoom(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }

  /** Appends the low {@code count} bytes of {@code v}, least significant first. */
  void writeLittleEndian(long v, int count) {
    ensureRoom(count);
    for (int i = 0; i < count; i++) {
      buf[size++] = (byte) v;
      v >>>= 8;
    }
  }

  int size() {
    return size;
  }

  byte[] array() {
    return buf;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  void reset() {
    size = 0;
  }
}
