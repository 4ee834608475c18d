package dev.bitproof.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writing a file so that readers see the old file or the whole new one, never a half-written one. */
public final class AtomicWrite {
  private AtomicWrite() {}

  /** Writes {@code bytes} to a temporary file beside {@code target}, then moves it over {@code target}. */
  public static Path write(Path target, byte[] bytes) throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(parent, "." + target.getFileName() + ".", ".partial");
    try {
      Files.write(tmp, bytes);
      move(tmp, target);
      return target;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Moves {@code tmp} over {@code target}: atomically where the file system can, replacing it otherwise. */
  public static void move(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
