package dev.bitproof.attest.sign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.report.CheckException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * Cosign's encrypted private key files ({@code ENCRYPTED SIGSTORE PRIVATE KEY}, legacy {@code ENCRYPTED COSIGN
 * PRIVATE KEY}): a JSON body holding scrypt parameters and a NaCl secretbox (XSalsa20-Poly1305) of the PKCS#8 DER
 * key, as go-securesystemslib's {@code encrypted} package writes it.
 */
public final class CosignKeyFile {
  public static final String LABEL = "ENCRYPTED SIGSTORE PRIVATE KEY";
  public static final String LEGACY_LABEL = "ENCRYPTED COSIGN PRIVATE KEY";

  /** The parameter sets go-securesystemslib accepts; anything else could make scrypt take unbounded memory. */
  private static final Set<Integer> ALLOWED_N = Set.of(32768, 65536, 131072);
  private static final int DEFAULT_N = 65536;

  private CosignKeyFile() {}

  /** Decrypts the PEM body; {@code KEY_PASSPHRASE_WRONG} when the secretbox tag does not match. */
  public static byte[] decrypt(byte[] jsonBody, char[] passphrase, String subject) {
    JsonNode doc = Json.parseObject(jsonBody, subject);
    JsonNode kdf = doc.path("kdf");
    JsonNode params = kdf.path("params");
    if (!"scrypt".equals(kdf.path("name").asText()) || !"nacl/secretbox".equals(doc.path("cipher").path("name").asText())) {
      throw new CheckException(SignCode.KEY_UNSUPPORTED, subject, "encrypted key must use scrypt and nacl/secretbox");
    }
    int n = params.path("N").asInt(-1);
    int r = params.path("r").asInt(-1);
    int p = params.path("p").asInt(-1);
    if (!ALLOWED_N.contains(n) || r != 8 || p != 1) {
      throw new CheckException(SignCode.KEY_INVALID, subject,
          "scrypt parameters N=" + n + " r=" + r + " p=" + p + " are not one of cosign's (N 32768|65536|131072, r 8, p 1)");
    }
    byte[] salt = b64(kdf.path("salt"), "kdf.salt", subject);
    byte[] nonce = b64(doc.path("cipher").path("nonce"), "cipher.nonce", subject);
    byte[] box = b64(doc.path("ciphertext"), "ciphertext", subject);
    if (nonce.length != 24 || box.length < 16) {
      throw new CheckException(SignCode.KEY_INVALID, subject, "secretbox nonce must be 24 bytes and the box at least 16");
    }
    byte[] key = SCrypt.generate(utf8(passphrase), salt, n, r, p, 32);
    XSalsa20Engine cipher = new XSalsa20Engine();
    cipher.init(false, new ParametersWithIV(new KeyParameter(key), nonce));
    byte[] macKey = new byte[32];
    cipher.processBytes(new byte[32], 0, 32, macKey, 0);
    byte[] tag = poly1305(macKey, box, 16, box.length - 16);
    if (!MessageDigest.isEqual(tag, Arrays.copyOfRange(box, 0, 16))) {
      throw CheckException.usage(SignCode.KEY_PASSPHRASE_WRONG, "wrong passphrase for encrypted key " + subject
          + " (or the file is corrupt)");
    }
    byte[] plain = new byte[box.length - 16];
    cipher.processBytes(box, 16, plain.length, plain, 0);
    return plain;
  }

  /** Encrypts a PKCS#8 DER key the way {@code cosign generate-key-pair} does; returns the PEM text. */
  public static String encrypt(byte[] pkcs8, char[] passphrase, SecureRandom random) {
    byte[] salt = new byte[32];
    byte[] nonce = new byte[24];
    random.nextBytes(salt);
    random.nextBytes(nonce);
    byte[] key = SCrypt.generate(utf8(passphrase), salt, DEFAULT_N, 8, 1, 32);
    XSalsa20Engine cipher = new XSalsa20Engine();
    cipher.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
    byte[] macKey = new byte[32];
    cipher.processBytes(new byte[32], 0, 32, macKey, 0);
    byte[] box = new byte[16 + pkcs8.length];
    cipher.processBytes(pkcs8, 0, pkcs8.length, box, 16);
    System.arraycopy(poly1305(macKey, box, 16, pkcs8.length), 0, box, 0, 16);

    ObjectNode doc = Json.mapper().createObjectNode();
    ObjectNode kdf = doc.putObject("kdf");
    kdf.put("name", "scrypt");
    kdf.putObject("params").put("N", DEFAULT_N).put("r", 8).put("p", 1);
    kdf.put("salt", Base64.getEncoder().encodeToString(salt));
    doc.putObject("cipher").put("name", "nacl/secretbox").put("nonce", Base64.getEncoder().encodeToString(nonce));
    doc.put("ciphertext", Base64.getEncoder().encodeToString(box));
    try {
      return Pem.write(LABEL, Json.mapper().writeValueAsBytes(doc));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] poly1305(byte[] key, byte[] data, int off, int len) {
    Poly1305 mac = new Poly1305();
    mac.init(new KeyParameter(key));
    mac.update(data, off, len);
    byte[] out = new byte[16];
    mac.doFinal(out, 0);
    return out;
  }

  private static byte[] utf8(char[] c) {
    java.nio.ByteBuffer bb = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(c));
    byte[] out = new byte[bb.remaining()];
    bb.get(out);
    return out;
  }

  private static byte[] b64(JsonNode n, String field, String subject) {
    if (!n.isTextual()) {
      throw new CheckException(SignCode.KEY_INVALID, subject, "encrypted key field '" + field + "' is missing");
    }
    try {
      return Base64.getDecoder().decode(n.asText());
    } catch (IllegalArgumentException e) {
      throw new CheckException(SignCode.KEY_INVALID, subject, "encrypted key field '" + field + "' is not base64", e);
    }
  }
}
