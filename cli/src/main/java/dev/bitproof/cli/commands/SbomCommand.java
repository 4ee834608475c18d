package dev.bitproof.cli.commands;

import dev.bitproof.report.Outcome;
import dev.bitproof.io.IoCode;
import dev.bitproof.report.CommonCode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.options.ExitCodes;
import dev.bitproof.cli.options.TransportMixin;
import dev.bitproof.cli.render.Output;
import dev.bitproof.cli.render.Result;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Severity;
import dev.bitproof.sbom.ApkoSpdx;
import dev.bitproof.sbom.ImageContents;
import dev.bitproof.sbom.InstalledPackage;
import dev.bitproof.sbom.LayerSbom;
import dev.bitproof.sbom.LoadedImage;
import dev.bitproof.sbom.SbomCode;
import dev.bitproof.sbom.SbomGenerator;
import dev.bitproof.sbom.SbomLocator;
import dev.bitproof.sbom.SbomVerification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import dev.bitproof.cli.render.Format;

/** {@code bitproof sbom check|generate}: SBOMs held to the layers, and SBOMs made from them. */
@Command(name = "sbom", mixinStandardHelpOptions = true, description = "Check an image's SBOM against its layers, or generate one.",
    subcommands = {SbomCommand.Check.class, SbomCommand.Generate.class})
public final class SbomCommand {

  static String version() {
    return dev.bitproof.cli.render.Tool.version();
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Check SBOMs (given with --sbom, else found beside the image: OCI referrers, cosign .sbom tags; and the "
          + "SBOMs apko/melange ship inside it) against what the layers contain: the installed package database "
          + "(apk installed, dpkg status or status.d), its per-file checksums, and every file.",
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
        "0:every SBOM agrees with the layers", "1:a mismatch (package, version, arch, purl, file checksum, subject)",
        "2:usage error", "3:could not check (image unreadable, no SBOM given or found)", "4:internal error"})
  public static final class Check implements Callable<Integer> {
    @Mixin
    Common common;

    @Parameters(index = "0", arity = "0..1", paramLabel = "REF", description = "Image reference (oci:DIR[:TAG], docker://…, …)")
    String reference;

    @Option(names = "--rootfs", paramLabel = "TAR|DIR", description = "Check a root filesystem instead of an image: a tar "
        + "(plain, gzip, xz or zstd) or a directory; needs --sbom")
    Path rootfs;

    @Option(names = "--sbom", paramLabel = "FILE", description = "SBOM file to check (SPDX 2.x JSON, CycloneDX JSON/XML, "
        + "or an in-toto statement / DSSE envelope around one); repeatable. Without it, published SBOMs are looked for.")
    List<Path> sbomFiles = new ArrayList<>();

    @Option(names = "--no-discover", description = "Do not look for SBOMs published beside the image")
    boolean noDiscover;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Check only this platform of an index")
    String platform;

    @Mixin
    TransportMixin transport;

    @Override
    public Integer call() throws Exception {
      Output out = common.output();
      if ((reference == null) == (rootfs == null)) {
        throw CheckException.usage(CommonCode.USAGE, "give an image REF or --rootfs TAR|DIR (one of them)");
      }
      if (rootfs != null && sbomFiles.isEmpty()) {
        throw CheckException.usage(CommonCode.USAGE, "--rootfs needs the SBOM to check with --sbom FILE");
      }
      List<SbomVerification.Input> inputs = new ArrayList<>();
      for (Path p : sbomFiles) {
        try {
          inputs.add(new SbomVerification.Input(p.toString(), Files.readAllBytes(p), Optional.empty()));
        } catch (NoSuchFileException e) {
          throw new CheckException(IoCode.FILE_NOT_FOUND, p.toString(), "SBOM file not found", e);
        }
      }
      if (rootfs != null) {
        out.progress("sbom: reading rootfs " + rootfs);
        return render(out, rootfs.toString(), SbomVerification.runRootfs(dev.bitproof.sbom.Rootfs.of(rootfs), inputs));
      }
      ImageReference ref = ImageReference.parse(reference);
      TransportOptions opts = transport.options();
      SbomVerification.Result result;
      try (ImageSource src = Transports.source(ref, opts)) {
        Images.Tree tree = Images.walk(src);
        if (inputs.isEmpty() && !noDiscover) {
          out.progress("sbom: looking for SBOMs published with " + ref);
          for (SbomLocator.Located l : SbomLocator.find(ref, tree, opts)) {
            out.progress("sbom: found " + l.name());
            inputs.add(new SbomVerification.Input(l.name(), l.bytes(), l.subject()));
          }
        }
        out.progress("sbom: reading layers");
        result = SbomVerification.run(src, tree, inputs, Optional.ofNullable(platform).map(Platform::parse));
      }
      if (result.sboms().isEmpty()) {
        throw new CheckException(SbomCode.SBOM_NOT_FOUND, ref.toString(),
            "no SBOM given (--sbom), none published beside the image, and none shipped inside it");
      }
      return render(out, ref.toString(), result);
    }

    private static int render(Output out, String subject, SbomVerification.Result result) {
      boolean failed = result.failed();
      if (out.json()) {
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.put("image", subject);
        ArrayNode s = doc.putArray("sboms");
        result.sboms().forEach(s::add);
        doc.set("findings", Output.findingsJson(result.findings()));
        out.printDocument("sbom check", Outcome.of(!failed), new Result.Tree(doc));
      } else {
        out.printFindings(result.findings().stream().filter(f -> f.severity() != Severity.OK
            || f.code() == SbomCode.SBOM_MATCHES_IMAGE || f.code() == SbomCode.SBOM_INDEX_MATCHES).toList());
        out.out().println("sbom check: " + (failed ? "FAIL" : "PASS") + " (" + result.sboms().size() + " SBOMs: "
            + String.join(", ", result.sboms()) + ")");
      }
      return failed ? ExitCodes.FAILED : ExitCodes.OK;
    }
  }

  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = "Generate an SBOM from what the layers contain: deterministic (no random IDs, no timestamp unless "
          + "--timestamp). SPDX on an apko image is apko's own form (packages without their own SBOM omitted, as apko "
          + "does) unless --spdx-style complete.",
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
        "0:written", "2:usage error", "3:could not read the image", "4:internal error"})
  public static final class Generate implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--format", split = ",", paramLabel = "spdx|cyclonedx[,text|json]",
        description = "The SBOM format (spdx: SPDX 2.3 JSON, cyclonedx: CycloneDX 1.6 JSON) and, like every command, the "
            + "report format text|json (the list of files written); repeat or comma-separate: --format spdx --format json")
    List<String> formats = new ArrayList<>();

    @Parameters(index = "0", paramLabel = "REF", description = "Image reference (oci:DIR[:TAG], docker://…, …)")
    String reference;


    @Option(names = "--spdx-style", paramLabel = "auto|apko|complete", defaultValue = "auto",
        description = "apko: apko's documents (per-arch and index); complete: every installed package with its files; "
            + "auto: apko for apko-built images (etc/apko.json present), else complete (default: ${DEFAULT-VALUE})")
    String spdxStyle;

    @Option(names = "--name", paramLabel = "NAME", description = "Image name for purls (e.g. the tag apko built, golden:latest)")
    String name;

    @Option(names = "--output", paramLabel = "PATH", description = "File (one document) or directory (several); stdout "
        + "when absent and there is one document")
    Path output;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Only this platform of an index")
    String platform;

    @Option(names = "--timestamp", paramLabel = "RFC3339", description = "Record this creation time (none by default)")
    String timestamp;

    @Option(names = "--no-files", description = "Do not list each package's files and checksums")
    boolean noFiles;

    @Option(names = "--creator-tool", paramLabel = "TEXT", description = "First SPDX creator of apko-style documents "
        + "(default 'Tool: bitproof (<version>)'; 'Tool: apko (devel)' reproduces apko's golden files byte for byte)")
    String creatorTool;

    @Mixin
    TransportMixin transport;

    @Override
    public Integer call() throws Exception {
      String fmt = null;
      Format report = Format.text;
      for (String f : formats) {
        switch (f.toLowerCase(java.util.Locale.ROOT)) {
          case "spdx", "cyclonedx" -> {
            if (fmt != null && !fmt.equals(f.toLowerCase(java.util.Locale.ROOT))) {
              throw CheckException.usage(CommonCode.USAGE, "give one SBOM format: spdx or cyclonedx");
            }
            fmt = f.toLowerCase(java.util.Locale.ROOT);
          }
          case "text" -> report = Format.text;
          case "json" -> report = Format.json;
          default -> throw CheckException.usage(CommonCode.USAGE, "--format takes spdx|cyclonedx and text|json, not '" + f + "'");
        }
      }
      if (fmt == null) {
        throw CheckException.usage(CommonCode.USAGE, "sbom generate needs --format spdx or --format cyclonedx");
      }
      Output out = new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), report);
      if (!List.of("auto", "apko", "complete").contains(spdxStyle)) {
        throw CheckException.usage(CommonCode.USAGE, "--spdx-style must be auto, apko or complete");
      }
      Optional<Instant> ts;
      try {
        ts = Optional.ofNullable(timestamp).map(Instant::parse);
      } catch (DateTimeParseException e) {
        throw CheckException.usage(CommonCode.USAGE, "--timestamp must be RFC 3339 UTC, e.g. 2026-01-02T03:04:05Z");
      }
      ImageReference ref = ImageReference.parse(reference);
      String imageName = name != null ? name : ref.repository().isEmpty() ? "" : ref.repository();
      LayerSbom.Options lo = new LayerSbom.Options(version(), imageName, ts, !noFiles);
      ApkoSpdx.Options ao = new ApkoSpdx.Options(creatorTool != null ? creatorTool : "Tool: bitproof (" + version() + ")", imageName);
      Map<String, byte[]> docs = new LinkedHashMap<>();
      try (ImageSource src = Transports.source(ref, transport.options())) {
        Images.Tree tree = Images.walk(src);
        Optional<Platform> only = Optional.ofNullable(platform).map(Platform::parse);
        boolean apkoStyle = false;
        List<LoadedImage> images = new ArrayList<>();
        for (Images.Resolved r : tree.images()) {
          if (only.isPresent() && !only.get().matches(r.config().platform())) {
            continue;
          }
          out.progress("sbom: reading layers of " + r.config().platform() + " " + r.manifest().digest());
          images.add(LoadedImage.load(src, tree, r));
        }
        if (images.isEmpty()) {
          throw new CheckException(TransportCode.PLATFORM_NOT_FOUND, ref.toString(), "no image for platform " + platform);
        }
        for (LoadedImage img : images) {
          String arch = archName(img);
          List<dev.bitproof.sbom.LanguagePackage> lang = dev.bitproof.sbom.LanguageScan.read(src, img.image().manifest(),
              img.contents().filesystem()).packages();
          if (fmt.equals("cyclonedx")) {
            docs.put("sbom-" + arch + ".cdx.json", LayerSbom.cycloneDxJson(LayerSbom.cycloneDx(img, lo, lang)));
            continue;
          }
          boolean apko = spdxStyle.equals("apko") || (spdxStyle.equals("auto") && isApko(img.contents()));
          apkoStyle |= apko;
          if (apko) {
            List<String> omitted = img.contents().packages().stream()
                .filter(p -> img.contents().embeddedSbomPath(p.name(), p.version()).isEmpty()).map(InstalledPackage::name).toList();
            if (!omitted.isEmpty()) {
              out.progress("sbom: apko style omits " + omitted.size() + " packages without their own SBOM (as apko does): "
                  + String.join(" ", omitted) + "; --spdx-style complete lists them");
            }
          }
          docs.put("sbom-" + arch + ".spdx.json", ApkoSpdx.render(apko ? SbomGenerator.apkoSpdx(img, ao) : LayerSbom.spdx(img, lo, lang)));
        }
        if (fmt.equals("spdx") && apkoStyle && tree.index().isPresent() && only.isEmpty()) {
          docs.put("sbom-index.spdx.json", ApkoSpdx.render(SbomGenerator.apkoSpdxIndex(tree, ao)));
        }
      }
      return write(out, docs);
    }

    private int write(Output out, Map<String, byte[]> docs) throws IOException {
      if (output == null) {
        if (docs.size() > 1) {
          throw CheckException.usage(CommonCode.USAGE, docs.size() + " documents (" + String.join(", ", docs.keySet())
              + "): give --output DIR or --platform");
        }
        out.out().print(new String(docs.values().iterator().next(), java.nio.charset.StandardCharsets.UTF_8));
        out.out().flush();
        return ExitCodes.OK;
      }
      boolean dir = docs.size() > 1 || Files.isDirectory(output);
      ObjectNode summary = Json.mapper().createObjectNode();
      ArrayNode files = summary.putArray("files");
      if (dir) {
        Files.createDirectories(output);
      }
      for (var e : docs.entrySet()) {
        Path target = dir ? output.resolve(e.getKey()) : output;
        Files.write(target, e.getValue());
        ObjectNode f = files.addObject();
        f.put("path", target.toString());
        f.put("sha256", Digest.sha256(e.getValue()).toString());
        f.put("size", e.getValue().length);
        if (!out.json()) {
          out.out().println(target + "  " + Digest.sha256(e.getValue()));
        }
      }
      if (out.json()) {
        out.printDocument("sbom generate", Outcome.PASS, new Result.Tree(summary));
      }
      return ExitCodes.OK;
    }

    private static boolean isApko(ImageContents c) {
      return c.database() == ImageContents.Database.APK && c.filesystem().get("etc/apko.json").isPresent();
    }

    /** apk's architecture names for apko-style file names (sbom-x86_64.spdx.json), OCI's otherwise. */
    private static String archName(LoadedImage img) {
      String a = img.image().config().architecture();
      return dev.bitproof.apko.Arch.of(dev.bitproof.oci.Platform.of("linux", a, img.image().config().variant()))
          .map(dev.bitproof.apko.Arch::apk).orElse(a);
    }
  }
}
