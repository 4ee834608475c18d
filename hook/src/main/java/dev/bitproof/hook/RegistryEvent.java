package dev.bitproof.hook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.report.CheckException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One event of a registry notification (CNCF distribution's {@code application/vnd.docker.distribution.events.v1+json}
 * envelope: {@code {"events":[{"action":"push","target":{"mediaType","digest","repository","tag",…}}]}}).
 *
 * <p>Only what bitproof acts on is kept. The event's {@code target.url} is deliberately ignored: the hook fetches from
 * the registry it was configured with, so a forged event cannot make it fetch from elsewhere.
 */
public record RegistryEvent(String id, String action, MediaType mediaType, Digest digest, String repository,
    Optional<String> tag) {
  /** An envelope larger than this is refused (a push of a 100-platform index is a few KiB). */
  public static final int MAX_ENVELOPE = 1024 * 1024;
  public static final int MAX_EVENTS = 1000;

  /**
   * Parses an envelope; events that are not well-formed manifest/blob events are skipped, a document that is not
   * an envelope is {@code HOOK_EVENT_INVALID}.
   */
  public static List<RegistryEvent> parseEnvelope(byte[] body) {
    if (body.length > MAX_ENVELOPE) {
      throw new CheckException(HookCode.HOOK_EVENT_INVALID, "envelope", "notification envelope over " + MAX_ENVELOPE + " bytes");
    }
    JsonNode n;
    try {
      n = Json.parseObject(body, "notification envelope");
    } catch (CheckException e) {
      throw new CheckException(HookCode.HOOK_EVENT_INVALID, "envelope", e.getMessage(), e);
    }
    JsonNode events = n.get("events");
    if (events == null || !events.isArray()) {
      throw new CheckException(HookCode.HOOK_EVENT_INVALID, "envelope", "no events array");
    }
    if (events.size() > MAX_EVENTS) {
      throw new CheckException(HookCode.HOOK_EVENT_INVALID, "envelope", "more than " + MAX_EVENTS + " events");
    }
    List<RegistryEvent> out = new ArrayList<>();
    for (JsonNode e : events) {
      JsonNode t = e.path("target");
      String repo = t.path("repository").asText("");
      String digest = t.path("digest").asText("");
      String mt = t.path("mediaType").asText("");
      String tag = t.path("tag").asText("");
      if (!ImageReference.isValidRepository(repo) || mt.isEmpty() || !(tag.isEmpty() || ImageReference.isValidTag(tag))) {
        continue;
      }
      Digest d;
      try {
        d = Digest.parse(digest);
      } catch (CheckException bad) {
        continue;
      }
      out.add(new RegistryEvent(e.path("id").asText(""), e.path("action").asText(""), MediaType.of(mt), d, repo,
          tag.isEmpty() ? Optional.empty() : Optional.of(tag)));
    }
    return List.copyOf(out);
  }

  /**
   * Does this event name an image the hook should verify? A pushed manifest or index that is tagged, or an index
   * pushed by digest. Child manifests of an index (pushed untagged just before it) are verified through the index;
   * referrers-scheme and cosign tags ({@code sha256-…}) hold attestations and SBOMs, not images.
   */
  public boolean isImagePush() {
    if (!action.equals("push") || !mediaType.isManifestOrIndex()) {
      return false;
    }
    if (tag.isPresent()) {
      return !tag.get().startsWith("sha256-");
    }
    return mediaType.isIndex();
  }
}
