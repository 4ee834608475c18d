package dev.bitproof.sbom;

import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole SBOM check of an image tree, as {@code bitproof sbom check} and {@code verify} run it: each selected
 * image's package database against its layers, the SBOMs shipped inside it, and every SBOM given or found
 * published beside it, matched to the image (or index) it says it describes.
 */
public final class SbomVerification {
  /** An SBOM to check. @param subject the image a registry attached it to, if known */
  public record Input(String name, byte[] bytes, Optional<Digest> subject) {}

  /** An SBOM's bytes (decompressed) and the document read from them. */
  private record Parsed(byte[] bytes, SbomDocument doc) {}

  /**
   * Decompresses and reads one SBOM. One that is broken, unreadable or a decompression bomb is a FAIL finding in
   * {@code out} and empty; anything else that stops it is thrown ("could not check").
   */
  private static Optional<Parsed> parse(Input in, List<Finding> out) {
    try {
      byte[] bytes = SbomBytes.decompress(in.bytes(), in.name(), SbomReader.Limits.defaults());
      return Optional.of(new Parsed(bytes, SbomReader.read(bytes, in.name())));
    } catch (CheckException e) {
      if (e.kind() == CheckException.Kind.INTEGRITY || SbomCode.UNREADABLE.contains(e.code())
          || e.code() == dev.bitproof.io.IoCode.DECOMPRESSION_BOMB) {
        out.add(new Finding(e.code(), Severity.FAIL, in.name(), e.getMessage(), Map.of()));
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * @param sboms names of the SBOMs checked (given, attached, and shipped in the image)
   * @param publishedSboms how many of them were given or found outside the layers
   */
  public record Result(List<Finding> findings, List<String> sboms, int publishedSboms) {
    public boolean failed() {
      return findings.stream().anyMatch(Finding::fails);
    }
  }

  private SbomVerification() {}

  /**
   * For {@code verify}: the SBOMs published beside the image (cosign tag, OCI referrers) and shipped inside it,
   * checked; empty when there is none at all, so "no SBOM" is not reported as a pass.
   */
  public static Optional<Result> ifPresent(ImageReference ref, ImageSource source, TransportOptions options)
      throws IOException {
    Images.Tree tree = Images.walk(source);
    List<Input> inputs = new ArrayList<>();
    for (SbomLocator.Located l : SbomLocator.find(ref, tree, options)) {
      inputs.add(new Input(l.name(), l.bytes(), l.subject()));
    }
    Result r = run(source, tree, inputs, Optional.empty());
    return r.sboms().isEmpty() ? Optional.empty() : Optional.of(r);
  }

  /**
   * A root filesystem (tar or directory) as the subject: its package database, shipped SBOMs and every given SBOM
   * against its files. It has no digest, so an SBOM's subject is not checked ({@code SBOM_SUBJECT_UNSTATED} or
   * nothing).
   */
  public static Result runRootfs(Rootfs rootfs, List<Input> sboms) throws IOException {
    dev.bitproof.image.ImageFilesystem fs;
    try (java.io.InputStream in = rootfs.open()) {
      fs = new dev.bitproof.image.ImageFilesystem.Builder().addLayer(in, rootfs.name(), ImageContents.KEEP).build();
    }
    LanguageScan scan = new LanguageScan();
    try (java.io.InputStream in = rootfs.open()) {
      scan.layer(in, rootfs.name());
    }
    ImageContents contents = ImageContents.of(fs);
    LanguageScan.Result lang = scan.result(fs);
    List<Finding> out = new ArrayList<>(SbomCheck.database(contents));
    List<String> names = new ArrayList<>();
    List<Finding> emb = SbomCheck.embedded(contents);
    if (!emb.isEmpty()) {
      names.add(rootfs.name() + " var/lib/db/sbom");
    }
    out.addAll(emb);
    for (Input in : sboms) {
      names.add(in.name());
      Optional<Parsed> parsed = parse(in, out);
      if (parsed.isEmpty()) {
        continue;
      }
      byte[] bytes = parsed.get().bytes();
      SbomDocument doc = parsed.get().doc();
      List<Finding> more = new ArrayList<>(SbomStrict.check(bytes, doc, in.name()));
      more.addAll(LanguageCheck.compare(contents, lang.packages(), doc, in.name()));
      more.addAll(LicenseCheck.os(contents, doc));
      boolean failed = more.stream().anyMatch(Finding::fails);
      SbomCheck.compare(contents, doc, ImageIdentity.none(), in.name()).stream()
          .filter(f -> !(failed && f.code() == SbomCode.SBOM_MATCHES_IMAGE)).forEach(out::add);
      out.addAll(more);
    }
    return new Result(out, names, sboms.size());
  }

  public static Result run(ImageSource source, Images.Tree tree, List<Input> sboms, Optional<Platform> platform)
      throws IOException {
    List<Images.Resolved> selected = tree.images().stream()
        .filter(r -> r.manifest().artifactType().isEmpty() && !r.manifest().config().mediaType().equals(MediaType.OCI_EMPTY))
        .filter(r -> platform.map(p -> p.matches(r.config().platform())).orElse(true)).toList();
    if (selected.isEmpty()) {
      throw new CheckException(TransportCode.PLATFORM_NOT_FOUND, tree.root().digest().toString(),
          "no image for platform " + platform.map(Platform::toString).orElse("(any)"));
    }
    Map<Images.Resolved, LoadedImage> loaded = new LinkedHashMap<>();
    Map<LoadedImage, LanguageScan.Result> languages = new java.util.HashMap<>();
    List<Finding> out = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Images.Resolved r : selected) {
      LoadedImage img = LoadedImage.load(source, tree, r);
      loaded.put(r, img);
      String p = r.config().platform().toString();
      LanguageScan.Result lang = LanguageScan.read(source, r.manifest(), img.contents().filesystem());
      languages.put(img, lang);
      if (!lang.limited().isEmpty()) {
        out.add(new Finding(SbomCode.SBOM_EVIDENCE_SCAN_LIMITED, Severity.WARN, "image",
            lang.limited().size() + " files could not be read for language packages within the bounds", Map.of())
            .with("files", String.join("; ", lang.limited().subList(0, Math.min(20, lang.limited().size()))))
            .with("platform", p));
      }
      SbomCheck.database(img.contents()).forEach(f -> out.add(f.with("platform", p)));
      List<Finding> emb = SbomCheck.embedded(img.contents());
      if (!emb.isEmpty()) {
        names.add(p + " var/lib/db/sbom");
      }
      emb.forEach(f -> out.add(f.with("platform", p)));
    }
    for (Input in : sboms) {
      names.add(in.name());
      Optional<Parsed> parsed = parse(in, out);
      if (parsed.isEmpty()) {
        continue;
      }
      byte[] bytes = parsed.get().bytes();
      SbomDocument doc = parsed.get().doc();
      List<Finding> strict = SbomStrict.check(bytes, doc, in.name());
      out.addAll(strict);
      boolean strictFailed = strict.stream().anyMatch(Finding::fails);
      if (tree.index().isPresent() && doc.describes().contains(tree.root().digest())) {
        out.addAll(SbomCheck.index(doc, tree.root().digest(),
            tree.images().stream().map(r -> r.manifest().digest()).toList(), in.name()));
        continue;
      }
      List<LoadedImage> targets = new ArrayList<>();
      for (LoadedImage img : loaded.values()) {
        if (doc.describes().stream().anyMatch(img.identity()::names)
            || in.subject().map(s -> img.identity().manifest().map(s::equals).orElse(false)).orElse(false)) {
          targets.add(img);
        }
      }
      if (targets.isEmpty()) {
        if (loaded.size() == 1) {
          targets.add(loaded.values().iterator().next());
        } else if (!doc.duplicateRefs().isEmpty() || doc.integrity().stream().anyMatch(Finding::fails)) {
          // the document itself is broken (a duplicated SPDXID, describes naming nothing it has): that is a
          // verdict on the SBOM, not a question the user must answer with --platform
          doc.duplicateRefs().forEach(d -> out.add(new Finding(SbomCode.SBOM_DUPLICATE_ID, Severity.FAIL, d,
              "the SBOM uses this identifier for more than one element", Map.of()).with("sbom", in.name())));
          out.addAll(doc.integrity());
          continue;
        } else if (doc.describes().isEmpty()) {
          throw CheckException.usage(SbomCode.SBOM_PLATFORM_AMBIGUOUS, "SBOM " + in.name()
              + " names no image digest and the index has " + loaded.size() + " images: pick one with --platform");
        } else {
          out.add(new Finding(SbomCode.SBOM_SUBJECT_MISMATCH, Severity.FAIL, in.name(),
              "the SBOM describes none of the images checked", Map.of()).with("sbom_describes", doc.describes().toString()));
          continue;
        }
      }
      for (LoadedImage img : targets) {
        String p = img.image().config().platform().toString();
        List<Finding> more = new ArrayList<>(LanguageCheck.compare(img.contents(), languages.get(img).packages(), doc, in.name()));
        more.addAll(LicenseCheck.os(img.contents(), doc));
        boolean moreFailed = strictFailed || more.stream().anyMatch(Finding::fails);
        SbomCheck.compare(img.contents(), doc, img.identity(), in.name()).stream()
            .filter(f -> !(moreFailed && f.code() == SbomCode.SBOM_MATCHES_IMAGE)) // not "agrees" when anything failed
            .forEach(f -> out.add(f.with("platform", p)));
        more.forEach(f -> out.add(f.with("platform", p)));
      }
    }
    return new Result(out, names, sboms.size());
  }
}
