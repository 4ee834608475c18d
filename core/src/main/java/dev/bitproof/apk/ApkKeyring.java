package dev.bitproof.apk;

import dev.bitproof.io.IoCode;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
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
  public static final long MAX_KEY_FILE = 64 * 1024;

  /**
   * One key file: its bytes as read (what a build copies into {@code etc/apk/keys}; empty when the file was over
   * the size limit and not read), and a usable RSA key or the reason it is not one.
   */
  public record Key(String name, byte[] pem, Optional<RSAPublicKey> key, String problem) {
    public Key {
      pem = pem.clone();
    }

    @Override
    public byte[] pem() {
      return pem.clone();
    }

    public int bits() {
      return key.map(k -> k.getModulus().bitLength()).orElse(0);
    }
  }

  private final Map<String, Key> keys;
  /** Names of files over the size limit, never read. */
  private final java.util.Set<String> unread;

  private ApkKeyring(Map<String, Key> keys, java.util.Set<String> unread) {
    this.keys = Map.copyOf(keys);
    this.unread = java.util.Set.copyOf(unread);
  }

  public static ApkKeyring empty() {
    return new ApkKeyring(Map.of(), java.util.Set.of());
  }

  /**
   * The one rule for keys on disk, for every command: a directory contributes each regular file in it (not
   * recursive, by name; what {@code /etc/apk/keys} holds), a file itself; a path that is neither is
   * {@code APK_KEYRING_NOT_FOUND}. A file over {@value #MAX_KEY_FILE} bytes is not read and stays an invalid entry,
   * so the signature that names it says why. Nothing is trusted that was not named: no default key directory.
   */
  public static ApkKeyring load(Path dirOrFile) throws IOException {
    return builder().addPath(dirOrFile).build();
  }

  /** A keyring of named PEM texts (e.g. from a lock file or a config). */
  public static ApkKeyring of(Map<String, byte[]> pemByName) {
    Builder b = builder();
    pemByName.forEach(b::add);
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects keys by file name; a later key of the same name replaces an earlier one (as files in one folder). */
  public static final class Builder {
    private final Map<String, Key> keys = new TreeMap<>();
    private final java.util.Set<String> unread = new java.util.TreeSet<>();

    private Builder() {}

    /** A key from bytes already read (bounded by the caller, e.g. a fetched {@code contents.keyring} URL). */
    public Builder add(String name, byte[] pem) {
      keys.put(name, parse(name, pem));
      unread.remove(name);
      return this;
    }

    /** A key file, or every regular file of a key directory (see {@link ApkKeyring#load}). */
    public Builder addPath(Path p) throws IOException {
      if (Files.isDirectory(p)) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
          for (Path f : ds) {
            if (Files.isRegularFile(f)) {
              files.add(f);
            }
          }
        }
        files.sort(null);
        for (Path f : files) {
          addFile(f);
        }
      } else if (Files.isRegularFile(p)) {
        addFile(p);
      } else {
        throw new CheckException(ApkCode.APK_KEYRING_NOT_FOUND, p.toString(), "no such key file or key directory");
      }
      return this;
    }

    public Builder addPaths(List<Path> paths) throws IOException {
      for (Path p : paths) {
        addPath(p);
      }
      return this;
    }

    private void addFile(Path f) throws IOException {
      String name = f.getFileName().toString();
      if (Files.size(f) > MAX_KEY_FILE) {
        keys.put(name, new Key(name, new byte[0], Optional.empty(), "file is larger than " + MAX_KEY_FILE + " bytes"));
        unread.add(name);
        return;
      }
      add(name, Files.readAllBytes(f));
    }

    public ApkKeyring build() {
      return new ApkKeyring(keys, unread);
    }
  }

  /**
   * The key files' bytes by name, for a build to install in {@code etc/apk/keys}; {@code KEY_TOO_LARGE} when one
   * was over the limit and so never read.
   */
  public Map<String, byte[]> files() {
    Map<String, byte[]> out = new TreeMap<>();
    for (Key k : keys.values()) {
      if (unread.contains(k.name())) {
        throw new CheckException(IoCode.KEY_TOO_LARGE, k.name(), k.problem());
      }
      out.put(k.name(), k.pem());
    }
    return out;
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
      return new Key(name, pem, Optional.empty(), "not a PEM public key");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e).strip());
    } catch (IllegalArgumentException ex) {
      return new Key(name, pem, Optional.empty(), "PEM body is not base64");
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
          return new Key(name, pem, Optional.empty(), "not an RSA key (algorithm " + oid + ")");
        }
        pk = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
      }
      return new Key(name, pem, Optional.of((RSAPublicKey) pk), "");
    } catch (Exception ex) {
      return new Key(name, pem, Optional.empty(), "not a valid RSA public key: " + ex.getMessage());
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
