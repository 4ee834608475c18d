package dev.bitproof.attest;

import dev.bitproof.attest.bundle.SigstoreBundle;
import dev.bitproof.attest.dsse.Dsse;
import dev.bitproof.attest.dsse.Envelope;
import dev.bitproof.attest.intoto.Predicates;
import dev.bitproof.attest.intoto.Statement;
import dev.bitproof.attest.intoto.VerificationReport;
import dev.bitproof.attest.sign.SigningKey;
import dev.bitproof.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Turns a verification report into two signed in-toto statements about the image: the evidence, then the VSA that
 * names the evidence envelope (by digest) among its input attestations.
 */
public final class Attestor {
  private Attestor() {}

  /** One signed statement. */
  public record Signed(Statement statement, Envelope envelope) {
    public String predicateType() {
      return statement.predicateType();
    }

    public SigstoreBundle bundle() {
      return SigstoreBundle.of(envelope);
    }
  }

  /** The evidence and the VSA, in that order. */
  public record Attestations(Signed evidence, Signed vsa) {
    public List<Signed> all() {
      return List.of(evidence, vsa);
    }

    /** JSON Lines ({@code .intoto.jsonl}): one envelope per line, evidence first. */
    public byte[] jsonl() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (Signed s : all()) {
        out.writeBytes(s.envelope().toBytes());
        out.write('\n');
      }
      return out.toByteArray();
    }
  }

  public static Attestations attest(VerificationReport report, SigningKey key, Predicates.Context context) {
    List<Statement.Subject> subject = List.of(Statement.Subject.of(subjectName(report.reference()), report.imageDigest()));
    Statement evidence = new Statement(subject, Predicates.EVIDENCE, Predicates.evidence(report, context));
    Envelope evidenceEnv = Dsse.sign(Envelope.IN_TOTO, evidence.toBytes(), key);
    Digest evidenceDigest = Digest.sha256(evidenceEnv.toBytes());
    String evidenceUri = "urn:bitproof:evidence:" + evidenceDigest;
    Statement vsa = new Statement(subject, Predicates.VSA,
        Predicates.vsa(report, context, evidenceUri, evidenceDigest));
    Envelope vsaEnv = Dsse.sign(Envelope.IN_TOTO, vsa.toBytes(), key);
    return new Attestations(new Signed(evidence, evidenceEnv), new Signed(vsa, vsaEnv));
  }

  /** The repository (or layout path) without tag or digest: the subject name cosign and others show. */
  static String subjectName(String reference) {
    try {
      dev.bitproof.oci.ImageReference r = dev.bitproof.oci.ImageReference.parse(reference);
      return r.transport() == dev.bitproof.oci.ImageReference.Transport.DOCKER
          ? r.registry() + "/" + r.repository() : r.path();
    } catch (RuntimeException e) {
      return reference;
    }
  }
}
