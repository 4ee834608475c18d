package dev.bitproof.rebuild;

import dev.bitproof.compress.FlateVersion;
import dev.bitproof.report.CheckException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How one range of apko releases builds an image: the {@link ApkoChange}s in effect for every release from
 * {@link #first()} to {@link #last()}. Consecutive releases with the same changes share one rule set, so the
 * ranges are exactly the stretches of apko's history whose output (for the same inputs) is the same.
 */
public record ApkoRules(ApkoPoint first, ApkoPoint last, Set<ApkoChange> changes) {

  private static final List<ApkoRules> ALL = build();

  public ApkoRules {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(last, "last");
    changes = changes.isEmpty() ? Collections.unmodifiableSet(EnumSet.noneOf(ApkoChange.class))
        : Collections.unmodifiableSet(EnumSet.copyOf(changes));
  }

  /** The rules of the newest release bitproof knows (the default). */
  public static ApkoRules newest() {
    return ALL.get(0);
  }

  /** Every rule set, newest first. */
  public static List<ApkoRules> all() {
    return ALL;
  }

  /** The rule set of release {@code v}; a version apko never released is {@code APKO_VERSION_UNKNOWN} (usage). */
  public static ApkoRules of(ApkoVersion v) {
    if (!v.isRelease()) {
      throw unknown(v.toString());
    }
    ApkoPoint p = ApkoPoint.release(v);
    return ALL.stream().filter(r -> r.contains(p)).findFirst().orElseThrow(() -> unknown(v.toString()));
  }

  /**
   * The rules of apko built from a commit between releases ({@code v0.27.1-4-gbed5f073}): each change is in effect
   * when its own commit is at or before that point. A release point gives that release's rule set.
   */
  public static ApkoRules at(ApkoPoint p) {
    if (p.isRelease()) {
      return of(p.tag());
    }
    if (!p.tag().isRelease() || p.tag().next().isEmpty()) {
      throw unknown(p.toString());
    }
    return new ApkoRules(p, p, changesAt(p));
  }

  private static Set<ApkoChange> changesAt(ApkoPoint p) {
    Set<ApkoChange> s = EnumSet.noneOf(ApkoChange.class);
    for (ApkoChange c : ApkoChange.values()) {
      if (c.in(p)) {
        s.add(c);
      }
    }
    return s;
  }

  /**
   * {@code --apko-version SPEC}: a release ({@code v0.27.2}, {@code 0.27.2}), a prefix naming releases that all
   * share one rule set ({@code v0.27} is ambiguous, {@code v0.29} is not), or {@code newest}. Unknown or
   * ambiguous: a usage error that lists the known versions.
   */
  public static ApkoRules select(String spec) {
    String s = spec.trim();
    if (s.equals("newest") || s.equals("latest")) {
      return newest();
    }
    if (s.matches("v?\\d+\\.\\d+\\.\\d+-\\d+-g[0-9a-f]+")) {
      return at(ApkoPoint.parse(s));
    }
    if (!s.matches("v?\\d+(\\.\\d+){0,2}")) {
      throw CheckException.usage(RebuildCode.APKO_VERSION_INVALID, "--apko-version " + spec + " is not a release (v0.27.2), a "
          + "prefix of one (v0.29), a git describe name (v0.27.1-4-gbed5f073) or newest. Known: " + knownList());
    }
    String bare = s.startsWith("v") ? s.substring(1) : s;
    List<ApkoVersion> matching = ApkoVersion.RELEASES.stream()
        .filter(r -> r.toString().substring(1).equals(bare) || r.toString().substring(1).startsWith(bare + "."))
        .toList();
    if (matching.isEmpty()) {
      throw unknown(spec);
    }
    List<ApkoRules> sets = matching.stream().map(ApkoRules::of).distinct().toList();
    if (sets.size() > 1) {
      throw CheckException.usage(RebuildCode.APKO_VERSION_AMBIGUOUS, "--apko-version " + spec + " matches releases with "
          + "different rules (" + sets.stream().map(ApkoRules::label).collect(Collectors.joining(", "))
          + "); name one release. Known: " + knownList());
    }
    return sets.get(0);
  }

  private static CheckException unknown(String spec) {
    return CheckException.usage(RebuildCode.APKO_VERSION_UNKNOWN, "unknown --apko-version " + spec + "; known apko versions: "
        + knownList());
  }

  /** The known ranges, oldest first, as one line. */
  public static String knownList() {
    List<String> l = new ArrayList<>();
    for (int i = ALL.size() - 1; i >= 0; i--) {
      l.add(ALL.get(i).label());
    }
    return String.join(", ", l);
  }

  public boolean has(ApkoChange c) {
    return changes.contains(c);
  }

  public boolean contains(ApkoPoint v) {
    return v.compareTo(first) >= 0 && v.compareTo(last) <= 0;
  }

  /** The klauspost/compress behaviour these releases' layer blobs were compressed with. */
  public FlateVersion flate() {
    return has(ApkoChange.FLATE_1_18_2) ? FlateVersion.V1_18_2_AND_LATER : FlateVersion.V1_15_10_TO_1_18_1;
  }

  /** apko's default PATH (the config's environment may override it). */
  public String defaultPath() {
    return has(ApkoChange.PATH_SBIN_MERGE) ? "/usr/local/sbin:/usr/local/bin:/usr/bin:/usr/sbin:/sbin:/bin"
        : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  }

  /** The history comment of each of apko's own layers. */
  public String historyComment(java.util.Map<String, String> annotations, int layers) {
    String title = annotations.get("org.opencontainers.image.title");
    String vendor = annotations.get("org.opencontainers.image.vendor");
    if (has(ApkoChange.HISTORY_TITLE_VENDOR) && title != null && vendor != null) {
      return title + " by " + vendor;
    }
    return layers == 1 ? Rebuild.HISTORY_SINGLE : "";
  }

  /** Where the apk database lives ({@code usr/lib/apk/db} since usrmerge, {@code lib/apk/db} before). */
  public String apkDbDir() {
    return has(ApkoChange.USRMERGE_DB) ? "usr/lib/apk/db" : "lib/apk/db";
  }

  /** {@code v0.27.2–v0.27.5}, or the single release. */
  public String label() {
    return first.equals(last) ? first.toString() : first + "–" + last;
  }

  @Override
  public String toString() {
    return "apko " + label();
  }

  /** Groups consecutive releases with the same changes; newest first. */
  private static List<ApkoRules> build() {
    List<ApkoRules> out = new ArrayList<>();
    ApkoPoint start = null;
    ApkoPoint prev = null;
    Set<ApkoChange> cur = null;
    for (ApkoVersion r : ApkoVersion.RELEASES) {
      ApkoPoint v = ApkoPoint.release(r);
      Set<ApkoChange> s = changesAt(v);
      if (cur != null && !cur.equals(s)) {
        out.add(new ApkoRules(start, prev, cur));
        start = null;
      }
      if (start == null) {
        start = v;
      }
      cur = s;
      prev = v;
    }
    out.add(new ApkoRules(start, prev, cur));
    Collections.reverse(out);
    return List.copyOf(out);
  }
}
