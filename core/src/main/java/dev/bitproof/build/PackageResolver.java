package dev.bitproof.build;

import dev.bitproof.apk.ApkIndex;
import dev.bitproof.apk.IndexEntry;
import java.util.List;

/**
 * Resolves the world (the config's package constraints) against the verified repository indexes of one arch
 * into the packages to install, dependencies first. The resolver itself lives with the APK code
 * ({@code dev.bitproof.apk}); this is the seam the pipeline calls.
 */
@FunctionalInterface
public interface PackageResolver {
  /** A verified index and the repository (without the arch folder) it came from. */
  record RepositoryIndex(String repository, ApkIndex index) {}

  /** A chosen package and the repository to fetch it from. */
  record Resolved(IndexEntry entry, String repository) {}

  /**
   * @return install order, dependencies before dependents; an unresolvable constraint is a
   *     {@code CheckException} whose message names the chain that led to it
   */
  List<Resolved> resolve(List<String> world, List<RepositoryIndex> indexes, String apkArch);
}
