package dev.bitproof.sbom;

import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An SBOM's language components ({@code pkg:golang}, {@code pkg:pypi}, {@code pkg:npm}, {@code pkg:maven}) held to
 * the language packages the layers prove: every component needs evidence, with the same version by its
 * ecosystem's rule and the same hash where both record one; every package in the layers needs a component,
 * unless an installed OS package owns its files (then the OS package is its SBOM entry). Pure.
 */
public final class LanguageCheck {
  private LanguageCheck() {}

  public static List<Finding> compare(ImageContents img, List<LanguagePackage> found, SbomDocument doc, String sbomName) {
    List<Finding> out = new ArrayList<>();
    Set<LanguagePackage> matched = new LinkedHashSet<>();
    int confirmed = 0;
    for (SbomComponent c : doc.components()) {
      if (c.purl().isEmpty()) {
        continue;
      }
      Purl purl = c.purl().get();
      Optional<LanguagePackage.Ecosystem> eco = LanguagePackage.Ecosystem.ofPurlType(purl.type());
      if (eco.isEmpty()) {
        continue;
      }
      String key = LanguagePackage.key(eco.get(), purl);
      List<LanguagePackage> same = found.stream().filter(p -> p.ecosystem() == eco.get() && p.name().equals(key)).toList();
      if (same.isEmpty()) {
        out.add(new Finding(SbomCode.SBOM_COMPONENT_NO_EVIDENCE, Severity.FAIL, c.display(),
            "the SBOM lists this " + purl.type() + " package but nothing in the layers shows it is there", Map.of())
            .with("sbom", sbomName));
        continue;
      }
      String version = purl.version().isEmpty() ? c.version() : purl.version();
      List<LanguagePackage> exact = same.stream().filter(p -> Versions.same(eco.get(), version, p.version())).toList();
      if (exact.isEmpty()) {
        out.add(new Finding(SbomCode.SBOM_VERSION_MISMATCH, Severity.FAIL, c.display(),
            "the SBOM gives another version than the layers hold", Map.of())
            .with("sbom_version", version).with("layer_versions", String.join(" ", same.stream().map(LanguagePackage::version).distinct().toList()))
            .with("evidence", same.get(0).evidence()));
        matched.addAll(same);
        continue;
      }
      matched.addAll(exact);
      confirmed++;
      hashes(img.filesystem(), c, exact, out);
      LicenseCheck.compare(c, exact.get(0), out);
    }
    Map<String, String> owners = img.ownerByPath();
    for (LanguagePackage p : found) {
      if (matched.contains(p)) {
        continue;
      }
      String top = p.evidence().contains("!/") ? p.evidence().substring(0, p.evidence().indexOf("!/")) : p.evidence();
      String owner = owners.get(top);
      boolean bundlesListed = p.ecosystem() == LanguagePackage.Ecosystem.MAVEN && matched.stream()
          .anyMatch(m -> m.evidence().startsWith(p.evidence() + "!/"));
      if (bundlesListed) {
        out.add(new Finding(SbomCode.SBOM_FAT_JAR_OMITTED, Severity.WARN, p.purl(),
            "a jar that bundles other jars (an application) is not listed itself; the jars it bundles are", Map.of())
            .with("evidence", p.evidence()).with("sbom", sbomName));
      } else if (owner != null) {
        out.add(new Finding(SbomCode.SBOM_LANGUAGE_PACKAGE_OS_OWNED, Severity.INFO, p.purl(),
            "a language package inside an installed OS package, not listed on its own", Map.of())
            .with("owned_by", owner).with("evidence", p.evidence()));
      } else {
        out.add(new Finding(SbomCode.SBOM_LANGUAGE_PACKAGE_MISSING, Severity.FAIL, p.purl(),
            "the layers hold this package but the SBOM does not list it", Map.of())
            .with("evidence", p.evidence()).with("files", sample(p.files())).with("sbom", sbomName));
      }
    }
    if (confirmed > 0 && out.stream().noneMatch(Finding::fails)) {
      out.add(new Finding(SbomCode.SBOM_LANGUAGE_PACKAGES_MATCH, Severity.OK, sbomName,
          confirmed + " language components have evidence in the layers", Map.of()));
    }
    SbomCheck.cap(out);
    return out;
  }

  private static void hashes(ImageFilesystem fs, SbomComponent c, List<LanguagePackage> evidence, List<Finding> out) {
    for (LanguagePackage p : evidence) {
      Optional<String> sbom256 = Optional.ofNullable(c.hashes().get("SHA-256"));
      if (p.ecosystem() == LanguagePackage.Ecosystem.GOLANG && p.sha256().isPresent() && sbom256.isPresent()
          && !p.sha256().get().equals(sbom256.get())) {
        out.add(hashFinding(c, p, "SHA-256 (the module's h1: sum)", sbom256.get(), p.sha256().get()));
        return;
      }
      if (p.ecosystem() == LanguagePackage.Ecosystem.MAVEN && !p.evidence().contains("!/")) {
        Optional<ImageFilesystem.Node> n = fs.get(p.evidence());
        for (var h : c.hashes().entrySet()) {
          Optional<String> actual = n.flatMap(x -> SbomCheck.digestOf(x.entry(), h.getKey(), fs));
          if (actual.isPresent() && !actual.get().equals(h.getValue())) {
            out.add(hashFinding(c, p, h.getKey() + " of the jar", h.getValue(), actual.get()));
            return;
          }
        }
      }
    }
  }

  private static Finding hashFinding(SbomComponent c, LanguagePackage p, String what, String sbom, String layers) {
    return new Finding(SbomCode.SBOM_COMPONENT_HASH_MISMATCH, Severity.FAIL, c.display(),
        "the SBOM's hash of this package is not the one the layers hold", Map.of())
        .with("algorithm", what).with("sbom", sbom).with("layer", layers).with("evidence", p.evidence());
  }

  private static String sample(List<String> files) {
    List<String> s = files.subList(0, Math.min(SbomCheck.SAMPLE, files.size()));
    return String.join(", ", s) + (files.size() > SbomCheck.SAMPLE ? ", ... (" + (files.size() - SbomCheck.SAMPLE) + " more)" : "");
  }
}
