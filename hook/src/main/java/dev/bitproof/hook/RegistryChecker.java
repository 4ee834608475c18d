package dev.bitproof.hook;

import dev.bitproof.report.CommonCode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    ObjectNode doc = Json.mapper().createObjectNode();
    doc.put("schemaVersion", 1);
    doc.put("kind", "bitproof-hook-result");
    doc.put("tool", "bitproof " + settings.toolVersion());
    ObjectNode ev = doc.putObject("event");
    ev.put("id", job.eventId());
    ev.put("repository", job.repository());
    ev.put("digest", job.digest().toString());
    ev.put("tag", job.tag().orElse(null));
    ev.put("mediaType", job.mediaType());
    doc.put("policyVersion", job.policyVersion());
    doc.put("attempt", job.attempt());
    String error = null;
    String verdict;
    try {
      ImageReference ref = ImageReference.parse("docker://" + settings.registry() + "/" + job.repository() + "@" + job.digest());
      doc.put("image", ref.toString());
      verdict = checkImage(job, ref, doc, settings);
    } catch (CheckException ce) {
      verdict = ce.kind() == CheckException.Kind.INTEGRITY ? "FAIL" : "ERROR";
      ObjectNode err = doc.putObject("error");
      err.put("code", ce.code().name());
      err.put("subject", ce.subject());
      err.put("message", ce.getMessage());
      error = ce.code() + ": " + ce.getMessage();
    } catch (Exception | OutOfMemoryError | StackOverflowError other) {
      verdict = "ERROR";
      ObjectNode err = doc.putObject("error");
      String code = (other instanceof OutOfMemoryError ? CommonCode.OUT_OF_MEMORY
          : other instanceof IOException ? IoCode.IO_ERROR : CommonCode.INTERNAL_ERROR).name();
      err.put("code", code);
      err.put("message", String.valueOf(other));
      error = code + ": " + other;
    }
    doc.put("result", verdict);
    try {
      return new Outcome(verdict, Json.mapper().writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc), error);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize a JSON tree", e);
    }
  }

  private static String checkImage(JobStore.Job job, ImageReference ref, ObjectNode doc, CheckSettings settings)
      throws IOException {
    try (ImageSource src = Transports.source(ref, settings.transport())) {
      RawManifest root = src.root();
      if (root.isIndex() ? root.asIndex().subject().isPresent() : root.asImage().subject().isPresent()) {
        doc.put("reason", "a referrer (it has a subject): an attestation or SBOM, not an image");
        return "SKIPPED";
      }
      ArrayNode checks = doc.putArray("checks");
      boolean failed = false;
      CheckSettings.Resolved applies = settings.resolve(job.repository());
      if (applies.verify().isPresent()) {
        Report r = verify(ref, src, applies.verify().get(), applies, settings);
        failed = !r.passed();
        byte[] reportBytes = ReportJson.printedBytes(r, settings.toolVersion());
        doc.set("verify", Json.parse(reportBytes, "report"));
        for (Report.Check c : r.checks()) {
          checks.add(ReportJson.check(c));
        }
        if (settings.attester().isPresent()) {
          Path out = settings.workDir().resolve("attestations").resolve(job.repository())
              .resolve(job.digest().hex() + ".intoto.jsonl");
          Files.createDirectories(out.getParent());
          doc.set("attestation", Json.mapper().valueToTree(settings.attester().get().attest(ref, reportBytes, out)));
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
