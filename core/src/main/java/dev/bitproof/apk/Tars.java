package dev.bitproof.apk;

import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Reading the small tars inside APKs and indexes, with every failure turned into a coded {@link CheckException}. */
final class Tars {
  private Tars() {}

  /** The next entry; a malformed header is {@code corruptCode}, a limit tripped underneath passes through. */
  static TarArchiveEntry next(TarArchiveInputStream tar, String subject, Code corruptCode) {
    try {
      return tar.getNextEntry();
    } catch (IOException | IllegalArgumentException e) {
      throw passThrough(e).orElseGet(() -> CheckException.integrity(corruptCode, subject, "not a valid tar: " + e.getMessage()));
    }
  }

  /** Reads some of the current entry; a stream ending inside it is {@code APK_TRUNCATED}. */
  static int read(TarArchiveInputStream tar, byte[] buf, String subject, String path) {
    try {
      return tar.read(buf);
    } catch (IOException e) {
      throw passThrough(e).orElseGet(() -> CheckException.integrity(ApkCode.APK_TRUNCATED, subject, "tar ends inside " + path + ": " + e.getMessage()));
    }
  }

  /** The whole current entry, refused with {@code tooLargeCode} when its header says more than {@code max} bytes. */
  static byte[] readEntry(TarArchiveInputStream tar, TarArchiveEntry e, long max, String subject, String path, Code tooLargeCode) {
    if (e.getSize() > max) {
      throw CheckException.integrity(tooLargeCode, subject, "entry " + path + " is " + e.getSize() + " bytes, over the " + max + " byte limit");
    }
    ByteArrayOutputStream bos = new ByteArrayOutputStream((int) Math.max(0, Math.min(e.getSize(), 1 << 20)));
    byte[] buf = new byte[64 * 1024];
    int n;
    while ((n = read(tar, buf, subject, path)) > 0) {
      bos.write(buf, 0, n);
    }
    if (bos.size() != e.getSize()) {
      throw CheckException.integrity(ApkCode.APK_TRUNCATED, subject, "entry " + path + " ends after " + bos.size() + " of " + e.getSize() + " bytes");
    }
    return bos.toByteArray();
  }

  /** A {@link CheckException} (a bound or a corrupt gzip stream) raised below the tar reader and wrapped by it. */
  private static java.util.Optional<CheckException> passThrough(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof CheckException ce) {
        return java.util.Optional.of(ce);
      }
    }
    return java.util.Optional.empty();
  }
}
