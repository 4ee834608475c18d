package dev.bitproof.sbom;

import dev.bitproof.oci.Digest;
import dev.bitproof.report.Finding;
import java.util.List;

/**
 * An SBOM as read, in a format-neutral view.
 *
 * @param describes digests of the images or indexes the document says it describes (SPDX: the described root
 *     packages' SHA-256 checksums or {@code pkg:oci} versions; CycloneDX: {@code metadata.component})
 * @param variants for an index SBOM, the per-platform images it lists (SPDX {@code VARIANT_OF})
 * @param duplicateRefs SPDX IDs or bom-refs that appear more than once (a document error)
 * @param creators SPDX {@code creationInfo.creators} or CycloneDX tool names
 * @param namespace SPDX {@code documentNamespace} or CycloneDX {@code serialNumber}
 * @param integrity the document's own identity errors found while reading (issue 18): a described element that
 *     does not exist, nothing described, a relationship naming an unknown element, an OS package no relationship
 *     links to what is described, a purl filed under another {@code referenceCategory}; FAIL findings
 */
public record SbomDocument(SbomFormat format, String specVersion, String name, List<String> creators, String namespace,
    List<SbomComponent> components, List<SbomFile> files, List<Digest> describes, List<Digest> variants,
    List<String> duplicateRefs, List<Finding> integrity) {
  public SbomDocument {
    creators = List.copyOf(creators);
    components = List.copyOf(components);
    files = List.copyOf(files);
    describes = List.copyOf(describes);
    variants = List.copyOf(variants);
    duplicateRefs = List.copyOf(duplicateRefs);
    integrity = List.copyOf(integrity);
  }

  public SbomDocument(SbomFormat format, String specVersion, String name, List<String> creators, String namespace,
      List<SbomComponent> components, List<SbomFile> files, List<Digest> describes, List<Digest> variants,
      List<String> duplicateRefs) {
    this(format, specVersion, name, creators, namespace, components, files, describes, variants, duplicateRefs,
        List.of());
  }

  /** Made by apko, or in apko's form (which lists only packages that carry their own SBOM). */
  public boolean fromApko() {
    return creators.stream().anyMatch(c -> c.startsWith("Tool: apko")) || namespace.equals("https://spdx.org/spdxdocs/apko/");
  }

  public List<SbomComponent> osPackages() {
    return components.stream().filter(SbomComponent::isOsPackage).toList();
  }
}
