package dev.bitproof.cli.commands;

import dev.bitproof.attest.AttestCode;
import dev.bitproof.attest.Signer;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code --attest-key KEY [--attest-out FILE] [--attach]} options of {@code bitproof verify}: mix this in and,
 * once the report's JSON bytes exist, call {@link #attest}. The report is signed by the same {@link Signer} as
 * {@code attest sign} signs the same bytes. Files are written only where {@code --attest-out} says.
 */
public final class AttestOptions {
  @Option(names = "--attest-key", paramLabel = "KEY",
      description = "Sign the report as in-toto attestations (SLSA VSA + evidence) with this private key; "
          + "needs --attest-out, --attach or both.")
  public Path key;

  @Option(names = "--attest-out", paramLabel = "FILE", description = "Write the attestations here (JSON Lines).")
  public Path out;

  @Option(names = "--attach", description = "Attach the attestations to the published image (OCI 1.1 referrers).")
  public boolean attach;

  @Option(names = "--attach-layout", defaultValue = "referrers", paramLabel = "referrers|cosign",
      description = "referrers (default) or cosign's legacy sha256-<hex>.att tag.")
  public String layout;

  @Mixin
  public Passphrase passphrase;

  public boolean requested() {
    return key != null;
  }

  /** Usage errors before any work: {@code --attach} or {@code --attest-out} without a key, a key with nowhere to go. */
  public void check() {
    if ((attach || out != null) && key == null) {
      throw CheckException.usage(AttestCode.ATTEST_KEY_REQUIRED, (attach ? "--attach" : "--attest-out") + " needs --attest-key");
    }
    if (key != null && !attach && out == null) {
      throw CheckException.usage(AttestCode.ATTEST_OUTPUT_REQUIRED, "--attest-key needs --attest-out FILE, --attach or both");
    }
  }

  /** Signs {@code reportJson} (what verify prints with {@code --format json}); empty when no key was given. */
  public Optional<Signer.SignResult> attest(byte[] reportJson, TransportOptions transport, Consumer<String> progress)
      throws IOException {
    if (key == null) {
      return Optional.empty();
    }
    return Optional.of(Signer.sign(request(reportJson, Optional.ofNullable(out),
        passphrase == null ? null : passphrase::get, transport), progress));
  }

  /**
   * The sign request these options describe for one report: the key, where the JSON Lines go, whether and how to
   * attach. The registry hook calls it once per image, with the passphrase it read once at start-up.
   */
  public Signer.SignRequest request(byte[] reportJson, Optional<Path> jsonl, java.util.function.Supplier<char[]> pass,
      TransportOptions transport) {
    return new Signer.SignRequest(reportJson, "verify.json", key, pass, Signer.Form.JSONL, jsonl, Optional.empty(),
        Optional.empty(), dev.bitproof.attest.intoto.Predicates.DEFAULT_VERIFIER_ID, Optional.empty(),
        attach ? Optional.of(new Signer.Attach(Signer.parseLayout(layout), Optional.empty())) : Optional.empty(),
        transport, Instant.now());
  }
}
