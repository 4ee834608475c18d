package dev.bitproof.attest.sign;

import dev.bitproof.report.CheckException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** RFC 7468 PEM blocks: read every block of a file, write one. */
public final class Pem {
  /** Key files are small; a bigger file is not a key. */
  public static final int MAX_SIZE = 64 * 1024;

  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\r?\\n(.*?)-----END \\1-----", Pattern.DOTALL);

  /** One block: its label ({@code PUBLIC KEY}, {@code PRIVATE KEY} ...) and decoded body. */
  public record Block(String label, byte[] der) {}

  private Pem() {}

  public static List<Block> read(byte[] file, String subject) {
    if (file.length > MAX_SIZE) {
      throw new CheckException(SignCode.KEY_INVALID, subject, "key file is " + file.length + " bytes, over the " + MAX_SIZE + "-byte limit");
    }
    String text = new String(file, StandardCharsets.US_ASCII);
    Matcher m = BLOCK.matcher(text);
    List<Block> out = new ArrayList<>();
    while (m.find()) {
      String body = m.group(2);
      if (body.contains(":")) {
        throw new CheckException(SignCode.KEY_UNSUPPORTED, subject,
            "PEM block '" + m.group(1) + "' has headers (legacy OpenSSL encryption): convert it to PKCS#8 first");
      }
      try {
        out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(body)));
      } catch (IllegalArgumentException e) {
        throw new CheckException(SignCode.KEY_INVALID, subject, "PEM block '" + m.group(1) + "' is not valid base64", e);
      }
    }
    if (out.isEmpty()) {
      throw new CheckException(SignCode.KEY_INVALID, subject, "no PEM block found: not a key file");
    }
    return out;
  }

  public static String write(String label, byte[] der) {
    String b64 = Base64.getEncoder().encodeToString(der);
    StringBuilder sb = new StringBuilder("-----BEGIN ").append(label).append("-----\n");
    for (int i = 0; i < b64.length(); i += 64) {
      sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
    }
    return sb.append("-----END ").append(label).append("-----\n").toString();
  }
}
