package dev.bitproof.sbom;

import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.tar.TarEntryInfo;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Holds an SBOM to what the layers really contain, and the image's package database to its own files.
 * Pure: every input is already read; every outcome is a {@link Finding}.
 */
public final class SbomCheck {
  /** Paths apko (and apk itself) write that belong to no package: unowned, but expected. */
  private static final List<String> GENERATED_PREFIXES = List.of("etc/apk/", "usr/lib/apk/", "lib/apk", "etc/apko.json",
      "etc/passwd", "etc/group", "etc/shadow", "etc/ld.so.cache", "etc/ssl/certs/.", "sv/", "var/lib/dpkg/");

  /** How many unowned paths a finding lists before it says "and N more". */
  static final int SAMPLE = 20;

  /** More findings of one code than this are summed up in one more finding (a hostile SBOM must not flood the report). */
  public static final int MAX_PER_CODE = 1000;

  private SbomCheck() {}

  // ------------------------------------------------------------------ layers vs their own database

  /**
   * The package database against the layers: every recorded file checksum (apk {@code Z:} Q1 SHA-1, dpkg md5sums)
   * against the merged file, and the files no package owns.
   */
  public static List<Finding> database(ImageContents img) {
    List<Finding> out = new ArrayList<>();
    if (img.database() == ImageContents.Database.NONE) {
      out.add(Finding.of(SbomCode.PACKAGE_DB_ABSENT, Severity.WARN, "image",
          "no apk installed database and no dpkg status or status.d: the image's packages cannot be confirmed"));
      return out;
    }
    ImageFilesystem fs = img.filesystem();
    int checked = 0;
    int failed = 0;
    for (InstalledPackage p : img.packages()) {
      for (InstalledPackage.OwnedFile f : p.files()) {
        Optional<ImageFilesystem.Node> node = fs.get(f.path());
        if (node.isEmpty() && f.conffile()) {
          out.add(new Finding(SbomCode.INSTALLED_CONFFILE_MODIFIED, Severity.WARN, f.path(),
              "a conffile of " + p.name() + " is not in the layers (removed after installation)", Map.of())
              .with("package", p.name()));
          continue;
        }
        if (node.isEmpty()) {
          failed++;
          out.add(new Finding(SbomCode.INSTALLED_FILE_MISSING, Severity.FAIL, f.path(),
              "package " + p.name() + " " + p.version() + " records this file but no layer has it", Map.of())
              .with("package", p.name()).with("database", img.databasePath()));
          continue;
        }
        if (f.expected().isEmpty()) {
          continue;
        }
        Optional<String> actual = digestOf(node.get().entry(), f.algorithm(), fs);
        if (actual.isEmpty()) {
          continue; // a directory or device where a file was recorded: nothing to hash
        }
        checked++;
        if (!actual.get().equals(f.hex()) && f.conffile()) {
          out.add(new Finding(SbomCode.INSTALLED_CONFFILE_MODIFIED, Severity.WARN, f.path(),
              "a conffile differs from the one " + p.name() + " shipped (changed after installation)", Map.of())
              .with("package", p.name()).with("expected", f.hex()).with("actual", actual.get()));
        } else if (!actual.get().equals(f.hex())) {
          failed++;
          out.add(new Finding(SbomCode.INSTALLED_DB_CHECKSUM_MISMATCH, Severity.FAIL, f.path(),
              "the layer's file does not match the checksum the package database records", Map.of())
              .with("package", p.name()).with("algorithm", f.algorithm()).with("expected", f.hex())
              .with("actual", actual.get()).with("layer", node.get().layer()));
        }
      }
    }
    if (failed == 0) {
      out.add(new Finding(SbomCode.INSTALLED_DB_MATCHES_LAYERS, Severity.OK, img.databasePath(),
          checked + " file checksums of " + img.packages().size() + " packages match the layers", Map.of())
          .with("packages", img.packages().size()).with("files_checked", checked));
    }
    cap(out);
    List<String> unowned = unowned(img);
    List<String> unexpected = unowned.stream().filter(p -> !generated(p)).toList();
    if (!unexpected.isEmpty()) {
      Finding f = new Finding(SbomCode.FILES_UNOWNED, Severity.WARN, "image",
          unexpected.size() + " files and links belong to no installed package (and so to no SBOM entry)", Map.of())
          .with("count", unexpected.size());
      out.add(f.with("paths", sample(unexpected)));
    }
    if (unowned.size() > unexpected.size()) {
      out.add(new Finding(SbomCode.FILES_GENERATED_UNOWNED, Severity.INFO, "image",
          (unowned.size() - unexpected.size()) + " files written by the image builder or package manager belong to no package",
          Map.of()).with("paths", sample(unowned.stream().filter(SbomCheck::generated).toList())));
    }
    return out;
  }

  /** Regular files, symlinks and hardlinks of the merged tree that no package's database entry claims, sorted. */
  public static List<String> unowned(ImageContents img) {
    Map<String, String> owner = img.ownerByPath();
    List<String> out = new ArrayList<>();
    for (ImageFilesystem.Node n : img.filesystem().nodes()) {
      TarEntryInfo.Type t = n.entry().type();
      if (t != TarEntryInfo.Type.FILE && t != TarEntryInfo.Type.SYMLINK && t != TarEntryInfo.Type.HARDLINK) {
        continue;
      }
      String p = n.path();
      if (owner.containsKey(p) || p.startsWith("var/lib/dpkg/status.d/") || p.equals("var/lib/dpkg/status")) {
        continue;
      }
      out.add(p);
    }
    return out;
  }

  private static boolean generated(String p) {
    return GENERATED_PREFIXES.stream().anyMatch(p::startsWith);
  }

  private static String sample(List<String> paths) {
    List<String> s = paths.subList(0, Math.min(SAMPLE, paths.size()));
    return String.join(", ", s) + (paths.size() > SAMPLE ? ", ... (" + (paths.size() - SAMPLE) + " more)" : "");
  }

  /** The digest of a merged entry as a package database computes it: file bytes, or a symlink's target text. */
  static Optional<String> digestOf(TarEntryInfo e, String algorithm, ImageFilesystem fs) {
    switch (e.type()) {
      case FILE -> {
        return switch (algorithm) {
          case "SHA-1" -> e.sha1Hex();
          case "MD5" -> e.md5Hex();
          case "SHA-256" -> e.sha256().map(d -> d.hex());
          default -> Optional.empty();
        };
      }
      case SYMLINK -> {
        return Optional.of(hash(algorithm, e.linkTarget().getBytes(StandardCharsets.UTF_8)));
      }
      case HARDLINK -> {
        return fs.resolve(e.path()).flatMap(n -> n.entry().type() == TarEntryInfo.Type.FILE
            ? digestOf(n.entry(), algorithm, fs) : Optional.empty());
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  private static String hash(String algorithm, byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(b));
    } catch (NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }

  // ------------------------------------------------------------------ the SBOMs melange put in the image

  /**
   * apko's per-package SBOMs ({@code var/lib/db/sbom/*.spdx.json}): each must parse and describe an apk that is
   * installed with that version and architecture.
   */
  public static List<Finding> embedded(ImageContents img) {
    List<Finding> out = new ArrayList<>();
    Map<String, InstalledPackage> installed = new LinkedHashMap<>();
    img.packages().forEach(p -> installed.put(p.name(), p));
    int ok = 0;
    for (ImageFilesystem.Node n : img.filesystem().nodes()) {
      String path = n.path();
      if (!path.startsWith("var/lib/db/sbom/") || !path.endsWith(".spdx.json") || n.entry().type() != TarEntryInfo.Type.FILE) {
        continue;
      }
      Optional<byte[]> bytes = n.entry().content();
      if (bytes.isEmpty()) {
        continue;
      }
      SbomDocument doc;
      try {
        doc = SbomReader.read(bytes.get(), path);
      } catch (dev.bitproof.report.CheckException e) {
        out.add(new Finding(SbomCode.SBOM_EMBEDDED_INVALID, Severity.WARN, path,
            "the package's own SBOM does not parse (apko skips it, so the image SBOM omits this package)", Map.of())
            .with("error", e.code() + ": " + e.getMessage()));
        continue;
      }
      for (SbomComponent c : doc.osPackages()) {
        Purl purl = c.purl().get();
        InstalledPackage p = installed.get(purl.name());
        String version = versionOf(c);
        Optional<String> arch = purl.qualifier("arch");
        if (p == null || !p.version().equals(version) || (arch.isPresent() && !p.arch().isEmpty() && !arch.get().equals(p.arch()))) {
          out.add(new Finding(SbomCode.SBOM_EMBEDDED_NOT_INSTALLED, Severity.FAIL, path,
              "the SBOM shipped in the image describes a package that is not installed as described", Map.of())
              .with("purl", c.display()).with("installed", p == null ? "(none)" : p.name() + " " + p.version() + " " + p.arch()));
        } else {
          ok++;
        }
      }
    }
    if (ok > 0 && out.stream().noneMatch(Finding::fails)) {
      out.add(new Finding(SbomCode.SBOM_EMBEDDED_MATCH, Severity.OK, "var/lib/db/sbom",
          ok + " packages described by the SBOMs shipped in the image are installed as described", Map.of()));
    }
    return out;
  }

  // ------------------------------------------------------------------ an index SBOM

  /** An SBOM of a multi-platform index: it must name this index, and list exactly its images. */
  public static List<Finding> index(SbomDocument doc, dev.bitproof.oci.Digest indexDigest, List<dev.bitproof.oci.Digest> images,
      String sbomName) {
    List<Finding> out = new ArrayList<>(doc.integrity());
    duplicates(doc, sbomName, out);
    if (!doc.describes().contains(indexDigest)) {
      out.add(new Finding(SbomCode.SBOM_SUBJECT_MISMATCH, Severity.FAIL, sbomName, "the SBOM describes a different index", Map.of())
          .with("sbom_describes", doc.describes().toString()).with("index", indexDigest));
      return out;
    }
    if (doc.describes().stream().anyMatch(d -> !d.equals(indexDigest))) {
      // checksum, purl and version of the described element must all name the index: one that names another
      // digest (zeroed, a bit flipped) is a claim about a different artifact
      out.add(new Finding(SbomCode.SBOM_SUBJECT_MISMATCH, Severity.FAIL, sbomName,
          "the SBOM's identity claims disagree: not every digest it gives for what it describes is this index's",
          Map.of()).with("sbom_describes", doc.describes().toString()).with("index", indexDigest));
    }
    for (dev.bitproof.oci.Digest d : images) {
      if (!doc.variants().contains(d)) {
        out.add(new Finding(SbomCode.SBOM_INDEX_IMAGE_MISSING, Severity.FAIL, d.toString(), "an image of the index is not in its SBOM",
            Map.of()).with("sbom", sbomName));
      }
    }
    for (dev.bitproof.oci.Digest d : doc.variants()) {
      if (!images.contains(d)) {
        out.add(new Finding(SbomCode.SBOM_INDEX_IMAGE_EXTRA, Severity.FAIL, d.toString(), "the SBOM lists an image the index does not have",
            Map.of()).with("sbom", sbomName));
      }
    }
    if (out.isEmpty()) {
      out.add(new Finding(SbomCode.SBOM_INDEX_MATCHES, Severity.OK, sbomName,
          "the SBOM describes this index and its " + images.size() + " images", Map.of()).with("index", indexDigest));
    }
    return out;
  }

  // ------------------------------------------------------------------ SBOM vs image

  /** The SBOM against the image: subject, packages (name, version, arch, purl), file checksums, document errors. */
  public static List<Finding> compare(ImageContents img, SbomDocument doc, ImageIdentity id, String sbomName) {
    List<Finding> out = new ArrayList<>();
    duplicates(doc, sbomName, out);
    out.addAll(doc.integrity());
    subject(doc, id, sbomName, out);
    operatingSystem(img, doc, sbomName, out);
    if (img.database() == ImageContents.Database.NONE) {
      if (!doc.osPackages().isEmpty()) {
        out.add(new Finding(SbomCode.SBOM_PACKAGES_UNCONFIRMED, Severity.WARN, sbomName,
            "the image has no package database, so the SBOM's " + doc.osPackages().size() + " OS packages cannot be confirmed",
            Map.of()));
      }
    } else {
      packages(img, doc, sbomName, out);
    }
    files(img, doc, sbomName, out);
    cap(out);
    if (out.stream().noneMatch(Finding::fails)) {
      out.add(new Finding(SbomCode.SBOM_MATCHES_IMAGE, Severity.OK, sbomName,
          "the SBOM's " + doc.osPackages().size() + " OS packages and " + doc.files().size()
              + " file checksums agree with the layers", Map.of())
          .with("format", doc.format().label() + " " + doc.specVersion())
          .with("installed_packages", img.packages().size()));
    }
    return out;
  }

  private static void duplicates(SbomDocument doc, String sbomName, List<Finding> out) {
    for (String dup : doc.duplicateRefs()) {
      out.add(new Finding(SbomCode.SBOM_DUPLICATE_ID, Severity.FAIL, dup,
          "the SBOM uses this identifier for more than one element", Map.of()).with("sbom", sbomName));
    }
  }

  /**
   * The operating-system element (SPDX {@code OPERATING_SYSTEM}/{@code OPERATING-SYSTEM}, CycloneDX
   * {@code operating-system}) against the image's os-release, as apko writes it: name = {@code ID}, version =
   * {@code VERSION_ID}. Not checked when the image has no os-release.
   */
  private static void operatingSystem(ImageContents img, SbomDocument doc, String sbomName, List<Finding> out) {
    OsRelease os = img.osRelease();
    if (os.id().isEmpty()) {
      return;
    }
    for (SbomComponent c : doc.components()) {
      String k = c.kind().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
      if (!k.equals("OPERATING_SYSTEM")) {
        continue;
      }
      boolean nameOk = c.name().equals(os.id()) || c.name().equals(os.name());
      boolean versionOk = c.version().isEmpty() || c.version().equals(os.versionId())
          || os.versionId().isEmpty() && c.version().equals(os.get("VERSION").orElse(""));
      if (!nameOk || !versionOk) {
        out.add(new Finding(SbomCode.SBOM_OS_MISMATCH, Severity.FAIL, c.ref().isEmpty() ? c.name() : c.ref(),
            "the SBOM's operating system is not the image's os-release", Map.of())
            .with("sbom", c.name() + " " + c.version()).with("os_release", os.id() + " " + os.versionId())
            .with("sbomName", sbomName));
      }
    }
  }

  /** Keeps the first {@link #MAX_PER_CODE} findings of each code and adds one that counts the rest. */
  static void cap(List<Finding> out) {
    Map<Code, Integer> seen = new LinkedHashMap<>();
    Map<Code, Finding> firstDropped = new LinkedHashMap<>();
    List<Finding> kept = new ArrayList<>();
    for (Finding f : out) {
      int n = seen.merge(f.code(), 1, Integer::sum);
      if (n <= MAX_PER_CODE) {
        kept.add(f);
      } else {
        firstDropped.putIfAbsent(f.code(), f);
      }
    }
    for (var e : firstDropped.entrySet()) {
      int dropped = seen.get(e.getKey()) - MAX_PER_CODE;
      kept.add(new Finding(e.getKey(), e.getValue().severity(), "(" + dropped + " more)",
          dropped + " more findings of this code were not listed", Map.of()).with("total", seen.get(e.getKey())));
    }
    out.clear();
    out.addAll(kept);
  }

  private static void subject(SbomDocument doc, ImageIdentity id, String sbomName, List<Finding> out) {
    if (doc.describes().isEmpty()) {
      out.add(new Finding(SbomCode.SBOM_SUBJECT_UNSTATED, Severity.INFO, sbomName,
          "the SBOM names no image digest; it was checked against the layers only", Map.of()));
      return;
    }
    if (!id.isKnown()) {
      return;
    }
    if (doc.describes().stream().anyMatch(id::names) && !doc.describes().stream().allMatch(id::names)) {
      // the checksum, purl and version of what is described must all name this image: one zeroed or
      // bit-flipped is a claim about another artifact, whatever the others say
      out.add(new Finding(SbomCode.SBOM_SUBJECT_MISMATCH, Severity.FAIL, sbomName,
          "the SBOM's identity claims disagree: not every digest it gives for what it describes is this image's",
          Map.of())
          .with("sbom_describes", doc.describes().toString())
          .with("image", id.manifest().map(Object::toString).orElse(""))
          .with("index", id.index().map(Object::toString).orElse("")));
    } else if (doc.describes().stream().anyMatch(id::names)) {
      out.add(new Finding(SbomCode.SBOM_SUBJECT_MATCHES, Severity.OK, sbomName, "the SBOM describes this image", Map.of())
          .with("describes", doc.describes().get(0)));
    } else {
      out.add(new Finding(SbomCode.SBOM_SUBJECT_MISMATCH, Severity.FAIL, sbomName,
          "the SBOM describes a different image", Map.of())
          .with("sbom_describes", doc.describes().toString())
          .with("image", id.manifest().map(Object::toString).orElse(""))
          .with("index", id.index().map(Object::toString).orElse("")));
    }
  }

  private static void packages(ImageContents img, SbomDocument doc, String sbomName, List<Finding> out) {
    for (SbomComponent c : doc.components()) {
      if (c.purlError().isPresent()) {
        out.add(new Finding(SbomCode.SBOM_PURL_INVALID, Severity.FAIL, c.purlText().orElse(""), c.purlError().get(), Map.of())
            .with("component", c.ref().isEmpty() ? c.name() : c.ref()).with("sbom", sbomName));
      }
    }
    Map<String, List<SbomComponent>> byName = new LinkedHashMap<>();
    for (SbomComponent c : doc.osPackages()) {
      byName.computeIfAbsent(c.purl().get().type() + "/" + c.purl().get().name(), k -> new ArrayList<>()).add(c);
    }
    Set<SbomComponent> matched = new LinkedHashSet<>();
    Map<String, List<String>> binariesBySource = new LinkedHashMap<>();
    Map<String, List<InstalledPackage>> installedBySource = new LinkedHashMap<>();
    for (InstalledPackage p : img.packages()) {
      binariesBySource.computeIfAbsent(p.ecosystem().purlType() + "/" + p.source(), k -> new ArrayList<>()).add(p.name());
      installedBySource.computeIfAbsent(p.ecosystem().purlType() + "/" + p.source(), k -> new ArrayList<>()).add(p);
    }
    for (InstalledPackage p : img.packages()) {
      List<SbomComponent> cands = byName.getOrDefault(p.key(), List.of());
      if (cands.isEmpty()) {
        if (p.ecosystem() == InstalledPackage.Ecosystem.APK && doc.fromApko()
            && img.embeddedSbomPath(p.name(), p.version()).isEmpty()) {
          out.add(new Finding(SbomCode.SBOM_PACKAGE_OMITTED_BY_APKO, Severity.WARN, p.name(),
              "installed, but apko lists only packages that carry their own SBOM and this one has none", Map.of())
              .with("version", p.version()).with("sbom", sbomName));
        } else {
          out.add(new Finding(SbomCode.SBOM_PACKAGE_MISSING, Severity.FAIL, p.name(),
              "installed in the image but not listed in the SBOM", Map.of())
              .with("version", p.version()).with("arch", p.arch()).with("sbom", sbomName));
        }
        continue;
      }
      SbomComponent best = cands.stream().filter(c -> versionOf(c).equals(p.version())).findFirst().orElse(cands.get(0));
      matched.add(best);
      Purl purl = best.purl().get();
      String sv = versionOf(best);
      if (!sv.equals(p.version())) {
        out.add(new Finding(SbomCode.SBOM_VERSION_MISMATCH, Severity.FAIL, p.name(),
            "the SBOM gives another version than the installed one", Map.of())
            .with("sbom_version", sv).with("installed_version", p.version()).with("purl", best.display()));
      }
      Optional<String> arch = purl.qualifier("arch");
      if (arch.isPresent() && !p.arch().isEmpty() && !arch.get().equals(p.arch())) {
        out.add(new Finding(SbomCode.SBOM_ARCH_MISMATCH, Severity.FAIL, p.name(),
            "the SBOM gives another architecture than the installed one", Map.of())
            .with("sbom_arch", arch.get()).with("installed_arch", p.arch()).with("purl", best.display()));
      }
      purlConsistency(img, p, best, out);
      if (p.ecosystem() == InstalledPackage.Ecosystem.DEB && best.tags().contains("source") && p.source().equals(p.name())) {
        out.add(new Finding(SbomCode.SBOM_SOURCE_BINARY_MERGED, Severity.WARN, p.name(),
            "the SBOM has one component for the source package and the binary package of the same name", Map.of())
            .with("purl", best.display()).with("binaries_of_source", String.join(" ", binariesBySource.getOrDefault(p.key(), List.of()))));
      }
      for (SbomComponent other : cands) {
        if (other != best && !matched.contains(other) && !versionOf(other).equals(p.version())) {
          matched.add(other);
          out.add(new Finding(SbomCode.SBOM_PACKAGE_NOT_IN_IMAGE, Severity.FAIL, other.display(),
              "the SBOM lists a version of " + p.name() + " that is not installed", Map.of())
              .with("installed_version", p.version()));
        }
      }
    }
    for (SbomComponent c : doc.osPackages()) {
      if (matched.contains(c)) {
        continue;
      }
      Purl purl = c.purl().get();
      List<String> bins = binariesBySource.get(purl.type() + "/" + purl.name());
      if (purl.type().equals("deb") && bins != null) {
        out.add(new Finding(SbomCode.SBOM_SOURCE_PACKAGE, Severity.INFO, c.display(),
            "a source package listed beside its installed binaries (not itself installed)", Map.of())
            .with("binaries", String.join(" ", bins)).with("tagged_source", c.tags().contains("source")));
        sourceConsistency(img, c, installedBySource.get(purl.type() + "/" + purl.name()), out);
      } else {
        out.add(new Finding(SbomCode.SBOM_PACKAGE_NOT_IN_IMAGE, Severity.FAIL, c.display(),
            "listed in the SBOM but not installed in the image", Map.of()).with("sbom", sbomName));
      }
    }
  }

  /** The version a component claims, with a Debian epoch restored from the purl's {@code epoch} qualifier. */
  static String versionOf(SbomComponent c) {
    Purl p = c.purl().get();
    String v = p.version().isEmpty() ? c.version() : p.version();
    Optional<String> epoch = p.qualifier("epoch");
    if (epoch.isPresent() && !v.contains(":") && !epoch.get().equals("0")) {
      v = epoch.get() + ":" + v;
    }
    return v;
  }

  /**
   * A Debian source component is not installed, but it is still a claim about the image: its version must be
   * one of its installed binaries' (or the one a binNMU {@code +bN} was built from), its arch one of theirs, and
   * its namespace and distro the image's. Without this any edit to a source component passed as INFO.
   */
  private static void sourceConsistency(ImageContents img, SbomComponent c, List<InstalledPackage> binaries,
      List<Finding> out) {
    Purl purl = c.purl().get();
    List<String> why = new ArrayList<>();
    String v = versionOf(c);
    if (binaries.stream().noneMatch(b -> b.version().equals(v) || b.version().startsWith(v + "+b"))) {
      why.add("version '" + v + "' is not the version of any of its binaries "
          + binaries.stream().map(b -> b.name() + " " + b.version()).toList());
    }
    Optional<String> arch = purl.qualifier("arch");
    if (arch.isPresent() && !arch.get().equals("source")
        && binaries.stream().noneMatch(b -> b.arch().isEmpty() || b.arch().equals(arch.get()))) {
      why.add("arch '" + arch.get() + "' is not the architecture of any of its binaries");
    }
    debDistro(img, purl, why);
    if (!why.isEmpty()) {
      out.add(new Finding(SbomCode.SBOM_SOURCE_MISMATCH, Severity.FAIL, c.display(), String.join("; ", why), Map.of())
          .with("binaries", String.join(" ", binaries.stream().map(InstalledPackage::name).toList())));
    }
  }

  /** A deb purl's namespace is the os-release ID, and its {@code distro} qualifier {@code ID-VERSION_ID[.minor]}. */
  private static void debDistro(ImageContents img, Purl purl, List<String> why) {
    String id = img.osRelease().id();
    if (id.isEmpty()) {
      return;
    }
    if (!purl.namespace().equals(id)) {
      why.add("namespace '" + purl.namespace() + "' is not the image's os-release ID '" + id + "'");
    }
    Optional<String> distro = purl.qualifier("distro");
    String want = id + "-" + img.osRelease().versionId();
    if (distro.isPresent() && !img.osRelease().versionId().isEmpty() && !distro.get().equals(want)
        && !distro.get().startsWith(want + ".") && !distro.get().equals(id)) {
      why.add("distro qualifier '" + distro.get() + "' is not the image's '" + want + "'");
    }
  }

  private static void purlConsistency(ImageContents img, InstalledPackage p, SbomComponent c, List<Finding> out) {
    Purl purl = c.purl().get();
    List<String> why = new ArrayList<>();
    if (!c.name().isEmpty() && !c.name().equals(purl.name())) {
      why.add("component name '" + c.name() + "' is not the purl's name");
    }
    if (!c.version().isEmpty() && !purl.version().isEmpty() && !c.version().equals(purl.version())
        && !c.version().equals(versionOf(c))) {
      why.add("component version '" + c.version() + "' is not the purl's '" + purl.version() + "'");
    }
    Optional<String> distro = purl.qualifier("distro");
    // trivy (and so cdxgen -t rootfs) writes the os-release VERSION_ID as the apk distro qualifier
    String osVersion = img.osRelease().versionId();
    if (p.ecosystem() == InstalledPackage.Ecosystem.APK && distro.isPresent() && !distro.get().equals(purl.namespace())
        && (osVersion.isEmpty() || !(distro.get().equals(osVersion) || distro.get().equals(purl.namespace() + "-" + osVersion)))) {
      why.add("distro qualifier '" + distro.get() + "' differs from the namespace '" + purl.namespace() + "'");
    }
    if (p.ecosystem() == InstalledPackage.Ecosystem.DEB) {
      debDistro(img, purl, why);
    }
    String id = img.osRelease().id();
    if (p.ecosystem() == InstalledPackage.Ecosystem.APK && !id.isEmpty() && !purl.namespace().equals(id)
        && !purl.namespace().equals("unknown")) {
      // apko writes the os-release ID, or "unknown" when it has none to hand (its golden files do)
      why.add("namespace '" + purl.namespace() + "' is not the image's os-release ID '" + id + "'");
    }
    Optional<String> epoch = purl.qualifier("epoch");
    if (epoch.isPresent() && purl.version().contains(":") && !purl.version().startsWith(epoch.get() + ":")) {
      why.add("epoch qualifier " + epoch.get() + " contradicts the version '" + purl.version() + "'");
    }
    if (!why.isEmpty()) {
      out.add(new Finding(SbomCode.SBOM_PURL_MISMATCH, Severity.FAIL, p.name(), String.join("; ", why), Map.of())
          .with("purl", c.display()));
    }
  }

  private static void files(ImageContents img, SbomDocument doc, String sbomName, List<Finding> out) {
    ImageFilesystem fs = img.filesystem();
    Set<String> reported = new TreeSet<>();
    for (SbomFile f : doc.files()) {
      if (f.hashes().isEmpty() || f.path().isEmpty()) {
        continue;
      }
      Optional<ImageFilesystem.Node> node;
      try {
        node = fs.get(f.path());
        if (node.isPresent() && node.get().entry().type() == TarEntryInfo.Type.SYMLINK) {
          node = fs.resolve(f.path()); // scanners hash what a link points to
        }
      } catch (dev.bitproof.report.CheckException e) {
        if (reported.add(f.path())) {
          out.add(new Finding(SbomCode.SBOM_FILE_PATH_INVALID, Severity.FAIL, f.path(),
              "the SBOM names a file path that cannot be in an image: " + e.getMessage(), Map.of()).with("sbom", sbomName));
        }
        continue;
      }
      if (node.isEmpty()) {
        if (reported.add(f.path())) {
          out.add(new Finding(SbomCode.SBOM_FILE_NOT_IN_IMAGE, Severity.FAIL, f.path(),
              "the SBOM lists this file but no layer has it", Map.of()).with("sbom", sbomName));
        }
        continue;
      }
      for (var h : f.hashes().entrySet()) {
        Optional<String> actual = digestOf(node.get().entry(), h.getKey(), fs);
        if (actual.isPresent() && !actual.get().equals(h.getValue()) && reported.add(f.path())) {
          out.add(new Finding(SbomCode.SBOM_FILE_CHECKSUM_MISMATCH, Severity.FAIL, f.path(),
              "the SBOM's checksum of this file is not the layer's", Map.of())
              .with("algorithm", h.getKey()).with("sbom", h.getValue()).with("layer", actual.get()));
        }
      }
    }
  }
}
