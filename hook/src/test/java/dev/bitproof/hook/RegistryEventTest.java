package dev.bitproof.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.CheckException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryEventTest {
  static final String D = "sha256:b5f05e6fc882c97d61c1daee566954ae6fc09924f8e152293e2b97a06092069f";

  static String event(String action, String mediaType, String repo, String tag) {
    return "{\"id\":\"1\",\"action\":\"" + action + "\",\"target\":{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + D
        + "\",\"repository\":\"" + repo + "\",\"url\":\"http://evil.example/v2/x/manifests/" + D + "\""
        + (tag == null ? "" : ",\"tag\":\"" + tag + "\"") + "},\"request\":{\"method\":\"PUT\"}}";
  }

  static List<RegistryEvent> parse(String... events) {
    return RegistryEvent.parseEnvelope(("{\"events\":[" + String.join(",", events) + "]}").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void selectsTaggedManifestsAndIndexes() {
    List<RegistryEvent> es = parse(
        event("push", "application/vnd.oci.image.index.v1+json", "apps/golden", "v1"),
        event("push", "application/vnd.oci.image.manifest.v1+json", "apps/golden", null),
        event("push", "application/vnd.oci.image.index.v1+json", "apps/golden", null),
        event("push", "application/octet-stream", "apps/golden", null),
        event("pull", "application/vnd.oci.image.index.v1+json", "apps/golden", "v1"),
        event("push", "application/vnd.oci.image.index.v1+json", "apps/golden", "sha256-" + "a".repeat(64)),
        event("push", "application/vnd.docker.distribution.manifest.v2+json", "apps/single", "latest"));
    assertEquals(7, es.size());
    assertEquals(List.of(true, false, true, false, false, false, true), es.stream().map(RegistryEvent::isImagePush).toList());
    assertEquals("apps/golden", es.get(0).repository());
    assertEquals(D, es.get(0).digest().toString());
  }

  @Test
  void malformedEventsAreSkippedAndBadEnvelopesRefused() {
    assertEquals(0, parse(event("push", "application/vnd.oci.image.index.v1+json", "UPPER/case", "v1"),
        event("push", "application/vnd.oci.image.index.v1+json", "a/../b", "v1"),
        event("push", "application/vnd.oci.image.index.v1+json", "ok", "bad tag")).size());
    for (String bad : List.of("[]", "{}", "{\"events\":{}}", "not json", "{\"events\":[]}{}")) {
      assertEquals(HookCode.HOOK_EVENT_INVALID, assertThrows(CheckException.class,
          () -> RegistryEvent.parseEnvelope(bad.getBytes(StandardCharsets.UTF_8))).code(), bad);
    }
    byte[] huge = new byte[RegistryEvent.MAX_ENVELOPE + 1];
    assertEquals(HookCode.HOOK_EVENT_INVALID, assertThrows(CheckException.class, () -> RegistryEvent.parseEnvelope(huge)).code());
    assertFalse(parse().stream().anyMatch(RegistryEvent::isImagePush));
    assertTrue(parse(event("push", "application/vnd.oci.image.index.v1+json", "x", "v1")).get(0).isImagePush());
  }
}
