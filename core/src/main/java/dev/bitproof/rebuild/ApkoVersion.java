package dev.bitproof.rebuild;

import dev.bitproof.report.CheckException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An apko release ({@code vMAJOR.MINOR.PATCH}), ordered by version. {@link #RELEASES} lists every release from
 * v0.12.0 (2023-11) to the newest one bitproof knows; the rules of each are in {@link ApkoRules}.
 */
public record ApkoVersion(int major, int minor, int patch) implements Comparable<ApkoVersion> {

  /** apko's release tags from v0.12.0 (2023-11-29) to v1.2.39 (2026-08-19), as {@code git tag} lists them. */
  public static final List<ApkoVersion> RELEASES = parseAll("""
      v0.12.0 v0.13.0 v0.13.1 v0.13.2 v0.13.3 v0.14.0 v0.14.1 v0.14.2 v0.14.3 v0.14.4 v0.14.5 v0.14.6 v0.14.7
      v0.14.8 v0.14.9 v0.15.0 v0.16.0 v0.17.0 v0.18.0 v0.18.1 v0.19.0 v0.19.1 v0.19.2 v0.19.3 v0.19.4 v0.19.5 v0.19.6
      v0.19.7 v0.19.8 v0.19.9 v0.20.0 v0.20.1 v0.20.2 v0.21.0 v0.22.0 v0.22.1 v0.22.2 v0.22.3 v0.22.4 v0.22.5 v0.22.6
      v0.22.7 v0.23.0 v0.24.0 v0.25.0 v0.25.1 v0.25.2 v0.25.3 v0.25.4 v0.25.5 v0.25.6 v0.25.7 v0.26.0 v0.26.1 v0.27.0
      v0.27.1 v0.27.2 v0.27.3 v0.27.4 v0.27.5 v0.27.6 v0.27.7 v0.27.8 v0.27.9 v0.28.0 v0.29.0 v0.29.1 v0.29.2 v0.29.3
      v0.29.4 v0.29.5 v0.29.6 v0.29.7 v0.29.8 v0.29.9 v0.29.10 v0.30.0 v0.30.1 v0.30.2 v0.30.3 v0.30.4 v0.30.5 v0.30.6
      v0.30.7 v0.30.8 v0.30.9 v0.30.10 v0.30.11 v0.30.12 v0.30.13 v0.30.14 v0.30.15 v0.30.16 v0.30.17 v0.30.18
      v0.30.19 v0.30.20 v0.30.21 v0.30.22 v0.30.23 v0.30.24 v0.30.25 v0.30.26 v0.30.27 v0.30.28 v0.30.29 v0.30.30
      v0.30.31 v0.30.32 v0.30.33 v0.30.34 v0.30.35 v1.0.0 v1.0.1 v1.0.2 v1.0.3 v1.0.4 v1.0.5 v1.1.0 v1.1.1 v1.1.2
      v1.1.3 v1.1.4 v1.1.5 v1.1.6 v1.1.7 v1.1.8 v1.1.9 v1.1.10 v1.1.11 v1.1.12 v1.1.13 v1.1.14 v1.1.15 v1.1.16 v1.2.0
      v1.2.1 v1.2.2 v1.2.3 v1.2.4 v1.2.5 v1.2.6 v1.2.7 v1.2.8 v1.2.9 v1.2.10 v1.2.11 v1.2.12 v1.2.13 v1.2.14 v1.2.15
      v1.2.16 v1.2.17 v1.2.18 v1.2.19 v1.2.20 v1.2.21 v1.2.22 v1.2.23 v1.2.24 v1.2.25 v1.2.26 v1.2.27 v1.2.28 v1.2.29
      v1.2.30 v1.2.31 v1.2.32 v1.2.33 v1.2.34 v1.2.35 v1.2.36 v1.2.37 v1.2.38 v1.2.39""");

  public static final ApkoVersion OLDEST = RELEASES.get(0);
  public static final ApkoVersion NEWEST = RELEASES.get(RELEASES.size() - 1);

  public ApkoVersion {
    if (major < 0 || minor < 0 || patch < 0) {
      throw new IllegalArgumentException("negative version part");
    }
  }

  /** {@code v0.27.2} or {@code 0.27.2}; anything else is {@code APKO_VERSION_INVALID} (usage). */
  public static ApkoVersion parse(String s) {
    String t = s.startsWith("v") ? s.substring(1) : s;
    String[] p = t.split("\\.", -1);
    if (p.length != 3) {
      throw CheckException.usage(RebuildCode.APKO_VERSION_INVALID, "apko version '" + s + "' is not vMAJOR.MINOR.PATCH");
    }
    try {
      return new ApkoVersion(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
    } catch (IllegalArgumentException e) {
      throw CheckException.usage(RebuildCode.APKO_VERSION_INVALID, "apko version '" + s + "' is not vMAJOR.MINOR.PATCH");
    }
  }

  private static List<ApkoVersion> parseAll(String text) {
    List<ApkoVersion> out = new ArrayList<>();
    for (String s : text.trim().split("\\s+")) {
      out.add(parse(s));
    }
    List<ApkoVersion> sorted = new ArrayList<>(out);
    sorted.sort(null);
    if (!sorted.equals(out)) {
      throw new IllegalStateException("release list not in order");
    }
    return List.copyOf(out);
  }

  /** Whether apko published this release (and it is within the range bitproof models). */
  public boolean isRelease() {
    return RELEASES.contains(this);
  }

  /** The first release after this one, if any. */
  public java.util.Optional<ApkoVersion> next() {
    return RELEASES.stream().filter(r -> r.compareTo(this) > 0).findFirst();
  }

  @Override
  public int compareTo(ApkoVersion o) {
    return Arrays.compare(new int[] {major, minor, patch}, new int[] {o.major, o.minor, o.patch});
  }

  @Override
  public String toString() {
    return "v" + major + "." + minor + "." + patch;
  }
}
