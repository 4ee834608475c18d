package dev.bitproof.sbom;

import java.util.List;
import java.util.Optional;

/**
 * A package the image's own package database says is installed: the ground truth an SBOM is held to.
 *
 * @param source Debian {@code Source:} name (without version) or apk origin; equals {@code name} when absent
 * @param files what the database records for each file it owns (apk {@code R:}, dpkg md5sums)
 */
public record InstalledPackage(Ecosystem ecosystem, String name, String version, String arch, String source,
    List<OwnedFile> files) {
  public enum Ecosystem {
    APK("apk"), DEB("deb");

    private final String purlType;

    Ecosystem(String purlType) {
      this.purlType = purlType;
    }

    public String purlType() {
      return purlType;
    }
  }

  /**
   * @param algorithm {@code SHA-1} (apk Q1), {@code SHA-256} (apk Q2) or {@code MD5} (dpkg)
   * @param hex expected lowercase hex, empty when the database records no checksum for it
   * @param conffile a Debian conffile: an administrator may change or remove it, so a difference only warns
   */
  public record OwnedFile(String path, String algorithm, String hex, boolean conffile) {
    public OwnedFile(String path, String algorithm, String hex) {
      this(path, algorithm, hex, false);
    }

    public Optional<String> expected() {
      return hex.isEmpty() ? Optional.empty() : Optional.of(hex);
    }
  }

  public InstalledPackage {
    files = List.copyOf(files);
    source = source == null || source.isEmpty() ? name : source;
  }

  public String key() {
    return ecosystem.purlType() + "/" + name;
  }
}
