package dev.bitproof.sbom;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One package-like element of an SBOM (an SPDX package or a CycloneDX component), reduced to what a content
 * check compares.
 *
 * @param ref SPDXID or bom-ref ("" when the document gives none)
 * @param kind SPDX {@code primaryPackagePurpose} or CycloneDX {@code type}, as written
 * @param purlText the purl exactly as written, if any
 * @param purl the parsed purl; empty when absent or when {@link #purlError} says why it did not parse
 * @param hashes algorithm ({@code SHA-1}, {@code SHA-256}, {@code SHA-512}, {@code MD5}) to lowercase hex
 * @param tags CycloneDX tags (cdxgen marks Debian source packages with {@code source})
 * @param licenses the declared licence: one SPDX expression (SPDX {@code licenseDeclared}, a CycloneDX
 *     {@code expression}) or each CycloneDX {@code license} entry ({@code id}, else {@code name}); empty when none
 *     or {@code NOASSERTION}/{@code NONE}
 */
public record SbomComponent(String ref, String name, String version, String kind, Optional<String> purlText,
    Optional<Purl> purl, Optional<String> purlError, Map<String, String> hashes, List<String> tags, List<String> licenses) {
  public SbomComponent(String ref, String name, String version, String kind, Optional<String> purlText,
      Optional<Purl> purl, Optional<String> purlError, Map<String, String> hashes, List<String> tags) {
    this(ref, name, version, kind, purlText, purl, purlError, hashes, tags, List.of());
  }

  public SbomComponent {
    licenses = List.copyOf(licenses);
    ref = ref == null ? "" : ref;
    name = name == null ? "" : name;
    version = version == null ? "" : version;
    kind = kind == null ? "" : kind;
    hashes = Map.copyOf(hashes);
    tags = List.copyOf(tags);
  }

  /** A Debian or Alpine/Wolfi package (what the installed databases can confirm). */
  public boolean isOsPackage() {
    return purl.map(p -> p.type().equals("apk") || p.type().equals("deb")).orElse(false);
  }

  public String display() {
    return purlText.orElse(name + (version.isEmpty() ? "" : "@" + version));
  }
}
