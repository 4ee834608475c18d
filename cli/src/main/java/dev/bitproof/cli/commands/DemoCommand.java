package dev.bitproof.cli.commands;

import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.options.ExitCodes;
import dev.bitproof.cli.render.Output;
import dev.bitproof.compare.CompareOptions;
import dev.bitproof.compare.Verdict;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import dev.bitproof.verify.ApkoRebuilder;
import dev.bitproof.verify.PublishedCheck;
import dev.bitproof.verify.Report;
import dev.bitproof.verify.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Rebuilds the bundled example image from its apko config and verifies it against the bundled published image. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Rebuild the bundled example (testdata/demo: apko.yaml, lock file, a signed repository) and "
        + "verify it against the bundled published image: no network, no other files needed.",
        "--tampered verifies against a copy with a file slipped in and an environment variable changed."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:verified", "1:a check failed (expected with --tampered)", "2:usage error",
        "3:could not check (testdata/demo not found)", "4:internal error"})
public final class DemoCommand implements Callable<Integer> {
  @Mixin
  Common common;

  @Option(names = "--tampered", description = "Verify against the tampered copy instead (shows what a failure looks like).")
  boolean tampered;

  @Option(names = {"-v", "--verbose"}, description = "Text output also lists what passed (OK findings).")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Output out = common.output();
    Path demo = demoDir();
    Path published = demo.resolve(tampered ? "published-tampered" : "published");
    String ref = "oci:" + published;
    Path work = Files.createTempDirectory("bitproof-demo-");
    out.progress("bitproof demo: rebuilding " + demo.resolve("apko.yaml") + " and verifying it against " + ref);
    Verifier.Request req = new Verifier.Request(demo.resolve("apko.yaml"), Optional.of(demo.resolve("apko.lock.json")),
        Optional.empty(), OptionalLong.empty(), ref, work, CompareOptions.strict(), Verdict.CONTENT_IDENTICAL,
        TransportOptions.defaults());
    Report r;
    try (ImageSource src = Transports.source(ImageReference.parse(ref), TransportOptions.defaults())) {
      r = Verifier.run(req, new ApkoRebuilder(demo), src, List.of(PublishedCheck.sbom(),
          PublishedCheck.policy(dev.bitproof.policy.Policy.of(dev.bitproof.policy.Rule.Profile.PRODUCTION), false)));
    } finally {
      VerifyCommand.deleteTree(work);
    }
    r = new Report("demo", r.a(), r.b(), r.inputs(), r.notes(), r.checks(), r.comparison());
    CompareCommand.print(out, r, verbose);
    return r.passed() ? ExitCodes.OK : ExitCodes.FAILED;
  }

  /** {@code testdata/demo}: {@code -Dbitproof.demo}, else next to the jar or classes, else above the current directory. */
  static Path demoDir() {
    String p = System.getProperty("bitproof.demo");
    if (p != null) {
      return Path.of(p).toAbsolutePath();
    }
    try {
      Path here = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (Path d = here; d != null; d = d.getParent()) {
        if (Files.isRegularFile(d.resolve("testdata/demo/apko.yaml"))) {
          return d.resolve("testdata/demo");
        }
      }
    } catch (java.net.URISyntaxException | SecurityException | NullPointerException e) {
      // fall through to the working directory
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("testdata/demo/apko.yaml"))) {
        return d.resolve("testdata/demo");
      }
    }
    throw new CheckException("DEMO_NOT_FOUND", "testdata/demo",
        "the bundled demo was not found next to the jar or above the current directory (set -Dbitproof.demo=DIR)");
  }
}
