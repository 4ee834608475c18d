package dev.bitproof.sbom;

import dev.bitproof.apko.Arch;
import dev.bitproof.json.JsonBody;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code sbom generate}: SBOM documents made from what an image's layers contain, deterministic (no random ids, no
 * timestamp unless asked), and where they are written.
 */
public final class SbomGeneration {
  private SbomGeneration() {}

  /** spdx: SPDX 2.3 JSON; cyclonedx: CycloneDX 1.6 JSON. */
  public enum Format { spdx, cyclonedx }

  /** apko: apko's own documents; complete: every package with its files; auto: apko for apko-built images. */
  public enum SpdxStyle { auto, apko, complete }

  /**
   * @param creatorTool the first SPDX creator of apko-style documents
   * @param imageName the image name for purls (empty: none)
   */
  public record Request(String reference, Format format, SpdxStyle spdxStyle, String imageName, Optional<Platform> platform,
      Optional<Instant> timestamp, boolean files, String creatorTool, String toolVersion, TransportOptions transport) {}

  /** The documents by file name ({@code sbom-x86_64.spdx.json}, {@code sbom-index.spdx.json}), in order. */
  public static Map<String, byte[]> generate(Request req, Consumer<String> progress) throws IOException {
    ImageReference ref = ImageReference.parse(req.reference());
    LayerSbom.Options lo = new LayerSbom.Options(req.toolVersion(), req.imageName(), req.timestamp(), req.files());
    ApkoSpdx.Options ao = new ApkoSpdx.Options(req.creatorTool(), req.imageName());
    Map<String, byte[]> docs = new LinkedHashMap<>();
    try (ImageSource src = Transports.source(ref, req.transport())) {
      Images.Tree tree = Images.walk(src);
      boolean apkoStyle = false;
      List<LoadedImage> images = new ArrayList<>();
      for (Images.Resolved r : tree.images()) {
        if (req.platform().isPresent() && !req.platform().get().matches(r.config().platform())) {
          continue;
        }
        progress.accept("sbom: reading layers of " + r.config().platform() + " " + r.manifest().digest());
        images.add(LoadedImage.load(src, tree, r));
      }
      if (images.isEmpty()) {
        throw new CheckException(TransportCode.PLATFORM_NOT_FOUND, ref.toString(),
            "no image for platform " + req.platform().map(Platform::toString).orElse(null));
      }
      for (LoadedImage img : images) {
        String arch = archName(img);
        List<LanguagePackage> lang = LanguageScan.read(src, img.image().manifest(), img.contents().filesystem()).packages();
        if (req.format() == Format.cyclonedx) {
          docs.put("sbom-" + arch + ".cdx.json", LayerSbom.cycloneDxJson(LayerSbom.cycloneDx(img, lo, lang)));
          continue;
        }
        boolean apko = req.spdxStyle() == SpdxStyle.apko || (req.spdxStyle() == SpdxStyle.auto && isApko(img.contents()));
        apkoStyle |= apko;
        if (apko) {
          List<String> omitted = img.contents().packages().stream()
              .filter(p -> img.contents().embeddedSbomPath(p.name(), p.version()).isEmpty()).map(InstalledPackage::name)
              .toList();
          if (!omitted.isEmpty()) {
            progress.accept("sbom: apko style omits " + omitted.size() + " packages without their own SBOM (as apko does): "
                + String.join(" ", omitted) + "; --spdx-style complete lists them");
          }
        }
        docs.put("sbom-" + arch + ".spdx.json", ApkoSpdx.render(apko ? SbomGenerator.apkoSpdx(img, ao) : LayerSbom.spdx(img, lo, lang)));
      }
      if (req.format() == Format.spdx && apkoStyle && tree.index().isPresent() && req.platform().isEmpty()) {
        docs.put("sbom-index.spdx.json", ApkoSpdx.render(SbomGenerator.apkoSpdxIndex(tree, ao)));
      }
    }
    return docs;
  }

  /** One file written: where, its digest and size. */
  public record File(String path, Digest sha256, long size) {}

  /** The body of {@code docs/schema/sbom-generate.json}: the files written. */
  public record Written(List<File> files) implements JsonBody {
    public Written {
      files = List.copyOf(files);
    }
  }

  /**
   * Writes {@code docs} to {@code output}: one document to a file (or into an existing directory), several into a
   * directory (created when missing).
   */
  public static Written write(Map<String, byte[]> docs, Path output) throws IOException {
    boolean dir = docs.size() > 1 || Files.isDirectory(output);
    if (dir) {
      Files.createDirectories(output);
    }
    List<File> files = new ArrayList<>();
    for (var e : docs.entrySet()) {
      Path target = dir ? output.resolve(e.getKey()) : output;
      Files.write(target, e.getValue());
      files.add(new File(target.toString(), Digest.sha256(e.getValue()), e.getValue().length));
    }
    return new Written(files);
  }

  private static boolean isApko(ImageContents c) {
    return c.database() == ImageContents.Database.APK && c.filesystem().get("etc/apko.json").isPresent();
  }

  /** apk's architecture names for apko-style file names (sbom-x86_64.spdx.json), OCI's otherwise. */
  private static String archName(LoadedImage img) {
    String a = img.image().config().architecture();
    return Arch.of(Platform.of("linux", a, img.image().config().variant())).map(Arch::apk).orElse(a);
  }
}
