package dev.bitproof.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.report.CheckException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed image config (OCI and Docker share the shape). {@code json} is the whole document so field-by-field
 * comparison can reach fields this model does not name.
 */
public record ImageConfig(byte[] raw, Digest digest, String architecture, String os, String variant,
    Optional<String> created, Optional<String> author, List<String> env, List<String> entrypoint, List<String> cmd,
    String user, String workingDir, Map<String, String> labels, Optional<String> stopSignal, List<Digest> diffIds,
    List<JsonNode> history, ObjectNode json) {

  public static final int MAX_SIZE = 8 * 1024 * 1024;

  public ImageConfig {
    env = List.copyOf(env);
    entrypoint = List.copyOf(entrypoint);
    cmd = List.copyOf(cmd);
    labels = Map.copyOf(labels);
    diffIds = List.copyOf(diffIds);
    history = List.copyOf(history);
  }

  public static ImageConfig parse(byte[] raw) {
    Digest digest = Digest.sha256(raw);
    String subj = "config " + digest;
    if (raw.length > MAX_SIZE) {
      throw new CheckException(OciCode.CONFIG_TOO_LARGE, subj, "config is " + raw.length + " bytes, over the limit");
    }
    ObjectNode n = Json.parseObject(raw, subj);
    JsonNode c = n.get("config");
    if (c == null || c.isNull()) {
      c = Json.mapper().createObjectNode();
    } else if (!c.isObject()) {
      throw new CheckException(OciCode.CONFIG_INVALID, subj, "config.config must be an object");
    }
    JsonNode rootfs = n.get("rootfs");
    List<Digest> diffIds = new ArrayList<>();
    if (rootfs != null && rootfs.isObject()) {
      for (String s : Json.stringList(rootfs, "diff_ids")) {
        diffIds.add(Digest.parse(s));
      }
    }
    List<JsonNode> history = new ArrayList<>();
    JsonNode h = n.get("history");
    if (h != null && h.isArray()) {
      h.forEach(history::add);
    }
    return new ImageConfig(raw.clone(), digest, Json.text(n, "architecture").orElse(""), Json.text(n, "os").orElse(""),
        Json.text(n, "variant").orElse(""), Json.text(n, "created"), Json.text(n, "author"),
        Json.stringList(c, "Env"), Json.stringList(c, "Entrypoint"), Json.stringList(c, "Cmd"),
        Json.text(c, "User").orElse(""), Json.text(c, "WorkingDir").orElse(""), Json.stringMap(c, "Labels"),
        Json.text(c, "StopSignal"), diffIds, history, n);
  }

  public Platform platform() {
    return Platform.of(os, architecture, variant);
  }
}
