package dev.bitproof.report;

import java.util.Locale;

/** The areas codes belong to; each has a docs page that lists its codes with their meaning. */
public enum Area {
  TRANSPORT, FETCH, COMPRESS, APK, DEB, REBUILD, VERIFY, SBOM, POLICY, HOOK, ATTEST, CLI;

  /** The page, relative to the repository root, e.g. {@code docs/apk.md}. */
  public String page() {
    return "docs/" + name().toLowerCase(Locale.ROOT) + ".md";
  }
}
