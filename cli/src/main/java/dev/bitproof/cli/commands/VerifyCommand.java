package dev.bitproof.cli.commands;

import dev.bitproof.cli.Common;
import dev.bitproof.cli.ExitCodes;
import dev.bitproof.cli.TransportMixin;
import dev.bitproof.cli.render.Output;
import dev.bitproof.rebuild.LayerCompressor;
import dev.bitproof.compare.CompareOptions;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import dev.bitproof.rebuild.PackageLoader;
import dev.bitproof.verify.ApkoRebuilder;
import dev.bitproof.verify.PublishedCheck;
import dev.bitproof.verify.Report;
import dev.bitproof.verify.ReportJson;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.verify.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Is the published image what its config says? Rebuild, check signatures, compare, one report. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Rebuild CONFIG (apko.yaml), verify the signature of every package and index it uses, and compare "
        + "the rebuild with the published image digest by digest, in one report.",
        "Build date, annotations and architectures are taken from the published image where apko takes them from "
            + "flags; the report says so."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:verified (every check passed)", "1:a check failed (signature, difference)", "2:usage error",
        "3:could not check (unreachable image, missing file, unsupported config)", "4:internal error"})
public final class VerifyCommand implements Callable<Integer> {
  @Mixin
  Common common;

  @Parameters(index = "0", paramLabel = "CONFIG", description = "apko.yaml")
  Path config;

  @Option(names = "--image", required = true, paramLabel = "REF", description = "The published image (oci:DIR, docker://REF …).")
  String image;

  @Option(names = "--lockfile", paramLabel = "FILE", description = "apko lock file (apko.lock.json) to rebuild from.")
  Path lockfile;

  @Option(names = "--keyring", paramLabel = "DIR|FILE", description = "Extra trusted public keys (a key file, or every "
      + "file of a key directory) besides the config's keyring.")
  Path keyring;

  @Option(names = "--allow-untrusted-packages", description = "A package whose .SIGN signature does not verify is "
      + "reported as WARN instead of failing the verification (the finding stays in the report).")
  boolean allowUntrusted;

  @Option(names = "--source-date-epoch", paramLabel = "N|auto", defaultValue = "auto",
      description = "Build date in seconds (default: auto, the published image's).")
  String sourceDateEpoch;

  @Option(names = "--context", paramLabel = "DIR", description = "Directory relative paths in the config resolve "
      + "against (apko's working directory; default: the current directory).")
  Path context;

  @Option(names = "--compression", paramLabel = "NAME", defaultValue = "apko",
      description = "Layer compression of the rebuild: apko (byte-exact with current apko, default), apko-legacy "
          + "(apko 2022-09 to 2025-11) or java (only diff_ids and configs can then match: CONTENT_IDENTICAL at best).")
  String compression;

  @Option(names = "--semantic", description = "Compare ignoring timestamps, history, entry order, tar format, image names.")
  boolean semantic;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Verify only this platform.")
  String platform;

  @Option(names = "--require", paramLabel = "bit|content|semantic", description = "Least verdict that passes "
      + "(default: content; semantic with --semantic).")
  String require;

  @Mixin
  TransportMixin transport;

  @Option(names = "--keep", paramLabel = "DIR", description = "Keep the rebuilt image under DIR (default: a temporary directory, removed).")
  Path keep;

  @Option(names = {"-v", "--verbose"}, description = "Text output also lists what passed (OK findings).")
  boolean verbose;

  @Mixin
  AttestOptions attest;

  @Option(names = "--policy", paramLabel = "FILE", description = "Hardening policy YAML (see docs/policy.md); "
      + "default: the built-in production profile.")
  Path policyFile;

  @Option(names = "--profile", paramLabel = "production|dev", description = "Built-in hardening profile (default: production).")
  String profile;

  @Option(names = "--enforce-policy", description = "Fail the verification on hardening-policy violations "
      + "(default: they are reported as advisory WARN findings and carried in the attestation).")
  boolean enforcePolicy;

  @Option(names = "--no-policy", description = "Skip the hardening-policy check.")
  boolean noPolicy;

  @Override
  public Integer call() throws Exception {
    Output out = common.output();
    if (attest.attach && !attest.requested()) {
      throw CheckException.usage("ATTEST_KEY_REQUIRED", "--attach needs --attest-key");
    }
    if (noPolicy && (enforcePolicy || policyFile != null || profile != null)) {
      throw CheckException.usage("USAGE", "--no-policy excludes --policy, --profile and --enforce-policy");
    }
    OptionalLong epoch = epoch(sourceDateEpoch);
    CompareOptions opts = semantic ? CompareOptions.semantic() : CompareOptions.strict();
    if (platform != null) {
      opts = opts.withPlatform(Platform.parse(platform));
    }
    if (!Files.isRegularFile(config)) {
      throw new CheckException("CONFIG_NOT_FOUND", config.toString(), "no such config file");
    }
    Path ctx = (context == null ? Path.of("") : context).toAbsolutePath();
    Path work = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("bitproof-verify-");
    TransportOptions to = transport.options();
    Verifier.Request req = new Verifier.Request(config.toAbsolutePath(), Optional.ofNullable(lockfile).map(Path::toAbsolutePath),
        Optional.ofNullable(keyring).map(Path::toAbsolutePath), epoch, image, work, opts,
        CompareCommand.required(require, semantic), to);
    out.progress("bitproof verify: rebuilding " + config + " and comparing with " + image);
    Report r;
    try (ImageSource published = Transports.source(ImageReference.parse(image), to)) {
      List<PublishedCheck> extra = new java.util.ArrayList<>(List.of(PublishedCheck.sbom()));
      if (!noPolicy) {
        extra.add(PublishedCheck.policy(PolicyCommand.load(policyFile, profile), enforcePolicy));
      }
      r = Verifier.run(req, new ApkoRebuilder(ctx, LayerCompressor.named(compression)).withSignaturePolicy(
          allowUntrusted ? PackageLoader.SignaturePolicy.RELAX : PackageLoader.SignaturePolicy.REPORT), published, extra);
    } finally {
      if (keep == null) {
        deleteTree(work);
      }
    }
    CompareCommand.print(out, r, verbose);
    if (attest.requested()) {
      // the exact bytes --format json prints, so `verify --format json > r.json; attest sign r.json` records the same digest
      byte[] report = ReportJson.printedBytes(r, dev.bitproof.cli.Main.Version.number());
      ObjectNode signed = attest.attest(report, to, out).orElseThrow();
      // stdout holds the report; the attestation summary goes to stderr
      out.progress("bitproof verify: signed " + signed.path("verificationResult").asText() + " attestations with key "
          + signed.path("keyId").asText() + " -> " + signed.path("files").path(0).asText()
          + (!signed.has("attached") ? "" : signed.path("attached").has("tag")
              ? ", attached at " + signed.path("attached").path("tag").asText() : ", attached (referrers API)"));
    }
    return r.passed() ? ExitCodes.OK : ExitCodes.FAILED;
  }

  static OptionalLong epoch(String s) {
    if (s == null || s.equals("auto")) {
      return OptionalLong.empty();
    }
    try {
      long v = Long.parseLong(s);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return OptionalLong.of(v);
    } catch (NumberFormatException e) {
      throw CheckException.usage("OPTION_INVALID", "--source-date-epoch must be seconds (>= 0) or auto, not '" + s + "'");
    }
  }

  static void deleteTree(Path dir) {
    try (var s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort: a temp dir left behind is harmless
        }
      });
    } catch (IOException e) {
      // same
    }
  }
}
