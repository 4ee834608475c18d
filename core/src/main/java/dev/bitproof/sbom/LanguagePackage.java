package dev.bitproof.sbom;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A language package the layers prove is there: found from its own metadata (Go build info in a binary, a Python
 * {@code dist-info}, an npm {@code package.json}, a jar's {@code pom.properties}).
 *
 * @param name the ecosystem's identity: Go module path, PEP 503-normalized Python name, npm name with its
 *     {@code @scope/}, Maven {@code groupId/artifactId}
 * @param evidence the file whose metadata names the package (a binary, METADATA, package.json, jar)
 * @param files the files the package's metadata lists (Python RECORD), else the evidence file alone
 * @param sha256 a content hash the metadata records (Go: the module's {@code h1:} sum, decoded), hex
 * @param license the licence the metadata declares (SPDX expression or free text, as written), "" when none
 */
public record LanguagePackage(Ecosystem ecosystem, String name, String version, String evidence, List<String> files,
    Optional<String> sha256, String license) {
  public LanguagePackage {
    files = List.copyOf(files);
    license = license == null ? "" : license.trim();
  }

  /** The ecosystems read from the layers, by purl type. */
  public enum Ecosystem {
    GOLANG("golang"), PYPI("pypi"), NPM("npm"), MAVEN("maven");

    private final String purlType;

    Ecosystem(String purlType) {
      this.purlType = purlType;
    }

    public String purlType() {
      return purlType;
    }

    public static Optional<Ecosystem> ofPurlType(String t) {
      for (Ecosystem e : values()) {
        if (e.purlType.equals(t)) {
          return Optional.of(e);
        }
      }
      return Optional.empty();
    }
  }

  /** The identity a purl of this ecosystem names, spelled as {@link #name}. */
  public static String key(Ecosystem e, Purl p) {
    String full = p.namespace().isEmpty() ? p.name() : p.namespace() + "/" + p.name();
    return switch (e) {
      case PYPI -> normalizePypi(p.name());
      case NPM -> full.toLowerCase(Locale.ROOT);
      default -> full;
    };
  }

  /** PEP 503: lowercase, runs of {@code -_.} become one {@code -}. */
  public static String normalizePypi(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
  }

  /** The purl bitproof writes for it (and what a finding names). */
  public String purl() {
    String n = switch (ecosystem) {
      case NPM -> name.startsWith("@") ? "%40" + name.substring(1) : name;
      default -> name;
    };
    return "pkg:" + ecosystem.purlType + "/" + n + (version.isEmpty() ? "" : "@" + encodeVersion(version));
  }

  private static String encodeVersion(String v) {
    return v.replace("%", "%25").replace("+", "%2B").replace("(", "%28").replace(")", "%29").replace(" ", "%20");
  }
}
