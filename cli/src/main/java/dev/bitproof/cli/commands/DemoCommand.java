package dev.bitproof.cli.commands;

import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.options.ReportDirOption;
import dev.bitproof.cli.options.ReportFiles;
import dev.bitproof.cli.render.Output;
import dev.bitproof.report.CheckException;
import dev.bitproof.verify.Report;
import dev.bitproof.verify.Verification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
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

  @Mixin
  ReportFiles reports;

  @Mixin
  ReportDirOption reportDir;

  @Option(names = "--tampered", description = "Verify against the tampered copy instead (shows what a failure looks like).")
  boolean tampered;

  @Option(names = {"-v", "--verbose"}, description = "Text output also lists what passed (OK findings).")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Output out = common.reportOutput();
    reports.check();
    Path demo = demoDir();
    Path published = demo.resolve(tampered ? "published-tampered" : "published");
    String ref = "oci:" + published;
    out.progress("bitproof demo: rebuilding " + demo.resolve("apko.yaml") + " and verifying it against " + ref);
    Verification.Request req = Verification.Request.of(demo.resolve("apko.yaml"), ref).withCommand("demo")
        .withLockfile(Optional.of(demo.resolve("apko.lock.json"))).withContext(demo)
        .withFetch(dev.bitproof.fetch.FetchOptions.defaults().withProgress(common.progress()), java.util.Map.of());
    Report r = reportDir.writing(req.compare(), o -> Verification.run(req.withCompare(o, req.required())));
    int code = out.render(r, verbose);
    reports.write(r, out);
    return code;
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
    throw new CheckException(CliCode.DEMO_NOT_FOUND, "testdata/demo",
        "the bundled demo was not found next to the jar or above the current directory (set -Dbitproof.demo=DIR)");
  }
}
