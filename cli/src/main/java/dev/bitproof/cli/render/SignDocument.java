package dev.bitproof.cli.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.attest.Signer;
import dev.bitproof.json.Json;

/** A {@link Signer.SignResult} as JSON: {@code attest sign}'s document body, and the hook's {@code attestation}. */
public final class SignDocument {
  private SignDocument() {}

  /** The sign result's fields in the {@code attest sign} document ({@code docs/schema/attest-sign.json}). */
  public static ObjectNode of(Signer.SignResult r) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("keyId", r.keyId());
    n.put("keyType", r.keyType());
    n.put("subject", r.subject().toString());
    n.put("reference", r.reference());
    n.put("reportResult", r.reportPassed() ? "PASS" : "FAIL");
    ArrayNode files = n.putArray("files");
    r.files().forEach(f -> files.add(f.toString()));
    ArrayNode atts = n.putArray("attestations");
    for (Signer.Signed s : r.attestations()) {
      atts.addObject().put("predicateType", s.predicateType()).put("envelopeDigest", s.envelopeDigest().toString());
    }
    r.attached().ifPresent(a -> {
      ObjectNode at = n.putObject("attached");
      at.put("reference", a.reference());
      at.put("layout", Signer.layoutName(a.layout()));
      // no tag: the registry's referrers API indexed every referrer (OCI-Subject), so the tag scheme was not written
      a.tag().ifPresent(t -> at.put("tag", t));
      at.put("referrersApi", a.referrersApi());
      ArrayNode ds = at.putArray("digests");
      a.digests().forEach(d -> ds.add(d.toString()));
    });
    return n;
  }}
