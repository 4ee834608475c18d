package dev.bitproof.attest.dsse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.report.CheckException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A DSSE envelope. Read: payload and signatures in standard or URL-safe base64, padded or not (the spec makes
 * verifiers accept both). Written: standard padded base64 (cosign decodes the payload with StdEncoding).
 *
 * <p>The payload is only bytes here; parse it only after a signature over it was verified.
 */
public record Envelope(String payloadType, byte[] payload, List<Signature> signatures) {
  /** The payload type of in-toto statements. */
  public static final String IN_TOTO = "application/vnd.in-toto+json";
  /** More signatures than this is not a real envelope. */
  public static final int MAX_SIGNATURES = 16;
  /** Attestations are small documents; 16 MiB leaves room for large finding lists. */
  public static final int MAX_SIZE = 16 * 1024 * 1024;

  private static final Pattern STD = Pattern.compile("[A-Za-z0-9+/]*={0,2}");
  private static final Pattern URL = Pattern.compile("[A-Za-z0-9_-]*={0,2}");

  /** One signature; {@code keyid} is an unauthenticated hint. */
  public record Signature(Optional<String> keyid, byte[] sig) {
    public Signature {
      keyid = keyid == null ? Optional.empty() : keyid;
      sig = sig.clone();
    }

    @Override
    public byte[] sig() {
      return sig.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Signature s && s.keyid.equals(keyid) && Arrays.equals(s.sig, sig);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(sig);
    }

    @Override
    public String toString() {
      return "Signature[keyid=" + keyid.orElse("") + ", " + sig.length + " bytes]";
    }
  }

  public Envelope {
    Objects.requireNonNull(payloadType, "payloadType");
    payload = payload.clone();
    signatures = List.copyOf(signatures);
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /** The bytes the signatures sign. */
  public byte[] pae() {
    return Pae.encode(payloadType, payload);
  }

  public static Envelope parse(byte[] json, String subject) {
    if (json.length > MAX_SIZE) {
      throw new CheckException(DsseCode.DSSE_INVALID, subject, "envelope is " + json.length + " bytes, over the " + MAX_SIZE + "-byte limit");
    }
    JsonNode n;
    try {
      n = Json.parseObject(json, subject);
    } catch (CheckException e) {
      throw new CheckException(DsseCode.DSSE_INVALID, subject, "envelope is not a JSON object: " + e.getMessage(), e);
    }
    return fromJson(n, subject);
  }

  /** Reads an envelope object (also the {@code dsseEnvelope} of a sigstore bundle). */
  public static Envelope fromJson(JsonNode n, String subject) {
    if (n == null || !n.isObject()) {
      throw new CheckException(DsseCode.DSSE_INVALID, subject, "envelope must be a JSON object");
    }
    String payloadType = requiredText(n, "payloadType", subject);
    byte[] payload = decode(requiredText(n, "payload", subject), "payload", subject);
    JsonNode sigs = n.get("signatures");
    if (sigs == null || !sigs.isArray()) {
      throw new CheckException(DsseCode.DSSE_INVALID, subject, "envelope field 'signatures' must be an array");
    }
    if (sigs.size() > MAX_SIGNATURES) {
      throw new CheckException(DsseCode.DSSE_INVALID, subject, "envelope has " + sigs.size() + " signatures, over the limit of " + MAX_SIGNATURES);
    }
    List<Signature> out = new ArrayList<>();
    for (JsonNode s : sigs) {
      if (!s.isObject()) {
        throw new CheckException(DsseCode.DSSE_INVALID, subject, "each signature must be an object");
      }
      JsonNode keyid = s.get("keyid");
      if (keyid != null && !keyid.isNull() && !keyid.isTextual()) {
        throw new CheckException(DsseCode.DSSE_INVALID, subject, "signature keyid must be a string");
      }
      out.add(new Signature(keyid == null || keyid.isNull() || keyid.asText().isEmpty() ? Optional.empty() : Optional.of(keyid.asText()),
          decode(requiredText(s, "sig", subject), "sig", subject)));
    }
    return new Envelope(payloadType, payload, out);
  }

  /** The envelope as JSON: standard base64, fields in the spec's order. */
  public ObjectNode toJson() {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("payload", Base64.getEncoder().encodeToString(payload));
    n.put("payloadType", payloadType);
    ArrayNode a = n.putArray("signatures");
    for (Signature s : signatures) {
      ObjectNode o = a.addObject();
      s.keyid().ifPresent(k -> o.put("keyid", k));
      o.put("sig", Base64.getEncoder().encodeToString(s.sig));
    }
    return n;
  }

  /** Compact JSON bytes (one line: fits JSON Lines). */
  public byte[] toBytes() {
    try {
      return Json.mapper().writeValueAsBytes(toJson());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Standard or URL-safe alphabet (not mixed), padding optional. */
  static byte[] decode(String s, String field, String subject) {
    try {
      if (STD.matcher(s).matches()) {
        return Base64.getDecoder().decode(s);
      }
      if (URL.matcher(s).matches()) {
        return Base64.getUrlDecoder().decode(s);
      }
    } catch (IllegalArgumentException e) {
      throw new CheckException(DsseCode.DSSE_INVALID, subject, "envelope field '" + field + "' is not valid base64: " + e.getMessage(), e);
    }
    throw new CheckException(DsseCode.DSSE_INVALID, subject, "envelope field '" + field + "' is not base64 (standard or URL-safe)");
  }

  private static String requiredText(JsonNode n, String field, String subject) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new CheckException(DsseCode.DSSE_INVALID, subject, "envelope field '" + field + "' is missing or not a string");
    }
    return v.asText();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Envelope e && e.payloadType.equals(payloadType) && Arrays.equals(e.payload, payload)
        && e.signatures.equals(signatures);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "Envelope[" + payloadType + ", " + payload.length + " bytes, " + signatures.size() + " signature(s)]";
  }
}
