package dev.bitproof.attest.sign;

import dev.bitproof.json.JsonBody;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * {@code key generate}: a new key pair written as {@code PREFIX.key} (PKCS#8 PEM, or cosign's encrypted form) and
 * {@code PREFIX.pub} (SPKI PEM). Never overwrites: an existing file is FILE_EXISTS; the private key is created
 * owner-only where the file system has POSIX permissions.
 */
public final class KeyGeneration {
  private KeyGeneration() {}

  /** The body of {@code docs/schema/key-generate.json}. */
  public record Generated(String keyId, String type, String privateKey, String publicKey, boolean encrypted)
      implements JsonBody {}

  /** @param passphrase encrypts the private key in cosign's format when present */
  public static Generated generate(KeyType type, Path prefix, Optional<char[]> passphrase, SecureRandom random)
      throws IOException {
    SigningKey k = Keys.generate(type, random);
    String priv = passphrase.isPresent() ? Keys.encryptedPem(k, passphrase.get(), random) : Keys.privatePem(k);
    Path keyFile = Path.of(prefix + ".key");
    Path pubFile = Path.of(prefix + ".pub");
    for (Path p : new Path[] {keyFile, pubFile}) {
      if (Files.exists(p)) {
        throw CheckException.usage(SignCode.FILE_EXISTS, p + " exists; refusing to overwrite a key");
      }
    }
    writeNew(keyFile, priv, true);
    writeNew(pubFile, Keys.publicPem(k.publicKey()), false);
    return new Generated(k.keyId(), type.cliName(), keyFile.toString(), pubFile.toString(), passphrase.isPresent());
  }

  private static void writeNew(Path p, String text, boolean secret) throws IOException {
    if (p.toAbsolutePath().getParent() != null) {
      Files.createDirectories(p.toAbsolutePath().getParent());
    }
    try {
      if (secret && p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(p);
      }
    } catch (FileAlreadyExistsException e) {
      throw CheckException.usage(SignCode.FILE_EXISTS, p + " exists; refusing to overwrite a key");
    }
    Files.writeString(p, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
  }
}
