package dev.bitproof.sbom;

import java.util.Map;

/**
 * A file an SBOM lists with checksums.
 *
 * @param path normalized, relative to the image root (no leading {@code /} or {@code ./})
 * @param hashes algorithm ({@code SHA-1}, {@code SHA-256}, {@code MD5} ...) to lowercase hex
 */
public record SbomFile(String ref, String path, Map<String, String> hashes) {
  public SbomFile {
    hashes = Map.copyOf(hashes);
  }
}
