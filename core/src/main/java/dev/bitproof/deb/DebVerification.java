package dev.bitproof.deb;

import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.json.JsonBody;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code deb verify} and {@code deb image-check}: the archive chain (InRelease, Packages, .deb), embedded deb
 * signatures, and a Debian-based image held to its dpkg database and, when given, to the signed archive.
 */
public final class DebVerification {
  private DebVerification() {}

  /** The body of {@code docs/schema/deb-verify.json}: the verification time and every finding. */
  public record VerifyResult(String now, List<Finding> findings) implements JsonBody {
    public VerifyResult {
      findings = List.copyOf(findings);
    }

    public Outcome outcome() {
      return Outcome.of(findings);
    }
  }

  /** A file no package owns, and the rule that explains it (empty when none does). */
  public record Unowned(String path, String explanation) {}

  /** The body of {@code docs/schema/deb-image-check.json}. */
  public record ImageCheckResult(String now, String image, String layout, int packages, int filesChecked, int ok,
      List<Unowned> unowned, List<Finding> findings) implements JsonBody {
    public ImageCheckResult {
      unowned = List.copyOf(unowned);
      findings = List.copyOf(findings);
    }

    public Outcome outcome() {
      return Outcome.of(findings);
    }
  }

  /**
   * Verifies the archive, then each deb: malformed, it is a failing verdict on that deb and the others are still
   * checked; against the signed Packages entries (when Packages were given, or no debsig keyring was); its embedded
   * signatures against {@code debsigKeyrings}.
   */
  public static VerifyResult verify(DebArchive archive, List<Path> debs, List<Path> debsigKeyrings,
      Consumer<String> progress) throws IOException {
    List<Finding> findings = new ArrayList<>();
    List<PackagesIndex> indexes = archive.load(n -> false, findings, progress);
    PgpKeyring debsig = debsigKeyrings.isEmpty() ? null : PgpKeyring.load(debsigKeyrings);
    for (Path d : debs) {
      DebPackage deb;
      try {
        deb = DebPackage.read(d);
      } catch (CheckException e) {
        if (e.kind() != CheckException.Kind.INTEGRITY) {
          throw e;
        }
        findings.add(Finding.fail(e.code(), d.getFileName().toString(), e.getMessage()));
        continue;
      }
      findings.addAll(deb.findings());
      if (!archive.packages().isEmpty() || debsig == null) {
        findings.add(ArchiveVerifier.checkDeb(deb.subject(), deb.name(), deb.version(), deb.architecture(),
            deb.sha256(), deb.size(), indexes));
      }
      if (debsig != null) {
        findings.addAll(deb.verifyEmbeddedSignatures(debsig, archive.options().policy()));
      }
    }
    return new VerifyResult(archive.options().policy().now().toString(), findings);
  }

  /**
   * What {@code deb image-check} checks: an image ({@code ref}, one platform of it) or a root filesystem tar.
   *
   * @param platform which image of a multi-platform index (default: the only one, else linux/amd64)
   * @param debs .deb files of installed packages, compared file by file with the image
   */
  public record ImageCheckRequest(Optional<String> ref, Optional<Path> rootfs, Optional<Platform> platform,
      TransportOptions transport, List<Path> debs, boolean failUnowned) {
    public ImageCheckRequest {
      debs = List.copyOf(debs);
    }
  }

  public static ImageCheckResult imageCheck(ImageCheckRequest req, DebArchive archive, Consumer<String> progress)
      throws IOException {
    ImageFilesystem fs;
    String subject;
    if (req.rootfs().isPresent()) {
      subject = req.rootfs().get().toString();
      progress.accept("bitproof: reading " + subject);
      fs = RootfsTar.read(req.rootfs().get(), (p, s) -> DpkgDatabase.isDatabasePath(p));
    } else {
      subject = req.ref().orElseThrow();
      fs = readImage(ImageReference.parse(subject), req.platform(), req.transport(), progress);
    }
    DpkgImageCheck.Result r = DpkgImageCheck.check(fs, new DpkgImageCheck.Options(req.failUnowned()));
    List<Finding> findings = new ArrayList<>(r.findings());
    List<PackagesIndex> indexes = List.of();
    if (archive.any()) {
      Set<String> names = new HashSet<>();
      r.database().installed().forEach(p -> names.add(p.name()));
      indexes = archive.load(names::contains, findings, progress);
      findings.addAll(DpkgImageCheck.proveInArchive(r.database(), indexes));
    }
    if (!req.debs().isEmpty()) {
      List<DebPackage> debs = new ArrayList<>();
      for (Path d : req.debs()) {
        DebPackage deb = DebPackage.read(d);
        findings.addAll(deb.findings());
        if (!archive.packages().isEmpty()) {
          findings.add(ArchiveVerifier.checkDeb(deb.subject(), deb.name(), deb.version(), deb.architecture(),
              deb.sha256(), deb.size(), indexes));
        }
        debs.add(deb);
      }
      findings.addAll(DpkgImageCheck.compareWithDebs(fs, r.database(), debs));
    }
    List<Unowned> unowned = r.unowned().stream().map(u -> new Unowned(u, r.unownedExplained().getOrDefault(u, "")))
        .toList();
    return new ImageCheckResult(archive.options().policy().now().toString(), subject, r.database().layout().label(),
        r.database().installed().size(), r.filesChecked(), r.filesOk(), unowned, findings);
  }

  private static ImageFilesystem readImage(ImageReference ref, Optional<Platform> platform, TransportOptions topts,
      Consumer<String> progress) throws IOException {
    try (ImageSource src = Transports.source(ref, topts)) {
      Images.Tree tree = Images.walk(src);
      if (tree.images().isEmpty()) {
        throw new CheckException(TransportCode.IMAGE_EMPTY, ref.toString(), "the index holds no image");
      }
      Images.Resolved chosen = pick(tree.images(), ref, platform);
      progress.accept("bitproof: reading " + chosen.manifest().layers().size() + " layer(s) of " + ref);
      return ImageFilesystem.read(src, chosen.manifest(), (p, s) -> DpkgDatabase.isDatabasePath(p));
    }
  }

  private static Images.Resolved pick(List<Images.Resolved> images, ImageReference ref, Optional<Platform> want) {
    if (want.isEmpty() && images.size() == 1) {
      return images.get(0);
    }
    Platform p = want.orElse(Platform.of("linux", "amd64", ""));
    for (Images.Resolved r : images) {
      Optional<Platform> ip = r.indexEntry().flatMap(d -> d.platform());
      if (ip.isPresent() && p.matches(ip.get())) {
        return r;
      }
      if (ip.isEmpty() && r.config().os() != null && p.os().equals(r.config().os())
          && p.architecture().equals(r.config().architecture())) {
        return r;
      }
    }
    throw CheckException.usage(DebCode.USAGE_PLATFORM_NOT_FOUND, "no image for platform " + p + " in " + ref);
  }
}
