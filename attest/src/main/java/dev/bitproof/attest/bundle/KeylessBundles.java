package dev.bitproof.attest.bundle;

import dev.bitproof.attest.dsse.Dsse;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.sigstore.KeylessVerificationException;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.bundle.BundleParseException;
import dev.sigstore.strings.StringMatcher;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Third-party keyless sigstore bundles (Fulcio certificate + Rekor entry: upstream provenance, GitHub artifact
 * attestations) verified fully offline with sigstore-java against a trusted root the user pins — never the public
 * TUF defaults, which would fetch. The certificate identity is required: without it any Fulcio certificate passes.
 *
 * <p>sigstore-java checks the certificate chain and SCT against the trusted root, the identity, the DSSE signature,
 * the Rekor entry's consistency, inclusion proof, checkpoint and SET, and that the artifact digest is among the
 * statement's subjects. Limit (sigstore-java 2.0.0): its DSSE PAE counts UTF-16 characters, so a bundle whose payload
 * is not ASCII fails there even when it is valid.
 */
public final class KeylessBundles {
  private KeylessBundles() {}

  /**
   * Who must have signed: the certificate's subject alternative name and OIDC issuer, matched exactly.
   *
   * @param trustedRoot a sigstore {@code trusted_root.json}
   */
  public record Policy(Path trustedRoot, String subjectAlternativeName, String issuer) {
    public Policy {
      Objects.requireNonNull(trustedRoot, "trustedRoot");
      Objects.requireNonNull(subjectAlternativeName, "subjectAlternativeName");
      Objects.requireNonNull(issuer, "issuer");
    }
  }

  /** Verifies a keyless bundle for the artifact {@code artifact}; the payload is handed out only when it verified. */
  public static Dsse.Verified verify(SigstoreBundle bundle, Policy policy, Digest artifact, String subject) {
    if (!Files.isRegularFile(policy.trustedRoot())) {
      throw new CheckException(BundleCode.TRUSTED_ROOT_INVALID, policy.trustedRoot().toString(), "no such trusted root file");
    }
    if (!artifact.algorithm().equals("sha256")) {
      throw new CheckException(BundleCode.KEYLESS_UNSUPPORTED, artifact.toString(), "keyless verification needs a sha256 artifact digest");
    }
    KeylessVerifier verifier;
    try {
      verifier = KeylessVerifier.builder().trustedRootProvider(TrustedRootProvider.from(policy.trustedRoot())).build();
    } catch (Exception e) {
      throw new CheckException(BundleCode.TRUSTED_ROOT_INVALID, policy.trustedRoot().toString(), "cannot use the trusted root: " + e.getMessage(), e);
    }
    Bundle b;
    try {
      b = Bundle.from(new StringReader(new String(bundle.bytes(), StandardCharsets.UTF_8)));
    } catch (BundleParseException e) {
      return new Dsse.Verified(List.of(Finding.fail(BundleCode.KEYLESS_BUNDLE_INVALID, subject, "sigstore-java cannot read the bundle: " + e.getMessage())),
          Optional.empty());
    }
    VerificationOptions options = VerificationOptions.builder().addCertificateMatchers(VerificationOptions.CertificateMatcher.fulcio()
        .subjectAlternativeName(StringMatcher.string(policy.subjectAlternativeName()))
        .issuer(StringMatcher.string(policy.issuer())).build()).build();
    try {
      verifier.verify(HexFormat.of().parseHex(artifact.hex()), b, options);
    } catch (KeylessVerificationException e) {
      return new Dsse.Verified(List.of(Finding.fail(BundleCode.KEYLESS_INVALID, subject, "keyless bundle rejected: " + e.getMessage())
          .with("identity", policy.subjectAlternativeName()).with("issuer", policy.issuer())), Optional.empty());
    }
    return new Dsse.Verified(List.of(Finding.ok(BundleCode.KEYLESS_VERIFIED, subject, "keyless signature verified against the pinned trusted root")
        .with("identity", policy.subjectAlternativeName()).with("issuer", policy.issuer())
        .with("trustedRoot", policy.trustedRoot())), Optional.of(bundle.envelope().payload()));
  }
}
