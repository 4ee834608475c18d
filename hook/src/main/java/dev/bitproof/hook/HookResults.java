package dev.bitproof.hook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.JsonBody;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Outcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code bitproof hook results}: what a hook's results API answered, as the bodies of
 * {@code docs/schema/hook-results.json}. The stored result document is carried as the hook served it
 * ({@code document}); the outcome maps the hook's verdict onto the one result vocabulary (SKIPPED, an image the hook
 * does not check, is PASS).
 */
public final class HookResults {
  private HookResults() {}

  /**
   * One image's latest result.
   *
   * @param image REPOSITORY@DIGEST as asked
   * @param hookResult the hook's verdict: PASS, FAIL, ERROR or SKIPPED
   * @param document the stored result document (event, checks, the verify report, attestation or error)
   */
  public record One(String image, String hookResult, JsonNode document) implements JsonBody {
    public Outcome outcome() {
      return switch (hookResult) {
        case "PASS", "SKIPPED" -> Outcome.PASS;
        case "FAIL" -> Outcome.FAIL;
        default -> Outcome.ERROR;
      };
    }
  }

  /** One listed result: which image, its verdict, when, and the stored document. */
  public record Listed(String repository, String digest, String result, int attempts, int events, String finished,
      JsonNode document) {}

  /** A list of results, newest first. */
  public record Listing(List<Listed> results) implements JsonBody {
    public Listing {
      results = List.copyOf(results);
    }
  }

  /** The latest result of {@code repository@digest}; HOOK_RESULT_NOT_FOUND when the hook has none. */
  public static One one(HookClient client, String repository, Digest digest) {
    String image = repository + "@" + digest;
    JsonNode r = client.result(repository, digest).orElseThrow(() -> new CheckException(HookCode.HOOK_RESULT_NOT_FOUND,
        image, "the hook has no result for this image (not pushed, not yet checked, or not an image push)"));
    return new One(image, r.path("result").asText("ERROR"), r);
  }

  public static Listing list(HookClient client, Optional<String> result, Optional<Instant> since, int limit) {
    List<Listed> out = new ArrayList<>();
    for (JsonNode r : client.results(result, since, limit).path("results")) {
      out.add(new Listed(r.path("repository").asText(), r.path("digest").asText(), r.path("result").asText(),
          r.path("attempts").asInt(), r.path("events").asInt(), r.path("finished").asText(), r.path("document")));
    }
    return new Listing(out);
  }
}
