package dev.bitproof.io;

import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files a user named: a clear "could not check" with the file as subject when one is missing or is a directory. */
public final class UserFiles {
  private UserFiles() {}

  /**
   * {@code file} is a regular file (following links); else FILE_IS_DIRECTORY, or {@code missingCode} ("no such
   * file"), both "could not check" (exit 3) with the file as subject.
   */
  public static Path requireFile(Path file, Code missingCode) {
    if (Files.isDirectory(file)) {
      throw new CheckException(IoCode.FILE_IS_DIRECTORY, file.toString(), "is a directory, but a file is expected here");
    }
    if (!Files.isRegularFile(file)) {
      throw new CheckException(missingCode, file.toString(), "no such file");
    }
    return file;
  }
}
