package dev.bitproof.rebuild;

import dev.bitproof.gocompat.Shlex;

import dev.bitproof.gocompat.GoJson;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.apko.ApkoDefaults;
import dev.bitproof.apko.Arch;
import dev.bitproof.apko.ImageConfiguration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The config apko writes on top of a base image (apko {@code BuildImageFromLayers} over ggcr
 * {@code mutate.Append}, reference apko.md §1.6/§1.8): the base's config read into ggcr's {@code v1.ConfigFile},
 * our history entries and diff_ids appended, then apko's fields set. What apko always sets (author,
 * architecture, variant, os, created, Labels, Env) replaces the base's; Entrypoint, Cmd, WorkingDir, Volumes,
 * User and StopSignal replace it only when the apko.yaml sets them, otherwise the base's value is kept.
 */
final class BaseConfig {
  private BaseConfig() {}

  static byte[] configJson(ApkoRules rules, Arch arch, ImageConfiguration ic, BaseImage base, List<BuildResult.Layer> ours,
      long buildDate, Map<String, String> annotations) {
    JsonNode b = base.config();
    String ts = ImageJson.rfc3339(buildDate);
    GoJson.Obj o = GoJson.object();
    o.put("architecture", arch.platform().architecture());
    o.put("author", "github.com/chainguard-dev/apko");
    o.put("created", ts);
    GoJson.Arr history = GoJson.array();
    for (JsonNode h : b.path("history")) {
      GoJson.Obj he = GoJson.object();
      he.putIfNotEmpty("author", h.path("author").asText(""));
      he.put("created", h.path("created").asText("0001-01-01T00:00:00Z"));
      he.putIfNotEmpty("created_by", h.path("created_by").asText(""));
      he.putIfNotEmpty("comment", h.path("comment").asText(""));
      if (h.path("empty_layer").asBoolean(false)) {
        he.put("empty_layer", true);
      }
      history.add(he);
    }
    String comment = rules.historyComment(annotations, ours.size());
    for (int i = 0; i < ours.size(); i++) {
      history.add(GoJson.object().put("author", "apko").put("created", ts).put("created_by", "apko")
          .putIfNotEmpty("comment", comment));
    }
    o.putIfNotEmpty("history", history);
    o.put("os", "linux");
    GoJson.Arr ids = GoJson.array();
    for (JsonNode d : b.path("rootfs").path("diff_ids")) {
      ids.add(d.asText());
    }
    ours.forEach(l -> ids.add(l.diffId().toString()));
    o.put("rootfs", GoJson.object().put("type", b.path("rootfs").path("type").asText("")).put("diff_ids", ids));

    JsonNode bc = b.path("config");
    GoJson.Obj c = GoJson.object();
    List<String> cmd = Shlex.split(ic.cmd());
    c.putIfNotEmpty("Cmd", GoJson.stringArray(!ic.cmd().isEmpty() ? cmd : strings(bc.path("Cmd"))));
    List<String> entrypoint = !ic.entrypoint().shellFragment().isEmpty()
        ? List.of("/bin/sh", "-c", ic.entrypoint().shellFragment())
        : !ic.entrypoint().command().isEmpty() ? Shlex.split(ic.entrypoint().command()) : strings(bc.path("Entrypoint"));
    c.putIfNotEmpty("Entrypoint", GoJson.stringArray(entrypoint));
    Map<String, String> env = ApkoDefaults.environment(ic.environment(), rules.defaultPath());
    List<String> envList = new ArrayList<>();
    env.forEach((k, v) -> envList.add(k + "=" + v));
    envList.sort(GoJson::compareUtf8);
    c.putIfNotEmpty("Env", GoJson.stringArray(envList));
    c.putIfNotEmpty("Labels", GoJson.stringMap(new TreeMap<>(Rebuild.withCreated(rules, annotations, ic.vcsUrl(), buildDate))));
    c.putIfNotEmpty("User", !ic.accounts().runAs().isEmpty() ? ic.accounts().runAs() : bc.path("User").asText(""));
    List<String> volumes = !ic.volumes().isEmpty() ? ic.volumes() : fieldNames(bc.path("Volumes"));
    if (!volumes.isEmpty()) {
      GoJson.Obj v = GoJson.object();
      new java.util.TreeSet<>(volumes).forEach(k -> v.put(k, GoJson.object()));
      c.put("Volumes", v);
    }
    c.putIfNotEmpty("WorkingDir", !ic.workDir().isEmpty() ? ic.workDir() : bc.path("WorkingDir").asText(""));
    c.putIfNotEmpty("StopSignal", !ic.stopSignal().isEmpty() ? ic.stopSignal() : bc.path("StopSignal").asText(""));
    o.put("config", c);
    o.putIfNotEmpty("os.version", b.path("os.version").asText(""));
    o.putIfNotEmpty("variant", arch.platform().variant());
    o.putIfNotEmpty("os.features", GoJson.stringArray(strings(b.path("os.features"))));
    return GoJson.marshal(o);
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : n) {
      out.add(e.asText());
    }
    return out;
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
