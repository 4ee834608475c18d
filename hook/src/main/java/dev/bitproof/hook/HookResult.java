package dev.bitproof.hook;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.attest.SignSummary;
import dev.bitproof.json.JsonBody;
import dev.bitproof.oci.Digest;
import java.util.List;

/**
 * The hook's stored result of one pushed image, as the results API serves it (kind {@code bitproof-hook-result}; its
 * schema is {@code #/$defs/resultDocument} of {@code docs/schema/hook-results.json}). Absent parts are left out: a
 * SKIPPED image has a {@code reason} and no checks, an unchecked one an {@code error}.
 *
 * @param tool {@code bitproof VERSION}, the hook that checked it
 * @param image the image as fetched from the configured registry (never the event's URL)
 * @param checks the report's checks (verify's, or the published policy and SBOM checks)
 * @param verify the full verify report, exactly as {@code verify --format json} prints it
 * @param attestation what signing it did, when an attester is configured
 * @param result PASS, FAIL, ERROR (could not check) or SKIPPED (a referrer, not an image)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HookResult(int schemaVersion, String kind, String tool, Event event, String policyVersion, int attempt,
    String image, String reason, List<JsonNode> checks, JsonNode verify, SignSummary attestation, Error error,
    String result) implements JsonBody {

  /** The push event the job came from. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Event(String id, String repository, Digest digest, String tag, String mediaType) {}

  /** Why the image could not be checked (or the integrity failure found before a result). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Error(String code, String subject, String message) {}
}
