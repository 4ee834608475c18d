package dev.bitproof.cli.commands;

import dev.bitproof.apk.ApkInfo;
import dev.bitproof.apk.ApkRepositories;
import dev.bitproof.apk.ApkResolution;
import dev.bitproof.apk.ApkVerification;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.render.Output;
import dev.bitproof.cli.render.Result;
import dev.bitproof.cli.render.TextTree;
import dev.bitproof.report.Finding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bitproof apk verify|info}: APK packages and APKINDEX files. */
@Command(name = "apk", mixinStandardHelpOptions = true,
    description = "Verify and inspect APK packages and APKINDEX files.",
    subcommands = {ApkCommand.Verify.class, ApkCommand.Info.class, ApkCommand.Resolve.class},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
      "0:verified / ok", "1:checked and found failures", "2:usage error", "3:could not check", "4:internal error"})
public final class ApkCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: verify, info or resolve");
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = {"Verify APK packages and APKINDEX.tar.gz files against a keyring directory of PEM public keys "
          + "(matched by file name, as in /etc/apk/keys).",
          "A package passes when a signature by a trusted key verifies over its control stream, its .PKGINFO datahash "
              + "matches the data stream and every file matches its recorded SHA-1. An index passes when a signature "
              + "verifies over everything after its first gzip stream. Packages given together with an index are also "
              + "cross-checked against its C:/S:/V: entries."},
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
        "0:every file verified", "1:a file failed (bad, untrusted or missing signature, tampered or malformed)",
        "2:usage error", "3:could not check (missing file or keyring)", "4:internal error"})
  public static final class Verify implements Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--keyring", required = true, paramLabel = "DIR", description = "Directory of trusted PEM RSA public keys.")
    Path keyring;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "APK packages and APKINDEX.tar.gz files.")
    List<Path> files;

    @Override
    public Integer call() throws IOException {
      ApkVerification.Result r = ApkVerification.verify(keyring, files);
      return common.output().render(new Result("apk verify", r.outcome(), r, w -> {
        for (ApkVerification.FileResult f : r.files()) {
          w.println(f.file() + ": " + f.result() + " (" + f.kind() + (f.signer() != null ? ", signed by " + f.signer() : "")
              + ")");
          for (Finding x : f.findings()) {
            w.println("  " + Output.findingText(x).replace("\n", "\n  "));
          }
        }
      }));
    }
  }

  @Command(name = "info", mixinStandardHelpOptions = true,
      description = "Show an APK's .PKGINFO, stream layout, checksums and signer (or an APKINDEX's signer and size). "
          + "The signer is what the file claims; give --keyring to have it verified.",
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
        "0:shown (and verified, with --keyring)", "1:malformed, or --keyring given and verification failed",
        "2:usage error", "3:could not check", "4:internal error"})
  public static final class Info implements Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--keyring", paramLabel = "DIR", description = "Also verify the signature against this keyring.")
    Path keyring;

    @Parameters(index = "0", paramLabel = "FILE", description = "An APK or APKINDEX.tar.gz.")
    Path file;

    @Override
    public Integer call() throws IOException {
      ApkInfo info = ApkInfo.read(file, Optional.ofNullable(keyring));
      return common.output().render(new Result("apk info", info.outcome(), info, w -> {
        TextTree.print(w, info, Set.of("findings"));
        if (info.findings() != null) {
          info.findings().forEach(f -> w.println(Output.findingText(f)));
        }
      }));
    }
  }

  @Command(name = "resolve", mixinStandardHelpOptions = true,
      description = {"Resolve packages (apko's contents.packages) against repository indexes as apko does, and print "
          + "the install order with each package's checksum.",
          "Every index must carry a signature that verifies with the keyring (as apko requires); with several --arch "
              + "values, versions missing on another arch are disqualified so all arches agree."},
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
        "0:resolved", "1:an index signature failed", "2:usage error",
        "3:could not resolve (unsatisfiable, unreachable repository)", "4:internal error"})
  public static final class Resolve implements Callable<Integer> {
    @Mixin
    Common common;

    @Mixin
    dev.bitproof.cli.options.FetchMixin fetch;

    @Option(names = "--repository", required = true, paramLabel = "REPO",
        description = "Repository: directory, file:// or http(s):// URL, optionally '@tag URL'. Repeatable.")
    List<String> repositories;

    @Option(names = "--arch", defaultValue = "x86_64", paramLabel = "ARCH", split = ",",
        description = "apk architecture(s) (default: ${DEFAULT-VALUE}).")
    List<String> archs;

    @Option(names = "--keyring", required = true, paramLabel = "DIR", description = "Directory of trusted PEM RSA public keys.")
    Path keyring;

    @Parameters(arity = "1..*", paramLabel = "PACKAGE", description = "Constraints such as busybox, musl>=1.2, foo@edge.")
    List<String> packages;

    @Override
    public Integer call() throws IOException {
      ApkResolution.Result r = ApkResolution.resolve(repositories, archs, keyring, packages,
          ApkRepositories.Options.defaults(null).withFetch(fetch.options(dev.bitproof.cli.options.WorkDir.of(null))));
      return common.output().render(new Result("apk resolve", r.outcome(), r, w -> {
        if (r.findings() != null) {
          r.findings().forEach(f -> w.println(Output.findingText(f)));
          return;
        }
        r.archs().forEach((arch, ps) -> {
          w.println(arch + ":");
          ps.forEach(c -> w.println("  " + c.name() + "=" + c.version() + "  " + c.checksum() + "  " + c.repository()));
          if (!r.conflicts().get(arch).isEmpty()) {
            w.println("  conflicts declared: " + String.join(" ", r.conflicts().get(arch)));
          }
        });
      }));
    }
  }
}
