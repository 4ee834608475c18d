package dev.bitproof.cli.commands;

import java.util.List;
import dev.bitproof.report.CommonCode;
import dev.bitproof.attest.AttestCode;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.options.IgnoreOptions;
import dev.bitproof.cli.options.ReportDirOption;
import dev.bitproof.cli.options.ReportFiles;
import dev.bitproof.cli.options.ExitCodes;
import dev.bitproof.cli.options.FetchMixin;
import dev.bitproof.cli.options.TransportMixin;
import dev.bitproof.cli.options.WorkDir;
import dev.bitproof.fetch.FetchCode;
import java.util.Map;
import dev.bitproof.cli.render.Output;
import dev.bitproof.rebuild.ApkoRules;
import dev.bitproof.rebuild.LayerCompressor;
import dev.bitproof.compare.CompareOptions;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.rebuild.RebuildCode;
import dev.bitproof.report.CheckException;
import dev.bitproof.verify.Report;
import dev.bitproof.verify.Verification;
import dev.bitproof.policy.Policy;
import dev.bitproof.attest.Signer;
import dev.bitproof.cli.render.Tool;
import dev.bitproof.verify.ReportJson;
import java.nio.file.Path;
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
        "Without CONFIG the image's own etc/apko.json is the config and its installed database pins the packages "
            + "(apko v0.20.0+ images); the report says which input came from where.",
        "Build date, annotations and architectures are taken from the published image where apko takes them from "
            + "flags; the report says so."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:verified (every check passed)", "1:a check failed (signature, difference)", "2:usage error",
        "3:could not check (unreachable image, missing file, unsupported config)", "4:internal error"})
public final class VerifyCommand implements Callable<Integer> {
  @Mixin
  Common common;

  @Mixin
  ReportFiles reports;

  @Mixin
  IgnoreOptions ignores;

  @Mixin
  ReportDirOption reportDir;

  @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG", description = "apko.yaml (relative to -C). "
      + "Omitted: the published image's own etc/apko.json, pinned by its installed database.")
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

  @Option(names = {"-C", "--workdir"}, paramLabel = "DIR", description = "apko's working directory, as for build: "
      + "CONFIG, --lockfile, --keyring, local image paths and the config's relative paths resolve here (default: .).")
  Path workdir;

  @Option(names = "--context", paramLabel = "DIR", hidden = true, description = "Deprecated: -C/--workdir.")
  Path context;

  @Option(names = "--repository", paramLabel = "FROM=TO", description = "Read the repository (or key) the config "
      + "names FROM (as written there, e.g. ./packages or https://host/repo) from TO instead: a mirror or a local "
      + "copy. What the image records is unchanged. Repeatable.")
  List<String> repositories = new java.util.ArrayList<>();

  @Mixin
  FetchMixin fetch;

  @Option(names = "--compression", paramLabel = "NAME", defaultValue = "apko",
      description = "Layer compression of the rebuild: apko (byte-exact, as the apko version used it; default), apko-legacy "
          + "(apko 2022-09 to 2025-11) or java (only diff_ids and configs can then match: CONTENT_IDENTICAL at best).")
  String compression;

  @Option(names = "--apko-version", paramLabel = "VERSION",
      description = "Reproduce the output of this apko release (v0.27.2), of a build between releases "
          + "(v0.27.1-4-gbed5f073) or of a prefix naming releases with one rule set; default: the newest, then every version the published image's features allow, and the report names those that reproduce it. Unknown or "
          + "ambiguous: usage error listing the known versions (docs/rebuild.md, apko versions).")
  String apkoVersion;

  @Option(names = "--semantic", description = "Compare ignoring timestamps, history, entry order, tar format, image names.")
  boolean semantic;

  @Option(names = "--arch", paramLabel = "ARCH", description = "Rebuild only these architectures, as apko's --arch "
      + "(repeatable; default: the config's archs, each of which the published image must have).")
  java.util.List<String> archs = new java.util.ArrayList<>();

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Verify only this platform.")
  String platform;

  @Option(names = "--require", paramLabel = "bit|content|semantic", description = "Least verdict that passes "
      + "(default: content; semantic with --semantic or any --ignore-*).")
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
    Output out = common.reportOutput();
    reports.check();
    attest.check();
    if (noPolicy && (enforcePolicy || policyFile != null || profile != null)) {
      throw CheckException.usage(CommonCode.USAGE, "--no-policy excludes --policy, --profile and --enforce-policy");
    }
    CompareOptions opts = ignores.apply(semantic ? CompareOptions.semantic() : CompareOptions.strict());
    if (platform != null) {
      opts = opts.withPlatform(Platform.parse(platform));
    }
    if (workdir != null && context != null) {
      throw CheckException.usage(CommonCode.USAGE, "--context is the deprecated name of -C/--workdir: give one");
    }
    if (context != null) {
      out.progress("bitproof verify: --context is deprecated, use -C/--workdir (the same directory apko's -C names)");
    }
    Path wd = WorkDir.of(workdir != null ? workdir : context);
    Path cfg = WorkDir.resolve(wd, config);
    if (cfg == null && lockfile != null) {
      throw CheckException.usage(CommonCode.USAGE, "--lockfile needs CONFIG (without CONFIG the image's installed database pins "
          + "the packages)");
    }
    TransportOptions to = transport.options();
    Verification.Request req = Verification.Request.of(cfg, WorkDir.resolveRef(wd, image))
        .withLockfile(Optional.ofNullable(WorkDir.resolve(wd, lockfile)))
        .withKeyring(Optional.ofNullable(WorkDir.resolve(wd, keyring)))
        .withSourceDateEpoch(epoch(sourceDateEpoch)).withContext(wd)
        .withCompressor(LayerCompressor.forOption(compression))
        .withCompare(opts, CompareOptions.requiredVerdict(require, opts.ignoresAnything())).withTransport(to)
        .withPolicy(noPolicy ? Optional.empty()
            : Optional.of(Policy.load(Optional.ofNullable(policyFile), Optional.ofNullable(profile))), enforcePolicy)
        .withKeep(Optional.ofNullable(keep))
        .withFetch(fetch.options(wd).withProgress(common.progress()), mirrors(repositories))
        .withApkoRules(Optional.ofNullable(apkoVersion).map(ApkoRules::select))
        .withArchs(archs)
        .withAllowUntrustedPackages(allowUntrusted);
    out.progress("bitproof verify: rebuilding " + (cfg == null ? "from the image's etc/apko.json" : config)
        + " and comparing with " + image);
    Report r = reportDir.writing(req.compare(), o -> Verification.run(req.withCompare(o, req.required())));
    int code = out.render(r, verbose);
    reports.write(r, out);
    if (attest.requested()) {
      // the exact bytes --format json prints, so `verify --format json > r.json; attest sign r.json` records the same digest
      byte[] report = ReportJson.printedBytes(r, Tool.version());
      Signer.SignResult signed = attest.attest(report, to, out::progress).orElseThrow();
      // stdout holds the report; the attestation summary goes to stderr
      out.progress("bitproof verify: signed " + (signed.reportPassed() ? "PASS" : "FAIL") + " attestations with key "
          + signed.keyId() + signed.files().stream().map(f -> " -> " + f).findFirst().orElse("")
          + signed.attached().map(x -> x.tag().map(t -> ", attached at " + t).orElse(", attached (referrers API)")).orElse(""));
    }
    return code;
  }


  /** {@code FROM=TO} pairs, trailing slashes dropped. */
  static Map<String, String> mirrors(List<String> specs) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (String s : specs) {
      int eq = s.indexOf('=');
      if (eq <= 0 || eq == s.length() - 1) {
        throw CheckException.usage(FetchCode.REPOSITORY_MIRROR_INVALID, "--repository takes FROM=TO (the location as the "
            + "config names it, and where to read it): " + s);
      }
      m.put(strip(s.substring(0, eq)), strip(s.substring(eq + 1)));
    }
    return m;
  }

  private static String strip(String s) {
    String t = s.strip();
    while (t.length() > 1 && t.endsWith("/")) {
      t = t.substring(0, t.length() - 1);
    }
    return t;
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
      throw CheckException.usage(CommonCode.OPTION_INVALID, "--source-date-epoch must be seconds (>= 0) or auto, not '" + s + "'");
    }
  }

  /** Kept for HookCommand until the hook moves to its own module: {@link Verification#deleteTree}. */
  static void deleteTree(Path dir) {
    Verification.deleteTree(dir);
  }
}
