package dev.bitproof.apko;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.gocompat.GoJson;
import dev.bitproof.json.Json;
import dev.bitproof.report.CheckException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code apko.lock.json} (reference apko.md §3.2): the config's checksum, the keyrings and repositories, and
 * every package per arch in install order with its URL, byte ranges and checksums. Reads the current form and
 * the pre-0.13 form (no config, no package checksum; apko refuses to build from it and so do we), and writes
 * the current form with apko's {@code MarshalIndent} bytes.
 */
public record LockFile(String version, Optional<Config> config, List<KeyringEntry> keyring,
    List<Repository> buildRepositories, List<Repository> runtimeRepositories, List<Repository> repositories,
    List<LockedPackage> packages) {

  /** Lock files are small; 64 MiB covers thousands of packages. */
  public static final int MAX_BYTES = 64 * 1024 * 1024;

  public LockFile {
    keyring = List.copyOf(keyring);
    buildRepositories = List.copyOf(buildRepositories);
    runtimeRepositories = List.copyOf(runtimeRepositories);
    repositories = List.copyOf(repositories);
    packages = List.copyOf(packages);
  }

  public record Config(String name, String checksum) {}

  public record KeyringEntry(String name, String url, String content) {}

  public record Repository(String name, String url, String architecture) {}

  /** A byte range of the .apk and the checksum of those bytes. */
  public record Range(String range, String checksum) {}

  public record LockedPackage(String name, String url, String version, String architecture, Range signature,
      Range control, Range data, String checksum) {
    /** {@code name=version}, as the per-arch locked config lists it. */
    public String pin() {
      return name + "=" + version;
    }
  }

  /** Is this lock from before apko 0.13 (no per-package checksum, which apko requires)? */
  public boolean isPre013() {
    return packages.stream().anyMatch(p -> p.checksum() == null || p.checksum().isEmpty());
  }

  /** The packages of one apk arch, in lock (install) order. */
  public List<LockedPackage> packagesFor(String apkArch) {
    return packages.stream().filter(p -> p.architecture().equals(apkArch)).toList();
  }

  public static LockFile parse(byte[] bytes, String subject) {
    if (bytes.length > MAX_BYTES) {
      throw new CheckException(ApkoCode.LOCK_TOO_LARGE, subject, "lock file is over " + MAX_BYTES + " bytes");
    }
    JsonNode n = Json.parseObject(bytes, subject);
    String version = Json.text(n, "version").orElse("");
    if (!version.equals("v1")) {
      throw new CheckException(ApkoCode.LOCK_VERSION_UNSUPPORTED, subject, "lock version '" + version + "' (only v1 is known)");
    }
    Optional<Config> config = Optional.empty();
    JsonNode c = n.get("config");
    if (c != null && !c.isNull()) {
      config = Optional.of(new Config(Json.text(c, "name").orElse(""), Json.text(c, "checksum").orElse("")));
    }
    JsonNode contents = n.path("contents");
    List<KeyringEntry> keys = new ArrayList<>();
    for (JsonNode k : arr(contents, "keyring", subject)) {
      keys.add(new KeyringEntry(Json.text(k, "name").orElse(""), Json.text(k, "url").orElse(""),
          Json.text(k, "content").orElse("")));
    }
    List<LockedPackage> pkgs = new ArrayList<>();
    for (JsonNode p : arr(contents, "packages", subject)) {
      pkgs.add(new LockedPackage(Json.requiredText(p, "name", subject), Json.requiredText(p, "url", subject),
          Json.requiredText(p, "version", subject), Json.requiredText(p, "architecture", subject),
          range(p.get("signature")), range(p.get("control")), range(p.get("data")),
          Json.text(p, "checksum").orElse("")));
    }
    return new LockFile(version, config, keys, repos(contents, "build_repositories", subject),
        repos(contents, "runtime_repositories", subject), repos(contents, "repositories", subject), pkgs);
  }

  private static Range range(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    return new Range(Json.text(n, "range").orElse(""), Json.text(n, "checksum").orElse(""));
  }

  private static List<Repository> repos(JsonNode contents, String field, String subject) {
    List<Repository> out = new ArrayList<>();
    for (JsonNode r : arr(contents, field, subject)) {
      out.add(new Repository(Json.text(r, "name").orElse(""), Json.text(r, "url").orElse(""),
          Json.text(r, "architecture").orElse("")));
    }
    return out;
  }

  private static List<JsonNode> arr(JsonNode obj, String field, String subject) {
    JsonNode a = obj.get(field);
    if (a == null || a.isNull()) {
      return List.of();
    }
    if (!a.isArray()) {
      throw new CheckException(ApkoCode.LOCK_INVALID, subject, "contents." + field + " must be an array");
    }
    List<JsonNode> out = new ArrayList<>();
    a.forEach(out::add);
    return out;
  }

  /** {@code json.MarshalIndent(lock, "", "  ") + "\n"}. */
  public byte[] toBytes() {
    GoJson.Obj o = GoJson.object();
    o.put("version", version);
    if (config.isPresent()) {
      o.put("config", GoJson.object().put("name", config.get().name()).put("checksum", config.get().checksum()));
    }
    GoJson.Obj c = GoJson.object();
    GoJson.Arr k = GoJson.array();
    for (KeyringEntry e : keyring) {
      k.add(GoJson.object().put("name", e.name()).put("url", e.url()).putIfNotEmpty("content", e.content()));
    }
    c.put("keyring", k);
    c.put("build_repositories", repoArr(buildRepositories));
    c.put("runtime_repositories", repoArr(runtimeRepositories));
    c.put("repositories", repoArr(repositories));
    GoJson.Arr ps = GoJson.array();
    for (LockedPackage p : packages) {
      GoJson.Obj po = GoJson.object().put("name", p.name()).put("url", p.url()).put("version", p.version())
          .put("architecture", p.architecture());
      if (p.signature() != null) {
        po.put("signature", rangeObj(p.signature()));
      }
      po.put("control", rangeObj(p.control()));
      po.put("data", rangeObj(p.data()));
      po.put("checksum", p.checksum());
      ps.add(po);
    }
    c.put("packages", ps);
    o.put("contents", c);
    return (GoJson.indent(GoJson.marshal(o)) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static GoJson.Obj rangeObj(Range r) {
    return GoJson.object().put("range", r == null ? "" : r.range()).put("checksum", r == null ? "" : r.checksum());
  }

  private static GoJson.Arr repoArr(List<Repository> rs) {
    GoJson.Arr a = GoJson.array();
    for (Repository r : rs) {
      a.add(GoJson.object().put("name", r.name()).put("url", r.url()).put("architecture", r.architecture()));
    }
    return a;
  }

  /** The {@code name=version} pins per apk arch (apko's {@code Arch2LockedPackages}). */
  public Map<String, List<String>> pinsByArch() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (LockedPackage p : packages) {
      m.computeIfAbsent(p.architecture(), a -> new ArrayList<>()).add(p.pin());
    }
    return m;
  }
}
