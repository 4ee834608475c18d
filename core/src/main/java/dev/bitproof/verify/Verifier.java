package dev.bitproof.verify;

import dev.bitproof.apk.ApkCode;
import dev.bitproof.compare.CompareOptions;
import dev.bitproof.compare.Comparison;
import dev.bitproof.compare.ImageComparator;
import dev.bitproof.compare.Verdict;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.rebuild.ApkoRules;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * "Is the published image what its config says?" as a linear list of named steps: read the published image,
 * take from it what apko takes from flags, rebuild, check every package and index signature the rebuild used,
 * compare digest by digest, and write one {@link Report}.
 */
public final class Verifier {
  private Verifier() {}

  /**
   * @param sourceDateEpoch an explicit build date; empty means "auto": the published image's
   * @param required the least comparison verdict that passes
   * @param apkoRules {@code --apko-version}: build with these rules only; empty: try the newest, then the rule sets
   *     the published image's features allow ({@link ApkoCandidates}), and report which reproduce it
   * @param archs apk architectures to narrow the rebuild to ({@code --arch}); empty: the config's archs, each of
   *     which the published image must have (the published image's own list is used only when the config names
   *     none)
   */
  public record Request(Path config, Optional<Path> lockfile, Optional<Path> keyringDir, OptionalLong sourceDateEpoch,
      String published, Path workDir, CompareOptions compare, Verdict required, TransportOptions transport,
      Optional<ApkoRules> apkoRules, List<String> archs) {
    public Request {
      apkoRules = apkoRules == null ? Optional.empty() : apkoRules;
      archs = archs == null ? List.of() : List.copyOf(archs);
    }

    /** The config's archs, the given rule sets. */
    public Request(Path config, Optional<Path> lockfile, Optional<Path> keyringDir, OptionalLong sourceDateEpoch,
        String published, Path workDir, CompareOptions compare, Verdict required, TransportOptions transport,
        Optional<ApkoRules> apkoRules) {
      this(config, lockfile, keyringDir, sourceDateEpoch, published, workDir, compare, required, transport,
          apkoRules, List.of());
    }

    public Request withArchs(List<String> a) {
      return new Request(config, lockfile, keyringDir, sourceDateEpoch, published, workDir, compare, required,
          transport, apkoRules, a);
    }

    /** Rule sets chosen automatically. */
    public Request(Path config, Optional<Path> lockfile, Optional<Path> keyringDir, OptionalLong sourceDateEpoch,
        String published, Path workDir, CompareOptions compare, Verdict required, TransportOptions transport) {
      this(config, lockfile, keyringDir, sourceDateEpoch, published, workDir, compare, required, transport,
          Optional.empty());
    }

    public Request withApkoRules(ApkoRules r) {
      return new Request(config, lockfile, keyringDir, sourceDateEpoch, published, workDir, compare, required,
          transport, Optional.of(r), archs);
    }
  }

  private static Rebuilder.Inputs inputs(Request req, PublishedHints hints, OptionalLong epoch, Path out,
      ApkoRules rules) {
    return new Rebuilder.Inputs(req.config(), req.lockfile(), req.keyringDir(), epoch, hints.annotations(),
        req.archs(), hints.archs(), out, rules);
  }

  /** One rebuild with one rule set, with the build-date decision it made. */
  private record Attempt(ApkoRules rules, Rebuilder.Rebuilt rebuilt, Map<String, String> inputs, List<String> notes,
      Optional<Digest> root) {}

  /** The rebuilt image's root digest (the index of the layout just written). */
  private static Optional<Digest> rootOf(Rebuilder.Rebuilt r) throws IOException {
    try (ImageSource s = Transports.source(r.image(), TransportOptions.defaults())) {
      return Optional.of(Images.walk(s).root().digest());
    }
  }

  /** The build date the rebuilt image carries (its created annotation or config field). */
  private static OptionalLong createdOf(Rebuilder.Rebuilt r) throws IOException {
    try (ImageSource s = Transports.source(r.image(), TransportOptions.defaults())) {
      return PublishedHints.from(Images.walk(s)).sourceDateEpoch();
    }
  }

  public static Report run(Request req, Rebuilder rebuilder, ImageSource published) throws IOException {
    return run(req, rebuilder, published, List.of());
  }

  /** @param extra checks of the published image run after the comparison (e.g. {@link PublishedCheck#sbom()}) */
  public static Report run(Request req, Rebuilder rebuilder, ImageSource published, List<PublishedCheck> extra)
      throws IOException {
    // 1. what apko took from flags, read back from the published image
    Images.Tree tree = Images.walk(published);
    PublishedHints hints = PublishedHints.from(tree);
    List<String> notes = new ArrayList<>(hints.notes());
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put("image", req.published());
    inputs.put("config", req.config().toString());
    inputs.put("lockfile", req.lockfile().map(Path::toString).orElse("(none: resolved from the repositories)"));
    inputs.put("keyring", req.keyringDir().map(Path::toString).orElse("(the config's keyring only)"));
    inputs.put("archs", req.archs().isEmpty() ? "(the config's; published: " + String.join(",", hints.archs()) + ")"
        : String.join(",", req.archs()));
    inputs.put("require", req.required().name());

    // 2. rebuild with each candidate apko rule set (newest first); every one that gives the published digest is
    // reported, the newest of them is the rebuild the report shows
    List<ApkoRules> candidates = req.apkoRules().map(List::of).orElseGet(() -> rebuilder.followsApkoRules()
        ? ApkoCandidates.forImage(tree, ApkoCandidates.TopLayer.read(tree, published)) : List.of(ApkoRules.newest()));
    Digest publishedRoot = tree.root().digest();
    Attempt first = null;
    Attempt match = null;
    List<String> tried = new ArrayList<>();
    List<ApkoRules> reproducing = new ArrayList<>();
    for (ApkoRules r : candidates) {
      Attempt a;
      try {
        a = attempt(req, rebuilder, hints, r, candidates.size() == 1 ? "rebuilt" : "rebuilt-" + dirName(r));
      } catch (CheckException e) {
        if (first == null) {
          throw e;
        }
        tried.add(r.label() + " (failed: " + e.getMessage() + ")");
        continue;
      }
      tried.add(r.label());
      if (first == null) {
        first = a;
      }
      if (a.root().isPresent() && a.root().get().equals(publishedRoot)) {
        reproducing.add(r);
        if (match == null) {
          match = a;
        }
      }
    }
    Attempt chosen = match != null ? match : first;
    Rebuilder.Rebuilt rebuilt = chosen.rebuilt();
    inputs.putAll(chosen.inputs());
    if (rebuilder.followsApkoRules()) {
      inputs.put("apkoVersion", req.apkoRules().map(r -> r.label() + " (--apko-version)")
          .orElse("auto: tried " + String.join(", ", tried)));
    }
    notes.addAll(0, chosen.notes());
    notes.addAll(rebuilt.notes());
    List<Report.Check> checks = new ArrayList<>();
    checks.add(Report.Check.of("rebuild", "rebuilt " + rebuilt.image(), rebuilt.facts(), Report.Status.PASS));

    // 3. signatures: a verification that checked none is not a pass
    List<Finding> sigs = new ArrayList<>(rebuilt.signatures());
    if (sigs.isEmpty()) {
      sigs.add(Finding.fail(VerifyCode.SIGNATURES_NONE_CHECKED, "packages", "the rebuild used no signed package or index, so nothing vouches for its inputs"));
    }
    long ok = sigs.stream().filter(f -> f.severity() == Severity.OK && ApkCode.SIGNATURE_VERIFIED.contains(f.code())).count();
    long bad = sigs.stream().filter(Finding::fails).count();
    checks.add(Report.Check.of("signatures", ok + " signatures verified, " + bad + " failed", sigs, Report.Status.FAIL));

    // 4. compare: A = rebuilt (what the config says), B = published
    Comparison c;
    try (ImageSource a = Transports.source(rebuilt.image(), req.transport())) {
      c = ImageComparator.compare(a, published, req.compare());
    }
    checks.add(Report.compareCheck(c, req.required()));
    for (PublishedCheck x : extra) {
      checks.add(x.run(published.reference(), published, req.transport()));
    }
    if (rebuilder.followsApkoRules()) {
      checks.add(versionsCheck(reproducing, tried));
    }
    return new Report("verify", new Report.Subject("rebuilt", c.referenceA(), Optional.of(c.rootA())),
        new Report.Subject("published", c.referenceB(), Optional.of(c.rootB())), inputs, notes, checks, Optional.of(c));
  }

  /**
   * Verify from the image alone: the config is the published image's own {@code etc/apko.json} with the pins of its
   * installed database ({@link ImageRecipe}); the rebuild reads the repositories and keys that config names
   * (relative ones against the rebuilder's working directory), or their {@code mirrors}. The report's first check,
   * {@code recipe}, holds the consistency findings; its inputs say where each input came from.
   *
   * @param req as for {@link #run}; its {@code config} and {@code lockfile} are not used
   * @param mirrors configured repository or key location → where it was read instead
   */
  public static Report runFromImage(Request req, Rebuilder rebuilder, ImageSource published, List<PublishedCheck> extra,
      Map<String, String> mirrors) throws IOException {
    ImageRecipe recipe = ImageRecipe.read(published);
    long bad = recipe.findings().stream().filter(Finding::fails).count();
    Report.Check recipeCheck = Report.Check.of("recipe", bad == 0 ? "etc/apko.json and the installed database agree"
        + " (" + recipe.archs().size() + " archs, " + recipe.pins().size() + " packages)"
        : bad + " image(s) whose etc/apko.json is missing or does not describe them", recipe.findings(),
        Report.Status.FAIL);
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put("image", req.published());
    inputs.put("config", "etc/apko.json of the published image (" + String.join(", ", recipe.archs()) + ")");
    inputs.put("packages", "pinned from the image's installed database: " + recipe.pins().size() + " packages");
    inputs.put("lockfile", "(none: the pins come from the installed database)");
    if (recipe.config().isEmpty()) {
      return new Report("verify", new Report.Subject("rebuilt", "(not rebuilt: no usable etc/apko.json)", Optional.empty()),
          new Report.Subject("published", req.published(), Optional.of(published.root().digest())), inputs,
          recipe.notes(), List.of(recipeCheck), Optional.empty());
    }
    com.fasterxml.jackson.databind.JsonNode cfg = dev.bitproof.json.Json.parse(recipe.config().get(), "recipe");
    for (String kind : List.of("repositories", "build_repositories", "keyring")) {
      for (com.fasterxml.jackson.databind.JsonNode n : cfg.path("contents").path(kind)) {
        String configured = n.asText();
        String location = configured.startsWith("@") && configured.contains(" ")
            ? configured.substring(configured.indexOf(' ') + 1).strip() : configured;
        String via = null;
        for (Map.Entry<String, String> m : mirrors.entrySet()) {
          if (location.equals(m.getKey()) || location.startsWith(m.getKey().endsWith("/") ? m.getKey() : m.getKey() + "/")) {
            via = m.getValue();
          }
        }
        inputs.put((kind.equals("keyring") ? "keyring " : "repository ") + configured, via != null
            ? "configured in etc/apko.json, read from " + via + " (--repository)"
            : "configured in etc/apko.json, read from there" + (kind.equals("keyring")
                ? " (never from the image's own etc/apk/keys)" : ""));
      }
    }
    java.nio.file.Path dir = java.nio.file.Files.createDirectories(req.workDir().resolve("recipe"));
    java.nio.file.Path config = dir.resolve("apko.json");
    java.nio.file.Files.write(config, recipe.config().get());
    Request inner = new Request(config, Optional.empty(), req.keyringDir(), req.sourceDateEpoch(), req.published(),
        req.workDir(), req.compare(), req.required(), req.transport(), req.apkoRules());
    Report r = run(inner, rebuilder, published, extra);
    Map<String, String> merged = new LinkedHashMap<>(inputs);
    r.inputs().forEach((k, v) -> merged.putIfAbsent(k, v));
    List<String> notes = new ArrayList<>(recipe.notes());
    notes.addAll(r.notes());
    List<Report.Check> checks = new ArrayList<>();
    checks.add(recipeCheck);
    checks.addAll(r.checks());
    return new Report(r.command(), r.a(), r.b(), merged, notes, checks, r.comparison(), r.tree());
  }

  /** "auto" build date: first as apko without SOURCE_DATE_EPOCH, then (if that is not it) the published date. */
  private static Attempt attempt(Request req, Rebuilder rebuilder, PublishedHints hints, ApkoRules rules, String dir)
      throws IOException {
    Path out = req.workDir().resolve(dir);
    Map<String, String> inputs = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    Rebuilder.Rebuilt rebuilt;
    if (req.sourceDateEpoch().isPresent()) {
      long epoch = req.sourceDateEpoch().getAsLong();
      rebuilt = rebuilder.rebuild(inputs(req, hints, OptionalLong.of(epoch), out, rules));
      inputs.put("sourceDateEpoch", String.valueOf(epoch));
      notes.add("build date SOURCE_DATE_EPOCH=" + epoch + " given on the command line");
    } else {
      rebuilt = rebuilder.rebuild(inputs(req, hints, OptionalLong.empty(), out, rules));
      OptionalLong got = createdOf(rebuilt);
      if (hints.sourceDateEpoch().isPresent() && !got.equals(hints.sourceDateEpoch())) {
        long epoch = hints.sourceDateEpoch().getAsLong();
        rebuilt = rebuilder.rebuild(inputs(req, hints, OptionalLong.of(epoch), req.workDir().resolve(dir + "-sde"),
            rules));
        inputs.put("sourceDateEpoch", String.valueOf(epoch));
        notes.add(hints.buildDateNote().orElse("build date " + epoch) + " (the newest package builddate, " + got.orElse(0) + ", is not it)");
      } else {
        inputs.put("sourceDateEpoch", "(unset: newest package builddate " + got.orElse(0) + ")");
        notes.add("build date from the newest package builddate, as apko without SOURCE_DATE_EPOCH"
            + (hints.sourceDateEpoch().isPresent() ? "; it equals the published " + PublishedHints.CREATED : ""));
      }
    }
    return new Attempt(rules, rebuilt, inputs, notes, rootOf(rebuilt));
  }

  private static String dirName(ApkoRules r) {
    return r.label().replace('–', '_');
  }

  /** Which apko versions' rules reproduce the published image (newest first in {@code reproducing}). */
  static Report.Check versionsCheck(List<ApkoRules> reproducing, List<String> tried) {
    if (reproducing.isEmpty()) {
      Finding f = new Finding(VerifyCode.APKO_VERSION_NOT_REPRODUCED, Severity.INFO, "apko version",
          "no tried apko rule set reproduces the published digest", Map.of()).with("tried", String.join(", ", tried));
      return new Report.Check("apko-version", Report.Status.SKIPPED, "not reproduced by the rules of any apko "
          + "version tried", List.of(f));
    }
    String range = ranges(reproducing);
    Finding f = Finding.ok(VerifyCode.APKO_VERSION_REPRODUCED, "apko version", "reproduced with the rules of apko " + range)
        .with("versions", range).with("ruleSets", String.join(", ", reproducing.stream().map(ApkoRules::label).toList()));
    return new Report.Check("apko-version", Report.Status.PASS, "reproduced with the rules of apko " + range, List.of(f));
  }

  /**
   * {@code v0.27.2–v0.27.5, v0.28.0–v1.2.24}: the rule sets' release ranges, oldest first, neighbours in apko's
   * history joined into one range.
   */
  static String ranges(List<ApkoRules> sets) {
    List<ApkoRules> all = ApkoRules.all();
    List<ApkoRules> sorted = new ArrayList<>(sets);
    sorted.sort((x, y) -> x.first().compareTo(y.first()));
    List<String> out = new ArrayList<>();
    ApkoRules start = null;
    ApkoRules prev = null;
    for (ApkoRules r : sorted) {
      if (prev != null && all.indexOf(prev) - 1 != all.indexOf(r)) {
        out.add(span(start, prev));
        start = null;
      }
      if (start == null) {
        start = r;
      }
      prev = r;
    }
    out.add(span(start, prev));
    return String.join(", ", out);
  }

  private static String span(ApkoRules oldest, ApkoRules newest) {
    return oldest.first().equals(newest.last()) ? oldest.first().toString() : oldest.first() + "–" + newest.last();
  }
}
