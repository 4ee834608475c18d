package dev.bitproof.verify;

import dev.bitproof.oci.ImageReference;
import dev.bitproof.report.Finding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rebuild {@code verify} runs: apko.yaml (+ lock) → an OCI layout. Verification calls it through this
 * interface so the pipeline is testable on its own and the build stays in {@code dev.bitproof.rebuild}.
 */
public interface Rebuilder {
  /**
   * Inputs, every one explicit.
   *
   * @param keyringDir extra public keys ({@code --keyring}), added to the config's keyring
   * @param sourceDateEpoch the build date apko would take from {@code SOURCE_DATE_EPOCH}; empty: unset (apko then
   *     takes the newest package builddate)
   * @param archs apk architectures the user narrowed the build to (apko's {@code --arch}); empty: the config's
   *     {@code archs}, which a verification then requires of the published image
   * @param publishedArchs the published image's architectures, built only when the config names none (apko
   *     then takes them from {@code --arch}, which the published image records)
   * @param output where to write the rebuilt OCI layout
   * @param rules the apko release rules to build with
   */
  record Inputs(Path config, Optional<Path> lockfile, Optional<Path> keyringDir, java.util.OptionalLong sourceDateEpoch,
      Map<String, String> annotations, List<String> archs, List<String> publishedArchs, Path output,
      dev.bitproof.rebuild.ApkoRules rules) {
    public Inputs {
      annotations = Map.copyOf(annotations);
      archs = List.copyOf(archs);
      publishedArchs = List.copyOf(publishedArchs);
      rules = rules == null ? dev.bitproof.rebuild.ApkoRules.newest() : rules;
    }

    /** With the newest apko's rules. */
    public Inputs(Path config, Optional<Path> lockfile, Optional<Path> keyringDir,
        java.util.OptionalLong sourceDateEpoch, Map<String, String> annotations, List<String> archs,
        List<String> publishedArchs, Path output) {
      this(config, lockfile, keyringDir, sourceDateEpoch, annotations, archs, publishedArchs, output, null);
    }
  }

  /**
   * What came out.
   *
   * @param image the rebuilt image (an {@code oci:} layout)
   * @param signatures one finding per package and per index signature the build relied on
   * @param facts rebuild evidence (packages installed, index digest …) as OK/INFO findings
   * @param notes what the build wants the reader to know
   */
  record Rebuilt(ImageReference image, List<Finding> signatures, List<Finding> facts, List<String> notes) {
    public Rebuilt {
      signatures = List.copyOf(signatures);
      facts = List.copyOf(facts);
      notes = List.copyOf(notes);
    }
  }

  Rebuilt rebuild(Inputs inputs) throws IOException;

  /** Whether {@link Inputs#rules()} changes what is built (then verify tries several apko versions' rules). */
  default boolean followsApkoRules() {
    return false;
  }
}
