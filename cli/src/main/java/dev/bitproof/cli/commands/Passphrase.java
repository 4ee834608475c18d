package dev.bitproof.cli.commands;

import dev.bitproof.io.IoCode;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where an encrypted key's passphrase comes from: {@code --passphrase-file}, else the environment variable
 * {@code BITPROOF_KEY_PASSPHRASE} (or cosign's {@code COSIGN_PASSWORD}). Never a flag value: flags show up in
 * process listings.
 */
public final class Passphrase {
  public static final String ENV = "BITPROOF_KEY_PASSPHRASE";

  @Option(names = "--passphrase-file", paramLabel = "FILE",
      description = "File whose first line is the key's passphrase (else $" + ENV + " or $COSIGN_PASSWORD).")
  Path file;

  /** The passphrase, or null when none was given. */
  public char[] get() {
    if (file != null) {
      try {
        String s = Files.readString(file, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).replace("\r", "").toCharArray();
      } catch (IOException e) {
        throw new CheckException(IoCode.FILE_NOT_FOUND, file.toString(), "cannot read passphrase file: " + e.getMessage(), e);
      }
    }
    String env = System.getenv(ENV);
    if (env == null) {
      env = System.getenv("COSIGN_PASSWORD");
    }
    return env == null ? null : env.toCharArray();
  }
}
