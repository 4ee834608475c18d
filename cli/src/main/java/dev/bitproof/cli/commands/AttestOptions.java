package dev.bitproof.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.attest.AttestCode;
import dev.bitproof.cli.render.Output;
import dev.bitproof.oci.transport.TransportOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code --attest-key KEY [--attest-out FILE] [--attach]} options of {@code bitproof verify}: mix this in and,
 * once the report's JSON bytes exist, call {@link #attest}. The report is signed exactly as {@code attest sign} would
 * sign the same bytes.
 */
public final class AttestOptions {
  @Option(names = "--attest-key", paramLabel = "KEY",
      description = "Sign the report as in-toto attestations (SLSA VSA + evidence) with this private key.")
  public Path key;

  @Option(names = "--attest-out", paramLabel = "FILE", description = "Where the attestations go (JSON Lines; default verify.intoto.jsonl).")
  public Path out;

  @Option(names = "--attach", description = "Also attach the attestations to the published image (OCI 1.1 referrers tag scheme).")
  public boolean attach;

  @Option(names = "--attach-layout", defaultValue = "referrers", paramLabel = "referrers|cosign",
      description = "referrers (default) or cosign's legacy sha256-<hex>.att tag.")
  public String layout;

  @Mixin
  public Passphrase passphrase;

  public boolean requested() {
    return key != null;
  }

  /**
   * Signs {@code reportJson} (what verify prints with {@code --format json}); returns the summary, or empty when no
   * {@code --attest-key} was given.
   */
  public Optional<ObjectNode> attest(byte[] reportJson, TransportOptions transport, Output output) throws IOException {
    if (key == null) {
      if (attach) {
        throw dev.bitproof.report.CheckException.usage(AttestCode.ATTEST_KEY_REQUIRED, "--attach needs --attest-key");
      }
      return Optional.empty();
    }
    AttestCommand.SignRequest r = new AttestCommand.SignRequest();
    r.report = reportJson;
    r.reportName = "verify.json";
    r.key = key;
    r.passphrase = passphrase == null ? null : passphrase.get();
    r.out = out != null ? out : Path.of("verify.intoto.jsonl");
    r.attach = attach;
    r.layout = AttestCommand.parseLayout(layout);
    r.transport = transport;
    return Optional.of(AttestCommand.sign(r, output));
  }
}
