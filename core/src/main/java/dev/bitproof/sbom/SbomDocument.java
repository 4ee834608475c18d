package dev.bitproof.sbom;

import dev.bitproof.oci.Digest;
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
 */
public record SbomDocument(SbomFormat format, String specVersion, String name, List<String> creators, String namespace,
    List<SbomComponent> components, List<SbomFile> files, List<Digest> describes, List<Digest> variants,
    List<String> duplicateRefs) {
  public SbomDocument {
    creators = List.copyOf(creators);
    components = List.copyOf(components);
    files = List.copyOf(files);
    describes = List.copyOf(describes);
    variants = List.copyOf(variants);
    duplicateRefs = List.copyOf(duplicateRefs);
  }

  /** Made by apko, or in apko's form (which lists only packages that carry their own SBOM). */
  public boolean fromApko() {
    return creators.stream().anyMatch(c -> c.startsWith("Tool: apko")) || namespace.equals("https://spdx.org/spdxdocs/apko/");
  }

  public List<SbomComponent> osPackages() {
    return components.stream().filter(SbomComponent::isOsPackage).toList();
  }
}
