package dev.bitproof.verify;

import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.rebuild.ApkoChange;
import dev.bitproof.rebuild.ApkoRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which apko rule sets could have built a published image, judged from what the image shows without reading a
 * layer: {@code artifactType} on the index entries, the {@code created} annotation, the default PATH order in
 * the config, and (with title and vendor annotations) the history comment. The newest rule set always comes first (it is the likeliest); the others follow newest first.
 */
public final class ApkoCandidates {
  private ApkoCandidates() {}

  static final String PATH_SBIN_FIRST = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  static final String PATH_BIN_FIRST = "PATH=/usr/local/sbin:/usr/local/bin:/usr/bin:/usr/sbin:/sbin:/bin";

  public static List<ApkoRules> forImage(Images.Tree published) {
    List<ApkoRules> out = new ArrayList<>();
    out.add(ApkoRules.newest());
    for (ApkoRules r : ApkoRules.all()) {
      if (!out.contains(r) && allows(published, r)) {
        out.add(r);
      }
    }
    return out;
  }

  /** Whether the image's visible features agree with the rule set. */
  static boolean allows(Images.Tree t, ApkoRules r) {
    if (t.index().isPresent()) {
      boolean artifactType = t.images().stream().anyMatch(i -> i.indexEntry().flatMap(Descriptor::artifactType).isPresent());
      if (artifactType != r.has(ApkoChange.INDEX_ARTIFACT_TYPE)) {
        return false;
      }
    }
    Map<String, String> ann = t.index().map(i -> i.annotations())
        .orElseGet(() -> t.images().get(0).manifest().annotations());
    if (ann.containsKey("org.opencontainers.image.created") != r.has(ApkoChange.CREATED_ANNOTATION)) {
      return false;
    }
    String title = ann.get("org.opencontainers.image.title");
    String vendor = ann.get("org.opencontainers.image.vendor");
    List<com.fasterxml.jackson.databind.JsonNode> history = t.images().get(0).config().history();
    if (title != null && vendor != null && !history.isEmpty()) {
      boolean byVendor = history.get(history.size() - 1).path("comment").asText("").equals(title + " by " + vendor);
      if (byVendor != r.has(ApkoChange.HISTORY_TITLE_VENDOR)) {
        return false;
      }
    }
    List<String> env = t.images().get(0).config().env();
    if (env.contains(PATH_SBIN_FIRST) && r.has(ApkoChange.PATH_SBIN_MERGE)) {
      return false;
    }
    return !(env.contains(PATH_BIN_FIRST) && !r.has(ApkoChange.PATH_SBIN_MERGE));
  }
}
