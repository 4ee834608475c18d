package dev.bitproof.sbom;

import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * An SBOM's declared licences against what the package itself declares: apk {@code L:}, the Debian
 * machine-readable copyright file's {@code License:} fields, Python {@code License-Expression} (or a trove
 * classifier), npm {@code license}, a jar's pom {@code <license><name>} when it is an SPDX identifier. Compared only
 * when both sides are SPDX expressions: one expression each must be the same licence (AND/OR order free); several
 * CycloneDX licence entries, or a Debian copyright file (one licence per file set), compare as sets of identifiers
 * (every identifier the SBOM names must be one the package declares).
 */
public final class LicenseCheck {
  private LicenseCheck() {}

  /** A language component against its package's metadata. */
  static void compare(SbomComponent c, LanguagePackage p, List<Finding> out) {
    compare(c, p.license(), p.evidence(), false, out);
  }

  /**
   * @param declared what the package declares (an expression, or a space-separated set when {@code asSet})
   */
  static void compare(SbomComponent c, String declared, String source, boolean asSet, List<Finding> out) {
    if (c.licenses().isEmpty() || declared.isEmpty()) {
      return;
    }
    Optional<LicenseExpression> pkg = LicenseExpression.parse(declared);
    if (pkg.isEmpty()) {
      return; // free text on the package's side: nothing to compare with
    }
    if (c.licenses().size() == 1 && !asSet) {
      Optional<LicenseExpression> sbom = LicenseExpression.parse(c.licenses().get(0));
      if (sbom.isPresent() && !sbom.get().sameAs(pkg.get())) {
        out.add(mismatch(c, c.licenses().get(0), declared, source));
      }
      return;
    }
    Set<String> sbomIds = new TreeSet<>();
    for (String l : c.licenses()) {
      Optional<LicenseExpression> e = LicenseExpression.parse(l);
      if (e.isEmpty()) {
        continue; // a licence name (cdxgen's "public-domain"), not an identifier
      }
      sbomIds.addAll(e.get().ids());
    }
    Set<String> extra = new TreeSet<>(sbomIds);
    extra.removeAll(pkg.get().ids());
    // "X-or-later" grants X itself: cdxgen lists GPL-2.0-only beside GPL-2.0-or-later for Debian's "GPL-2+"
    extra.removeIf(id -> id.endsWith("-only") && pkg.get().ids().contains(id.substring(0, id.length() - 5) + "-or-later"));
    if (!extra.isEmpty()) {
      out.add(mismatch(c, String.join(" ", c.licenses()), declared, source).with("not_declared_by_package", String.join(" ", extra)));
    }
  }

  private static Finding mismatch(SbomComponent c, String sbom, String pkg, String source) {
    return new Finding(SbomCode.SBOM_LICENSE_MISMATCH, Severity.FAIL, c.display(),
        "the SBOM's licence is not the one the package declares", Map.of())
        .with("sbom_license", sbom).with("package_license", pkg).with("source", source);
  }

  /** The OS packages of an SBOM that match an installed package: licence against apk {@code L:} / Debian copyright. */
  public static List<Finding> os(ImageContents img, SbomDocument doc) {
    List<Finding> out = new java.util.ArrayList<>();
    for (SbomComponent c : doc.osPackages()) {
      Purl purl = c.purl().get();
      String version = SbomCheck.versionOf(c);
      for (InstalledPackage p : img.packages()) {
        if (!p.key().equals(purl.type() + "/" + purl.name()) || !p.version().equals(version)) {
          continue;
        }
        if (p.ecosystem() == InstalledPackage.Ecosystem.APK) {
          img.apkDatabase().flatMap(db -> db.packages().stream().filter(a -> a.name().equals(p.name())).findFirst())
              .ifPresent(a -> compare(c, a.license(), img.databasePath() + " L:", false, out));
        } else {
          String path = "usr/share/doc/" + p.name() + "/copyright";
          img.filesystem().content(path).flatMap(DebianCopyright::licenses)
              .ifPresent(ids -> compare(c, String.join(" AND ", ids), path, true, out));
        }
      }
    }
    return out;
  }
}
