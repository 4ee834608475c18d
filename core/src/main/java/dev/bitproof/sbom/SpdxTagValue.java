package dev.bitproof.sbom;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.report.CheckException;
import java.nio.charset.StandardCharsets;

/**
 * SPDX 2.x tag-value ({@code SPDXVersion: SPDX-2.3} ...) turned into the SPDX JSON tree, so one reader and one
 * schema serve both encodings. Document, package, file and relationship tags are mapped (SPDX 2.3 spec clause 5-11
 * names); snippets, annotations and extracted licences end the current element and are otherwise skipped.
 * {@code <text>...</text>} values may span lines.
 */
final class SpdxTagValue {
  private SpdxTagValue() {}

  static boolean looksLike(byte[] b, int from) {
    String head = new String(b, from, Math.min(b.length - from, 4096), StandardCharsets.UTF_8);
    for (String line : head.split("\r?\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      return line.startsWith("SPDXVersion:");
    }
    return false;
  }

  static ObjectNode toJson(byte[] bytes, String subject, SbomReader.Limits limits) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode doc = f.objectNode();
    ArrayNode packages = f.arrayNode();
    ArrayNode files = f.arrayNode();
    ArrayNode rels = f.arrayNode();
    ObjectNode current = doc; // the element the next tags describe
    String text = new String(bytes, StandardCharsets.UTF_8);
    String[] lines = text.split("\r?\n", -1);
    int elements = 0;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int c = line.indexOf(':');
      if (c <= 0) {
        throw SbomReader.parseError(subject, "tag-value line " + (i + 1) + " has no 'Tag:'", null);
      }
      String tag = line.substring(0, c).trim();
      String value = line.substring(c + 1).trim();
      if (value.startsWith("<text>")) {
        StringBuilder sb = new StringBuilder(value.substring(6));
        while (!sb.toString().contains("</text>")) {
          if (++i >= lines.length) {
            throw SbomReader.parseError(subject, "tag-value <text> of " + tag + " is never closed", null);
          }
          sb.append('\n').append(lines[i]);
        }
        value = sb.substring(0, sb.indexOf("</text>"));
      }
      if (++elements > limits.maxComponents() * 20L) {
        throw new CheckException(SbomCode.SBOM_TOO_MANY_COMPONENTS, subject, "too many tag-value lines");
      }
      switch (tag) {
        case "SPDXVersion" -> doc.put("spdxVersion", value);
        case "DataLicense" -> doc.put("dataLicense", value);
        case "DocumentName" -> doc.put("name", value);
        case "DocumentNamespace" -> doc.put("documentNamespace", value);
        case "Creator" -> creationInfo(doc).withArray("creators").add(value);
        case "Created" -> creationInfo(doc).put("created", value);
        case "LicenseListVersion" -> creationInfo(doc).put("licenseListVersion", value);
        case "SPDXID" -> current.put("SPDXID", value);
        case "PackageName" -> {
          current = packages.addObject();
          current.put("name", value);
        }
        case "PackageVersion" -> current.put("versionInfo", value);
        case "PackageDownloadLocation" -> current.put("downloadLocation", value);
        case "FilesAnalyzed" -> current.put("filesAnalyzed", Boolean.parseBoolean(value));
        case "PackageChecksum", "FileChecksum" -> {
          int k = value.indexOf(':');
          if (k > 0) {
            current.withArray("checksums").addObject().put("algorithm", value.substring(0, k).trim())
                .put("checksumValue", value.substring(k + 1).trim());
          }
        }
        case "PackageLicenseDeclared" -> current.put("licenseDeclared", value);
        case "PackageLicenseConcluded", "LicenseConcluded" -> current.put("licenseConcluded", value);
        case "PackageCopyrightText", "FileCopyrightText" -> current.put("copyrightText", value);
        case "PackageSupplier" -> current.put("supplier", value);
        case "PackageOriginator" -> current.put("originator", value);
        case "PrimaryPackagePurpose" -> current.put("primaryPackagePurpose", value);
        case "ExternalRef" -> {
          String[] p = value.split("\\s+", 3);
          if (p.length == 3) {
            current.withArray("externalRefs").addObject().put("referenceCategory", p[0]).put("referenceType", p[1])
                .put("referenceLocator", p[2]);
          }
        }
        case "FileName" -> {
          current = files.addObject();
          current.put("fileName", value);
        }
        case "Relationship" -> {
          String[] p = value.split("\\s+");
          if (p.length != 3) {
            throw SbomReader.parseError(subject, "tag-value Relationship '" + value + "' is not 'A TYPE B'", null);
          }
          rels.addObject().put("spdxElementId", p[0]).put("relationshipType", p[1]).put("relatedSpdxElement", p[2]);
        }
        case "SnippetSPDXID", "LicenseID", "Annotator" -> current = f.objectNode(); // not read: a detached element
        default -> { }
      }
    }
    if (!packages.isEmpty()) {
      doc.set("packages", packages);
    }
    if (!files.isEmpty()) {
      doc.set("files", files);
    }
    if (!rels.isEmpty()) {
      doc.set("relationships", rels);
    }
    return doc;
  }

  private static ObjectNode creationInfo(ObjectNode doc) {
    return doc.has("creationInfo") ? (ObjectNode) doc.get("creationInfo") : doc.putObject("creationInfo");
  }
}
