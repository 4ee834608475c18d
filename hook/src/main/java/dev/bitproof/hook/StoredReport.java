package dev.bitproof.hook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.verify.DigestTree;
import dev.bitproof.verify.Report;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A result the hook stored ({@code GET /results/REPO@DIGEST}) read back as the {@link Report} the renderers of
 * {@code verify/render} take (HTML, SARIF, JUnit): its checks with their findings, the inputs of its verification,
 * the event it answered, and the digest tree of its comparison ({@link DigestTree#fromReportJson}, so the HTML page has
 * the same layer table as a fresh {@code verify}'s); an ERROR result becomes a failing {@code hook} check carrying
 * its error, a SKIPPED one a skipped check.
 * Codes are looked up among bitproof's code enums; a code this build does not know (a newer hook) is kept by name.
 */
public final class StoredReport {
  private StoredReport() {}

  private static final Map<String, Code> CODES = new HashMap<>();

  static {
    Stream.of(dev.bitproof.json.JsonCode.values(), dev.bitproof.deb.DebCode.values(), dev.bitproof.tar.TarCode.values(),
        dev.bitproof.sbom.SbomCode.values(), dev.bitproof.oci.OciCode.values(),
        dev.bitproof.oci.transport.TransportCode.values(), dev.bitproof.policy.PolicyCode.values(),
        dev.bitproof.policy.Rule.values(), dev.bitproof.report.CommonCode.values(),
        dev.bitproof.gocompat.GoCompatCode.values(), dev.bitproof.image.ImageCode.values(),
        dev.bitproof.apko.ApkoCode.values(), dev.bitproof.fetch.FetchCode.values(),
        dev.bitproof.compare.CompareCode.values(), dev.bitproof.apk.ApkCode.values(),
        dev.bitproof.apk.db.ApkDbCode.values(), dev.bitproof.rebuild.RebuildCode.values(),
        dev.bitproof.verify.VerifyCode.values(), dev.bitproof.io.IoCode.values(),
        dev.bitproof.compress.CompressCode.values(), dev.bitproof.attest.AttestCode.values(),
        dev.bitproof.attest.sign.SignCode.values(), dev.bitproof.attest.intoto.IntotoCode.values(),
        dev.bitproof.attest.bundle.BundleCode.values(), dev.bitproof.attest.registry.AttachCode.values(),
        dev.bitproof.attest.dsse.DsseCode.values(), HookCode.values())
        .flatMap(Stream::of).forEach(c -> CODES.putIfAbsent(c.name(), (Code) c));
  }

  /** A code read from a stored result that this build has no constant for: kept by name, listed under the hook. */
  record Unknown(String name, Severity defaultSeverity) implements Code {
    @Override
    public Area area() {
      return Area.HOOK;
    }
  }

  /** The stored result document as a report of {@code command}; {@code image} names it when the document does not. */
  public static Report of(JsonNode doc, String command, String image) {
    String ref = doc.path("image").asText(image);
    Optional<Digest> digest = Optional.empty();
    String d = doc.path("event").path("digest").asText("");
    try {
      digest = d.isEmpty() ? Optional.empty() : Optional.of(Digest.parse(d));
    } catch (RuntimeException e) {
      digest = Optional.empty(); // the stored event named no usable digest: the report names the image only
    }
    Map<String, String> inputs = new LinkedHashMap<>();
    JsonNode verify = doc.path("verify");
    verify.path("inputs").fields().forEachRemaining(e -> inputs.put(e.getKey(), e.getValue().asText()));
    put(inputs, "hook.result", doc.path("result"));
    put(inputs, "hook.repository", doc.path("event").path("repository"));
    put(inputs, "hook.tag", doc.path("event").path("tag"));
    put(inputs, "hook.event", doc.path("event").path("id"));
    put(inputs, "hook.policyVersion", doc.path("policyVersion"));
    put(inputs, "hook.attempt", doc.path("attempt"));
    put(inputs, "hook.tool", doc.path("tool"));
    List<String> notes = new ArrayList<>();
    verify.path("notes").forEach(n -> notes.add(n.asText()));
    Optional<DigestTree> tree = Optional.empty();
    try {
      tree = DigestTree.fromReportJson(verify);
    } catch (IllegalArgumentException e) {
      // a stored document is read, not trusted: a tree that is not report.json's shape is said, not drawn
      notes.add("the stored digest tree could not be read: " + e.getMessage());
    }
    List<Report.Check> checks = new ArrayList<>();
    for (JsonNode c : doc.path("checks")) {
      List<Finding> fs = new ArrayList<>();
      c.path("findings").forEach(f -> fs.add(finding(f)));
      checks.add(new Report.Check(c.path("name").asText(), status(c.path("status").asText()), c.path("summary").asText(), fs));
    }
    String result = doc.path("result").asText("");
    if (doc.has("error")) {
      JsonNode e = doc.path("error");
      checks.add(new Report.Check("hook", Report.Status.FAIL, "the hook could not check the image", List.of(
          new Finding(code(e.path("code").asText("INTERNAL_ERROR"), Severity.FAIL), Severity.FAIL,
              e.path("subject").asText(ref), e.path("message").asText(), Map.of()))));
    } else if (result.equals("SKIPPED")) {
      checks.add(new Report.Check("hook", Report.Status.SKIPPED, doc.path("reason").asText("skipped"), List.of()));
    }
    return new Report(command, new Report.Subject("image", ref, digest),
        new Report.Subject("hook", doc.path("tool").asText("bitproof hook"), Optional.empty()), inputs, notes, checks,
        Optional.empty(), tree);
  }

  private static void put(Map<String, String> m, String k, JsonNode v) {
    if (!v.isMissingNode() && !v.isNull()) {
      m.put(k, v.asText());
    }
  }

  private static Report.Status status(String s) {
    for (Report.Status st : Report.Status.values()) {
      if (st.name().equals(s)) {
        return st;
      }
    }
    return Report.Status.FAIL; // a status this build does not know passes nothing
  }

  private static Severity severity(String s) {
    for (Severity sv : Severity.values()) {
      if (sv.name().equals(s)) {
        return sv;
      }
    }
    return Severity.FAIL;
  }

  private static Code code(String name, Severity sev) {
    Code c = CODES.get(name);
    return c != null ? c : new Unknown(name, sev);
  }

  private static Finding finding(JsonNode f) {
    Severity sev = severity(f.path("severity").asText());
    Map<String, String> ev = new LinkedHashMap<>();
    f.path("evidence").fields().forEachRemaining(e -> ev.put(e.getKey(), e.getValue().asText()));
    return new Finding(code(f.path("code").asText(), sev), sev, f.path("subject").asText(), f.path("message").asText(), ev);
  }
}
