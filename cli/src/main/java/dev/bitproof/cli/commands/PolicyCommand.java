package dev.bitproof.cli.commands;

import dev.bitproof.report.Outcome;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.render.Output;
import dev.bitproof.cli.render.Result;
import dev.bitproof.json.Json;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.policy.ImageFacts;
import dev.bitproof.policy.Policy;
import dev.bitproof.policy.PolicyEngine;
import dev.bitproof.policy.Rule;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
      Policy policy = loadPolicy();
      ImageReference ref = ImageReference.parse(reference);
      Platform only = platform == null ? null : Platform.parse(platform);
      ObjectNode doc = Json.mapper().createObjectNode();
      doc.put("image", ref.toString());
      doc.put("profile", policy.profile().name().toLowerCase(java.util.Locale.ROOT));
      ArrayNode images = doc.putArray("images");
      boolean failed = false;
      int checked = 0;
      StringBuilder text = new StringBuilder();
      try (ImageSource src = Transports.source(ref, transport.options())) {
        Images.Tree tree = Images.walk(src);
        for (Images.Resolved r : tree.images()) {
          Platform p = r.config().platform();
          if (only != null && !only.matches(p)) {
            continue;
          }
          checked++;
          out.progress("policy: reading layers of " + p + " " + r.manifest().digest());
          ImageFacts facts = ImageFacts.gather(src, r.manifest(), r.config());
          List<Finding> findings = PolicyEngine.evaluate(facts, policy, ref + " " + p);
          boolean imgFailed = findings.stream().anyMatch(Finding::fails);
          failed |= imgFailed;
          ObjectNode img = images.addObject();
          img.put("platform", p.toString());
          img.put("manifest", r.manifest().digest().toString());
          img.put("result", imgFailed ? "FAIL" : "PASS");
          img.set("facts", Json.mapper().valueToTree(facts.summary()));
          img.set("findings", Output.findingsJson(findings));
          text.append(p).append("  ").append(r.manifest().digest()).append("  ").append(imgFailed ? "FAIL" : "PASS").append('\n');
          facts.summary().forEach((k, v) -> text.append("    ").append(k).append(": ").append(v).append('\n'));
          for (Finding f : findings) {
            if (f.severity() != dev.bitproof.report.Severity.OK) {
              text.append("  ").append(Output.findingText(f)).append('\n');
            }
          }
        }
      }
      if (checked == 0) {
        throw new CheckException(TransportCode.PLATFORM_NOT_FOUND, ref.toString(), "no image for platform " + platform);
      }
      text.append("policy (").append(policy.profile().name().toLowerCase(java.util.Locale.ROOT)).append("): ")
          .append(failed ? "FAIL" : "PASS").append('\n');
      return out.render(new Result("policy check", Outcome.of(!failed), new Result.Tree(doc), w -> w.print(text)));
    }

    private Policy loadPolicy() throws Exception {
      return load(policyFile, profile);
    }
  }

  /** The policy from a file, or a built-in profile (production when neither is given); shared with verify. */
  /** Kept for HookCommand until the hook moves to its own module: {@link Policy#load}. */
  static Policy load(Path policyFile, String profile) throws java.io.IOException {
    return Policy.load(java.util.Optional.ofNullable(policyFile), java.util.Optional.ofNullable(profile));
  }
}
