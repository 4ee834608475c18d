package dev.bitproof.hook;

import dev.bitproof.report.CommonCode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.attest.SignSummary;
import dev.bitproof.compare.CompareOptions;
import dev.bitproof.compare.Verdict;
import dev.bitproof.io.IoCode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.rebuild.LayerCompressor;
import dev.bitproof.report.CheckException;
import dev.bitproof.verify.ApkoRebuilder;
import dev.bitproof.verify.PublishedCheck;
import dev.bitproof.verify.Report;
import dev.bitproof.verify.ReportJson;
import dev.bitproof.verify.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * The hook's checks of one pushed image, fetched from the configured registry by repository and digest: the hardening
 * policy and the SBOM always; with a config mapping the full verify (rebuild, signatures, comparison), signed and
 * attached when an attester is configured. The result document is what the results API serves.
 */
public final class RegistryChecker implements ImageChecker {
  @Override
  public Outcome check(JobStore.Job job, CheckSettings settings) {
    Checked c = new Checked();
    String error = null;
    String verdict;
    HookResult.Error err = null;
    try {
      ImageReference ref = ImageReference.parse("docker://" + settings.registry() + "/" + job.repository() + "@" + job.digest());
      c.image = ref.toString();
      verdict = checkImage(job, ref, c, settings);
    } catch (CheckException ce) {
      verdict = ce.kind() == CheckException.Kind.INTEGRITY ? "FAIL" : "ERROR";
      err = new HookResult.Error(ce.code().name(), ce.subject(), ce.getMessage());
      error = ce.code() + ": " + ce.getMessage();
    } catch (Exception | OutOfMemoryError | StackOverflowError other) {
      verdict = "ERROR";
      String code = (other instanceof OutOfMemoryError ? CommonCode.OUT_OF_MEMORY
          : other instanceof IOException ? IoCode.IO_ERROR : CommonCode.INTERNAL_ERROR).name();
      err = new HookResult.Error(code, null, String.valueOf(other));
      error = code + ": " + other;
    }
    HookResult doc = new HookResult(1, "bitproof-hook-result", "bitproof " + settings.toolVersion(),
        new HookResult.Event(job.eventId(), job.repository(), job.digest(), job.tag().orElse(null), job.mediaType()),
        job.policyVersion(), job.attempt(), c.image, c.reason, c.checks, c.verify, c.attestation, err, verdict);
    try {
      return new Outcome(verdict, Json.mapper().writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc), error);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize a hook result", e);
    }
  }

  /** What checking an image found, gathered as it goes (a failure part-way keeps what was found before it). */
  private static final class Checked {
    String image;
    String reason;
    List<JsonNode> checks;
    JsonNode verify;
    SignSummary attestation;
  }

  private static String checkImage(JobStore.Job job, ImageReference ref, Checked doc, CheckSettings settings)
      throws IOException {
    try (ImageSource src = Transports.source(ref, settings.transport())) {
      RawManifest root = src.root();
      if (root.isIndex() ? root.asIndex().subject().isPresent() : root.asImage().subject().isPresent()) {
        doc.reason = "a referrer (it has a subject): an attestation or SBOM, not an image";
        return "SKIPPED";
      }
      List<JsonNode> checks = new ArrayList<>();
      doc.checks = checks;
      boolean failed = false;
      CheckSettings.Resolved applies = settings.resolve(job.repository());
      if (applies.verify().isPresent()) {
        Report r = verify(ref, src, applies.verify().get(), applies, settings);
        failed = !r.passed();
        byte[] reportBytes = ReportJson.printedBytes(r, settings.toolVersion());
        doc.verify = Json.parse(reportBytes, "report");
        for (Report.Check c : r.checks()) {
          checks.add(ReportJson.check(c));
        }
        if (settings.attester().isPresent()) {
          Path out = settings.workDir().resolve("attestations").resolve(job.repository())
              .resolve(job.digest().hex() + ".intoto.jsonl");
          Files.createDirectories(out.getParent());
          doc.attestation = settings.attester().get().attest(ref, reportBytes, out);
        }
      } else {
        for (PublishedCheck pc : List.of(PublishedCheck.policy(applies.policy(), applies.enforcePolicy()),
            PublishedCheck.sbom())) {
          Report.Check c = pc.run(ref, src, settings.transport());
          failed |= c.status() == Report.Status.FAIL;
          checks.add(ReportJson.check(c));
        }
      }
      return failed ? "FAIL" : "PASS";
    }
  }

  private static Report verify(ImageReference ref, ImageSource src, CheckSettings.Mapping m,
      CheckSettings.Resolved applies, CheckSettings settings) throws IOException {
    Files.createDirectories(settings.workDir());
    Path work = Files.createTempDirectory(settings.workDir(), "verify-");
    try {
      Verifier.Request req = new Verifier.Request(m.config().toAbsolutePath(), m.lockfile().map(Path::toAbsolutePath),
          settings.keyring().map(Path::toAbsolutePath), OptionalLong.empty(), ref.toString(), work,
          CompareOptions.strict(), Verdict.CONTENT_IDENTICAL, settings.transport());
      List<PublishedCheck> extra = new ArrayList<>(List.of(PublishedCheck.sbom(),
          PublishedCheck.policy(applies.policy(), applies.enforcePolicy())));
      return Verifier.run(req, new ApkoRebuilder(settings.context().toAbsolutePath(), LayerCompressor.named("apko")), src, extra);
    } finally {
      deleteTree(work);
    }
  }

  static void deleteTree(Path dir) {
    try (var s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort: a temp dir left behind is harmless
        }
      });
    } catch (IOException e) {
      // same
    }
  }
}
