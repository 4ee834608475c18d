package dev.bitproof.cli.commands;

import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.render.Output;
import dev.bitproof.cli.render.Result;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.Platform;
import dev.bitproof.policy.Policy;
import dev.bitproof.policy.PolicyCheck;
import dev.bitproof.report.Finding;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bitproof policy check REF}: hardening rules over an image's config and merged layers. */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Hardening policy checks.",
    subcommands = PolicyCommand.Check.class)
public final class PolicyCommand {

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Check an image against secure-image practice: non-root user, no shell or package manager, "
          + "no setuid or world-writable files, stripped binaries, an entrypoint that exists.",
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
        "0:no rule at FAIL severity was violated", "1:a FAIL rule was violated", "2:usage error",
        "3:could not read the image or policy", "4:internal error"})
  public static final class Check implements Callable<Integer> {
    @Mixin
    Common common;

    @Parameters(index = "0", paramLabel = "REF", description = "Image reference (oci:DIR[:TAG], docker://…, …)")
    String reference;

    @Option(names = "--policy", paramLabel = "FILE", description = "Policy YAML (profile + per-rule overrides)")
    Path policyFile;

    @Option(names = "--profile", paramLabel = "production|dev",
        description = "Built-in profile when no --policy is given (default: production)")
    String profile;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Check only this platform of an index")
    String platform;

    @Mixin
    dev.bitproof.cli.options.TransportMixin transport;

    @Override
    public Integer call() throws Exception {
      Output out = common.output();
      Policy policy = load(policyFile, profile);
      PolicyCheck.Result r = PolicyCheck.run(ImageReference.parse(reference),
          Optional.ofNullable(platform).map(Platform::parse), policy, transport.options(), out::progress);
      return out.render(new Result("policy check", r.outcome(), r, w -> {
        for (PolicyCheck.ImageResult img : r.images()) {
          w.println(img.platform() + "  " + img.manifest() + "  " + img.result());
          img.facts().forEach((k, v) -> w.println("    " + k + ": " + v));
          for (Finding f : img.findings()) {
            if (f.severity() != dev.bitproof.report.Severity.OK) {
              w.println("  " + Output.findingText(f));
            }
          }
        }
        w.println("policy (" + r.profile() + "): " + r.outcome());
      }));
    }
  }

  /** The policy from a file, or a built-in profile (production when neither is given): {@link Policy#load}. */
  static Policy load(Path policyFile, String profile) throws java.io.IOException {
    return Policy.load(java.util.Optional.ofNullable(policyFile), java.util.Optional.ofNullable(profile));
  }
}
