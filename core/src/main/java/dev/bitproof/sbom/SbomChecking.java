package dev.bitproof.sbom;

import dev.bitproof.io.IoCode;
import dev.bitproof.json.JsonBody;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code sbom check}: the SBOMs given as files, else those published beside the image and shipped inside it, held to
 * what the layers (or a root filesystem) contain.
 */
public final class SbomChecking {
  private SbomChecking() {}

  /**
   * What to check: an image {@code reference} or a {@code rootfs} (a tar or a directory, which needs {@code sbomFiles}).
   *
   * @param discover look for SBOMs published beside the image when none is given
   */
  public record Request(Optional<String> reference, Optional<Path> rootfs, List<Path> sbomFiles, boolean discover,
      Optional<Platform> platform, TransportOptions transport) {
    public Request {
      sbomFiles = List.copyOf(sbomFiles);
    }
  }

  /** The body of {@code docs/schema/sbom-check.json}: what was checked, the SBOMs by name, every finding. */
  public record Result(String image, List<String> sboms, List<Finding> findings) implements JsonBody {
    public Result {
      sboms = List.copyOf(sboms);
      findings = List.copyOf(findings);
    }

    public Outcome outcome() {
      return Outcome.of(findings);
    }
  }

  public static Result check(Request req, Consumer<String> progress) throws IOException {
    List<SbomVerification.Input> inputs = new ArrayList<>();
    for (Path p : req.sbomFiles()) {
      try {
        inputs.add(new SbomVerification.Input(p.toString(), Files.readAllBytes(p), Optional.empty()));
      } catch (NoSuchFileException e) {
        throw new CheckException(IoCode.FILE_NOT_FOUND, p.toString(), "SBOM file not found", e);
      }
    }
    if (req.rootfs().isPresent()) {
      Path rootfs = req.rootfs().get();
      progress.accept("sbom: reading rootfs " + rootfs);
      return of(rootfs.toString(), SbomVerification.runRootfs(Rootfs.of(rootfs), inputs));
    }
    ImageReference ref = ImageReference.parse(req.reference().orElseThrow());
    SbomVerification.Result result;
    try (ImageSource src = Transports.source(ref, req.transport())) {
      Images.Tree tree = Images.walk(src);
      if (inputs.isEmpty() && req.discover()) {
        progress.accept("sbom: looking for SBOMs published with " + ref);
        for (SbomLocator.Located l : SbomLocator.find(ref, tree, req.transport())) {
          progress.accept("sbom: found " + l.name());
          inputs.add(new SbomVerification.Input(l.name(), l.bytes(), l.subject()));
        }
      }
      progress.accept("sbom: reading layers");
      result = SbomVerification.run(src, tree, inputs, req.platform());
    }
    if (result.sboms().isEmpty()) {
      throw new CheckException(SbomCode.SBOM_NOT_FOUND, ref.toString(),
          "no SBOM given (--sbom), none published beside the image, and none shipped inside it");
    }
    return of(ref.toString(), result);
  }

  private static Result of(String subject, SbomVerification.Result r) {
    return new Result(subject, r.sboms(), r.findings());
  }
}
