package dev.bitproof.cli.commands;

import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.options.IgnoreOptions;
import dev.bitproof.cli.options.ReportDirOption;
import dev.bitproof.cli.options.ReportFiles;
import dev.bitproof.cli.options.TransportMixin;
import dev.bitproof.cli.render.Output;
import dev.bitproof.compare.CompareOptions;
import dev.bitproof.compare.Comparison;
import dev.bitproof.compare.ImageComparator;
import dev.bitproof.compare.Verdict;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.verify.Report;
import dev.bitproof.verify.ReportJson;
import dev.bitproof.verify.ReportText;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** diffoci's job: compare any two images digest by digest and explain every difference. */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = {"Compare two images (any transports) index → manifests → config → layers → files, and explain "
        + "every difference.",
        "Verdicts: BIT_IDENTICAL (same digests), CONTENT_IDENTICAL (only compression differs: same diff_ids and "
            + "configs), SEMANTICALLY_IDENTICAL (differences only in the --semantic ignore set), DIFFERENT."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:same (verdict at least --require)", "1:different", "2:usage error",
        "3:could not compare (unreachable, no common platform, not an image, decompression bomb)", "4:internal error"})
public final class CompareCommand implements Callable<Integer> {
  @Mixin
  Common common;

  @Mixin
  ReportFiles reports;

  @Parameters(index = "0", paramLabel = "A", description = "First image (oci:DIR, oci-archive:F, docker-archive:F, docker://REF).")
  String a;

  @Parameters(index = "1", paramLabel = "B", description = "Second image.")
  String b;

  @Option(names = "--semantic", description = "Ignore timestamps, history, tar entry order, tar format and image "
      + "names (diffoci's --semantic).")
  boolean semantic;

  @Mixin
  IgnoreOptions ignores;

  @Mixin
  ReportDirOption reportDir;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Compare only this platform.")
  String platform;

  @Option(names = "--require", paramLabel = "bit|content|semantic",
      description = "Least verdict that counts as same (default: content; semantic with --semantic or any --ignore-*).")
  String require;

  @Mixin
  TransportMixin transport;

  @Option(names = {"-v", "--verbose"}, description = "Text output also lists what matched (OK findings).")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Output out = common.reportOutput();
    reports.check();
    CompareOptions opts = ignores.apply(semantic ? CompareOptions.semantic() : CompareOptions.strict());
    Verdict required = CompareOptions.requiredVerdict(require, opts.ignoresAnything());
    if (platform != null) {
      opts = opts.withPlatform(Platform.parse(platform));
    }
    TransportOptions to = transport.options();
    Comparison c;
    out.progress("bitproof compare: " + a + " vs " + b);
    try (ImageSource sa = Transports.source(ImageReference.parse(a), to);
        ImageSource sb = Transports.source(ImageReference.parse(b), to)) {
      c = reportDir.writing(opts, o -> ImageComparator.compare(sa, sb, o, common.progress()));
    }
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put("require", required.name());
    platform(inputs);
    Report r = Report.ofComparison("compare", c, "a", "b", required, inputs, List.of());
    int code = out.render(r, verbose);
    reports.write(r, out);
    return code;
  }

  private void platform(Map<String, String> inputs) {
    if (platform != null) {
      inputs.put("platform", platform);
    }
  }

  /** Kept for HookCommand until the hook moves to its own module: {@link CompareOptions#requiredVerdict}. */
  static Verdict required(String require, boolean semantic) {
    return CompareOptions.requiredVerdict(require, semantic);
  }


}
