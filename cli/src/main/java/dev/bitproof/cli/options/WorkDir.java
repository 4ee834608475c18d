package dev.bitproof.cli.options;

import java.nio.file.Path;

/**
 * apko's {@code -C/--workdir}: apko changes into the directory before anything else, so every relative path on its
 * command line (config, lock file, output, SBOM path) and in the config (keyring, repositories, includes) resolves
 * there. bitproof does not change its process directory; it resolves the same paths against the same directory.
 */
public final class WorkDir {
  private WorkDir() {}

  /** The working directory: {@code -C DIR}, else the current one, absolute. */
  public static Path of(Path option) {
    return (option == null ? Path.of("") : option).toAbsolutePath().normalize();
  }

  /** {@code p} as apko would open it after changing into {@code wd}. */
  public static Path resolve(Path wd, Path p) {
    return p == null ? null : p.isAbsolute() ? p : wd.resolve(p).normalize();
  }

  /** A local transport reference ({@code oci:}, {@code oci-archive:}, {@code docker-archive:}) with its path resolved. */
  public static String resolveRef(Path wd, String ref) {
    for (String prefix : new String[] {"oci:", "oci-archive:", "docker-archive:"}) {
      if (ref.startsWith(prefix)) {
        String rest = ref.substring(prefix.length());
        if (!rest.isEmpty() && !rest.startsWith("/")) {
          return prefix + wd.resolve(rest);
        }
      }
    }
    return ref;
  }
}
