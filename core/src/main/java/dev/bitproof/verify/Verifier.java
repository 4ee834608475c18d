package dev.bitproof.verify;

import dev.bitproof.compare.CompareOptions;
import dev.bitproof.compare.Comparison;
import dev.bitproof.compare.ImageComparator;
import dev.bitproof.compare.Verdict;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
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
   * @param archs apk architectures to narrow the rebuild to ({@code --arch}); empty: the config's archs, each of
   *     which the published image must have (the published image's own list is used only when the config names
   *     none)
   */
  public record Request(Path config, Optional<Path> lockfile, Optional<Path> keyringDir, OptionalLong sourceDateEpoch,
      String published, Path workDir, CompareOptions compare, Verdict required, TransportOptions transport,
      List<String> archs) {
    public Request {
      archs = List.copyOf(archs);
    }

    /** The config's archs, not narrowed. */
    public Request(Path config, Optional<Path> lockfile, Optional<Path> keyringDir, OptionalLong sourceDateEpoch,
        String published, Path workDir, CompareOptions compare, Verdict required, TransportOptions transport) {
      this(config, lockfile, keyringDir, sourceDateEpoch, published, workDir, compare, required, transport, List.of());
    }
  }

  private static Rebuilder.Inputs inputs(Request req, PublishedHints hints, OptionalLong epoch, Path out) {
    return new Rebuilder.Inputs(req.config(), req.lockfile(), req.keyringDir(), epoch, hints.annotations(),
        req.archs(), hints.archs(), out);
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
    notes.removeIf(n -> n.startsWith("build date ") || n.startsWith("architectures "));
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put("image", req.published());
    inputs.put("config", req.config().toString());
    inputs.put("lockfile", req.lockfile().map(Path::toString).orElse("(none: resolved from the repositories)"));
    inputs.put("keyring", req.keyringDir().map(Path::toString).orElse("(the config's keyring only)"));
    inputs.put("archs", req.archs().isEmpty() ? "(the config's; published: " + String.join(",", hints.archs()) + ")"
        : String.join(",", req.archs()));
    inputs.put("require", req.required().name());

    // 2. rebuild; "auto" build date: first as apko without SOURCE_DATE_EPOCH (newest package builddate), and
    // when that is not the published date, again with SOURCE_DATE_EPOCH set to it
    Path out = req.workDir().resolve("rebuilt");
    Rebuilder.Rebuilt rebuilt;
    if (req.sourceDateEpoch().isPresent()) {
      long epoch = req.sourceDateEpoch().getAsLong();
      rebuilt = rebuilder.rebuild(inputs(req, hints, OptionalLong.of(epoch), out));
      inputs.put("sourceDateEpoch", String.valueOf(epoch));
      notes.add(0, "build date SOURCE_DATE_EPOCH=" + epoch + " given on the command line");
    } else {
      rebuilt = rebuilder.rebuild(inputs(req, hints, OptionalLong.empty(), out));
      OptionalLong got = createdOf(rebuilt);
      if (hints.sourceDateEpoch().isPresent() && !got.equals(hints.sourceDateEpoch())) {
        long epoch = hints.sourceDateEpoch().getAsLong();
        rebuilt = rebuilder.rebuild(inputs(req, hints, OptionalLong.of(epoch), req.workDir().resolve("rebuilt-sde")));
        inputs.put("sourceDateEpoch", String.valueOf(epoch));
        notes.add(0, hints.notes().stream().filter(n -> n.startsWith("build date ")).findFirst().orElse("build date "
            + epoch) + " (the newest package builddate, " + got.orElse(0) + ", is not it)");
      } else {
        inputs.put("sourceDateEpoch", "(unset: newest package builddate " + got.orElse(0) + ")");
        notes.add(0, "build date from the newest package builddate, as apko without SOURCE_DATE_EPOCH"
            + (hints.sourceDateEpoch().isPresent() ? "; it equals the published " + PublishedHints.CREATED : ""));
      }
    }
    notes.addAll(rebuilt.notes());
    List<Report.Check> checks = new ArrayList<>();
    checks.add(Report.Check.of("rebuild", "rebuilt " + rebuilt.image(), rebuilt.facts(), Report.Status.PASS));

    // 3. signatures: a verification that checked none is not a pass
    List<Finding> sigs = new ArrayList<>(rebuilt.signatures());
    if (sigs.isEmpty()) {
      sigs.add(Finding.fail("SIGNATURES_NONE_CHECKED", "packages", "the rebuild used no signed package or index, so nothing vouches for its inputs"));
    }
    long ok = sigs.stream().filter(f -> f.severity() == Severity.OK && f.code().endsWith("_SIGNATURE_OK")).count();
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
    return new Report("verify", new Report.Subject("rebuilt", c.referenceA(), Optional.of(c.rootA())),
        new Report.Subject("published", c.referenceB(), Optional.of(c.rootB())), inputs, notes, checks, Optional.of(c));
  }
}
