package dev.bitproof.attest;

import dev.bitproof.attest.bundle.KeylessBundles;
import dev.bitproof.attest.registry.Attachments;
import dev.bitproof.attest.sign.Keys;
import dev.bitproof.attest.sign.VerificationKey;
import dev.bitproof.io.IoCode;
import dev.bitproof.json.JsonBody;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.policy.PolicyCode;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code attest verify}: the attestations in a file (about the image {@code --digest} or {@code --image} names), or
 * those attached to an image, verified under a trusted key or a pinned keyless identity; among the valid ones of a
 * type the newest decides.
 */
public final class AttestVerification {
  private AttestVerification() {}

  /**
   * @param target an attestation file or an image reference ({@link #namesAFile})
   * @param key the trusted public key (SPKI PEM file) for bitproof's own attestations
   * @param keyless the pinned trusted root and certificate identity for third-party keyless bundles
   * @param types predicate types required (full URIs)
   * @param policy the policy file whose sha256 the VSA must record
   * @param digest for a file: the image digest its statements must be about; for an image: the digest it must have
   * @param image for a file: the image whose digest its statements must be about
   */
  public record Request(String target, Optional<Path> key, Optional<KeylessBundles.Policy> keyless, Set<String> types,
      Optional<Duration> maxAge, Optional<Path> policy, Optional<String> verifierId, Set<String> requiredLevels,
      Optional<String> resourceUri, Optional<Digest> digest, Optional<String> image, TransportOptions transport,
      Instant now) {
    public Request {
      types = Set.copyOf(types);
      requiredLevels = Set.copyOf(requiredLevels);
    }
  }

  /**
   * The body of {@code docs/schema/attest-verify.json}.
   *
   * @param trusted the key id, or {@code keyless <identity>}
   * @param attestations how many attestations were looked at
   */
  public record Result(Digest subject, String trusted, int attestations, List<Finding> findings,
      @com.fasterxml.jackson.annotation.JsonIgnore boolean passed) implements JsonBody {
    public Result {
      findings = List.copyOf(findings);
    }

    public Outcome outcome() {
      return Outcome.of(passed);
    }
  }

  public static Result verify(Request req, Consumer<String> progress) throws IOException {
    Optional<VerificationKey> vkey = req.key().isEmpty() ? Optional.empty()
        : Optional.of(Keys.readVerificationKey(Signer.readFile(req.key().get(), 64 * 1024, IoCode.KEY_TOO_LARGE),
            req.key().get().toString()));
    if (vkey.isEmpty() && req.keyless().isEmpty()) {
      throw CheckException.usage(AttestCode.TRUST_REQUIRED, "give --key PUB, or --trusted-root with the certificate identity");
    }
    AttestationVerifier.Trust trust = new AttestationVerifier.Trust(vkey, req.keyless());
    String label = vkey.map(VerificationKey::keyId).orElse("keyless " + req.keyless().map(k -> k.subjectAlternativeName()).orElse(""));
    Optional<Digest> policyDigest = req.policy().isEmpty() ? Optional.empty()
        : Optional.of(Digest.sha256(Signer.readFile(req.policy().get(), 16 * 1024 * 1024, PolicyCode.POLICY_TOO_LARGE)));
    Digest subject;
    List<AttestationVerifier.Outcome> outcomes = new ArrayList<>();
    AttestationVerifier.Options opts;
    if (namesAFile(req.target(), req.digest().isPresent() || req.image().isPresent())) {
      // the file first: a missing file is what the user most needs to hear about
      byte[] attestations = Signer.readFile(Path.of(req.target()), 64L * 1024 * 1024, AttestCode.ATTESTATION_TOO_LARGE);
      if (req.digest().isPresent()) {
        subject = req.digest().get();
      } else if (req.image().isPresent()) {
        subject = rootDigest(ImageReference.parse(req.image().get()), req.transport());
      } else {
        throw CheckException.usage(AttestCode.ATTEST_SUBJECT_REQUIRED,
            "verifying a file needs the image it must be about: --digest or --image");
      }
      opts = options(req, subject, policyDigest);
      outcomes.addAll(AttestationVerifier.verifyFile(attestations, trust, opts, req.target()));
    } else {
      ImageReference ref = ImageReference.parse(req.target());
      subject = rootDigest(ref, req.transport());
      if (req.digest().isPresent() && !req.digest().get().equals(subject)) {
        throw CheckException.integrity(AttestCode.ATTEST_SUBJECT_MISMATCH, ref.toString(),
            "the image is " + subject + ", not " + req.digest().get());
      }
      opts = options(req, subject, policyDigest);
      List<Attachments.Found> found = Attachments.find(Attachments.Opener.over(req.transport()), ref, subject);
      progress.accept("found " + found.size() + " attestation(s) attached to " + subject);
      for (Attachments.Found f : found) {
        // an unreadable or malformed attachment is one more attestation that does not verify, not a reason to stop
        try {
          if (f.error().isPresent()) {
            throw f.error().get();
          }
          outcomes.add(AttestationVerifier.verifyDocument(f.bytes(), trust, opts, f.where()));
        } catch (CheckException e) {
          outcomes.add(new AttestationVerifier.Outcome(f.where(), List.of(Finding.fail(e.code(), f.where(), e.getMessage())),
              Optional.empty(), Optional.empty()));
        }
      }
    }
    AttestationVerifier.Verdict v = AttestationVerifier.decide(outcomes, opts);
    return new Result(subject, label, outcomes.size(), v.findings(), v.passed());
  }

  /**
   * A FILE rather than an image reference: no transport prefix, and it exists, or it is named like an attestation
   * file ({@code .json}, {@code .jsonl}, a path), or {@code --digest}/{@code --image} (which only a file takes) was
   * given. A missing file is then FILE_NOT_FOUND (exit 3), never a registry lookup of its name.
   */
  public static boolean namesAFile(String target, boolean fileOptions) {
    for (String t : new String[] {"docker://", "oci:", "oci-archive:", "docker-archive:"}) {
      if (target.startsWith(t)) {
        return false;
      }
    }
    String lower = target.toLowerCase(Locale.ROOT);
    return Files.exists(Path.of(target)) || fileOptions || lower.endsWith(".json") || lower.endsWith(".jsonl")
        || target.startsWith("/") || target.startsWith("./") || target.startsWith("../");
  }

  private static AttestationVerifier.Options options(Request req, Digest subject, Optional<Digest> policyDigest) {
    return new AttestationVerifier.Options(subject, req.types(), req.maxAge(), req.now(), policyDigest, req.verifierId())
        .requiring(req.requiredLevels(), req.resourceUri());
  }

  private static Digest rootDigest(ImageReference ref, TransportOptions topts) throws IOException {
    try (ImageSource src = Transports.source(ref, topts)) {
      return src.root().digest();
    }
  }
}
