package dev.bitproof.compress;

import java.util.Arrays;

/** A growable byte array: where one deflate block's output accumulates before it is written in order. */
final class ByteSink {
  private static final java.lang.invoke.VarHandle LONG_LE =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
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

  /** Appends the low {@code count} (at most 8) bytes of {@code v}, least significant first. */
  void writeLittleEndian(long v, int count) {
    // One 8-byte store; the bytes past `count` are overwritten by the next write.
    ensureRoom(8);
    LONG_LE.set(buf, size, v);
    size += count;
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
