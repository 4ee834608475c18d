package dev.bitproof.attest;

import dev.bitproof.policy.PolicyCode;
import dev.bitproof.report.Code;
import dev.bitproof.attest.intoto.Predicates;
import dev.bitproof.attest.intoto.VerificationReport;
import dev.bitproof.attest.registry.AttachCode;
import dev.bitproof.attest.registry.Attachments;
import dev.bitproof.attest.sign.Keys;
import dev.bitproof.attest.sign.SigningKey;
import dev.bitproof.io.IoCode;
import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Signs a bitproof verification report as in-toto attestations (the VSA and its evidence), writes them where the
 * request says and attaches them to the image when asked: the one signing service behind {@code attest sign},
 * {@code verify --attest-key} and the registry hook.
 */
public final class Signer {
  public static final long MAX_KEY_FILE = 64 * 1024;
  public static final long MAX_POLICY_FILE = 16L * 1024 * 1024;

  private Signer() {}

  /** How the attestations are written. */
  public enum Form {
    /** One file, one DSSE envelope per line ({@code .intoto.jsonl}). */
    JSONL,
    /** A directory with {@code vsa.dsse.json} and {@code evidence.dsse.json}. */
    DSSE,
    /** A directory with {@code vsa.sigstore.json} and {@code evidence.sigstore.json} (sigstore bundle v0.3). */
    BUNDLE
  }

  /** Attach the attestations to {@code target} (default: the report's image reference) in {@code layout}. */
  public record Attach(Attachments.Layout layout, Optional<String> target) {
    public Attach {
      Objects.requireNonNull(layout, "layout");
      Objects.requireNonNull(target, "target");
    }
  }

  /**
   * What to sign and where it goes.
   *
   * @param report the report's bytes exactly as printed (its digest is what the attestation records)
   * @param reportName how errors name the report
   * @param key the private key file
   * @param passphrase asked only when the key is encrypted
   * @param out the file ({@link Form#JSONL}) or directory written; empty: write nothing (attach only)
   * @param policy the policy file the verification ran under (its sha256 goes into the VSA)
   * @param attach attach to the image too
   * @param now the attestation time
   */
  public record SignRequest(byte[] report, String reportName, Path key, Supplier<char[]> passphrase, Form form,
      Optional<Path> out, Optional<Path> policy, Optional<String> policyUri, String verifierId,
      Optional<String> resourceUri, Optional<Attach> attach, TransportOptions transport, Instant now) {
    public SignRequest {
      report = report.clone();
      Objects.requireNonNull(reportName, "reportName");
      Objects.requireNonNull(key, "key");
      passphrase = passphrase == null ? () -> null : passphrase;
      Objects.requireNonNull(form, "form");
      Objects.requireNonNull(out, "out");
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(policyUri, "policyUri");
      Objects.requireNonNull(verifierId, "verifierId");
      Objects.requireNonNull(resourceUri, "resourceUri");
      Objects.requireNonNull(attach, "attach");
      Objects.requireNonNull(transport, "transport");
      Objects.requireNonNull(now, "now");
      if (out.isEmpty() && attach.isEmpty()) {
        throw CheckException.usage(AttestCode.ATTEST_OUTPUT_REQUIRED, "the attestations must go somewhere: give an output path or attach them");
      }
    }

    /** The usual request: JSON Lines to {@code out}, default verifier and policy URI, no attachment, now. */
    public static SignRequest of(byte[] report, String reportName, Path key, Supplier<char[]> passphrase, Path out) {
      return new SignRequest(report, reportName, key, passphrase, Form.JSONL, Optional.of(out), Optional.empty(),
          Optional.empty(), Predicates.DEFAULT_VERIFIER_ID, Optional.empty(), Optional.empty(), TransportOptions.defaults(),
          Instant.now());
    }

    public SignRequest withAttach(Optional<Attach> a, TransportOptions t) {
      return new SignRequest(report, reportName, key, passphrase, form, out, policy, policyUri, verifierId, resourceUri, a, t, now);
    }

    @Override
    public byte[] report() {
      return report.clone();
    }
  }

  /** One signed statement: its predicate type and the sha256 of its DSSE envelope. */
  public record Signed(String predicateType, Digest envelopeDigest) {}

  /** Where the attestations were attached; {@code tag} empty when the registry's referrers API indexed them. */
  public record Attached(String reference, Attachments.Layout layout, Optional<String> tag, List<Digest> digests) {
    public Attached {
      digests = List.copyOf(digests);
    }

    public boolean referrersApi() {
      return tag.isEmpty();
    }

    /** " at tag sha256-…" (tag scheme, cosign) or " (referrers API)" when the registry indexed the referrers itself. */
    public String where() {
      return tag.map(t -> " at tag " + t).orElse(" (referrers API)");
    }
  }

  /**
   * What was signed and where it went.
   *
   * @param reportPassed the signed report's own result (the VSA says PASSED or FAILED accordingly)
   */
  public record SignResult(String keyId, String keyType, Digest subject, String reference, boolean reportPassed,
      List<Signed> attestations, List<Path> files, Optional<Attached> attached) {
    public SignResult {
      attestations = List.copyOf(attestations);
      files = List.copyOf(files);
    }
  }

  /** Signs, writes and attaches; {@code progress} hears about slow steps (network). */
  public static SignResult sign(SignRequest r, Consumer<String> progress) throws IOException {
    VerificationReport report = VerificationReport.parse(r.report(), r.reportName());
    SigningKey key = Keys.readSigningKey(readFile(r.key(), MAX_KEY_FILE, IoCode.KEY_TOO_LARGE), r.key().toString(), r.passphrase());
    Optional<Digest> policyDigest = Optional.empty();
    String policyUri = r.policyUri().orElse(Predicates.DEFAULT_POLICY_URI);
    if (r.policy().isPresent()) {
      policyDigest = Optional.of(Digest.sha256(readFile(r.policy().get(), MAX_POLICY_FILE, PolicyCode.POLICY_TOO_LARGE)));
      policyUri = r.policyUri().orElse(r.policy().get().getFileName().toString());
    }
    Predicates.Context ctx = new Predicates.Context(r.verifierId(), version(), r.now(), policyUri, policyDigest, r.resourceUri());
    Attestor.Attestations a = Attestor.attest(report, key, ctx);

    List<Path> files = new ArrayList<>();
    if (r.out().isPresent()) {
      Path out = r.out().get();
      if (r.form() == Form.JSONL) {
        write(out, a.jsonl());
        files.add(out);
      } else {
        Files.createDirectories(out);
        for (Attestor.Signed s : a.all()) {
          String name = (s == a.vsa() ? "vsa" : "evidence") + (r.form() == Form.DSSE ? ".dsse.json" : ".sigstore.json");
          Path p = out.resolve(name);
          write(p, r.form() == Form.DSSE ? s.envelope().toBytes() : s.bundle().bytes());
          files.add(p);
        }
      }
    }
    List<Signed> signed = new ArrayList<>();
    for (Attestor.Signed s : a.all()) {
      signed.add(new Signed(s.predicateType(), Digest.sha256(s.envelope().toBytes())));
    }
    Optional<Attached> attached = Optional.empty();
    if (r.attach().isPresent()) {
      attached = Optional.of(attach(r, report, a, progress));
    }
    return new SignResult(key.keyId(), key.type().cliName(), report.imageDigest(), report.reference(), report.passed(),
        signed, files, attached);
  }

  private static Attached attach(SignRequest r, VerificationReport report, Attestor.Attestations a, Consumer<String> progress)
      throws IOException {
    Attach at = r.attach().orElseThrow();
    ImageReference target = ImageReference.parse(at.target().orElse(report.reference()));
    RawManifest root;
    try (ImageSource src = Transports.source(target, r.transport())) {
      root = src.root();
    }
    if (!root.digest().equals(report.imageDigest())) {
      throw CheckException.integrity(AttachCode.ATTACH_DIGEST_MISMATCH, target.toString(),
          "the image there is " + root.digest() + ", but the report is about " + report.imageDigest());
    }
    List<Attachments.Attachment> items = new ArrayList<>();
    for (Attestor.Signed s : a.all()) {
      items.add(new Attachments.Attachment(s.predicateType(), s.bundle().bytes(), s.envelope().toBytes()));
    }
    progress.accept("attaching " + items.size() + " attestations to " + target + " (" + layoutName(at.layout()) + ")");
    Attachments.Attached done = Attachments.attachAll(Attachments.Opener.over(r.transport()), target, root.descriptor(),
        items, at.layout(), r.now());
    return new Attached(target.toString(), at.layout(), done.tag(), done.digests());
  }

  /** {@code --attach-layout referrers|cosign}; anything else is ATTACH_LAYOUT_INVALID (usage). */
  public static Attachments.Layout parseLayout(String s) {
    return switch (s.toLowerCase(java.util.Locale.ROOT)) {
      case "referrers" -> Attachments.Layout.REFERRERS;
      case "cosign" -> Attachments.Layout.COSIGN;
      default -> throw CheckException.usage(AttachCode.ATTACH_LAYOUT_INVALID, "--attach-layout must be referrers or cosign, not '" + s + "'");
    };
  }

  /** {@code referrers} or {@code cosign}, as the CLI spells the layouts. */
  public static String layoutName(Attachments.Layout l) {
    return l.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Reads a file the user named, bounded; a missing file is FILE_NOT_FOUND (exit 3), a directory FILE_IS_DIRECTORY. */
  public static byte[] readFile(Path p, long limit, Code tooLarge) throws IOException {
    if (Files.isDirectory(p)) {
      throw new CheckException(IoCode.FILE_IS_DIRECTORY, p.toString(), "is a directory, not a file");
    }
    try (InputStream in = Files.newInputStream(p)) {
      return LimitedInputStream.readAll(in, limit, tooLarge, p.toString());
    } catch (NoSuchFileException e) {
      throw new CheckException(IoCode.FILE_NOT_FOUND, p.toString(), "no such file", e);
    }
  }

  private static String version() {
    String v = Signer.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-SNAPSHOT" : v;
  }

  /** Writes through a temporary sibling and a rename, so a failure leaves no half-written attestation behind. */
  private static void write(Path p, byte[] bytes) throws IOException {
    Path abs = p.toAbsolutePath();
    if (Files.isDirectory(abs)) {
      throw new CheckException(IoCode.OUTPUT_IS_DIRECTORY, p.toString(), "is a directory: name the attestation file to write");
    }
    Files.createDirectories(abs.getParent());
    Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
    try {
      Files.write(tmp, bytes);
      Files.move(tmp, abs, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
