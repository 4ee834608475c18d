package dev.bitproof.cli.commands;

import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.options.TransportMixin;
import dev.bitproof.cli.render.Format;
import dev.bitproof.cli.render.Output;
import dev.bitproof.cli.render.Result;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.CommonCode;
import dev.bitproof.report.Outcome;
import dev.bitproof.report.Severity;
import dev.bitproof.sbom.SbomChecking;
import dev.bitproof.sbom.SbomCode;
import dev.bitproof.sbom.SbomGeneration;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

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
      SbomChecking.Result r = SbomChecking.check(new SbomChecking.Request(Optional.ofNullable(reference),
          Optional.ofNullable(rootfs), sbomFiles, !noDiscover, Optional.ofNullable(platform).map(Platform::parse),
          reference == null ? TransportOptions.defaults() : transport.options()), out::progress);
      return out.render(new Result("sbom check", r.outcome(), r, w -> {
        r.findings().stream().filter(f -> f.severity() != Severity.OK || f.code() == SbomCode.SBOM_MATCHES_IMAGE
            || f.code() == SbomCode.SBOM_INDEX_MATCHES).forEach(f -> w.println(Output.findingText(f)));
        w.println("sbom check: " + r.outcome() + " (" + r.sboms().size() + " SBOMs: " + String.join(", ", r.sboms()) + ")");
      }));
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
      SbomGeneration.SpdxStyle style;
      try {
        style = SbomGeneration.SpdxStyle.valueOf(spdxStyle);
      } catch (IllegalArgumentException e) {
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
      Map<String, byte[]> docs = SbomGeneration.generate(new SbomGeneration.Request(reference,
          SbomGeneration.Format.valueOf(fmt), style, imageName, Optional.ofNullable(platform).map(Platform::parse), ts,
          !noFiles, creatorTool != null ? creatorTool : "Tool: bitproof (" + version() + ")", version(),
          transport.options()), out::progress);
      if (output == null) {
        if (docs.size() > 1) {
          throw CheckException.usage(CommonCode.USAGE, docs.size() + " documents (" + String.join(", ", docs.keySet())
              + "): give --output DIR or --platform");
        }
        return out.printArtifact(docs.values().iterator().next());
      }
      SbomGeneration.Written written = SbomGeneration.write(docs, output);
      return out.render(new Result("sbom generate", Outcome.PASS, written,
          w -> written.files().forEach(f -> w.println(f.path() + "  " + f.sha256()))));
    }
  }
}
