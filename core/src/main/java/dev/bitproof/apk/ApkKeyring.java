package dev.bitproof.apk;

import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Trusted apk signing keys by file name, as apk-tools keeps them in {@code /etc/apk/keys}: a signature names its key
 * ({@code .SIGN.RSA.<name>}) and the key file of that name verifies it. A file that is not an RSA public key is kept
 * as an invalid entry so the signature it was meant to check reports why instead of "untrusted".
 */
public final class ApkKeyring {
  /** Files larger than this are not keys. */
  static final long MAX_KEY_FILE = 64 * 1024;

  /** One key file: a usable RSA key, or the reason it is not one. */
  public record Key(String name, Optional<RSAPublicKey> key, String problem) {
    public int bits() {
      return key.map(k -> k.getModulus().bitLength()).orElse(0);
    }
  }

  private final Map<String, Key> keys;

  private ApkKeyring(Map<String, Key> keys) {
    this.keys = Map.copyOf(keys);
  }

  public static ApkKeyring empty() {
    return new ApkKeyring(Map.of());
  }

  /** Loads every regular file of {@code dir} (not recursive). */
  public static ApkKeyring load(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new CheckException(ApkCode.APK_KEYRING_NOT_FOUND, dir.toString(), "keyring is not a directory");
    }
    Map<String, Key> m = new TreeMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (!Files.isRegularFile(p)) {
          continue;
        }
        String name = p.getFileName().toString();
        if (Files.size(p) > MAX_KEY_FILE) {
          m.put(name, new Key(name, Optional.empty(), "file is larger than " + MAX_KEY_FILE + " bytes"));
          continue;
        }
        m.put(name, parse(name, Files.readAllBytes(p)));
      }
    }
    return new ApkKeyring(m);
  }

  /** A keyring of named PEM texts (e.g. from a lock file or a config). */
  public static ApkKeyring of(Map<String, byte[]> pemByName) {
    Map<String, Key> m = new TreeMap<>();
    pemByName.forEach((n, b) -> m.put(n, parse(n, b)));
    return new ApkKeyring(m);
  }

  /** Parses a PEM {@code PUBLIC KEY} (SubjectPublicKeyInfo) or {@code RSA PUBLIC KEY} (PKCS#1). */
  public static Key parse(String name, byte[] pem) {
    String text = new String(pem, StandardCharsets.US_ASCII);
    boolean pkcs1 = text.contains("-----BEGIN RSA PUBLIC KEY-----");
    String begin = pkcs1 ? "-----BEGIN RSA PUBLIC KEY-----" : "-----BEGIN PUBLIC KEY-----";
    String end = pkcs1 ? "-----END RSA PUBLIC KEY-----" : "-----END PUBLIC KEY-----";
    int b = text.indexOf(begin);
    int e = text.indexOf(end);
    if (b < 0 || e < b) {
      return new Key(name, Optional.empty(), "not a PEM public key");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e).strip());
    } catch (IllegalArgumentException ex) {
      return new Key(name, Optional.empty(), "PEM body is not base64");
    }
    try {
      PublicKey pk;
      if (pkcs1) {
        org.bouncycastle.asn1.pkcs.RSAPublicKey r = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(der);
        pk = KeyFactory.getInstance("RSA").generatePublic(
            new java.security.spec.RSAPublicKeySpec(r.getModulus(), r.getPublicExponent()));
      } else {
        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo spki = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(der);
        String oid = spki.getAlgorithm().getAlgorithm().getId();
        if (!oid.equals("1.2.840.113549.1.1.1")) {
          return new Key(name, Optional.empty(), "not an RSA key (algorithm " + oid + ")");
        }
        pk = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
      }
      return new Key(name, Optional.of((RSAPublicKey) pk), "");
    } catch (Exception ex) {
      return new Key(name, Optional.empty(), "not a valid RSA public key: " + ex.getMessage());
    }
  }

  /**
   * The key a signature names: the exact file name, else the name with or without {@code .rsa.pub} (apko matches
   * both ways).
   */
  public Optional<Key> find(String keyName) {
    Key k = keys.get(keyName);
    if (k == null && keyName.endsWith(".rsa.pub")) {
      k = keys.get(keyName.substring(0, keyName.length() - ".rsa.pub".length()));
    }
    if (k == null) {
      k = keys.get(keyName + ".rsa.pub");
    }
    return Optional.ofNullable(k);
  }

  public Map<String, Key> keys() {
    return keys;
  }

  public int size() {
    return keys.size();
  }
}
