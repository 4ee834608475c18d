package dev.bitproof.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.Json;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.cyclonedx.Version;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.parsers.XmlParser;

/**
 * Strict reading of an SBOM, run on every check: the document against its format's schema (SPDX 2.2/2.3 JSON
 * against the bundled SPDX 2.3 schema, CycloneDX 1.0-1.6 JSON and XML against cyclonedx-core-java's), then the
 * rules the schemas leave out: SPDX {@code dataLicense} is {@code CC0-1.0}, every SPDXID has the spec's form,
 * every relationship (and CycloneDX dependency) names an element of the document, {@code created} is
 * {@code YYYY-MM-DDThh:mm:ssZ}, the document namespace is an absolute URI without {@code #}, the CycloneDX serial
 * number is an RFC 4122 URN. Pure: findings about one already-read document.
 */
public final class SbomStrict {
  private static final Pattern SPDX_ID = Pattern.compile("SPDXRef-[A-Za-z0-9.\\-]+");
  private static final Pattern EXTERNAL_ID = Pattern.compile("DocumentRef-[A-Za-z0-9.\\-]+:SPDXRef-[A-Za-z0-9.\\-]+");
  private static final Pattern SPDX_CREATED = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
  private static final Pattern SERIAL = Pattern.compile(
      "urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}");
  /** Schema errors listed per document before the rest are counted. */
  static final int MAX_SCHEMA_ERRORS = 50;

  private SbomStrict() {}

  /** Findings about {@code doc}, read from {@code bytes} (already decompressed). */
  public static List<Finding> check(byte[] bytes, SbomDocument doc, String name) {
    List<Finding> out = new ArrayList<>();
    if (doc.format() == SbomFormat.CYCLONEDX_XML) {
      cycloneDxXml(bytes, doc, name, out);
      return out;
    }
    JsonNode root = bytesStartWithJson(bytes) ? unwrap(Json.parse(bytes, name), 0)
        : SpdxTagValue.toJson(bytes, name, SbomReader.Limits.defaults()); // tag-value: checked as its JSON form
    if (doc.format() == SbomFormat.SPDX_JSON) {
      spdx(root, doc, name, out);
    } else {
      cycloneDxJson(root, doc, name, out);
    }
    return out;
  }

  private static boolean bytesStartWithJson(byte[] b) {
    for (byte x : b) {
      if (!Character.isWhitespace(x) && (x & 0xff) != 0xEF && (x & 0xff) != 0xBB && (x & 0xff) != 0xBF) {
        return x == '{';
      }
    }
    return false;
  }

  /** The SBOM inside an in-toto statement or DSSE envelope, as {@link SbomReader} unwraps it. */
  private static JsonNode unwrap(JsonNode root, int depth) {
    if (depth < 2 && root.has("payloadType") && root.has("payload")) {
      byte[] payload = Base64.getDecoder().decode(root.path("payload").asText(""));
      return unwrap(Json.parse(payload, "DSSE payload"), depth + 1);
    }
    if (depth < 2 && root.has("_type") && root.has("predicate")) {
      return unwrap(root.path("predicate"), depth + 1);
    }
    return root;
  }

  // ---------------------------------------------------------------- SPDX

  private static void spdx(JsonNode root, SbomDocument doc, String name, List<Finding> out) {
    String v = doc.specVersion();
    if (v.equals("SPDX-2.2") || v.equals("SPDX-2.3")) {
      List<String> errors = SbomValidator.spdx23(root);
      List<String> real = new ArrayList<>();
      for (String e : errors) {
        if (apkoPurpose(root, e)) {
          out.add(new Finding(SbomCode.SBOM_SCHEMA_KNOWN_DEVIATION, Severity.WARN, name,
              "apko writes primaryPackagePurpose OPERATING_SYSTEM; the SPDX 2.3 schema spells it OPERATING-SYSTEM",
              Map.of()).with("error", e));
        } else {
          real.add(e);
        }
      }
      schemaFindings(real, "SPDX 2.3 JSON schema" + (v.equals("SPDX-2.2") ? " (a 2.2 document: 2.3 only widened 2.2)" : ""),
          name, out);
    } else {
      out.add(new Finding(SbomCode.SBOM_SCHEMA_NOT_CHECKED, Severity.INFO, name,
          "no schema for " + v + " is bundled (SPDX 2.2 and 2.3 are); only the rules below were checked", Map.of()));
    }
    String dl = root.path("dataLicense").asText("");
    if (!dl.equals("CC0-1.0")) {
      out.add(new Finding(SbomCode.SBOM_SPDX_DATA_LICENSE_INVALID, Severity.FAIL, name,
          "SPDX requires dataLicense CC0-1.0", Map.of()).with("dataLicense", dl.isEmpty() ? "(absent)" : dl));
    }
    Set<String> ids = new HashSet<>();
    String docId = root.path("SPDXID").asText("");
    if (!docId.equals("SPDXRef-DOCUMENT")) {
      out.add(idFinding(docId, "the document's SPDXID must be SPDXRef-DOCUMENT", name));
    }
    ids.add("SPDXRef-DOCUMENT");
    for (String field : List.of("packages", "files", "snippets")) {
      for (JsonNode e : root.path(field)) {
        String id = e.path("SPDXID").asText("");
        if (!SPDX_ID.matcher(id).matches()) {
          out.add(idFinding(id, "an SPDXID is SPDXRef- followed by letters, digits, '.' or '-'", name)
              .with("element", field + " " + e.path("name").asText(e.path("fileName").asText(""))));
        }
        ids.add(id);
      }
    }
    for (JsonNode d : root.path("documentDescribes")) {
      if (!ids.contains(d.asText())) {
        out.add(new Finding(SbomCode.SBOM_RELATIONSHIP_DANGLING, Severity.FAIL, d.asText(),
            "documentDescribes names an element the document does not have", Map.of()).with("sbom", name));
      }
    }
    for (JsonNode r : root.path("relationships")) {
      String type = r.path("relationshipType").asText("");
      for (String end : List.of(r.path("spdxElementId").asText(""), r.path("relatedSpdxElement").asText(""))) {
        boolean ok = ids.contains(end) || end.equals("NOASSERTION") || end.equals("NONE") || EXTERNAL_ID.matcher(end).matches();
        if (!ok) {
          out.add(new Finding(SbomCode.SBOM_RELATIONSHIP_DANGLING, Severity.FAIL, end.isEmpty() ? "(empty)" : end,
              "a " + type + " relationship names an element the document does not have", Map.of())
              .with("relationship", r.path("spdxElementId").asText("") + " " + type + " " + r.path("relatedSpdxElement").asText(""))
              .with("sbom", name));
        }
      }
    }
    String created = root.path("creationInfo").path("created").asText("");
    if (!SPDX_CREATED.matcher(created).matches() || !parses(created)) {
      out.add(new Finding(SbomCode.SBOM_CREATED_INVALID, Severity.FAIL, name,
          "creationInfo.created must be a UTC time written YYYY-MM-DDThh:mm:ssZ", Map.of())
          .with("created", created.isEmpty() ? "(absent)" : created));
    }
    String ns = root.path("documentNamespace").asText("");
    Optional<String> why = namespaceProblem(ns);
    why.ifPresent(w -> out.add(new Finding(SbomCode.SBOM_SERIAL_INVALID, Severity.FAIL, name, w, Map.of())
        .with("documentNamespace", ns.isEmpty() ? "(absent)" : ns)));
  }

  private static Optional<String> namespaceProblem(String ns) {
    if (ns.isEmpty()) {
      return Optional.of("documentNamespace is required");
    }
    try {
      URI u = new URI(ns);
      if (!u.isAbsolute() || u.getRawFragment() != null || ns.contains("#")) {
        return Optional.of("documentNamespace must be an absolute URI without '#'");
      }
    } catch (URISyntaxException e) {
      return Optional.of("documentNamespace is not a URI: " + e.getReason());
    }
    return Optional.empty();
  }

  /** apko's one known schema error (its golden files carry it too): reported, but not as a failure. */
  private static boolean apkoPurpose(JsonNode root, String error) {
    java.util.regex.Matcher m = Pattern.compile("^(?:/packages/|\\$\\.packages\\[)(\\d+)]?[./]primaryPackagePurpose: ").matcher(error);
    return m.find() && root.path("packages").path(Integer.parseInt(m.group(1))).path("primaryPackagePurpose").asText("")
        .equals("OPERATING_SYSTEM");
  }

  private static Finding idFinding(String id, String why, String name) {
    return new Finding(SbomCode.SBOM_SPDX_ID_INVALID, Severity.FAIL, id.isEmpty() ? "(empty)" : id, why, Map.of())
        .with("sbom", name);
  }

  private static boolean parses(String t) {
    try {
      OffsetDateTime.parse(t);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- CycloneDX

  private static Optional<Version> cdxVersion(String v) {
    for (Version x : Version.values()) {
      if (x.getVersionString().equals(v)) {
        return Optional.of(x);
      }
    }
    return Optional.empty();
  }

  private static void cycloneDxJson(JsonNode root, SbomDocument doc, String name, List<Finding> out) {
    Optional<Version> v = cdxVersion(doc.specVersion());
    if (v.isPresent()) {
      schemaFindings(SbomValidator.cycloneDx(root.toString().getBytes(StandardCharsets.UTF_8), v.get()),
          "CycloneDX " + doc.specVersion() + " JSON schema", name, out);
    } else {
      out.add(new Finding(SbomCode.SBOM_SCHEMA_NOT_CHECKED, Severity.INFO, name, "no schema for CycloneDX "
          + doc.specVersion() + " is bundled (1.0-1.6 are); only the rules below were checked", Map.of()));
    }
    serial(doc, name, out);
    String ts = root.path("metadata").path("timestamp").asText("");
    if (root.path("metadata").has("timestamp") && !parses(ts)) {
      out.add(new Finding(SbomCode.SBOM_CREATED_INVALID, Severity.FAIL, name,
          "metadata.timestamp must be an RFC 3339 date-time", Map.of()).with("timestamp", ts));
    }
    Set<String> refs = new HashSet<>();
    collectRefs(root.path("metadata").path("component"), refs);
    collectRefs(root.path("components"), refs);
    collectRefs(root.path("services"), refs);
    for (JsonNode d : root.path("dependencies")) {
      List<String> ends = new ArrayList<>(List.of(d.path("ref").asText("")));
      d.path("dependsOn").forEach(x -> ends.add(x.asText("")));
      d.path("provides").forEach(x -> ends.add(x.asText("")));
      for (String end : ends) {
        if (!refs.contains(end)) {
          out.add(new Finding(SbomCode.SBOM_RELATIONSHIP_DANGLING, Severity.FAIL, end.isEmpty() ? "(empty)" : end,
              "a dependency names a bom-ref the document does not have", Map.of())
              .with("dependency_of", d.path("ref").asText("")).with("sbom", name));
        }
      }
    }
  }

  private static void collectRefs(JsonNode n, Set<String> refs) {
    if (n.isArray()) {
      n.forEach(c -> collectRefs(c, refs));
    } else if (n.isObject()) {
      if (n.hasNonNull("bom-ref")) {
        refs.add(n.path("bom-ref").asText());
      }
      collectRefs(n.path("components"), refs);
      collectRefs(n.path("services"), refs);
    }
  }

  private static void cycloneDxXml(byte[] bytes, SbomDocument doc, String name, List<Finding> out) {
    Optional<Version> v = cdxVersion(doc.specVersion());
    if (v.isEmpty()) {
      out.add(new Finding(SbomCode.SBOM_SCHEMA_NOT_CHECKED, Severity.INFO, name, "no schema for CycloneDX XML "
          + doc.specVersion() + " is bundled", Map.of()));
    } else {
      List<String> errors = new ArrayList<>();
      try {
        for (ParseException e : new XmlParser().validate(bytes, v.get())) {
          errors.add(e.getMessage());
        }
      } catch (IOException | RuntimeException e) {
        errors.add("cannot validate: " + e.getMessage());
      }
      schemaFindings(errors, "CycloneDX " + doc.specVersion() + " XML schema", name, out);
    }
    serial(doc, name, out);
  }

  private static void serial(SbomDocument doc, String name, List<Finding> out) {
    if (!doc.namespace().isEmpty() && !SERIAL.matcher(doc.namespace()).matches()) {
      out.add(new Finding(SbomCode.SBOM_SERIAL_INVALID, Severity.FAIL, name,
          "serialNumber must be an RFC 4122 URN (urn:uuid:...)", Map.of()).with("serialNumber", doc.namespace()));
    }
  }

  private static void schemaFindings(List<String> errors, String schema, String name, List<Finding> out) {
    if (errors.isEmpty()) {
      out.add(new Finding(SbomCode.SBOM_SCHEMA_VALID, Severity.OK, name, "valid against the " + schema, Map.of()));
      return;
    }
    for (String e : errors.subList(0, Math.min(MAX_SCHEMA_ERRORS, errors.size()))) {
      out.add(new Finding(SbomCode.SBOM_SCHEMA_INVALID, Severity.FAIL, name, e, Map.of()).with("schema", schema));
    }
    if (errors.size() > MAX_SCHEMA_ERRORS) {
      out.add(new Finding(SbomCode.SBOM_SCHEMA_INVALID, Severity.FAIL, name,
          (errors.size() - MAX_SCHEMA_ERRORS) + " more schema errors", Map.of()).with("schema", schema));
    }
  }
}
