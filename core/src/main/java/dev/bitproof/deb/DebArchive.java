package dev.bitproof.deb;

import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The signed archive a user names for {@code deb verify} and {@code deb image-check}: trusted keyrings, Release files
 * (cleartext InRelease, or Release with its detached signature) and Packages indexes, with the rules they are checked
 * under.
 *
 * @param releaseGpg detached signatures for the non-cleartext releases, in order; a missing one is looked for beside
 *     its Release as {@code Release.gpg}
 */
public record DebArchive(List<Path> keyrings, List<Path> releases, List<Path> releaseGpg, List<Path> packages,
    ArchiveVerifier.Options options) {
  public DebArchive {
    keyrings = List.copyOf(keyrings);
    releases = List.copyOf(releases);
    releaseGpg = List.copyOf(releaseGpg);
    packages = List.copyOf(packages);
  }

  /** Whether any Release or Packages index was named. */
  public boolean any() {
    return !releases.isEmpty() || !packages.isEmpty();
  }

  /**
   * Verifies the releases and loads the Packages indexes (keeping the stanzas {@code keep} accepts); every finding goes
   * to {@code findings}. A Packages index without a Release, or a Release without a keyring, is a usage error.
   */
  public List<PackagesIndex> load(Predicate<String> keep, List<Finding> findings, Consumer<String> progress)
      throws IOException {
    if (releases.isEmpty() && !packages.isEmpty()) {
      throw CheckException.usage(DebCode.USAGE_RELEASE_REQUIRED, "--packages needs the --release that signs it");
    }
    if (!releases.isEmpty() && keyrings.isEmpty()) {
      throw CheckException.usage(DebCode.USAGE_KEYRING_REQUIRED, "--release needs --keyring (the trusted archive keys)");
    }
    List<ArchiveVerifier.VerifiedRelease> verified = new ArrayList<>();
    if (!releases.isEmpty()) {
      PgpKeyring keyring = PgpKeyring.load(keyrings);
      int detached = 0;
      for (Path r : releases) {
        byte[] bytes = Files.readAllBytes(r);
        String name = r.getFileName().toString();
        ArchiveVerifier.VerifiedRelease vr;
        if (new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.ISO_8859_1).stripLeading()
            .startsWith("-----BEGIN PGP SIGNED MESSAGE-----")) {
          vr = ArchiveVerifier.verifyInRelease(bytes, name, keyring, options);
        } else {
          Path sig = detached < releaseGpg.size() ? releaseGpg.get(detached) : r.resolveSibling(name + ".gpg");
          detached++;
          if (!Files.exists(sig)) {
            throw new CheckException(DebCode.DEB_RELEASE_SIGNATURE_MISSING, name,
                "Release is not cleartext-signed and no detached signature was given (--release-gpg) or found at " + sig);
          }
          vr = ArchiveVerifier.verifyDetached(bytes, Files.readAllBytes(sig), name, keyring, options);
        }
        findings.addAll(vr.findings());
        verified.add(vr);
      }
    }
    List<PackagesIndex> indexes = new ArrayList<>();
    for (Path p : packages) {
      progress.accept("bitproof: reading " + p.getFileName());
      ArchiveVerifier.LoadedIndex li = ArchiveVerifier.loadPackages(p, verified, options, keep);
      findings.addAll(li.findings());
      li.index().ifPresent(indexes::add);
    }
    return indexes;
  }
}
