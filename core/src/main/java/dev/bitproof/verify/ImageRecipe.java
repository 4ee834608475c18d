package dev.bitproof.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.apk.db.ApkInstalledDb;
import dev.bitproof.apko.Arch;
import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.json.Json;
import dev.bitproof.json.JsonCode;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a published apko image says about its own making (apko v0.20.0+): each architecture image carries
 * {@code etc/apko.json}, the locked configuration apko built it from, and its installed database, which pins every
 * package. Together they are a config to rebuild from without the publisher's apko.yaml.
 *
 * <p>The recipe is the first image's {@code etc/apko.json} with {@code archs} = every architecture of the image and
 * {@code contents.packages} = the {@code name=version} pins of the installed databases. Both files are checked
 * against each other first: a package {@code etc/apko.json} asks for and the database lacks (or another version),
 * a pinned closure that differs from what is installed, another architecture, or a config that differs between
 * architectures beyond its packages is {@code IMAGE_APKO_JSON_INCONSISTENT}. Keys are never taken from the image
 * being verified: the recipe's keyring is read where the config names it.
 *
 * @param config the synthesized apko config (JSON, which apko's YAML loader reads), empty when none could be made
 * @param archs the architectures, apk names
 * @param pins {@code name=version} of every installed package, sorted
 * @param findings one per architecture image: {@code IMAGE_APKO_JSON_OK}, or what is missing or inconsistent
 */
public record ImageRecipe(Optional<byte[]> config, List<String> archs, List<String> pins, List<Finding> findings,
    List<String> notes) {
  static final String APKO_JSON = "etc/apko.json";
  static final List<String> INSTALLED = List.of("usr/lib/apk/db/installed", "lib/apk/db/installed");
  static final long MAX_APKO_JSON = 1024 * 1024;
  static final long MAX_INSTALLED = 256L * 1024 * 1024;

  public ImageRecipe {
    config = config == null ? Optional.empty() : config;
    archs = List.copyOf(archs);
    pins = List.copyOf(pins);
    findings = List.copyOf(findings);
    notes = List.copyOf(notes);
  }

  /**
   * Reads the recipe from every architecture image of {@code source}. An image with no {@code etc/apko.json} at all
   * (built by apko before v0.20.0, or not by apko) cannot be verified this way: {@code IMAGE_APKO_JSON_MISSING},
   * could not check.
   */
  public static ImageRecipe read(ImageSource source) throws IOException {
    Images.Tree tree = Images.walk(source);
    List<Finding> findings = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Map<String, ObjectNode> configs = new LinkedHashMap<>();
    Map<String, String> pinByName = new TreeMap<>();
    Set<String> conflicts = new TreeSet<>();
    int withApkoJson = 0;
    for (Images.Resolved r : tree.images()) {
      String variant = r.config().variant() == null ? "" : r.config().variant();
      Arch arch;
      try {
        arch = Arch.parse(r.config().architecture() + (variant.isEmpty() ? "" : "/" + variant));
      } catch (CheckException e) {
        findings.add(Finding.fail(VerifyCode.IMAGE_ARCH_UNKNOWN, r.config().platform().toString(),
            "not an architecture apko builds"));
        continue;
      }
      String subject = arch.platform().toString();
      ImageFilesystem fs = ImageFilesystem.read(source, r.manifest(), (path, size) ->
          (path.equals(APKO_JSON) && size <= MAX_APKO_JSON) || (INSTALLED.contains(path) && size <= MAX_INSTALLED));
      Optional<byte[]> apkoJson = fs.content(APKO_JSON);
      Optional<byte[]> installed = Optional.empty();
      String installedPath = "";
      for (String p : INSTALLED) {
        installed = fs.content(p);
        if (installed.isPresent()) {
          installedPath = p;
          break;
        }
      }
      if (apkoJson.isEmpty()) {
        findings.add(Finding.fail(VerifyCode.IMAGE_APKO_JSON_MISSING, subject, "the image has no " + APKO_JSON
            + " (apko writes it since v0.20.0, 2024-11), so its config cannot be read from it"));
        continue;
      }
      withApkoJson++;
      ObjectNode cfg;
      try {
        JsonNode n = Json.parse(apkoJson.get(), subject + " " + APKO_JSON);
        if (!n.isObject() || !n.path("contents").isObject()) {
          throw CheckException.integrity(JsonCode.JSON_INVALID, subject, "not an apko configuration object");
        }
        cfg = (ObjectNode) n;
      } catch (CheckException e) {
        findings.add(Finding.fail(VerifyCode.IMAGE_APKO_JSON_INVALID, subject + " " + APKO_JSON, "not an apko configuration: "
            + e.getMessage()));
        continue;
      }
      if (cfg.has("contents") && cfg.get("contents").has("baseimage")) {
        throw new CheckException(VerifyCode.IMAGE_RECIPE_UNSUPPORTED, subject + " " + APKO_JSON, "the image was built on a base "
            + "image (contents.baseimage); verifying such an image from itself alone is not supported: pass CONFIG");
      }
      if (installed.isEmpty()) {
        findings.add(Finding.fail(VerifyCode.IMAGE_INSTALLED_DB_MISSING, subject, "the image has no installed database ("
            + String.join(" or ", INSTALLED) + "), so nothing pins its packages"));
        continue;
      }
      ApkInstalledDb db;
      try {
        db = ApkInstalledDb.parse(installed.get(), subject + " " + installedPath);
      } catch (CheckException e) {
        findings.add(Finding.fail(VerifyCode.IMAGE_INSTALLED_DB_INVALID, subject + " " + installedPath, e.getMessage()));
        continue;
      }
      List<String> problems = consistency(cfg, db, arch);
      for (ApkInstalledDb.Package p : db.packages()) {
        String before = pinByName.putIfAbsent(p.name(), p.version());
        if (before != null && !before.equals(p.version())) {
          conflicts.add(p.name() + " (" + before + ", " + p.version() + ")");
        }
      }
      ObjectNode shape = cfg.deepCopy();
      ((ObjectNode) shape.get("contents")).remove("packages");
      shape.remove("archs");
      for (Map.Entry<String, ObjectNode> e : configs.entrySet()) {
        ObjectNode other = e.getValue().deepCopy();
        ((ObjectNode) other.get("contents")).remove("packages");
        other.remove("archs");
        if (!other.equals(shape)) {
          problems.add("its " + APKO_JSON + " differs from " + e.getKey() + "'s beyond packages and archs");
        }
      }
      configs.put(subject, cfg);
      if (problems.isEmpty()) {
        findings.add(Finding.ok(VerifyCode.IMAGE_APKO_JSON_OK, subject, APKO_JSON + " agrees with " + installedPath + " ("
            + db.packages().size() + " packages)"));
      } else {
        Finding f = Finding.fail(VerifyCode.IMAGE_APKO_JSON_INCONSISTENT, subject, APKO_JSON + " does not describe this image: "
            + String.join("; ", problems));
        for (int i = 0; i < problems.size(); i++) {
          f = f.with("problem" + (i + 1), problems.get(i));
        }
        findings.add(f);
      }
    }
    if (withApkoJson == 0) {
      throw new CheckException(VerifyCode.IMAGE_APKO_JSON_MISSING, source.reference().toString(), "no image of "
          + source.reference() + " carries " + APKO_JSON + " (written by apko since v0.20.0), so it cannot be verified "
          + "from itself alone: pass its apko.yaml as CONFIG");
    }
    if (!conflicts.isEmpty()) {
      throw new CheckException(VerifyCode.IMAGE_RECIPE_UNSUPPORTED, source.reference().toString(), "packages installed at "
          + "different versions on different architectures (" + String.join(", ", conflicts) + "): one config cannot "
          + "pin both; verify each platform with --platform");
    }
    if (configs.isEmpty()) {
      return new ImageRecipe(Optional.empty(), List.of(), List.of(), findings, notes);
    }
    ObjectNode recipe = configs.values().iterator().next().deepCopy();
    ArrayNode archs = recipe.putArray("archs");
    List<String> archNames = new ArrayList<>();
    for (String platform : configs.keySet()) {
      String a = Arch.parse(platform.substring(platform.indexOf('/') + 1)).apk();
      archs.add(a);
      archNames.add(a);
    }
    List<String> pins = new ArrayList<>();
    pinByName.forEach((n, v) -> pins.add(n + "=" + v));
    ArrayNode pk = ((ObjectNode) recipe.get("contents")).putArray("packages");
    pins.forEach(pk::add);
    JsonNode asked = configs.values().iterator().next().path("contents").path("packages");
    if (asked.isArray() && !allPinned(asked)) {
      notes.add(APKO_JSON + " lists package constraints, not the locked closure (apko before v0.22.2): the rebuild pins "
          + "the installed versions, so its own " + APKO_JSON + " lists pins");
    }
    return new ImageRecipe(Optional.of(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(recipe)),
        archNames, pins, findings, notes);
  }

  private static boolean allPinned(JsonNode packages) {
    for (JsonNode p : packages) {
      if (!p.asText().matches("[^=<>~]+=[^=<>~]+")) {
        return false;
      }
    }
    return true;
  }

  /** What in {@code etc/apko.json} the installed database contradicts, in words. */
  static List<String> consistency(ObjectNode cfg, ApkInstalledDb db, Arch arch) {
    List<String> problems = new ArrayList<>();
    JsonNode archs = cfg.path("archs");
    if (archs.isArray() && archs.size() > 0) {
      boolean found = false;
      for (JsonNode a : archs) {
        try {
          found |= Arch.parse(a.asText()) == arch;
        } catch (CheckException e) {
          // an unknown name is simply not this arch
        }
      }
      if (!found) {
        problems.add("archs " + archs + " does not include " + arch.oci());
      }
    }
    Map<String, String> installed = new LinkedHashMap<>();
    db.packages().forEach(p -> installed.put(p.name(), p.version()));
    JsonNode packages = cfg.path("contents").path("packages");
    Set<String> pinned = new LinkedHashSet<>();
    for (JsonNode pkg : packages) {
      String s = pkg.asText();
      int op = indexOfAny(s, "=<>~");
      String name = op < 0 ? s : s.substring(0, op);
      if (name.startsWith("!")) {
        if (installed.containsKey(name.substring(1))) {
          problems.add(name.substring(1) + " is installed though " + APKO_JSON + " excludes it");
        }
        continue;
      }
      String have = installed.get(name);
      if (have == null) {
        problems.add(s + " is not installed");
      } else if (s.matches("[^=<>~]+=[^=<>~]+")) {
        pinned.add(name);
        String want = s.substring(op + 1);
        if (!want.equals(have)) {
          problems.add(name + " is pinned to " + want + " but " + have + " is installed");
        }
      }
    }
    if (packages.isArray() && packages.size() > 0 && allPinned(packages)) {
      for (String n : installed.keySet()) {
        if (!pinned.contains(n)) {
          problems.add(n + "=" + installed.get(n) + " is installed but not in its pinned package list");
        }
      }
    }
    return problems;
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }
}
