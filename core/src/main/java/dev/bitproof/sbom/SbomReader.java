package dev.bitproof.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.parsers.XmlParser;

/**
 * Reads an SBOM of any supported format, detected from the content: SPDX 2.x JSON, CycloneDX JSON (1.2 to 1.7,
 * read as a tree so newer minor versions still parse) and CycloneDX XML (through cyclonedx-core-java, after
 * refusing any DTD so no external entity can be resolved). An in-toto statement or DSSE envelope around an SBOM
 * predicate is unwrapped (its signature is the attest module's business, not checked here).
 *
 * <p>SPDX is read with a small Jackson model rather than the SPDX Java library (11.5 MB, seconds to load a
 * two-package document).
 */
public final class SbomReader {
  /** Bounds on untrusted SBOMs. */
  public record Limits(long maxBytes, int maxComponents) {
    public static Limits defaults() {
      return new Limits(128L * 1024 * 1024, 1_000_000);
    }
  }

  private SbomReader() {}

  public static SbomDocument read(byte[] bytes, String subject) {
    return read(bytes, subject, Limits.defaults());
  }

  public static SbomDocument read(byte[] bytes, String subject, Limits limits) {
    if (bytes.length > limits.maxBytes()) {
      throw new CheckException(SbomCode.SBOM_TOO_LARGE, subject, "SBOM of " + bytes.length + " bytes is over the "
          + limits.maxBytes() + "-byte limit");
    }
    int i = 0;
    if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
      i = 3;
    }
    while (i < bytes.length && Character.isWhitespace(bytes[i])) {
      i++;
    }
    if (i == bytes.length) {
      throw parseError(subject, "empty document", null);
    }
    if (bytes[i] == '<') {
      return readCycloneDxXml(bytes, subject, limits);
    }
    if (SpdxTagValue.looksLike(bytes, i)) {
      return readSpdx(SpdxTagValue.toJson(bytes, subject, limits), subject, limits);
    }
    if (bytes[i] != '{') {
      throw new CheckException(SbomCode.SBOM_FORMAT_UNKNOWN, CheckException.Kind.INTEGRITY, subject,
          "neither JSON nor XML: starts with byte 0x" + Integer.toHexString(bytes[i] & 0xff), null);
    }
    JsonNode root;
    try {
      root = Json.parse(bytes, subject);
    } catch (CheckException e) {
      throw parseError(subject, e.getMessage(), e);
    }
    return readJson(root, subject, limits, 0);
  }

  private static SbomDocument readJson(JsonNode root, String subject, Limits limits, int wrapDepth) {
    if (!root.isObject()) {
      throw parseError(subject, "top level is not a JSON object", null);
    }
    if (root.has("spdxVersion")) {
      return readSpdx(root, subject, limits);
    }
    if ("CycloneDX".equals(root.path("bomFormat").asText(null))) {
      return readCycloneDxJson(root, subject, limits);
    }
    if (wrapDepth < 2 && root.has("payloadType") && root.has("payload")) {
      byte[] payload;
      try {
        payload = Base64.getDecoder().decode(root.path("payload").asText(""));
      } catch (IllegalArgumentException e) {
        throw parseError(subject, "DSSE payload is not base64", e);
      }
      return readJson(Json.parse(payload, subject + " (DSSE payload)"), subject, limits, wrapDepth + 1);
    }
    if (wrapDepth < 2 && root.has("_type") && root.has("predicate")) {
      String pt = root.path("predicateType").asText("");
      if (!pt.contains("spdx") && !pt.contains("cyclonedx")) {
        throw new CheckException(SbomCode.SBOM_FORMAT_UNKNOWN, CheckException.Kind.INTEGRITY, subject,
            "in-toto statement whose predicate is not an SBOM: " + pt, null);
      }
      return readJson(root.path("predicate"), subject, limits, wrapDepth + 1);
    }
    throw new CheckException(SbomCode.SBOM_FORMAT_UNKNOWN, CheckException.Kind.INTEGRITY, subject,
        "JSON that is neither SPDX (no spdxVersion) nor CycloneDX (no bomFormat)", null);
  }

  static CheckException parseError(String subject, String why, Throwable cause) {
    return new CheckException(SbomCode.SBOM_PARSE_ERROR, CheckException.Kind.INTEGRITY, subject, "SBOM does not parse: " + why,
        cause);
  }

  // ---------------------------------------------------------------- SPDX

  private static final String DOCUMENT = "SPDXRef-DOCUMENT";

  private static SbomDocument readSpdx(JsonNode root, String subject, Limits limits) {
    String version = text(root, "spdxVersion");
    if (!version.startsWith("SPDX-2.")) {
      throw new CheckException(SbomCode.SBOM_FORMAT_UNSUPPORTED, CheckException.Kind.INTEGRITY, subject,
          "SPDX version '" + version + "' is not supported (SPDX 2.x JSON is)", null);
    }
    List<String> creators = strings(root.path("creationInfo").path("creators"));
    JsonNode pkgs = root.path("packages");
    JsonNode fileNodes = root.path("files");
    if (pkgs.size() + fileNodes.size() > limits.maxComponents()) {
      throw new CheckException(SbomCode.SBOM_TOO_MANY_COMPONENTS, subject,
          (pkgs.size() + fileNodes.size()) + " packages and files is over the limit of " + limits.maxComponents());
    }
    Set<String> seen = new HashSet<>();
    Set<String> dups = new LinkedHashSet<>();
    List<SbomComponent> comps = new ArrayList<>();
    List<Finding> integrity = new ArrayList<>();
    Map<String, List<Digest>> digestsById = new LinkedHashMap<>();
    for (JsonNode p : pkgs) {
      String id = text(p, "SPDXID");
      if (!seen.add(id)) {
        dups.add(id);
      }
      Optional<String> purlText = Optional.empty();
      for (JsonNode ref : p.path("externalRefs")) {
        if ("purl".equals(ref.path("referenceType").asText())) {
          purlText = Optional.of(ref.path("referenceLocator").asText());
          String cat = ref.path("referenceCategory").asText();
          if (!cat.equals("PACKAGE-MANAGER") && !cat.equals("PACKAGE_MANAGER")) {
            // SPDX files purls under PACKAGE-MANAGER (PACKAGE_MANAGER in 2.3's JSON); anywhere else a consumer
            // that reads by category does not see the package identity the rest of the document claims
            integrity.add(new Finding(SbomCode.SBOM_PURL_CATEGORY_INVALID, Severity.FAIL, id,
                "a purl filed under referenceCategory '" + cat + "' instead of PACKAGE-MANAGER", Map.of())
                .with("purl", purlText.get()).with("sbom", subject));
          }
          break;
        }
      }
      Map<String, String> hashes = new LinkedHashMap<>();
      for (JsonNode c : p.path("checksums")) {
        hashes.put(alg(c.path("algorithm").asText()), c.path("checksumValue").asText().toLowerCase(Locale.ROOT));
      }
      String declared = text(p, "licenseDeclared");
      if (declared.isEmpty() || declared.equals("NOASSERTION") || declared.equals("NONE")) {
        declared = text(p, "licenseConcluded");
      }
      SbomComponent comp = withLicenses(component(id, text(p, "name"), text(p, "versionInfo"), text(p, "primaryPackagePurpose"),
          purlText, hashes, List.of()), declared.equals("NOASSERTION") || declared.equals("NONE") || declared.isEmpty()
          ? List.of() : List.of(declared));
      comps.add(comp);
      digestsById.put(id, containerDigests(comp));
      // a container purl whose digest does not parse names no image: a finding, never silently no subject
      comp.purl().filter(u -> u.type().equals("oci") && u.version().startsWith("sha256:") && parseDigest(u.version()).isEmpty())
          .ifPresent(u -> integrity.add(new Finding(SbomCode.SBOM_PURL_INVALID, Severity.FAIL, id,
              "the container purl's digest is not a sha256 digest: " + u.version(), Map.of()).with("sbom", subject)));
    }
    List<SbomFile> files = new ArrayList<>();
    for (JsonNode f : fileNodes) {
      String id = text(f, "SPDXID");
      if (!seen.add(id)) {
        dups.add(id);
      }
      Map<String, String> hashes = new LinkedHashMap<>();
      for (JsonNode c : f.path("checksums")) {
        hashes.put(alg(c.path("algorithm").asText()), c.path("checksumValue").asText().toLowerCase(Locale.ROOT));
      }
      files.add(new SbomFile(id, normalizePath(text(f, "fileName")), hashes));
    }
    List<String> described = new ArrayList<>(strings(root.path("documentDescribes")));
    List<Digest> variants = new ArrayList<>();
    Map<String, Set<String>> linked = new LinkedHashMap<>();
    for (JsonNode r : root.path("relationships")) {
      String type = r.path("relationshipType").asText();
      String a = r.path("spdxElementId").asText();
      String b = r.path("relatedSpdxElement").asText();
      for (String e : List.of(a, b)) {
        if (!seen.contains(e) && !e.equals(DOCUMENT) && !e.equals("NOASSERTION") && !e.equals("NONE")
            && !e.startsWith("DocumentRef-")) {
          integrity.add(new Finding(SbomCode.SBOM_RELATIONSHIP_UNKNOWN_ELEMENT, Severity.FAIL, e,
              "a " + type + " relationship names an element the document does not have", Map.of()).with("sbom", subject));
        }
      }
      linked.computeIfAbsent(a, k -> new LinkedHashSet<>()).add(b);
      linked.computeIfAbsent(b, k -> new LinkedHashSet<>()).add(a);
      if (type.equals("DESCRIBES") && a.equals("SPDXRef-DOCUMENT")) {
        described.add(b);
      } else if (type.equals("DESCRIBED_BY") && b.equals("SPDXRef-DOCUMENT")) {
        described.add(a);
      } else if (type.equals("VARIANT_OF") && described.contains(a)) {
        variants.addAll(digestsById.getOrDefault(b, List.of()));
      }
    }
    Set<Digest> describes = new LinkedHashSet<>();
    for (String id : described) {
      describes.addAll(digestsById.getOrDefault(id, List.of()));
      if (!seen.contains(id)) {
        integrity.add(new Finding(SbomCode.SBOM_DESCRIBES_UNKNOWN, Severity.FAIL, id,
            "the document says it describes an element it does not have", Map.of()).with("sbom", subject));
      }
    }
    if (described.isEmpty()) {
      integrity.add(new Finding(SbomCode.SBOM_DESCRIBES_NOTHING, Severity.FAIL, subject,
          "the document describes no element (SPDX requires a DESCRIBES relationship or documentDescribes)", Map.of()));
    }
    // every OS package must hang off what the document describes: one no relationship reaches is not claimed
    // to be in the image at all (removing the relationships unlinks the whole inventory)
    Set<String> reached = new HashSet<>(described);
    java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(described);
    while (!todo.isEmpty()) {
      for (String next : linked.getOrDefault(todo.pop(), Set.of())) {
        if (reached.add(next)) {
          todo.add(next);
        }
      }
    }
    if (!described.isEmpty()) {
      for (SbomComponent c : comps) {
        if (c.isOsPackage() && !reached.contains(c.ref())) {
          integrity.add(new Finding(SbomCode.SBOM_PACKAGE_UNLINKED, Severity.FAIL, c.display(),
              "no relationship links this package to the element the document describes", Map.of())
              .with("spdxId", c.ref()).with("sbom", subject));
        }
      }
    }
    return new SbomDocument(SbomFormat.SPDX_JSON, version, text(root, "name"), creators, text(root, "documentNamespace"), comps, files,
        List.copyOf(describes), variants, List.copyOf(dups), integrity);
  }

  /** Digests an OCI-describing package names: {@code pkg:oci/...@sha256:...} or a SHA-256 checksum of a container. */
  private static List<Digest> containerDigests(SbomComponent c) {
    Set<Digest> out = new LinkedHashSet<>();
    c.purl().filter(p -> p.type().equals("oci") && p.version().startsWith("sha256:")).ifPresent(p -> parseDigest(p.version()).ifPresent(out::add));
    if (c.kind().equalsIgnoreCase("CONTAINER") && c.hashes().containsKey("SHA-256")) {
      parseDigest("sha256:" + c.hashes().get("SHA-256")).ifPresent(out::add);
    }
    if (c.version().startsWith("sha256:") && (c.kind().equalsIgnoreCase("CONTAINER"))) {
      parseDigest(c.version()).ifPresent(out::add);
    }
    return List.copyOf(out);
  }

  private static Optional<Digest> parseDigest(String s) {
    try {
      return Optional.of(Digest.parse(s));
    } catch (CheckException e) {
      return Optional.empty();
    }
  }

  // ---------------------------------------------------------------- CycloneDX JSON

  private static SbomDocument readCycloneDxJson(JsonNode root, String subject, Limits limits) {
    String version = text(root, "specVersion");
    List<String> creators = new ArrayList<>();
    JsonNode tools = root.path("metadata").path("tools");
    for (JsonNode t : tools.isArray() ? tools : tools.path("components")) {
      creators.add("Tool: " + t.path("name").asText() + " (" + t.path("version").asText() + ")");
    }
    List<SbomComponent> comps = new ArrayList<>();
    List<SbomFile> files = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Set<String> dups = new LinkedHashSet<>();
    collectCdx(root.path("components"), comps, files, seen, dups, subject, limits);
    List<Digest> describes = new ArrayList<>();
    JsonNode meta = root.path("metadata").path("component");
    if (meta.isObject()) {
      SbomComponent m = cdxComponent(meta);
      describes.addAll(containerDigests(new SbomComponent(m.ref(), m.name(), m.version(), "CONTAINER", m.purlText(),
          m.purl(), m.purlError(), m.hashes(), m.tags())));
    }
    return new SbomDocument(SbomFormat.CYCLONEDX_JSON, version, meta.path("name").asText(""), creators, text(root, "serialNumber"), comps, files,
        describes, List.of(), List.copyOf(dups));
  }

  private static void collectCdx(JsonNode arr, List<SbomComponent> comps, List<SbomFile> files, Set<String> seen,
      Set<String> dups, String subject, Limits limits) {
    for (JsonNode c : arr) {
      if (comps.size() + files.size() >= limits.maxComponents()) {
        throw new CheckException(SbomCode.SBOM_TOO_MANY_COMPONENTS, subject,
            "more than " + limits.maxComponents() + " components");
      }
      SbomComponent comp = cdxComponent(c);
      if (!comp.ref().isEmpty() && !seen.add(comp.ref())) {
        dups.add(comp.ref());
      }
      if (comp.kind().equals("file")) {
        String path = "";
        for (JsonNode p : c.path("properties")) {
          if (p.path("name").asText().equals("SrcFile")) {
            path = p.path("value").asText();
          }
        }
        if (path.isEmpty()) {
          path = comp.purl().flatMap(p -> p.qualifier("path")).orElse(comp.name());
        }
        files.add(new SbomFile(comp.ref(), normalizePath(path), comp.hashes()));
      } else {
        comps.add(comp);
      }
      collectCdx(c.path("components"), comps, files, seen, dups, subject, limits);
    }
  }

  private static SbomComponent cdxComponent(JsonNode c) {
    Map<String, String> hashes = new LinkedHashMap<>();
    for (JsonNode h : c.path("hashes")) {
      hashes.put(alg(h.path("alg").asText()), h.path("content").asText().toLowerCase(Locale.ROOT));
    }
    Optional<String> purl = c.hasNonNull("purl") ? Optional.of(c.path("purl").asText()) : Optional.empty();
    List<String> licenses = new ArrayList<>();
    for (JsonNode l : c.path("licenses")) {
      String v = l.hasNonNull("expression") ? l.path("expression").asText()
          : l.path("license").hasNonNull("id") ? l.path("license").path("id").asText() : l.path("license").path("name").asText("");
      if (!v.isEmpty()) {
        licenses.add(v);
      }
    }
    return withLicenses(component(text(c, "bom-ref"), text(c, "name"), text(c, "version"), text(c, "type"), purl, hashes,
        strings(c.path("tags"))), licenses);
  }

  // ---------------------------------------------------------------- CycloneDX XML

  private static SbomDocument readCycloneDxXml(byte[] bytes, String subject, Limits limits) {
    // The DTD check below reads the bytes as UTF-8; another encoding (UTF-16 has NUL bytes, an XML declaration
    // may name EBCDIC or UTF-7) could hide a <!DOCTYPE from it, so only UTF-8 XML is accepted.
    for (byte x : bytes) {
      if (x == 0) {
        throw parseError(subject, "XML SBOM is not UTF-8 (it contains NUL bytes)", null);
      }
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    java.util.regex.Matcher enc = java.util.regex.Pattern.compile("^\\s*<\\?xml[^>]*encoding\\s*=\\s*[\"']([^\"']+)[\"']")
        .matcher(text);
    if (enc.find() && !enc.group(1).equalsIgnoreCase("UTF-8") && !enc.group(1).equalsIgnoreCase("US-ASCII")) {
      throw parseError(subject, "XML SBOM declares encoding '" + enc.group(1) + "'; only UTF-8 is accepted", null);
    }
    // An SBOM never needs a DTD; refusing it outright is the only way to be sure no entity is ever expanded.
    if (text.contains("<!DOCTYPE") || text.contains("<!ENTITY")) {
      throw new CheckException(SbomCode.SBOM_XML_DTD_FORBIDDEN, CheckException.Kind.INTEGRITY, subject,
          "XML SBOM carries a DTD (<!DOCTYPE>); entities are never resolved, the document is refused", null);
    }
    Bom bom;
    try {
      bom = new XmlParser().parse(bytes);
    } catch (org.cyclonedx.exception.ParseException | RuntimeException e) {
      throw parseError(subject, String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
    }
    List<SbomComponent> comps = new ArrayList<>();
    List<SbomFile> files = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Set<String> dups = new LinkedHashSet<>();
    collectXml(bom.getComponents(), comps, files, seen, dups, subject, limits);
    List<Digest> describes = new ArrayList<>();
    if (bom.getMetadata() != null && bom.getMetadata().getComponent() != null) {
      SbomComponent m = xmlComponent(bom.getMetadata().getComponent());
      describes.addAll(containerDigests(new SbomComponent(m.ref(), m.name(), m.version(), "CONTAINER", m.purlText(),
          m.purl(), m.purlError(), m.hashes(), m.tags())));
    }
    return new SbomDocument(SbomFormat.CYCLONEDX_XML, bom.getSpecVersion() == null ? "" : bom.getSpecVersion(),
        "", List.of(), bom.getSerialNumber() == null ? "" : bom.getSerialNumber(), comps, files, describes, List.of(),
        List.copyOf(dups));
  }

  private static void collectXml(List<Component> list, List<SbomComponent> comps, List<SbomFile> files, Set<String> seen,
      Set<String> dups, String subject, Limits limits) {
    if (list == null) {
      return;
    }
    for (Component c : list) {
      if (comps.size() + files.size() >= limits.maxComponents()) {
        throw new CheckException(SbomCode.SBOM_TOO_MANY_COMPONENTS, subject, "more than " + limits.maxComponents() + " components");
      }
      SbomComponent comp = xmlComponent(c);
      if (!comp.ref().isEmpty() && !seen.add(comp.ref())) {
        dups.add(comp.ref());
      }
      if (comp.kind().equals("file")) {
        files.add(new SbomFile(comp.ref(), normalizePath(comp.purl().flatMap(p -> p.qualifier("path")).orElse(comp.name())),
            comp.hashes()));
      } else {
        comps.add(comp);
      }
      collectXml(c.getComponents(), comps, files, seen, dups, subject, limits);
    }
  }

  private static SbomComponent xmlComponent(Component c) {
    Map<String, String> hashes = new LinkedHashMap<>();
    if (c.getHashes() != null) {
      c.getHashes().forEach(h -> hashes.put(alg(h.getAlgorithm()), String.valueOf(h.getValue()).toLowerCase(Locale.ROOT)));
    }
    List<String> tags = c.getTags() == null || c.getTags().getTags() == null ? List.of() : c.getTags().getTags();
    List<String> licenses = new ArrayList<>();
    if (c.getLicenses() != null) {
      if (c.getLicenses().getExpression() != null && c.getLicenses().getExpression().getValue() != null) {
        licenses.add(c.getLicenses().getExpression().getValue());
      }
      if (c.getLicenses().getLicenses() != null) {
        c.getLicenses().getLicenses().forEach(l -> {
          String v = l.getId() != null ? l.getId() : l.getName();
          if (v != null && !v.isEmpty()) {
            licenses.add(v);
          }
        });
      }
    }
    return withLicenses(component(c.getBomRef(), c.getName(), c.getVersion(), c.getType() == null ? "" : c.getType().getTypeName(),
        Optional.ofNullable(c.getPurl()), hashes, tags), licenses);
  }

  private static SbomComponent withLicenses(SbomComponent c, List<String> licenses) {
    return new SbomComponent(c.ref(), c.name(), c.version(), c.kind(), c.purlText(), c.purl(), c.purlError(), c.hashes(),
        c.tags(), licenses);
  }

  // ---------------------------------------------------------------- shared

  private static SbomComponent component(String ref, String name, String version, String kind, Optional<String> purlText,
      Map<String, String> hashes, List<String> tags) {
    Optional<Purl> purl = Optional.empty();
    Optional<String> err = Optional.empty();
    if (purlText.isPresent()) {
      try {
        purl = Optional.of(Purl.parse(purlText.get()));
      } catch (CheckException e) {
        err = Optional.of(e.getMessage());
      }
    }
    return new SbomComponent(ref, name, version, kind, purlText, purl, err, hashes, tags);
  }

  static String normalizePath(String p) {
    String s = p;
    while (s.startsWith("./") || s.startsWith("/")) {
      s = s.startsWith("./") ? s.substring(2) : s.substring(1);
    }
    return s;
  }

  /** SPDX {@code SHA1}/{@code SHA256} and CycloneDX {@code SHA-1}/{@code SHA-256} to one spelling. */
  static String alg(String a) {
    String u = a.toUpperCase(Locale.ROOT).replace("_", "-");
    return switch (u) {
      case "SHA1", "SHA-1" -> "SHA-1";
      case "SHA256", "SHA-256" -> "SHA-256";
      case "SHA512", "SHA-512" -> "SHA-512";
      case "SHA384", "SHA-384" -> "SHA-384";
      default -> u;
    };
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() || !v.isValueNode() ? "" : v.asText();
  }

  private static List<String> strings(JsonNode arr) {
    List<String> out = new ArrayList<>();
    if (arr.isArray()) {
      arr.forEach(e -> out.add(e.asText()));
    }
    return out;
  }
}
