package dev.bitproof.rebuild;

import dev.bitproof.report.CheckException;

/**
 * A point in apko's history as {@code git describe --tags} names it: a release ({@code v0.27.2}) or a commit
 * {@code commits} after one ({@code v0.27.1-4-gbed5f073}). apko's main branch is linear (squash merges), so points
 * after the same tag order by their commit count.
 */
public record ApkoPoint(ApkoVersion tag, int commits, String commit) implements Comparable<ApkoPoint> {

  public ApkoPoint {
    if (commits < 0) {
      throw new IllegalArgumentException("negative commit count");
    }
    commit = commit == null ? "" : commit;
  }

  public static ApkoPoint release(ApkoVersion v) {
    return new ApkoPoint(v, 0, "");
  }

  /** {@code v0.27.2}, {@code 0.27.2} or {@code v0.27.1-4-gbed5f073}; else {@code APKO_VERSION_INVALID} (usage). */
  public static ApkoPoint parse(String s) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(v?\\d+\\.\\d+\\.\\d+)(?:-(\\d+)-g([0-9a-f]{4,40}))?")
        .matcher(s);
    if (!m.matches()) {
      throw CheckException.usage(RebuildCode.APKO_VERSION_INVALID, "apko version '" + s
          + "' is neither a release (v0.27.2) nor a git describe name (v0.27.1-4-gbed5f073)");
    }
    ApkoVersion v = ApkoVersion.parse(m.group(1));
    return m.group(2) == null ? release(v) : new ApkoPoint(v, Integer.parseInt(m.group(2)), m.group(3));
  }

  public boolean isRelease() {
    return commits == 0;
  }

  /** The first release that contains this point. */
  public java.util.Optional<ApkoVersion> firstRelease() {
    return isRelease() ? java.util.Optional.of(tag) : tag.next();
  }

  @Override
  public int compareTo(ApkoPoint o) {
    int c = tag.compareTo(o.tag);
    return c != 0 ? c : Integer.compare(commits, o.commits);
  }

  @Override
  public String toString() {
    return isRelease() ? tag.toString() : tag + "-" + commits + "-g" + commit;
  }
}
