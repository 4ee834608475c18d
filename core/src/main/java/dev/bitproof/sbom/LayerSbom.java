package dev.bitproof.sbom;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.tar.TarEntryInfo;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.cyclonedx.Version;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.metadata.ToolInformation;

/**
 * A complete SBOM built from the layers: every installed package (from the image's own database, checked against
 * the layers) and, under each, the files it owns with the SHA-1 and SHA-256 of the bytes actually in the layers.
 * Deterministic: the serial number and SPDX namespace derive from the image digest; no timestamp unless given.
 */
public final class LayerSbom {
  /**
   * @param toolVersion bitproof's version, recorded as the creating tool
   * @param imageName name for the image's purl (repository basename), {@code image} when empty
   * @param timestamp CycloneDX {@code metadata.timestamp}; none by default so output is reproducible
   * @param files list each package's files with checksums
   */
  public record Options(String toolVersion, String imageName, Optional<Instant> timestamp, boolean files) {}

  private LayerSbom() {}

  /** One owned file with the digests of the bytes in the layers. */
  record FileEntry(String path, String sha1, String sha256) {}

  static List<FileEntry> files(ImageContents c, InstalledPackage p) {
    List<FileEntry> out = new ArrayList<>();
    ImageFilesystem fs = c.filesystem();
    for (InstalledPackage.OwnedFile f : p.files()) {
      fs.get(f.path()).ifPresent(n -> {
        if (n.entry().type() == TarEntryInfo.Type.FILE) {
          out.add(new FileEntry(f.path(), n.entry().sha1Hex().orElse(""), n.entry().sha256().map(Digest::hex).orElse("")));
        }
      });
    }
    return out;
  }

  /** The purl bitproof writes for an installed package (and accepts back in {@code sbom check}). */
  public static String purl(ImageContents c, InstalledPackage p) {
    String osId = c.osRelease().id().isEmpty() ? (p.ecosystem() == InstalledPackage.Ecosystem.DEB ? "debian" : "unknown")
        : c.osRelease().id();
    Map<String, String> q = new TreeMap<>();
    if (!p.arch().isEmpty()) {
      q.put("arch", p.arch());
    }
    String version = p.version();
    if (p.ecosystem() == InstalledPackage.Ecosystem.DEB) {
      int colon = version.indexOf(':');
      if (colon > 0) {
        q.put("epoch", version.substring(0, colon));
        version = version.substring(colon + 1);
      }
      if (!c.osRelease().versionId().isEmpty()) {
        q.put("distro", osId + "-" + c.osRelease().versionId());
      }
    } else if (!osId.equals("unknown")) {
      q.put("distro", osId);
    }
    return new Purl(p.ecosystem().purlType(), osId, p.name(), version, q, "").toString();
  }

  // ---------------------------------------------------------------- CycloneDX 1.6

  public static Bom cycloneDx(LoadedImage img, Options o) {
    return cycloneDx(img, o, List.of());
  }

  /** With the language packages the layers hold ({@link LanguageScan}), one component per purl. */
  public static Bom cycloneDx(LoadedImage img, Options o, List<LanguagePackage> languages) {
    ImageContents c = img.contents();
    Digest manifest = img.identity().manifest().orElseThrow(() -> new CheckException(SbomCode.SBOM_SUBJECT_UNKNOWN, "image",
        "the image digest is needed to name the SBOM's subject"));
    Bom bom = new Bom();
    bom.setSerialNumber("urn:uuid:" + nameUuid("bitproof-cyclonedx:" + manifest));
    bom.setVersion(1);
    Metadata md = new Metadata();
    // cyclonedx-core-java stamps the current time into new Metadata; only a requested timestamp is kept
    md.setTimestamp(o.timestamp().map(Date::from).orElse(null));
    Component tool = new Component();
    tool.setType(Component.Type.APPLICATION);
    tool.setName("bitproof");
    tool.setVersion(o.toolVersion());
    ToolInformation ti = new ToolInformation();
    ti.setComponents(List.of(tool));
    md.setToolChoice(ti);
    Component root = new Component();
    root.setType(Component.Type.CONTAINER);
    String name = ApkoSpdx.purlName(o.imageName());
    root.setName(name);
    root.setVersion(manifest.toString());
    root.setBomRef(manifest.toString());
    Map<String, String> q = new TreeMap<>();
    q.put("arch", img.image().config().architecture());
    q.put("os", img.image().config().os());
    root.setPurl(ApkoSpdx.ociPurl(name, manifest.toString()) + "?" + ApkoSpdx.query(q));
    root.setHashes(List.of(new Hash(Hash.Algorithm.SHA_256, manifest.hex())));
    md.setComponent(root);
    bom.setMetadata(md);

    List<Component> comps = new ArrayList<>();
    if (!c.osRelease().isEmpty()) {
      Component os = new Component();
      os.setType(Component.Type.OPERATING_SYSTEM);
      os.setBomRef("os:" + c.osRelease().id());
      os.setName(c.osRelease().id());
      os.setVersion(c.osRelease().versionId());
      os.setDescription(c.osRelease().name());
      comps.add(os);
    }
    for (InstalledPackage p : c.packages()) {
      Component pc = new Component();
      pc.setType(Component.Type.LIBRARY);
      String purl = purl(c, p);
      pc.setBomRef(purl);
      pc.setName(p.name());
      pc.setVersion(p.version());
      pc.setPurl(purl);
      List<Property> props = new ArrayList<>();
      props.add(new Property("bitproof:package:database", c.databasePath()));
      if (!p.source().equals(p.name())) {
        props.add(new Property("bitproof:package:source", p.source()));
      }
      pc.setProperties(props);
      if (o.files()) {
        List<Component> fcs = new ArrayList<>();
        for (FileEntry f : files(c, p)) {
          Component fc = new Component();
          fc.setType(Component.Type.FILE);
          fc.setBomRef(purl + "#" + f.path());
          fc.setName(f.path());
          fc.setHashes(List.of(new Hash(Hash.Algorithm.SHA1, f.sha1()), new Hash(Hash.Algorithm.SHA_256, f.sha256())));
          fcs.add(fc);
        }
        if (!fcs.isEmpty()) {
          pc.setComponents(fcs);
        }
      }
      comps.add(pc);
    }
    for (LanguagePackage lp : distinct(languages)) {
      Component lc = new Component();
      lc.setType(Component.Type.LIBRARY);
      lc.setBomRef(lp.purl());
      lc.setName(lp.name());
      lc.setVersion(lp.version());
      lc.setPurl(lp.purl());
      lp.sha256().ifPresent(h -> lc.setHashes(List.of(new Hash(Hash.Algorithm.SHA_256, h))));
      spdxLicense(lp).ifPresent(l -> {
        org.cyclonedx.model.LicenseChoice choice = new org.cyclonedx.model.LicenseChoice();
        choice.setExpression(new org.cyclonedx.model.license.Expression(l));
        lc.setLicenses(choice);
      });
      lc.setProperties(List.of(new Property("bitproof:evidence", lp.evidence())));
      comps.add(lc);
    }
    bom.setComponents(comps);
    return bom;
  }

  public static byte[] cycloneDxJson(Bom bom) {
    try {
      return (BomGeneratorFactory.createJson(Version.VERSION_16, bom).toJsonString() + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (org.cyclonedx.exception.GeneratorException e) {
      throw new IllegalStateException("CycloneDX generation failed", e);
    }
  }

  // ---------------------------------------------------------------- SPDX 2.3, complete

  public static ObjectNode spdx(LoadedImage img, Options o) {
    return spdx(img, o, List.of());
  }

  /** One package per language package purl, as in {@link #cycloneDx(LoadedImage, Options, List)}. */
  static List<LanguagePackage> distinct(List<LanguagePackage> languages) {
    Map<String, LanguagePackage> byPurl = new java.util.LinkedHashMap<>();
    languages.forEach(l -> byPurl.putIfAbsent(l.purl(), l));
    return List.copyOf(byPurl.values());
  }

  static java.util.Optional<String> spdxLicense(LanguagePackage lp) {
    return LicenseExpression.parse(lp.license()).map(e -> lp.license());
  }

  public static ObjectNode spdx(LoadedImage img, Options o, List<LanguagePackage> languages) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ImageContents c = img.contents();
    Digest manifest = img.identity().manifest().orElseThrow(() -> new CheckException(SbomCode.SBOM_SUBJECT_UNKNOWN, "image",
        "the image digest is needed to name the SBOM's subject"));
    ObjectNode doc = f.objectNode();
    doc.put("SPDXID", "SPDXRef-DOCUMENT");
    doc.put("name", "sbom-" + manifest);
    doc.put("spdxVersion", "SPDX-2.3");
    ObjectNode ci = doc.putObject("creationInfo");
    ci.put("created", o.timestamp().map(Instant::toString).orElse(SbomGenerator.created(img.image())));
    ci.putArray("creators").add("Tool: bitproof-" + o.toolVersion());
    doc.put("dataLicense", "CC0-1.0");
    doc.put("documentNamespace", "https://spdx.org/spdxdocs/bitproof/" + nameUuid("bitproof-spdx:" + manifest));
    String rootId = "SPDXRef-Package-Image-" + ApkoSpdx.identifier(manifest.toString());
    doc.putArray("documentDescribes").add(rootId);
    ArrayNode pkgs = doc.putArray("packages");
    ArrayNode files = f.arrayNode();
    ArrayNode rels = f.arrayNode();
    ObjectNode root = pkgs.addObject();
    root.put("SPDXID", rootId);
    root.put("name", ApkoSpdx.purlName(o.imageName()));
    root.put("versionInfo", manifest.toString());
    root.put("downloadLocation", ApkoSpdx.NOASSERTION);
    root.put("filesAnalyzed", false);
    root.put("primaryPackagePurpose", "CONTAINER");
    ObjectNode rc = root.putArray("checksums").addObject();
    rc.put("algorithm", "SHA256");
    rc.put("checksumValue", manifest.hex());
    Map<String, String> q = new TreeMap<>();
    q.put("arch", img.image().config().architecture());
    q.put("os", img.image().config().os());
    externalPurl(root, ApkoSpdx.ociPurl(ApkoSpdx.purlName(o.imageName()), manifest.toString()) + "?" + ApkoSpdx.query(q));
    int fileNo = 0;
    for (InstalledPackage p : c.packages()) {
      String id = "SPDXRef-Package-" + p.ecosystem().purlType() + "-" + ApkoSpdx.identifier(p.name() + "-" + p.version());
      ObjectNode pn = pkgs.addObject();
      pn.put("SPDXID", id);
      pn.put("name", p.name());
      pn.put("versionInfo", p.version());
      pn.put("downloadLocation", ApkoSpdx.NOASSERTION);
      pn.put("filesAnalyzed", false);
      if (!p.source().equals(p.name())) {
        pn.put("sourceInfo", "built from source package " + p.source());
      }
      pn.put("primaryPackagePurpose", "LIBRARY");
      externalPurl(pn, purl(c, p));
      ObjectNode r = rels.addObject();
      r.put("spdxElementId", rootId);
      r.put("relationshipType", "CONTAINS");
      r.put("relatedSpdxElement", id);
      if (o.files()) {
        for (FileEntry fe : files(c, p)) {
          String fid = "SPDXRef-File-" + (++fileNo);
          ObjectNode fn = files.addObject();
          fn.put("SPDXID", fid);
          fn.put("fileName", "./" + fe.path());
          ArrayNode cs = fn.putArray("checksums");
          cs.addObject().put("algorithm", "SHA1").put("checksumValue", fe.sha1());
          cs.addObject().put("algorithm", "SHA256").put("checksumValue", fe.sha256());
          ObjectNode fr = rels.addObject();
          fr.put("spdxElementId", id);
          fr.put("relationshipType", "CONTAINS");
          fr.put("relatedSpdxElement", fid);
        }
      }
    }
    for (LanguagePackage lp : distinct(languages)) {
      String id = "SPDXRef-Package-" + lp.ecosystem().purlType() + "-" + ApkoSpdx.identifier(lp.name() + "-" + lp.version());
      ObjectNode pn = pkgs.addObject();
      pn.put("SPDXID", id);
      pn.put("name", lp.name());
      pn.put("versionInfo", lp.version());
      pn.put("downloadLocation", ApkoSpdx.NOASSERTION);
      pn.put("filesAnalyzed", false);
      lp.sha256().ifPresent(h -> pn.putArray("checksums").addObject().put("algorithm", "SHA256").put("checksumValue", h));
      pn.put("licenseDeclared", spdxLicense(lp).orElse(ApkoSpdx.NOASSERTION));
      pn.put("sourceInfo", "evidence: " + lp.evidence());
      pn.put("primaryPackagePurpose", "LIBRARY");
      externalPurl(pn, lp.purl());
      ObjectNode r = rels.addObject();
      r.put("spdxElementId", rootId);
      r.put("relationshipType", "CONTAINS");
      r.put("relatedSpdxElement", id);
    }
    if (!files.isEmpty()) {
      doc.set("files", files);
    }
    doc.set("relationships", rels);
    return doc;
  }

  private static void externalPurl(ObjectNode pkg, String purl) {
    ObjectNode r = pkg.putArray("externalRefs").addObject();
    r.put("referenceCategory", "PACKAGE-MANAGER");
    r.put("referenceType", "purl");
    r.put("referenceLocator", purl);
  }

  /** A name-based UUID (version 5 layout over SHA-256): the same input always gives the same serial number. */
  static UUID nameUuid(String name) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      h[6] = (byte) ((h[6] & 0x0f) | 0x50);
      h[8] = (byte) ((h[8] & 0x3f) | 0x80);
      long msb = 0;
      long lsb = 0;
      for (int i = 0; i < 8; i++) {
        msb = (msb << 8) | (h[i] & 0xff);
        lsb = (lsb << 8) | (h[8 + i] & 0xff);
      }
      return new UUID(msb, lsb);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}
