package dev.bitproof.attest.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.attest.dsse.Dsse;
import dev.bitproof.attest.dsse.Envelope;
import dev.bitproof.attest.sign.VerificationKey;
import dev.bitproof.json.Json;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A sigstore bundle holding one DSSE envelope. Written in the v0.3 public-key form: {@code publicKey.hint} = the
 * signature's keyid, no transparency-log entries. Read in any form; the key that verifies it always comes from the
 * caller, never from the bundle (cf. cosign GHSA-fx35-mq7g-6g98).
 *
 * @param mediaType the bundle's declared media type
 * @param keyHint the public-key hint, when the verification material is a public key
 * @param keyless whether the verification material is a certificate (a keyless, Fulcio-issued signature)
 * @param envelope the DSSE envelope
 * @param bytes the bundle as read or written
 */
public record SigstoreBundle(String mediaType, Optional<String> keyHint, boolean keyless, Envelope envelope, byte[] bytes) {
  public static final String MEDIA_TYPE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";
  private static final Set<String> MEDIA_TYPES = Set.of(MEDIA_TYPE_V03,
      "application/vnd.dev.sigstore.bundle+json;version=0.1",
      "application/vnd.dev.sigstore.bundle+json;version=0.2",
      "application/vnd.dev.sigstore.bundle+json;version=0.3");

  /** Wraps a one-signature envelope into a v0.3 bundle whose hint is that signature's keyid. */
  public static SigstoreBundle of(Envelope env) {
    if (env.signatures().size() != 1 || env.signatures().get(0).keyid().isEmpty()) {
      throw new IllegalArgumentException("a bundle needs exactly one signature with a keyid");
    }
    String hint = env.signatures().get(0).keyid().get();
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("mediaType", MEDIA_TYPE_V03);
    ObjectNode vm = n.putObject("verificationMaterial");
    vm.putObject("publicKey").put("hint", hint);
    vm.putArray("tlogEntries");
    n.set("dsseEnvelope", env.toJson());
    try {
      return new SigstoreBundle(MEDIA_TYPE_V03, Optional.of(hint), false, env, Json.mapper().writeValueAsBytes(n));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static boolean looksLikeBundle(JsonNode n) {
    return n.isObject() && n.has("mediaType") && n.has("verificationMaterial");
  }

  public static SigstoreBundle parse(byte[] bytes, String subject) {
    if (bytes.length > Envelope.MAX_SIZE) {
      throw new CheckException(BundleCode.BUNDLE_INVALID, subject, "bundle is over " + Envelope.MAX_SIZE + " bytes");
    }
    ObjectNode n;
    try {
      n = Json.parseObject(bytes, subject);
    } catch (CheckException e) {
      throw new CheckException(BundleCode.BUNDLE_INVALID, subject, e.getMessage(), e);
    }
    String mt = n.path("mediaType").asText("");
    if (!MEDIA_TYPES.contains(mt)) {
      throw new CheckException(BundleCode.BUNDLE_INVALID, subject, "unknown bundle media type '" + mt + "'");
    }
    JsonNode vm = n.path("verificationMaterial");
    if (!vm.isObject()) {
      throw new CheckException(BundleCode.BUNDLE_INVALID, subject, "verificationMaterial is missing");
    }
    Optional<String> hint = Optional.empty();
    boolean keyless = vm.has("certificate") || vm.has("x509CertificateChain");
    if (vm.has("publicKey")) {
      JsonNode h = vm.path("publicKey").path("hint");
      hint = h.isTextual() && !h.asText().isEmpty() ? Optional.of(h.asText()) : Optional.empty();
    }
    if (!n.has("dsseEnvelope")) {
      throw new CheckException(BundleCode.BUNDLE_UNSUPPORTED, subject,
          "bundle has no DSSE envelope (a message-signature bundle is not an attestation)");
    }
    return new SigstoreBundle(mt, hint, keyless, Envelope.fromJson(n.get("dsseEnvelope"), subject), bytes.clone());
  }

  /**
   * Verifies a public-key bundle under the caller's key. The hint must name that key, and the envelope's keyid, if
   * any, must equal the hint (the bundle spec's rule); then the DSSE signature decides.
   */
  public Dsse.Verified verify(VerificationKey key, String subject) {
    List<Finding> fs = new ArrayList<>();
    if (keyless) {
      fs.add(Finding.fail(BundleCode.BUNDLE_KEYLESS, subject,
          "bundle is signed keyless (certificate); verify it with a pinned trusted root, not a key"));
      return new Dsse.Verified(fs, Optional.empty());
    }
    if (keyHint.isEmpty()) {
      fs.add(Finding.fail(BundleCode.BUNDLE_KEY_HINT_MISSING, subject, "bundle names no public key"));
      return new Dsse.Verified(fs, Optional.empty());
    }
    if (!keyHint.get().equals(key.keyId())) {
      fs.add(Finding.fail(BundleCode.BUNDLE_KEY_HINT_MISMATCH, subject, "bundle was made for another key than the trusted one")
          .with("trustedKeyId", key.keyId()).with("bundleHint", keyHint.get()));
      return new Dsse.Verified(fs, Optional.empty());
    }
    for (Envelope.Signature s : envelope.signatures()) {
      if (s.keyid().isPresent() && !s.keyid().get().equals(keyHint.get())) {
        fs.add(Finding.fail(BundleCode.BUNDLE_KEY_HINT_MISMATCH, subject, "envelope keyid differs from the bundle's key hint")
            .with("bundleHint", keyHint.get()).with("envelopeKeyId", s.keyid().get()));
        return new Dsse.Verified(fs, Optional.empty());
      }
    }
    return Dsse.verify(envelope, key, subject);
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }
}
