package dev.bitproof.rebuild;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.bitproof.apko.LockFile;
import dev.bitproof.json.JsonBody;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.Finding;
import dev.bitproof.sbom.ApkoSbomFiles;
import dev.bitproof.sbom.ApkoSpdx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code bitproof build}: rebuild an image from its apko config, optionally take published layer blobs in place of
 * ours, write it where asked (a transport reference, or apko's OUTPUT: an OCI layout in an existing directory, else
 * apko's tarball), and write apko's SBOMs and the lock beside it. Or, lock only: resolve and write the lock file.
 */
public final class ImageBuild {
  private ImageBuild() {}

  /** Where the image goes. */
  public sealed interface Destination {}

  /** Any writable transport, with an optional tag. */
  public record ToReference(ImageReference reference, Optional<String> tag) implements Destination {}

  /** apko's {@code CONFIG TAG OUTPUT}: an existing directory gets an OCI layout, anything else apko's tarball. */
  public record ToApkoOutput(Path target, String tag) implements Destination {}

  /**
   * @param reuseFrom a published image whose layer blobs replace ours once proved to hold exactly our tars
   * @param sbomDir where to write apko's SBOMs (none when absent)
   * @param sbomCreator the SBOMs' first creator ({@code Tool: bitproof (VERSION)})
   * @param writeLock also write the resolution as an apko lock file here
   */
  public record Request(BuildRequest build, Optional<ImageReference> reuseFrom, Destination destination,
      Optional<Path> sbomDir, String sbomCreator, Optional<Path> writeLock) {}

  /** The body of {@code docs/schema/build.json} for a build (action {@code build}). */
  public record Built(String action, String output, Digest index, String apkoRules, List<Image> images,
      Map<String, Long> stepsMillis, List<String> sboms, List<String> notes) implements JsonBody {}

  /** One architecture's image as written. */
  public record Image(String arch, String platform, Digest manifest, Digest config, long buildDate, List<Layer> layers,
      List<Package> packages) {}

  /** A layer: its tar's digest and size, the blob's digest and size, and how the blob was compressed. */
  public record Layer(Digest diffId, long tarSize, Digest digest, long size, String compression) {}

  /** An installed package and what was checked when it was fetched. */
  public record Package(String name, String version, String checksum, String url, List<Finding> findings) {}

  /** The body of {@code docs/schema/build.json} for {@code --lock-only} (action {@code lock}). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Locked(String action, String lockfile, List<LockedPackage> packages) implements JsonBody {}

  /** A locked package of one arch. */
  public record LockedPackage(String arch, String name, String version, String checksum, String url) {}

  /** Resolves {@code build} and writes the lock file to {@code lockfile}; {@code shown} is how the result names it. */
  public static Locked lock(BuildRequest build, Path lockfile, String shown) throws IOException {
    LockFile lock = Rebuild.lock(build);
    Files.write(lockfile, lock.toBytes());
    return new Locked("lock", shown, lock.packages().stream()
        .map(p -> new LockedPackage(p.architecture(), p.name(), p.version(), p.checksum(), p.url())).toList());
  }

  public static Built run(Request req, Consumer<String> progress) throws IOException {
    BuildResult r = Rebuild.run(req.build());
    if (req.reuseFrom().isPresent()) {
      try (ImageSource src = Transports.source(req.reuseFrom().get(), TransportOptions.defaults())) {
        r = LayerReuse.reuse(r, src);
      }
    }
    String written;
    if (req.destination() instanceof ToApkoOutput apko) {
      if (Files.isDirectory(apko.target())) {
        // apko: an existing directory gets an OCI layout (ggcr layout.Write: index.json is the index)
        try (ImageDestination d = Transports.destination(ImageReference.parse("oci:" + apko.target()),
            TransportOptions.defaults())) {
          r.writeTo(d, Optional.empty());
        }
        written = "oci:" + apko.target();
      } else {
        ApkoTarball.write(r, List.of(apko.tag()), apko.target());
        written = apko.target().toString();
      }
    } else {
      ToReference to = (ToReference) req.destination();
      try (ImageDestination d = Transports.destination(to.reference(), TransportOptions.defaults())) {
        r.writeTo(d, to.tag());
      }
      written = to.reference().toString();
    }
    String imageName = req.destination() instanceof ToApkoOutput apko ? apko.tag()
        : ((ToReference) req.destination()).tag().orElse("");
    List<Path> sboms = req.sbomDir().isPresent()
        ? writeSboms(r, req.sbomDir().get(), new ApkoSpdx.Options(req.sbomCreator(), imageName)) : List.of();
    if (req.writeLock().isPresent()) {
      Files.write(req.writeLock().get(), r.lock().toBytes());
    }
    r.steps().forEach((k, v) -> progress.accept(String.format("  step %-28s %6d ms", k, v)));
    return built(r, written, sboms);
  }

  private static Built built(BuildResult r, String dest, List<Path> sboms) {
    List<Image> images = new ArrayList<>();
    for (BuildResult.ArchImage img : r.images()) {
      images.add(new Image(img.arch().apk(), img.arch().platform().toString(), img.manifest().digest(),
          img.configDescriptor().digest(), img.buildDate(),
          img.layers().stream().map(l -> new Layer(l.diffId(), l.tarSize(), l.descriptor().digest(), l.descriptor().size(),
              l.compressor())).toList(),
          img.packages().stream().map(p -> new Package(p.name(), p.version(), p.checksum(), p.url(), p.findings()))
              .toList()));
    }
    return new Built("build", dest, r.index().digest(), r.rules().label(), images, r.steps(),
        sboms.stream().map(Path::toString).toList(), r.notes());
  }

  /** apko's SBOM files, generated from the image as written (through a temporary OCI layout). */
  private static List<Path> writeSboms(BuildResult r, Path dir, ApkoSpdx.Options options) throws IOException {
    Path tmp = Files.createTempDirectory("bitproof-sbom-");
    try {
      ImageReference ref = ImageReference.parse("oci:" + tmp.resolve("image"));
      try (ImageDestination d = Transports.destination(ref, TransportOptions.defaults())) {
        r.writeTo(d, Optional.empty());
      }
      try (ImageSource src = Transports.source(ref, TransportOptions.defaults())) {
        return ApkoSbomFiles.write(src, dir, options);
      }
    } finally {
      try (Stream<Path> s = Files.walk(tmp)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
