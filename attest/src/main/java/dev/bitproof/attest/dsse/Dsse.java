package dev.bitproof.attest.dsse;

import dev.bitproof.attest.sign.SigningKey;
import dev.bitproof.attest.sign.VerificationKey;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Signs payloads into envelopes and verifies envelopes against a trusted key. */
public final class Dsse {
  private Dsse() {}

  /** One signature over PAE(payloadType, payload), keyid = the key's id. */
  public static Envelope sign(String payloadType, byte[] payload, SigningKey key) {
    byte[] sig = key.sign(Pae.encode(payloadType, payload));
    return new Envelope(payloadType, payload, List.of(new Envelope.Signature(Optional.of(key.keyId()), sig)));
  }

  /**
   * The result of checking an envelope: the findings, and the payload bytes when (and only when) exactly one
   * signature verified under the trusted key and the payload type is in-toto.
   */
  public record Verified(List<Finding> findings, Optional<byte[]> payload) {
    public Verified {
      findings = List.copyOf(findings);
    }

    public boolean ok() {
      return payload.isPresent() && findings.stream().noneMatch(Finding::fails);
    }
  }

  /**
   * Verifies an attestation envelope: exactly one signature (what a sigstore bundle requires, and all bitproof
   * writes), payload type {@code application/vnd.in-toto+json}, signature valid under {@code key}.
   */
  public static Verified verify(Envelope env, VerificationKey key, String subject) {
    List<Finding> fs = new ArrayList<>();
    if (env.signatures().isEmpty()) {
      fs.add(Finding.fail(DsseCode.DSSE_NO_SIGNATURE, subject, "the envelope carries no signature"));
      return new Verified(fs, Optional.empty());
    }
    if (env.signatures().size() != 1) {
      fs.add(Finding.fail(DsseCode.DSSE_SIGNATURE_COUNT, subject,
          "the envelope carries " + env.signatures().size() + " signatures; exactly one is accepted")
          .with("signatures", env.signatures().size()));
      return new Verified(fs, Optional.empty());
    }
    if (!Envelope.IN_TOTO.equals(env.payloadType())) {
      fs.add(Finding.fail(DsseCode.DSSE_PAYLOAD_TYPE, subject, "payload type is not an in-toto statement")
          .with("expected", Envelope.IN_TOTO).with("actual", env.payloadType()));
      return new Verified(fs, Optional.empty());
    }
    Envelope.Signature s = env.signatures().get(0);
    if (!key.verifies(env.pae(), s.sig())) {
      fs.add(new Finding(DsseCode.DSSE_SIGNATURE_INVALID, Severity.FAIL, subject,
          "the signature does not verify under the trusted key", java.util.Map.of())
          .with("trustedKeyId", key.keyId()).with("envelopeKeyId", s.keyid().orElse("(none)")));
      return new Verified(fs, Optional.empty());
    }
    if (s.keyid().isPresent() && !s.keyid().get().equals(key.keyId())) {
      // DSSE defines keyid as an optional, unauthenticated hint in a scheme of the signer's choosing:
      // securesystemslib (the reference implementation) writes its own canonical-JSON key id, so a keyid that
      // is not ours must not fail a signature the trusted key verified. Reported, so a hint naming another key
      // is seen; inside a sigstore bundle the hint must match (BUNDLE_KEY_HINT_MISMATCH).
      fs.add(new Finding(DsseCode.DSSE_KEYID_MISMATCH, Severity.WARN, subject,
          "the envelope's keyid is not the trusted key's id (an unauthenticated hint; another signer's scheme or "
              + "another key)", java.util.Map.of())
          .with("trustedKeyId", key.keyId()).with("envelopeKeyId", s.keyid().get()));
    }
    fs.add(Finding.ok(DsseCode.DSSE_SIGNATURE_VALID, subject, "signature verified").with("keyId", key.keyId())
        .with("keyType", key.type().cliName()));
    return new Verified(fs, Optional.of(env.payload()));
  }
}
