package dev.bitproof.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.gocompat.GoJson;
import dev.bitproof.json.Json;
import dev.bitproof.report.CheckException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * apko's SPDX 2.3 image SBOMs, reproduced: the per-architecture document (image, layers, operating system, and the
 * packages copied from each apk's own melange SBOM in {@code var/lib/db/sbom}) and the index document. Field
 * order, omitted-when-empty fields, identifiers and purls follow apko's generator, so the output equals apko's as
 * parsed JSON; only the creator tool string is ours unless the caller sets it.
 *
 * <p>Like apko, packages without an embedded SBOM are not listed (the check reports them as omitted).
 */
public final class ApkoSpdx {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final String NOASSERTION = "NOASSERTION";

  /**
   * @param creatorTool the first {@code creators} entry, e.g. {@code Tool: apko (devel)}
   * @param imageName the image reference or name the purls use (its repository's last path segment); empty for
   *     apko's default {@code image}
   */
  public record Options(String creatorTool, String imageName) {
    public static Options defaults(String version) {
      return new Options("Tool: bitproof (" + version + ")", "");
    }
  }

  /** A layer as the SBOM names it: compressed digest (empty when unknown) and media type. */
  public record Layer(String digest, String mediaType) {}

  /**
   * What apko's generator is given for one architecture.
   *
   * @param imageDigest manifest digest ({@code sha256:...}), empty for a bare layer document
   * @param ociArch OCI architecture ({@code amd64}); empty when unknown
   * @param created RFC 3339 build time (apko's SOURCE_DATE_EPOCH)
   * @param packages installed apks in database order, as name and version
   * @param readFile reads a file of the image by path (no leading slash)
   */
  public record ImageInput(String imageDigest, String imageMediaType, String ociArch, List<Layer> layers, String created,
      OsRelease os, List<Map.Entry<String, String>> packages, Function<String, Optional<byte[]>> readFile) {}

  /** An architecture image of an index. */
  public record IndexEntry(String digest, String ociArch) {}

  private ApkoSpdx() {}

  // ---------------------------------------------------------------- per architecture

  public static ObjectNode image(ImageInput in, Options o) {
    String osId = in.os().isEmpty() ? "unknown" : in.os().id();
    String osName = in.os().isEmpty() ? "apko-generated image" : in.os().name();
    String osVersion = in.os().versionId();
    String supplier = osName.isEmpty() ? NOASSERTION : "Organization: " + osName;

    String docName = "sbom";
    if (!in.layers().isEmpty() && !in.layers().get(0).digest().isEmpty()) {
      docName += "-" + in.layers().get(0).digest();
    }
    ObjectNode doc = header(docName, in.created(), o);
    ArrayNode describes = doc.putArray("documentDescribes");
    ArrayNode packages = doc.putArray("packages");
    ArrayNode rels = doc.putArray("relationships");
    List<ObjectNode> licensing = new ArrayList<>();

    Map<String, String> imageQ = new TreeMap<>();
    if (!in.ociArch().isEmpty()) {
      imageQ.put("arch", in.ociArch());
    }
    imageQ.put("os", "linux");
    if (!in.imageMediaType().isEmpty()) {
      imageQ.put("mediaType", in.imageMediaType());
    }
    String purlName = purlName(o.imageName());
    String imageId = null;
    if (!in.imageDigest().isEmpty()) {
      imageId = identifier("SPDXRef-Package-Image-" + in.imageDigest());
      ObjectNode p = pkg(imageId, in.imageDigest(), in.imageDigest(), "apko container image", supplier, "", "CONTAINER");
      p.putArray("checksums").add(checksum("SHA256", in.imageDigest().replaceFirst("^sha256:", "")));
      p.set("externalRefs", purlRef(ociPurl(purlName, in.imageDigest()) + "?" + query(imageQ)));
      packages.add(reorder(p));
    }
    String lastLayer = null;
    for (Layer l : in.layers()) {
      String id = "SPDXRef-Package-ImageLayer-" + identifier(l.digest());
      Map<String, String> q = new TreeMap<>(imageQ);
      q.put("mediaType", l.mediaType());
      ObjectNode p = pkg(id, l.digest(), osVersion, "apko operating system layer", supplier, "", "CONTAINER");
      p.set("externalRefs", purlRef(ociPurl(purlName, l.digest()) + "?" + query(q)));
      packages.add(reorder(p));
      if (imageId != null) {
        rels.add(rel(imageId, "CONTAINS", id));
      } else {
        describes.removeAll();
        describes.add(id);
      }
      lastLayer = id;
    }
    if (imageId != null) {
      describes.removeAll();
      describes.add(imageId);
    }
    ObjectNode os = pkg("SPDXRef-OperatingSystem-" + identifier(osId), osId, osVersion, "Operating System", supplier, "",
        "OPERATING_SYSTEM");
    packages.add(reorder(os));

    String root = describes.isEmpty() ? null : describes.get(0).asText();
    for (Map.Entry<String, String> apk : in.packages()) {
      Optional<String> path = locate(apk.getKey(), apk.getValue(), in.readFile());
      if (path.isEmpty()) {
        continue; // apko lists only packages that ship their own SBOM
      }
      JsonNode inner;
      try {
        inner = Json.parse(in.readFile().apply(path.get()).orElseThrow(), path.get());
      } catch (CheckException e) {
        continue; // apko ignores an embedded SBOM it cannot parse
      }
      copyEmbedded(inner, supplier, root, packages, rels, licensing, path.get());
    }
    dedupe(packages);
    if (!licensing.isEmpty()) {
      ArrayNode li = doc.putArray("hasExtractedLicensingInfos");
      licensing.forEach(li::add);
    }
    if (lastLayer == null && imageId == null) {
      doc.remove("documentDescribes");
    }
    return doc;
  }

  private static Optional<String> locate(String name, String version, Function<String, Optional<byte[]>> read) {
    return embeddedSbomCandidates(name, version).stream().filter(p -> read.apply(p).isPresent()).findFirst();
  }

  /**
   * Where apko looks for an apk's own SBOM, in order ({@code locateApkSBOM}): {@code <name>-<version>},
   * {@code <name>-<version without -rN>}, then {@code <name>}, as {@code var/lib/db/sbom/*.spdx.json}.
   */
  public static List<String> embeddedSbomCandidates(String name, String version) {
    return List.of(name + "-" + version, name + "-" + version.replaceFirst("-r\\d+$", ""), name).stream()
        .map(c -> "var/lib/db/sbom/" + c + ".spdx.json").toList();
  }

  private static void copyEmbedded(JsonNode src, String supplier, String root, ArrayNode packages, ArrayNode rels,
      List<ObjectNode> licensing, String path) {
    Set<String> described = new LinkedHashSet<>();
    src.path("documentDescribes").forEach(n -> described.add(n.asText()));
    for (JsonNode r : src.path("relationships")) {
      if (r.path("spdxElementId").asText().equals("SPDXRef-DOCUMENT") && r.path("relationshipType").asText().equals("DESCRIBES")) {
        described.add(r.path("relatedSpdxElement").asText());
      }
    }
    List<String> targets = new ArrayList<>();
    for (JsonNode p : src.path("packages")) {
      String id = p.path("SPDXID").asText();
      if (described.contains(id) && !targets.contains(id)) {
        targets.add(id);
      }
    }
    Set<String> todo = new LinkedHashSet<>(targets);
    for (int prev = -1; prev != todo.size(); ) {
      prev = todo.size();
      for (JsonNode r : src.path("relationships")) {
        String related = r.path("relatedSpdxElement").asText();
        if (!related.startsWith("SPDXRef-File-") && todo.contains(r.path("spdxElementId").asText())) {
          todo.add(related);
        }
      }
    }
    Set<String> done = new LinkedHashSet<>();
    for (JsonNode p : src.path("packages")) {
      String id = p.path("SPDXID").asText();
      if (todo.contains(id)) {
        packages.add(copyPackage(p, supplier));
        done.add(id);
      }
    }
    for (JsonNode r : src.path("relationships")) {
      String related = r.path("relatedSpdxElement").asText();
      if (todo.contains(r.path("spdxElementId").asText()) && !related.startsWith("SPDXRef-File-")) {
        rels.add(rel(r.path("spdxElementId").asText(), r.path("relationshipType").asText(), related));
      }
    }
    if (!done.containsAll(todo)) {
      Set<String> missing = new LinkedHashSet<>(todo);
      missing.removeAll(done);
      throw CheckException.integrity(SbomCode.SBOM_EMBEDDED_INVALID, path,
          "embedded SBOM relates to elements it does not define (apko refuses to build with it): " + missing);
    }
    for (JsonNode l : src.path("hasExtractedLicensingInfos")) {
      String lid = l.path("licenseId").asText();
      if (licensing.stream().noneMatch(x -> x.path("licenseId").asText().equals(lid))) {
        ObjectNode li = F.objectNode();
        li.put("licenseId", lid);
        li.put("extractedText", l.path("extractedText").asText(""));
        licensing.add(li);
      }
    }
    if (root != null) {
      for (String t : targets) {
        rels.add(rel(root, "CONTAINS", t));
      }
    }
  }

  /** An embedded package as apko's Go struct round-trips it: known fields only, in struct order, empty ones dropped. */
  private static ObjectNode copyPackage(JsonNode p, String supplier) {
    ObjectNode out = F.objectNode();
    out.put("SPDXID", p.path("SPDXID").asText());
    out.put("name", p.path("name").asText(""));
    putIf(out, "versionInfo", p.path("versionInfo").asText(""));
    out.put("filesAnalyzed", false);
    putIf(out, "licenseConcluded", p.path("licenseConcluded").asText(""));
    putIf(out, "licenseDeclared", p.path("licenseDeclared").asText(""));
    putIf(out, "description", p.path("description").asText(""));
    out.put("downloadLocation", p.path("downloadLocation").asText(""));
    String originator = p.path("originator").asText("");
    if (originator.isEmpty()) {
      originator = supplier;
    }
    String sup = p.path("supplier").asText("");
    if (sup.isEmpty()) {
      sup = originator;
    }
    putIf(out, "originator", originator);
    putIf(out, "supplier", sup);
    putIf(out, "sourceInfo", p.path("sourceInfo").asText(""));
    putIf(out, "copyrightText", p.path("copyrightText").asText(""));
    if (p.path("attributionText").isArray() && !p.path("attributionText").isEmpty()) {
      out.set("attributionText", p.path("attributionText").deepCopy());
    } else if (p.path("attributionText").isTextual()) {
      putIf(out, "attributionText", p.path("attributionText").asText());
    }
    putIf(out, "primaryPackagePurpose", p.path("primaryPackagePurpose").asText(""));
    if (!p.path("checksums").isEmpty()) {
      ArrayNode cs = out.putArray("checksums");
      p.path("checksums").forEach(c -> cs.add(checksum(c.path("algorithm").asText(), c.path("checksumValue").asText())));
    }
    if (!p.path("externalRefs").isEmpty()) {
      ArrayNode er = out.putArray("externalRefs");
      for (JsonNode r : p.path("externalRefs")) {
        ObjectNode e = er.addObject();
        e.put("referenceCategory", r.path("referenceCategory").asText(""));
        e.put("referenceLocator", r.path("referenceLocator").asText(""));
        e.put("referenceType", r.path("referenceType").asText(""));
      }
    }
    return out;
  }

  private static void dedupe(ArrayNode packages) {
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < packages.size(); ) {
      if (!seen.add(packages.get(i).path("SPDXID").asText())) {
        packages.remove(i);
      } else {
        i++;
      }
    }
  }

  // ---------------------------------------------------------------- index

  public static ObjectNode index(String indexDigest, String indexMediaType, List<IndexEntry> images, String created,
      Options o) {
    if (images.isEmpty()) {
      throw new CheckException(SbomCode.SBOM_INDEX_EMPTY, indexDigest, "an index SBOM needs at least one architecture image");
    }
    ObjectNode doc = header("sbom-" + indexDigest, created, o);
    String supplier = "Organization: Chainguard, Inc.";
    String purlName = purlName(o.imageName());
    String indexPurlName = purlName.equals("image") ? "index" : purlName;
    String indexId = "SPDXRef-Package-" + identifier(indexDigest);
    doc.putArray("documentDescribes").add(indexId);
    ArrayNode packages = doc.putArray("packages");
    ArrayNode rels = doc.putArray("relationships");
    ObjectNode ip = pkg(indexId, indexDigest, indexDigest, "Multi-arch image index", supplier,
        "Generated at image build time by apko", "CONTAINER");
    ip.putArray("checksums").add(checksum("SHA256", indexDigest.replaceFirst("^sha256:", "")));
    Map<String, String> iq = new TreeMap<>();
    if (!indexMediaType.isEmpty()) {
      iq.put("mediaType", indexMediaType);
    }
    ip.set("externalRefs", purlRef(ociPurl(indexPurlName, indexDigest) + "?" + query(iq)));
    packages.add(reorder(ip));
    for (IndexEntry e : images) {
      String id = "SPDXRef-Package-" + identifier(e.digest());
      ObjectNode p = pkg(id, e.digest(), e.digest(), "", supplier, "", "CONTAINER");
      p.putArray("checksums").add(checksum("SHA256", e.digest().replaceFirst("^sha256:", "")));
      Map<String, String> q = new TreeMap<>(iq);
      q.put("arch", e.ociArch());
      q.put("os", "linux");
      q.put("mediaType", switch (indexMediaType) {
        case "application/vnd.oci.image.index.v1+json" -> "application/vnd.oci.image.manifest.v1+json";
        case "application/vnd.docker.distribution.manifest.list.v2+json" -> "application/vnd.docker.distribution.manifest.v2+json";
        default -> "";
      });
      p.set("externalRefs", purlRef(ociPurl(purlName, e.digest()) + "?" + query(q)));
      packages.add(reorder(p));
      rels.add(rel(indexId, "VARIANT_OF", id));
    }
    return doc;
  }

  // ---------------------------------------------------------------- pieces

  private static ObjectNode header(String name, String created, Options o) {
    ObjectNode doc = F.objectNode();
    doc.put("SPDXID", "SPDXRef-DOCUMENT");
    doc.put("name", name);
    doc.put("spdxVersion", "SPDX-2.3");
    ObjectNode ci = doc.putObject("creationInfo");
    ci.put("created", created);
    ci.putArray("creators").add(o.creatorTool()).add("Organization: Chainguard, Inc");
    ci.put("licenseListVersion", "3.27");
    doc.put("dataLicense", "CC0-1.0");
    doc.put("documentNamespace", "https://spdx.org/spdxdocs/apko/");
    return doc;
  }

  private static ObjectNode pkg(String id, String name, String version, String description, String supplier,
      String sourceInfo, String purpose) {
    ObjectNode p = F.objectNode();
    p.put("SPDXID", id);
    p.put("name", name);
    putIf(p, "versionInfo", version);
    p.put("filesAnalyzed", false);
    putIf(p, "description", description);
    p.put("downloadLocation", NOASSERTION);
    putIf(p, "supplier", supplier);
    putIf(p, "sourceInfo", sourceInfo);
    putIf(p, "primaryPackagePurpose", purpose);
    return p;
  }

  /** Puts checksums and externalRefs after the scalar fields, as the Go struct orders them. */
  private static ObjectNode reorder(ObjectNode p) {
    ObjectNode out = F.objectNode();
    p.properties().forEach(e -> {
      if (!e.getKey().equals("checksums") && !e.getKey().equals("externalRefs")) {
        out.set(e.getKey(), e.getValue());
      }
    });
    if (p.has("checksums")) {
      out.set("checksums", p.get("checksums"));
    }
    if (p.has("externalRefs")) {
      out.set("externalRefs", p.get("externalRefs"));
    }
    return out;
  }

  private static void putIf(ObjectNode n, String k, String v) {
    if (v != null && !v.isEmpty()) {
      n.put(k, v);
    }
  }

  private static ObjectNode checksum(String alg, String value) {
    ObjectNode c = F.objectNode();
    c.put("algorithm", alg);
    c.put("checksumValue", value);
    return c;
  }

  private static ArrayNode purlRef(String locator) {
    ArrayNode a = F.arrayNode();
    ObjectNode r = a.addObject();
    r.put("referenceCategory", "PACKAGE-MANAGER");
    r.put("referenceLocator", locator);
    r.put("referenceType", "purl");
    return a;
  }

  private static ObjectNode rel(String a, String type, String b) {
    ObjectNode r = F.objectNode();
    r.put("spdxElementId", a);
    r.put("relationshipType", type);
    r.put("relatedSpdxElement", b);
    return r;
  }

  /** {@code pkg:oci/<name>[@<version>]} as packageurl-go prints it. */
  static String ociPurl(String name, String version) {
    return "pkg:oci/" + Purl.encode(name, false) + (version.isEmpty() ? "" : "@" + Purl.encode(version, true));
  }

  /** Sorted {@code k=v} joined by {@code &}, values {@code url.QueryEscape}d (space as {@code +}). */
  static String query(Map<String, String> q) {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(q).forEach((k, v) -> {
      sb.append(sb.length() == 0 ? "" : "&").append(k).append('=').append(Purl.encode(v, false).replace("%20", "+"));
    });
    return sb.toString();
  }

  /** apko's {@code ImagePurlName}: the last path segment of the reference's repository, or {@code image}. */
  static String purlName(String reference) {
    if (reference == null || reference.isEmpty()) {
      return "image";
    }
    String r = reference;
    int at = r.indexOf('@');
    if (at >= 0) {
      r = r.substring(0, at);
    }
    int slash = r.lastIndexOf('/');
    int colon = r.lastIndexOf(':');
    if (colon > slash) {
      r = r.substring(0, colon);
    }
    String base = r.substring(r.lastIndexOf('/') + 1);
    return base.isEmpty() ? "image" : base;
  }

  /**
   * apko's {@code stringToIdentifier}: {@code :} becomes {@code -}, and every byte of a run of characters outside
   * {@code [a-zA-Z0-9-.]} becomes {@code C<code>} ({@code C65533} for each byte of a non-ASCII character).
   */
  static String identifier(String in) {
    String s = in.replace(':', '-');
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.') {
        sb.append((char) c);
      } else {
        sb.append('C').append(c < 0x80 ? c : 65533);
      }
    }
    return sb.toString();
  }

  /** Renders a document exactly as apko's encoder does (two-space indent, HTML-escaped, newline-terminated). */
  public static byte[] render(JsonNode doc) {
    // json.Encoder with SetIndent("", "  ") is Marshal, then Indent, then a newline
    return (GoJson.indent(GoJson.marshal(goValue(doc))) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** The parsed tree as a Go value: object fields keep their order (the SPDX structs' field order). */
  private static GoJson.Value goValue(JsonNode n) {
    if (n.isObject()) {
      GoJson.Obj o = GoJson.object();
      n.properties().forEach(e -> o.put(e.getKey(), goValue(e.getValue())));
      return o;
    }
    if (n.isArray()) {
      GoJson.Arr a = GoJson.array();
      n.forEach(item -> a.add(goValue(item)));
      return a;
    }
    if (n.isTextual()) {
      return GoJson.string(n.asText());
    }
    if (n.isBoolean()) {
      return GoJson.bool(n.asBoolean());
    }
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return GoJson.number(n.asLong());
    }
    if (n.isNumber()) {
      return GoJson.number(n.toString());
    }
    return GoJson.nullValue();
  }

}
