package dev.bitproof.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.attest.AttestationVerifier;
import dev.bitproof.attest.Attestor;
import dev.bitproof.attest.bundle.KeylessBundles;
import dev.bitproof.attest.intoto.Predicates;
import dev.bitproof.attest.intoto.VerificationReport;
import dev.bitproof.attest.registry.Attachments;
import dev.bitproof.attest.sign.Keys;
import dev.bitproof.attest.sign.SigningKey;
import dev.bitproof.attest.sign.VerificationKey;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.options.ExitCodes;
import dev.bitproof.cli.options.TransportMixin;
import dev.bitproof.cli.render.Output;
import dev.bitproof.json.Json;
import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
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

  /** Output forms of {@code attest sign}. */
  public enum Form { jsonl, dsse, bundle }

  /** Reads a user-named file, bounded. */
  static byte[] readFile(Path p, long limit, String what) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      return LimitedInputStream.readAll(in, limit, what + "_TOO_LARGE", p.toString());
    } catch (NoSuchFileException e) {
      throw new CheckException("FILE_NOT_FOUND", p.toString(), "no such file", e);
    }
  }

  static Attachments.Opener opener(TransportOptions options) {
    return new Attachments.Opener() {
      @Override
      public ImageSource source(ImageReference ref) throws IOException {
        return Transports.source(ref, options);
      }

      @Override
      public ImageDestination destination(ImageReference ref) throws IOException {
        return Transports.destination(ref, options);
      }
    };
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
      throw CheckException.usage("DURATION_INVALID", "'" + s + "' is not a duration (30d, 12h, 90m, 45s or PT1H)");
    }
  }

  /**
   * Signs a report and writes/attaches the attestations: the shared core of {@code attest sign} and of
   * {@code verify --attest-key} (the verify command hands its report bytes here).
   */
  public static final class SignRequest {
    public byte[] report;
    public String reportName = "report.json";
    public Path key;
    public char[] passphrase;
    public Form form = Form.jsonl;
    public Path out;
    public Optional<Path> policy = Optional.empty();
    public Optional<String> policyUri = Optional.empty();
    public String verifierId = Predicates.DEFAULT_VERIFIER_ID;
    public Optional<String> resourceUri = Optional.empty();
    public boolean attach;
    public Attachments.Layout layout = Attachments.Layout.REFERRERS;
    public Optional<String> attachTo = Optional.empty();
    public TransportOptions transport = TransportOptions.defaults();
    public Instant now = Instant.now();
  }

  /** What was signed and where it went. */
  public static ObjectNode sign(SignRequest r, Output o) throws IOException {
    VerificationReport report = VerificationReport.parse(r.report, r.reportName);
    byte[] keyFile = readFile(r.key, 64 * 1024, "KEY");
    char[] pass = r.passphrase;
    SigningKey key = Keys.readSigningKey(keyFile, r.key.toString(), () -> pass);
    Optional<Digest> policyDigest = Optional.empty();
    String policyUri = r.policyUri.orElse(Predicates.DEFAULT_POLICY_URI);
    if (r.policy.isPresent()) {
      policyDigest = Optional.of(Digest.sha256(readFile(r.policy.get(), 16 * 1024 * 1024, "POLICY")));
      policyUri = r.policyUri.orElse(r.policy.get().getFileName().toString());
    }
    Predicates.Context ctx = new Predicates.Context(r.verifierId, version(), r.now, policyUri, policyDigest, r.resourceUri);
    Attestor.Attestations a = Attestor.attest(report, key, ctx);

    ObjectNode n = Json.mapper().createObjectNode();
    n.put("schemaVersion", 1);
    n.put("keyId", key.keyId());
    n.put("keyType", key.type().cliName());
    n.put("subject", report.imageDigest().toString());
    n.put("reference", report.reference());
    n.put("verificationResult", report.passed() ? "PASSED" : "FAILED");
    ArrayNode files = n.putArray("files");
    Path out = r.out != null ? r.out : defaultOut(r.reportName, r.form);
    switch (r.form) {
      case jsonl -> {
        write(out, a.jsonl());
        files.add(out.toString());
      }
      case dsse, bundle -> {
        Files.createDirectories(out);
        for (Attestor.Signed s : a.all()) {
          String name = (s == a.vsa() ? "vsa" : "evidence") + (r.form == Form.dsse ? ".dsse.json" : ".sigstore.json");
          Path p = out.resolve(name);
          write(p, r.form == Form.dsse ? s.envelope().toBytes() : s.bundle().bytes());
          files.add(p.toString());
        }
      }
      default -> throw new IllegalStateException();
    }
    ArrayNode atts = n.putArray("attestations");
    for (Attestor.Signed s : a.all()) {
      ObjectNode e = atts.addObject();
      e.put("predicateType", s.predicateType());
      e.put("envelopeDigest", Digest.sha256(s.envelope().toBytes()).toString());
    }
    if (r.attach) {
      ImageReference target = ImageReference.parse(r.attachTo.orElse(report.reference()));
      RawManifest root;
      try (ImageSource src = Transports.source(target, r.transport)) {
        root = src.root();
      }
      if (!root.digest().equals(report.imageDigest())) {
        throw CheckException.integrity("ATTACH_DIGEST_MISMATCH", target.toString(),
            "the image there is " + root.digest() + ", but the report is about " + report.imageDigest());
      }
      List<Attachments.Attachment> items = new ArrayList<>();
      for (Attestor.Signed s : a.all()) {
        items.add(new Attachments.Attachment(s.predicateType(), s.bundle().bytes(), s.envelope().toBytes()));
      }
      o.progress("attaching " + items.size() + " attestations to " + target + " (" + r.layout.name().toLowerCase(Locale.ROOT) + ")");
      Attachments.Attached attached = Attachments.attachAll(opener(r.transport), target, root.descriptor(), items, r.layout, r.now);
      ObjectNode at = n.putObject("attached");
      at.put("reference", target.toString());
      at.put("layout", r.layout.name().toLowerCase(Locale.ROOT));
      // no tag: the registry's referrers API indexed every referrer (OCI-Subject), so the tag scheme was not written
      attached.tag().ifPresent(t -> at.put("tag", t));
      at.put("referrersApi", attached.tag().isEmpty());
      ArrayNode ds = at.putArray("digests");
      attached.digests().forEach(d -> ds.add(d.toString()));
    }
    return n;
  }

  /** " at tag sha256-…" (tag scheme, cosign) or " (referrers API)" when the registry indexed the referrers itself. */
  static String attachedWhere(com.fasterxml.jackson.databind.JsonNode attached) {
    return attached.has("tag") ? " at tag " + attached.path("tag").asText() : " (referrers API)";
  }

  static String version() {
    String v = AttestCommand.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-SNAPSHOT" : v;
  }

  private static Path defaultOut(String reportName, Form form) {
    String base = reportName.endsWith(".json") ? reportName.substring(0, reportName.length() - 5) : reportName;
    return Path.of(form == Form.jsonl ? base + ".intoto.jsonl" : base + ".attestations");
  }

  private static void write(Path p, byte[] bytes) throws IOException {
    Path abs = p.toAbsolutePath();
    if (abs.getParent() != null) {
      Files.createDirectories(abs.getParent());
    }
    Files.write(p, bytes);
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
    Form form;

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
      SignRequest r = new SignRequest();
      r.report = readFile(report, VerificationReport.MAX_SIZE, "REPORT");
      r.reportName = report.toString();
      r.key = key;
      r.passphrase = passphrase.get();
      r.form = form;
      r.out = out;
      r.policy = Optional.ofNullable(policy);
      r.policyUri = Optional.ofNullable(policyUri);
      r.verifierId = verifierId;
      r.resourceUri = Optional.ofNullable(resourceUri);
      r.attach = attach || attachTo != null;
      r.attachTo = Optional.ofNullable(attachTo);
      r.layout = parseLayout(layout);
      r.transport = transport.options();
      ObjectNode n = sign(r, o);
      if (o.json()) {
        o.printJson(n);
      } else {
        o.out().println("signed " + n.path("subject").asText() + " (" + n.path("verificationResult").asText() + ") with key "
            + n.path("keyId").asText());
        n.path("attestations").forEach(a -> o.out().println("  " + a.path("predicateType").asText() + "  " + a.path("envelopeDigest").asText()));
        n.path("files").forEach(f -> o.out().println("wrote " + f.asText()));
        if (n.has("attached")) {
          o.out().println("attached to " + n.path("attached").path("reference").asText() + attachedWhere(n.path("attached")));
        }
        o.out().flush();
      }
      return ExitCodes.OK;
    }
  }

  static Attachments.Layout parseLayout(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "referrers" -> Attachments.Layout.REFERRERS;
      case "cosign" -> Attachments.Layout.COSIGN;
      default -> throw CheckException.usage("ATTACH_LAYOUT_INVALID", "--attach-layout must be referrers or cosign, not '" + s + "'");
    };
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
      Optional<VerificationKey> vkey = key == null ? Optional.empty()
          : Optional.of(Keys.readVerificationKey(readFile(key, 64 * 1024, "KEY"), key.toString()));
      Optional<KeylessBundles.Policy> keyless = Optional.empty();
      if (trustedRoot != null) {
        if (certificateIdentity == null || certificateIssuer == null) {
          throw CheckException.usage("KEYLESS_IDENTITY_REQUIRED",
              "--trusted-root needs --certificate-identity and --certificate-oidc-issuer: without them any certificate would pass");
        }
        keyless = Optional.of(new KeylessBundles.Policy(trustedRoot, certificateIdentity, certificateIssuer));
      } else if (certificateIdentity != null || certificateIssuer != null) {
        throw CheckException.usage("KEYLESS_TRUSTED_ROOT_REQUIRED", "the certificate identity flags need --trusted-root");
      }
      if (vkey.isEmpty() && keyless.isEmpty()) {
        throw CheckException.usage("TRUST_REQUIRED", "give --key PUB, or --trusted-root with the certificate identity");
      }
      AttestationVerifier.Trust vk = new AttestationVerifier.Trust(vkey, keyless);
      String keyLabel = vkey.map(VerificationKey::keyId).orElse("keyless " + certificateIdentity);
      TransportOptions topts = transport.options();
      LinkedHashSet<String> wanted = new LinkedHashSet<>();
      for (String t : types) {
        wanted.add(switch (t) {
          case "vsa" -> Predicates.VSA;
          case "evidence" -> Predicates.EVIDENCE;
          default -> t;
        });
      }
      Optional<Digest> policyDigest = policy == null ? Optional.empty()
          : Optional.of(Digest.sha256(readFile(policy, 16 * 1024 * 1024, "POLICY")));
      Path file = Path.of(target);
      boolean isFile = !target.startsWith("docker://") && !target.startsWith("oci:") && Files.isRegularFile(file);
      Digest subject;
      List<AttestationVerifier.Outcome> outcomes = new ArrayList<>();
      AttestationVerifier.Options opts;
      if (isFile) {
        if (digest != null) {
          subject = Digest.parse(digest);
        } else if (image != null) {
          subject = rootDigest(ImageReference.parse(image), topts);
        } else {
          throw CheckException.usage("ATTEST_SUBJECT_REQUIRED", "verifying a file needs the image it must be about: --digest or --image");
        }
        opts = options(subject, wanted, policyDigest);
        outcomes.addAll(AttestationVerifier.verifyFile(readFile(file, 64L * 1024 * 1024, "ATTESTATION"), vk, opts, target));
      } else {
        ImageReference ref = ImageReference.parse(target);
        subject = rootDigest(ref, topts);
        if (digest != null && !Digest.parse(digest).equals(subject)) {
          throw CheckException.integrity("ATTEST_SUBJECT_MISMATCH", ref.toString(), "the image is " + subject + ", not " + digest);
        }
        opts = options(subject, wanted, policyDigest);
        List<Attachments.Found> found = Attachments.find(opener(topts), ref, subject);
        o.progress("found " + found.size() + " attestation(s) attached to " + subject);
        for (Attachments.Found f : found) {
          // an unreadable or malformed attachment is one more attestation that does not verify, not a reason to stop
          try {
            if (f.error().isPresent()) {
              throw f.error().get();
            }
            outcomes.add(AttestationVerifier.verifyDocument(f.bytes(), vk, opts, f.where()));
          } catch (CheckException e) {
            outcomes.add(new AttestationVerifier.Outcome(f.where(), List.of(Finding.fail(e.code(), f.where(), e.getMessage())),
                Optional.empty(), Optional.empty()));
          }
        }
      }
      AttestationVerifier.Verdict v = AttestationVerifier.decide(outcomes, opts);
      if (o.json()) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("schemaVersion", 1);
        n.put("result", v.passed() ? "PASSED" : "FAILED");
        n.put("subject", subject.toString());
        n.put("trusted", keyLabel);
        n.put("attestations", outcomes.size());
        n.set("findings", Output.findingsJson(v.findings()));
        o.printJson(n);
      } else {
        o.printFindings(v.findings());
        o.out().println((v.passed() ? "VERIFIED " : "FAILED ") + subject + " (" + outcomes.size() + " attestation(s), trusted " + keyLabel + ")");
        o.out().flush();
      }
      return v.passed() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private AttestationVerifier.Options options(Digest subject, LinkedHashSet<String> wanted, Optional<Digest> policyDigest) {
      return new AttestationVerifier.Options(subject, wanted, Optional.ofNullable(maxAge).map(AttestCommand::parseDuration),
          Instant.now(), policyDigest, Optional.ofNullable(verifierId))
          .requiring(new LinkedHashSet<>(requiredLevels), Optional.ofNullable(resourceUri));
    }

    private static Digest rootDigest(ImageReference ref, TransportOptions topts) throws IOException {
      try (ImageSource src = Transports.source(ref, topts)) {
        return src.root().digest();
      }
    }
  }
}
