package dev.bitproof.cli.commands;

import dev.bitproof.report.Outcome;
import dev.bitproof.attest.AttestCode;
import dev.bitproof.attest.AttestVerification;
import dev.bitproof.attest.SignSummary;
import dev.bitproof.attest.Signer;
import dev.bitproof.cli.render.Result;
import dev.bitproof.attest.Attestor;
import dev.bitproof.attest.bundle.KeylessBundles;
import dev.bitproof.attest.intoto.IntotoCode;
import dev.bitproof.attest.intoto.Predicates;
import dev.bitproof.attest.intoto.VerificationReport;
import dev.bitproof.attest.registry.AttachCode;
import dev.bitproof.attest.registry.Attachments;
import dev.bitproof.attest.sign.Keys;
import dev.bitproof.attest.sign.SigningKey;
import dev.bitproof.attest.sign.VerificationKey;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.options.TransportMixin;
import dev.bitproof.cli.render.Output;
import dev.bitproof.io.IoCode;
import dev.bitproof.json.Json;
import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.policy.PolicyCode;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bitproof attest …}: sign verification reports as in-toto attestations, attach and verify them. */
@Command(name = "attest", mixinStandardHelpOptions = true,
    description = "Sign bitproof reports as in-toto attestations (SLSA VSA + evidence), attach them to images, verify them.",
    subcommands = {AttestCommand.Sign.class, AttestCommand.Verify.class})
public final class AttestCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (see --help)");
  }

  /** Reads a user-named file, bounded (FILE_NOT_FOUND, FILE_IS_DIRECTORY). */
  static byte[] readFile(Path p, long limit, Code what) throws IOException {
    return Signer.readFile(p, limit, what);
  }

  /** {@code 30d}, {@code 12h}, {@code 90m}, {@code 45s} or ISO-8601 {@code PT1H}. */
  static Duration parseDuration(String s) {
    try {
      String t = s.trim().toLowerCase(Locale.ROOT);
      if (t.startsWith("p")) {
        return Duration.parse(s.trim().toUpperCase(Locale.ROOT));
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      return switch (t.charAt(t.length() - 1)) {
        case 'd' -> Duration.ofDays(n);
        case 'h' -> Duration.ofHours(n);
        case 'm' -> Duration.ofMinutes(n);
        case 's' -> Duration.ofSeconds(n);
        default -> throw new IllegalArgumentException();
      };
    } catch (RuntimeException e) {
      throw CheckException.usage(CliCode.DURATION_INVALID, "'" + s + "' is not a duration (30d, 12h, 90m, 45s or PT1H)");
    }
  }




  private static Path defaultOut(String reportName, Signer.Form form) {
    String base = reportName.endsWith(".json") ? reportName.substring(0, reportName.length() - 5) : reportName;
    return Path.of(form == Signer.Form.JSONL ? base + ".intoto.jsonl" : base + ".attestations");
  }

  @Command(name = "sign", mixinStandardHelpOptions = true,
      description = {"Sign a bitproof verification report (verify --format json) as two in-toto attestations about the "
          + "image: a SLSA VSA v1 and the evidence behind it. Writes JSON Lines (default), DSSE envelopes or sigstore "
          + "bundles v0.3; --attach also attaches them to the image."},
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:signed", "1:the image to attach to is not the report's image",
          "2:usage error (bad key type, wrong passphrase)", "3:could not read the report, key or image", "4:internal error"})
  public static final class Sign implements Callable<Integer> {
    @Mixin
    Common common;

    @Mixin
    Passphrase passphrase;

    @Parameters(index = "0", paramLabel = "REPORT.json", description = "The verification report.")
    Path report;

    @Option(names = "--key", required = true, paramLabel = "KEY", description = "Private key: PKCS#8 or SEC1 PEM, or a cosign encrypted key.")
    Path key;

    @Option(names = "--output-format", defaultValue = "jsonl", paramLabel = "jsonl|dsse|bundle",
        description = "jsonl: one file, one envelope per line (default); dsse / bundle: a directory with vsa.* and evidence.*")
    Signer.Form form;

    @Option(names = "--out", paramLabel = "PATH", description = "Output file (jsonl) or directory (dsse, bundle). Default: next to the report.")
    Path out;

    @Option(names = "--policy", paramLabel = "FILE", description = "The policy file the verification ran under: its sha256 goes into the VSA.")
    Path policy;

    @Option(names = "--policy-uri", paramLabel = "URI", description = "The policy's URI in the VSA (default: the policy file's name).")
    String policyUri;

    @Option(names = "--verifier-id", paramLabel = "URI", description = "VSA verifier.id (default: " + Predicates.DEFAULT_VERIFIER_ID + ").")
    String verifierId = Predicates.DEFAULT_VERIFIER_ID;

    @Option(names = "--resource-uri", paramLabel = "URI", description = "VSA resourceUri (default: oci://HOST/REPO@DIGEST, or a pkg:oci purl for layouts).")
    String resourceUri;

    @Option(names = "--attach", description = "Attach the attestations to the report's image (or --attach-to).")
    boolean attach;

    @Option(names = "--attach-to", paramLabel = "REF", description = "Attach to this reference instead (its digest must be the report's).")
    String attachTo;

    @Option(names = "--attach-layout", defaultValue = "referrers", paramLabel = "referrers|cosign",
        description = "referrers: OCI 1.1 referrers with sigstore bundles (default); cosign: legacy sha256-<hex>.att tag.")
    String layout;

    @Mixin
    TransportMixin transport;

    @Override
    public Integer call() throws IOException {
      Output o = common.output();
      Optional<Signer.Attach> attachTo = attach || this.attachTo != null
          ? Optional.of(new Signer.Attach(parseLayout(layout), Optional.ofNullable(this.attachTo))) : Optional.empty();
      Signer.SignRequest r = new Signer.SignRequest(readFile(report, VerificationReport.MAX_SIZE, IntotoCode.REPORT_TOO_LARGE),
          report.toString(), key, passphrase::get, form, Optional.of(out != null ? out : defaultOut(report.toString(), form)),
          Optional.ofNullable(policy), Optional.ofNullable(policyUri), verifierId, Optional.ofNullable(resourceUri),
          attachTo, transport.options(), Instant.now());
      Signer.SignResult s = Signer.sign(r, o::progress);
      return o.render(new Result("attest sign", Outcome.PASS, SignSummary.of(s), w -> {
        w.println("signed " + s.subject() + " (report " + (s.reportPassed() ? "PASS" : "FAIL") + ") with key " + s.keyId());
        s.attestations().forEach(a -> w.println("  " + a.predicateType() + "  " + a.envelopeDigest()));
        s.files().forEach(f -> w.println("wrote " + f));
        s.attached().ifPresent(a -> w.println("attached to " + a.reference() + a.where()));
      }));
    }
  }

  static Attachments.Layout parseLayout(String s) {
    return Signer.parseLayout(s);
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = {"Verify attestations: the DSSE signature under --key (never a key from the attestation), subject "
          + "digest = the image digest, predicate type, verificationResult PASSED, freshness and policy. REF|FILE is an "
          + "attestation file (DSSE, JSON Lines or sigstore bundle; give --digest or --image) or an image reference whose "
          + "attached attestations (referrers tag or cosign .att) are verified. Among valid attestations of a type, the "
          + "newest decides."},
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:verified", "1:no attestation verified or the deciding one failed",
          "2:usage error", "3:could not read the file, key or image", "4:internal error"})
  public static final class Verify implements Callable<Integer> {
    @Mixin
    Common common;

    @Parameters(index = "0", paramLabel = "REF|FILE", description = "Image reference (docker://, oci:DIR:TAG) or attestation file.")
    String target;

    @Option(names = "--key", paramLabel = "PUB", description = "Trusted public key (SPKI PEM) for bitproof's own attestations.")
    Path key;

    @Option(names = "--trusted-root", paramLabel = "FILE",
        description = "Pinned sigstore trusted_root.json for third-party keyless bundles (verified offline; needs the identity flags).")
    Path trustedRoot;

    @Option(names = "--certificate-identity", paramLabel = "SAN", description = "Keyless: the signing certificate's subject alternative name, exactly.")
    String certificateIdentity;

    @Option(names = "--certificate-oidc-issuer", paramLabel = "URL", description = "Keyless: the certificate's OIDC issuer, exactly.")
    String certificateIssuer;

    @Option(names = "--type", paramLabel = "URI", description = "Predicate type required (repeatable; 'vsa' and 'evidence' are short for ours).")
    List<String> types = new ArrayList<>();

    @Option(names = "--max-age", paramLabel = "DURATION", description = "Reject attestations whose timeVerified is older (30d, 12h, PT1H).")
    String maxAge;

    @Option(names = "--policy", paramLabel = "FILE", description = "Require the VSA's policy digest to be this file's sha256.")
    Path policy;

    @Option(names = "--verifier-id", paramLabel = "URI", description = "Require this verifier.id.")
    String verifierId;

    @Option(names = "--require-level", paramLabel = "LEVEL",
        description = "Require the VSA to claim this verified level (repeatable), e.g. BITPROOF_REBUILT_BIT_IDENTICAL.")
    List<String> requiredLevels = new ArrayList<>();

    @Option(names = "--resource-uri", paramLabel = "URI", description = "Require the VSA's resourceUri to be exactly this.")
    String resourceUri;

    @Option(names = "--digest", paramLabel = "sha256:HEX", description = "The image digest a FILE's statements must be about.")
    String digest;

    @Option(names = "--image", paramLabel = "REF", description = "For a FILE: the image whose digest its statements must be about.")
    String image;

    @Mixin
    TransportMixin transport;

    @Override
    public Integer call() throws IOException {
      Output o = common.output();
      Optional<KeylessBundles.Policy> keyless = Optional.empty();
      if (trustedRoot != null) {
        if (certificateIdentity == null || certificateIssuer == null) {
          throw CheckException.usage(AttestCode.KEYLESS_IDENTITY_REQUIRED,
              "--trusted-root needs --certificate-identity and --certificate-oidc-issuer: without them any certificate would pass");
        }
        keyless = Optional.of(new KeylessBundles.Policy(trustedRoot, certificateIdentity, certificateIssuer));
      } else if (certificateIdentity != null || certificateIssuer != null) {
        throw CheckException.usage(AttestCode.KEYLESS_TRUSTED_ROOT_REQUIRED, "the certificate identity flags need --trusted-root");
      }
      LinkedHashSet<String> wanted = new LinkedHashSet<>();
      for (String t : types) {
        wanted.add(switch (t) {
          case "vsa" -> Predicates.VSA;
          case "evidence" -> Predicates.EVIDENCE;
          default -> t;
        });
      }
      AttestVerification.Result r = AttestVerification.verify(new AttestVerification.Request(target,
          Optional.ofNullable(key), keyless, wanted, Optional.ofNullable(maxAge).map(AttestCommand::parseDuration),
          Optional.ofNullable(policy), Optional.ofNullable(verifierId), new LinkedHashSet<>(requiredLevels),
          Optional.ofNullable(resourceUri), Optional.ofNullable(digest).map(Digest::parse), Optional.ofNullable(image),
          transport.options(), Instant.now()), o::progress);
      return o.render(new Result("attest verify", r.outcome(), r, w -> {
        r.findings().forEach(f -> w.println(Output.findingText(f)));
        w.println(r.outcome() + " " + r.subject() + " (" + r.attestations() + " attestation(s), trusted " + r.trusted() + ")");
      }));
    }
  }
}
