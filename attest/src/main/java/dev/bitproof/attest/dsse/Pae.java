package dev.bitproof.attest.dsse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * DSSE's Pre-Authentication Encoding, computed over bytes:
 * {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body}, LEN being the decimal BYTE length. (sigstore-java's
 * {@code getPAE()} counts UTF-16 characters instead, so non-ASCII payloads fail there; never use it.)
 */
public final class Pae {
  private Pae() {}

  public static byte[] encode(String payloadType, byte[] body) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(type.length + body.length + 32);
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + body.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(body);
    return out.toByteArray();
  }
}
