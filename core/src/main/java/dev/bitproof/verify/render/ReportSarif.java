package dev.bitproof.verify.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.verify.Report;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link Report} as a SARIF 2.1.0 log, the format code-scanning UIs read: one run, one result per finding (rule id =
 * the finding's code, level from its severity), every code that occurs listed once in {@code tool.driver.rules} with
 * the docs page that explains it.
 *
 * <p>Where a finding lies: the image that was checked is the result's artifact (its reference as a URI, its digest as
 * the artifact's hash); what inside the image (platform, layer, file, field) is the finding's subject, carried as a
 * logical location, so a UI shows both without bitproof inventing file paths in the user's repository.
 */
public final class ReportSarif {
  /** The approved OASIS schema (2.1.0 errata 01) that {@code ReportSarifTest} validates against. */
  public static final String SCHEMA_URI =
      "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
  /** Where the docs pages named by {@link dev.bitproof.report.Area#page()} are published. */
  public static final String DOCS_BASE = "https://bitproof.dev/";

  private ReportSarif() {}

  /**
   * @param withPassing also list OK findings (as {@code kind: pass}); code-scanning UIs want only the problems
   */
  public static ObjectNode toJson(Report r, String toolVersion, boolean withPassing) {
    ObjectNode log = Json.mapper().createObjectNode();
    log.put("$schema", SCHEMA_URI);
    log.put("version", "2.1.0");
    ObjectNode run = log.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "bitproof");
    driver.put("version", toolVersion);
    driver.put("informationUri", DOCS_BASE);
    ArrayNode rules = driver.putArray("rules");

    ObjectNode invocation = run.putArray("invocations").addObject();
    // the checks ran to the end (a "could not check" never yields a report); the outcome is in the results
    invocation.put("executionSuccessful", true);
    ObjectNode ip = invocation.putObject("properties");
    ip.put("command", r.command());
    ip.put("result", r.passed() ? "PASS" : "FAIL");
    ip.put("verdict", r.verdict().map(Enum::name).orElse("NOT_COMPARED"));
    ObjectNode inputs = ip.putObject("inputs");
    r.inputs().forEach(inputs::put);
    ArrayNode checks = ip.putArray("checks");
    r.checks().forEach(c -> checks.addObject().put("name", c.name()).put("status", c.status().name()).put("summary", c.summary()));
    ArrayNode notes = ip.putArray("notes");
    r.notes().forEach(notes::add);
    ArrayNode ignored = ip.putArray("ignored"); // every ignore rule in force and what it hid (also IGNORE_RULE_APPLIED)
    r.tree().ifPresent(t -> t.ignored().forEach((rule, hid) -> ignored.addObject().put("rule", rule)
        .put("hid", hid)));

    run.putObject("automationDetails").put("id", "bitproof/" + r.command() + "/");

    ArrayNode artifacts = run.putArray("artifacts");
    artifact(artifacts.addObject(), r.a(), "unmodified");
    artifact(artifacts.addObject(), r.b(), "analysisTarget");
    String target = uri(r.b().reference());

    Map<String, Integer> ruleIndex = new LinkedHashMap<>();
    ArrayNode results = run.putArray("results");
    for (Report.Check c : r.checks()) {
      for (Finding f : c.findings()) {
        if (f.severity() == Severity.OK && !withPassing) {
          continue;
        }
        Integer idx = ruleIndex.get(f.code().name());
        if (idx == null) {
          idx = ruleIndex.size();
          ruleIndex.put(f.code().name(), idx);
          rule(rules.addObject(), f.code());
        }
        ObjectNode res = results.addObject();
        res.put("ruleId", f.code().name());
        res.put("ruleIndex", idx);
        if (f.severity() == Severity.OK) {
          // SARIF: a result whose kind is not "fail" carries level "none"
          res.put("kind", "pass");
        }
        res.put("level", level(f.severity()));
        res.putObject("message").put("text", text(f));
        ObjectNode loc = res.putArray("locations").addObject();
        ObjectNode art = loc.putObject("physicalLocation").putObject("artifactLocation");
        art.put("uri", target);
        art.put("index", 1);
        ObjectNode logical = loc.putArray("logicalLocations").addObject();
        logical.put("name", f.subject().isEmpty() ? c.name() : f.subject());
        logical.put("fullyQualifiedName", c.name() + (f.subject().isEmpty() ? "" : "/" + f.subject()));
        logical.put("kind", "resource");
        ObjectNode props = res.putObject("properties");
        props.put("check", c.name());
        props.put("severity", f.severity().name());
        props.put("subject", f.subject());
        ObjectNode ev = props.putObject("evidence");
        f.evidence().forEach(ev::put);
      }
    }
    return log;
  }

  private static void artifact(ObjectNode n, Report.Subject s, String role) {
    n.putObject("location").put("uri", uri(s.reference()));
    n.putArray("roles").add(role);
    if (!s.label().isEmpty()) {
      n.putObject("description").put("text", s.label());
    }
    s.digest().ifPresent(d -> n.putObject("hashes").put(d.algorithm().equals("sha256") ? "sha-256" : d.algorithm(), d.hex()));
  }

  private static void rule(ObjectNode n, Code code) {
    n.put("id", code.name());
    n.put("name", camel(code.name()));
    String page = code.area().page();
    n.putObject("shortDescription").put("text", code.name() + ": a " + code.area().name().toLowerCase(java.util.Locale.ROOT)
        + " finding, documented in " + page);
    n.put("helpUri", DOCS_BASE + page);
    n.putObject("help").put("text", "See " + page + " (" + code.name() + ") in the bitproof documentation.");
    n.putObject("defaultConfiguration").put("level", level(code.defaultSeverity()));
    n.putObject("properties").put("area", code.area().name()).put("docsPage", page);
  }

  /** SARIF's level for a severity: FAIL error, WARN warning, INFO note, OK none. */
  public static String level(Severity s) {
    return switch (s) {
      case FAIL -> "error";
      case WARN -> "warning";
      case INFO -> "note";
      case OK -> "none";
    };
  }

  private static String text(Finding f) {
    StringBuilder sb = new StringBuilder();
    sb.append(f.subject().isEmpty() ? f.code().name() : f.subject());
    if (!f.message().isEmpty()) {
      sb.append(": ").append(f.message());
    }
    f.evidence().forEach((k, v) -> sb.append('\n').append(k).append(": ").append(v));
    return sb.toString();
  }

  /** FILE_CHANGED → FileChanged: SARIF's rule name is a readable identifier. */
  private static String camel(String code) {
    StringBuilder sb = new StringBuilder();
    for (String w : code.split("_")) {
      if (!w.isEmpty()) {
        sb.append(w.charAt(0)).append(w.substring(1).toLowerCase(java.util.Locale.ROOT));
      }
    }
    return sb.toString();
  }

  /**
   * An image reference ({@code oci:DIR}, {@code docker://REF}, a path) as a URI reference: every byte outside RFC
   * 3986's unreserved and delimiter characters percent-encoded, so a hostile path cannot break the URI.
   */
  static String uri(String reference) {
    // without a scheme (oci:, docker:), a ':' before the first '/' would make the start read as one: encoded
    boolean scheme = java.util.regex.Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:").matcher(reference).find();
    StringBuilder sb = new StringBuilder();
    byte[] bytes = reference.getBytes(StandardCharsets.UTF_8);
    int slash = new String(bytes, StandardCharsets.ISO_8859_1).indexOf('/');
    for (int i = 0; i < bytes.length; i++) {
      int c = bytes[i] & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~/@!$&'()*+,;=".indexOf(c) >= 0
          || (c == ':' && (scheme || (slash >= 0 && i > slash)))) {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }
}
