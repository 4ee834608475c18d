package dev.bitproof.policy;

import dev.bitproof.json.JsonBody;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Outcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** {@code policy check}: each image of a reference (or one platform of it) held to a hardening policy. */
public final class PolicyCheck {
  private PolicyCheck() {}

  /** One image: its facts as the policy saw them and its findings. */
  public record ImageResult(String platform, Digest manifest, Outcome result, Map<String, Object> facts,
      List<Finding> findings) {
    public ImageResult {
      findings = List.copyOf(findings);
    }
  }

  /** The body of {@code docs/schema/policy-check.json}. */
  public record Result(String image, String profile, List<ImageResult> images) implements JsonBody {
    public Result {
      images = List.copyOf(images);
    }

    public Outcome outcome() {
      return Outcome.of(images.stream().noneMatch(i -> i.result() == Outcome.FAIL));
    }
  }

  public static Result run(ImageReference ref, Optional<Platform> only, Policy policy, TransportOptions transport,
      Consumer<String> progress) throws IOException {
    List<ImageResult> images = new ArrayList<>();
    try (ImageSource src = Transports.source(ref, transport)) {
      Images.Tree tree = Images.walk(src);
      for (Images.Resolved r : tree.images()) {
        Platform p = r.config().platform();
        if (only.isPresent() && !only.get().matches(p)) {
          continue;
        }
        progress.accept("policy: reading layers of " + p + " " + r.manifest().digest());
        ImageFacts facts = ImageFacts.gather(src, r.manifest(), r.config());
        List<Finding> findings = PolicyEngine.evaluate(facts, policy, ref + " " + p);
        images.add(new ImageResult(p.toString(), r.manifest().digest(), Outcome.of(findings), facts.summary(), findings));
      }
    }
    if (images.isEmpty()) {
      throw new CheckException(TransportCode.PLATFORM_NOT_FOUND, ref.toString(),
          "no image for platform " + only.map(Platform::toString).orElse(null));
    }
    return new Result(ref.toString(), policy.profile().name().toLowerCase(Locale.ROOT), images);
  }
}
