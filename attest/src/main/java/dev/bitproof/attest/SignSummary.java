package dev.bitproof.attest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.bitproof.json.JsonBody;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.Outcome;
import java.util.List;

/**
 * What a signing did, as {@code attest sign} prints it ({@code docs/schema/attest-sign.json}) and the registry hook
 * stores it in a result's {@code attestation}: the key, the image, the attestations' envelope digests, the files
 * written and where they were attached.
 *
 * @param reportResult the signed report's own result
 * @param attached absent when nothing was attached
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SignSummary(String keyId, String keyType, Digest subject, String reference, Outcome reportResult,
    List<String> files, List<Signer.Signed> attestations, Attached attached) implements JsonBody {

  /**
   * Where the attestations were attached.
   *
   * @param tag absent when the registry's referrers API indexed every referrer (the tag scheme was not written)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Attached(String reference, String layout, String tag, boolean referrersApi, List<Digest> digests) {}

  public static SignSummary of(Signer.SignResult r) {
    return new SignSummary(r.keyId(), r.keyType(), r.subject(), r.reference(), Outcome.of(r.reportPassed()),
        r.files().stream().map(Object::toString).toList(), r.attestations(),
        r.attached().map(a -> new Attached(a.reference(), Signer.layoutName(a.layout()), a.tag().orElse(null),
            a.referrersApi(), a.digests())).orElse(null));
  }
}
