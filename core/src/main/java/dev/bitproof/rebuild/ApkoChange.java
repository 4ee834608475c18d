package dev.bitproof.rebuild;

import java.util.Optional;

/**
 * One change of apko's output, dated and traced to the apko commit that made it: a behaviour present from the
 * commit {@link #since()} up to, not including, the commit {@link #until()} that undid it (empty: still present);
 * both are {@code git describe} points, so a release and a build from any commit between releases are placed
 * exactly. Short-lived bugs have both ends. Together they decide which {@link ApkoRules} a release builds with.
 */
public enum ApkoChange {
  /** Files keep the mtimes of their package entries; before, every tar entry had mtime SOURCE_DATE_EPOCH (0). */
  PACKAGE_MTIMES("v0.19.0", null, "2024-09-16", "7fd722a9", "#1305",
      "tar entries keep their own mtimes; before, every entry's mtime was SOURCE_DATE_EPOCH (default 0)"),
  /** The {@code org.opencontainers.image.created} annotation (manifest, index) and config label. */
  CREATED_ANNOTATION("v0.19.2-2-g63eefef8", null, "2024-09-23", "63eefef8", "#1316",
      "org.opencontainers.image.created annotation on manifests and index, and as a config label"),
  /** {@code /etc/apko.json}: the (locked) configuration the image was built from. */
  APKO_JSON("v0.19.9-2-g2a934700", null, "2024-11-08", "2a934700", "#1353", "/etc/apko.json records the build configuration"),
  /** {@code /opt} among the directories apko always creates. */
  OPT_DIR("v0.21.0-7-g4f2adbf5", null, "2024-12-13", "4f2adbf5", "#1435", "/opt created by default (0755)"),
  /** The config is locked before the build: world and apko.json list the whole pinned closure. */
  LOCKED_CONFIG("v0.22.2", null, "2024-12-14", "559534fa", "#1441",
      "etc/apk/world and etc/apko.json list every installed package pinned (name=version); before, the config's "
          + "package list as written"),
  /** Bug: a given lock file was ignored and the packages re-resolved from the indexes (base packages included). */
  LOCK_FILE_IGNORED("v0.22.2", "v0.27.2", "2024-12-14", "559534fa", "#1441 (fixed by e85ed818, #1654)",
      "a --lockfile was ignored: the closure was re-resolved (in base-image mode including the base's packages, "
          + "so world lists them twice and apko.json once)"),
  /** The default PATH puts {@code /usr/bin} before {@code /usr/sbin} (sbin merge). */
  PATH_SBIN_MERGE("v0.25.7-3-g48a7f9a6", null, "2025-04-14", "48a7f9a6", "#1620",
      "default PATH /usr/local/sbin:/usr/local/bin:/usr/bin:/usr/sbin:/sbin:/bin; before, …/usr/sbin:/usr/bin…"),
  /** usrmerge: the apk database in {@code usr/lib/apk} with a {@code lib/apk} symlink to it. */
  USRMERGE_DB("v0.27.1-4-gbed5f073", null, "2025-05-05", "bed5f073", "#1593",
      "apk database in usr/lib/apk/db (plus usr/lib/apk/exec) and lib/apk → ../usr/lib/apk; before, lib/apk/db"),
  /** Bug: with a lock file, world and apko.json lost the locked packages (arch names compared wrongly). */
  LOCKED_WORLD_EMPTY("v0.27.6", "v0.27.9-21-gfc2ecefd", "2025-05-13", "f19d835f", "#1670 (fixed by fc2ecefd, #1731)",
      "with a lock file, etc/apk/world and etc/apko.json lose the locked packages (only base pins remain)"),
  /** The installed-db record format of apko PR #1811. */
  DB_RECORD_1811("v0.30.4-4-g1523a760", null, "2025-08-14", "1523a760", "#1811",
      "installed db: setuid/setgid/sticky bits kept, files and empty directories in / recorded (with 'F:'); "
          + "before, perms masked to 0777 and only non-empty top-level directories recorded"),
  /** History comment {@code "<title> by <vendor>"} when both annotations are set. */
  HISTORY_TITLE_VENDOR("v0.30.18-1-g76c3b3a8", null, "2025-11-03", "76c3b3a8", "#1907",
      "history comment '<title> by <vendor>' when both OCI title and vendor annotations are set"),
  /** klauspost/compress v1.18.2: different deflate bytes for inputs over one window. */
  FLATE_1_18_2("v0.30.27-3-g3565f7c0", null, "2025-12-02", "3565f7c0", "#1957",
      "klauspost/compress v1.18.2 deflate (see FlateVersion); before, v1.15.10-v1.18.1"),
  /** go-containerregistry v0.21.7: index descriptors carry {@code artifactType}. */
  INDEX_ARTIFACT_TYPE("v1.2.25", null, "2026-07-12", "34cdf145", "#2325",
      "index entries carry artifactType application/vnd.oci.image.config.v1+json (ggcr v0.21.7)"),
  /** {@code .sha256} sidecar files next to the CA bundles. */
  CA_BUNDLE_SIDECARS("v1.2.29-1-g79121300", null, "2026-07-27", "79121300", "#2331",
      "CA bundle .sha256 sidecar files"),
  /** {@code contents.baseimage}: building on top of a base image (with a lock file). */
  BASE_IMAGE_MODE("v0.14.0-103-g4d652934", null, "2024-04-09", "4d652934", "base image support",
      "contents.baseimage: a new layer on top of a base image; before, no such mode"),
  /** {@code layering: {strategy: origin}}: package layers plus a top layer. */
  LAYERING("v0.25.7-2-g17f22f42", null, "2025-04-14", "17f22f42", "#1617",
      "layering (strategy origin, budget): one layer per package group plus a top layer; before, no such key"),
  /** In layered images, a directory written ahead of a file takes that file's mtime. */
  LAYER_DIR_MTIMES_SYNTHESIZED("v0.26.0", null, "2025-04-15", "3b7dab4f", "#1624",
      "layering: parent directories written into a layer carry the mtime of the file that needed them"),
  /** Bug: layered images kept the build repositories in {@code etc/apk/repositories}. */
  LAYERED_BUILD_REPOSITORIES("v0.25.7-2-g17f22f42", "v0.27.3", "2025-04-14", "17f22f42",
      "#1617 (fixed by 69318398, #1663)",
      "layered images' etc/apk/repositories kept the build repositories (runtime-only rewrite not applied)"),
  /** Each package layer carries the installed-db records of its own packages. */
  LAYER_PARTIAL_DB("v0.29.4", null, "2025-07-15", "43698674", "#1752",
      "layering: each package layer gets a partial installed db (its packages' records)"),
  /** The partial db is written where the walk reaches the db, with its parent directories. */
  LAYER_PARTIAL_DB_PARENTS("v0.29.9", null, "2025-07-21", "249040d7", "#1776",
      "layering: the partial installed db is written with its parent directories when the walk reaches the db; "
          + "before, appended at the end of each package layer without them"),
  /** Base-image mode writes {@code etc/passwd} (accounts) into the top layer. */
  BASE_IMAGE_ACCOUNTS("v0.14.0-103-g4d652934", "v0.15.0-17-g4308a2eb", "2024-04-09", "4d652934", "base image support (until 4308a2eb)",
      "base-image builds still ran mutateAccounts, so the top layer carries etc/passwd");

  private final ApkoPoint since;
  private final ApkoPoint until;
  private final String date;
  private final String commit;
  private final String pr;
  private final String description;

  ApkoChange(String since, String until, String date, String commit, String pr, String description) {
    this.since = ApkoPoint.parse(since);
    this.until = until == null ? null : ApkoPoint.parse(until);
    this.date = date;
    this.commit = commit;
    this.pr = pr;
    this.description = description;
  }

  /** The commit that brought this behaviour. */
  public ApkoPoint since() {
    return since;
  }

  /** The commit that undid it (a fixed bug), if any. */
  public Optional<ApkoPoint> until() {
    return Optional.ofNullable(until);
  }

  /** The first release with this behaviour. */
  public ApkoVersion firstRelease() {
    return since.firstRelease().orElseThrow();
  }

  /** The first release without it again, if any. */
  public Optional<ApkoVersion> fixedIn() {
    return until().flatMap(ApkoPoint::firstRelease);
  }

  public String date() {
    return date;
  }

  public String commit() {
    return commit;
  }

  public String pr() {
    return pr;
  }

  public String description() {
    return description;
  }

  /** Whether apko at point {@code p} (a release or a commit between releases) behaves this way. */
  public boolean in(ApkoPoint p) {
    return p.compareTo(since) >= 0 && (until == null || p.compareTo(until) < 0);
  }
}
