package dev.bitproof.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.io.Decompress;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.ImageManifest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.report.CheckException;
import dev.bitproof.tar.TarPaths;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The language packages in an image, read from the layers in one streaming pass per layer: Go build info in
 * executables, Python {@code *.dist-info/METADATA} (+ {@code RECORD}) and {@code *.egg-info}, npm
 * {@code node_modules/**}{@code /package.json}, and jars ({@code META-INF/maven/**}{@code /pom.properties}, nested
 * jars to depth {@value #MAX_JAR_DEPTH}). Only what survives in the merged filesystem counts: a package whose
 * evidence a later layer deleted or replaced is not there. Every read is bounded.
 */
public final class LanguageScan {
  static final int MAX_METADATA = 4 << 20;
  static final long MAX_BINARY = 1L << 30;
  static final int MAX_JAR_DEPTH = 3;
  /** Inflated bytes read from one top-level jar, nested jars included (a zip bomb stops here). */
  static final long MAX_JAR_INFLATED = 1L << 30;
  static final int MAX_PACKAGES = 200_000;

  private static final Pattern NPM = Pattern.compile("(?:.*/)?node_modules/((?:@[^/]+/)?[^/@][^/]*)/package\\.json");
  private static final Pattern DIST_INFO = Pattern.compile("(?:(.*)/)?([^/]+)\\.dist-info/(METADATA|RECORD)");
  private static final Pattern EGG_INFO = Pattern.compile("(?:.*/)?[^/]+\\.egg-info(?:/PKG-INFO)?");

  /** What the layers hold, and what could not be read within the bounds. */
  public record Result(List<LanguagePackage> packages, List<String> limited) {
    public Result {
      packages = List.copyOf(packages);
      limited = List.copyOf(limited);
    }
  }

  private record Found(LanguagePackage pkg, String path, int layer) {}

  private final List<Found> found = new ArrayList<>();
  private final Map<String, List<String>> records = new LinkedHashMap<>(); // dist-info dir -> RECORD files
  private final List<String> limited = new ArrayList<>();
  private int layer;

  /** Streams every layer of {@code manifest} once more and keeps what the merged tree {@code fs} still has. */
  public static Result read(ImageSource source, ImageManifest manifest, ImageFilesystem fs) throws IOException {
    LanguageScan s = new LanguageScan();
    int i = 0;
    for (Descriptor d : manifest.layers()) {
      String subject = "layer " + i++ + " " + d.digest();
      try (InputStream blob = source.blob(d); InputStream tar = Decompress.layer(d.mediaType(), blob, subject)) {
        s.layer(tar, subject);
        tar.transferTo(OutputStream.nullOutputStream());
        blob.transferTo(OutputStream.nullOutputStream());
      }
    }
    return s.result(fs);
  }

  /** Reads one uncompressed layer tar (layers in order). */
  public LanguageScan layer(InputStream tarStream, String subject) throws IOException {
    TarArchiveInputStream in = new TarArchiveInputStream(tarStream, true);
    TarArchiveEntry e;
    while ((e = nextEntry(in, subject)) != null) {
      if (!e.isFile() || e.isLink() || e.isSymbolicLink()) {
        continue;
      }
      String path;
      try {
        path = TarPaths.normalize(e.getName(), subject);
      } catch (CheckException ex) {
        continue; // the filesystem reader reports bad names; here such an entry is simply not evidence
      }
      try {
        entry(path, e.getSize(), in);
      } catch (IOException | RuntimeException ex) {
        // bad metadata (JSON, a zip, an over-size file) is about this file only; the layer itself was already read
        // whole and checked by the filesystem pass
        limited.add(path + ": " + ex.getMessage());
      }
      if (found.size() > MAX_PACKAGES) {
        throw new CheckException(SbomCode.SBOM_TOO_MANY_COMPONENTS, subject, "more than " + MAX_PACKAGES + " language packages");
      }
    }
    layer++;
    return this;
  }

  private static TarArchiveEntry nextEntry(TarArchiveInputStream in, String subject) {
    try {
      return in.getNextEntry();
    } catch (IOException | IllegalArgumentException e) {
      throw CheckException.integrity(dev.bitproof.tar.TarCode.TAR_CORRUPT, subject, "not a valid tar: " + e.getMessage());
    }
  }

  private void entry(String path, long size, InputStream in) throws IOException {
    String base = TarPaths.baseName(path);
    Matcher npm = NPM.matcher(path);
    Matcher dist = DIST_INFO.matcher(path);
    if (npm.matches()) {
      npm(path, npm.group(1), small(in, size, path));
    } else if (dist.matches()) {
      String dir = TarPaths.parent(path);
      if (dist.group(3).equals("RECORD")) {
        records.put(dir, record(dist.group(1) == null ? "" : dist.group(1), small(in, size, path)));
      } else {
        python(path, dir, small(in, size, path));
      }
    } else if (EGG_INFO.matcher(path).matches()) {
      python(path, "", small(in, size, path));
    } else if (base.endsWith(".jar") || base.endsWith(".war") || base.endsWith(".ear")) {
      Counting c = new Counting(in);
      jar(path, path, c, 0, c);
    } else if (size > 64) {
      byte[] head = in.readNBytes(4);
      if (head.length == 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') {
        go(path, new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(head), new NoClose(in))); // it closes what it finished
      }
    }
  }

  private static byte[] small(InputStream in, long size, String path) throws IOException {
    if (size > MAX_METADATA) {
      throw new IOException("metadata file of " + size + " bytes is over the " + MAX_METADATA + "-byte limit");
    }
    return in.readNBytes((int) size);
  }

  private void add(LanguagePackage p, String path) {
    found.add(new Found(p, path, layer));
  }

  // ---------------------------------------------------------------- npm

  private void npm(String path, String dirName, byte[] json) {
    JsonNode n = Json.parse(json, path);
    String name = n.path("name").asText("");
    String version = n.path("version").asText("");
    if (name.isEmpty() || version.isEmpty()) {
      return; // not a published package's manifest (a nested project file)
    }
    String license = n.path("license").isTextual() ? n.path("license").asText()
        : n.path("license").path("type").asText("");
    if (license.isEmpty() && n.path("licenses").isArray()) {
      List<String> ls = new ArrayList<>();
      n.path("licenses").forEach(l -> ls.add(l.isTextual() ? l.asText() : l.path("type").asText()));
      license = ls.size() == 1 ? ls.get(0) : ls.isEmpty() ? "" : "(" + String.join(" OR ", ls) + ")";
    }
    add(new LanguagePackage(LanguagePackage.Ecosystem.NPM, name.toLowerCase(java.util.Locale.ROOT), version, path,
        List.of(path), Optional.empty(), license), path);
  }

  // ---------------------------------------------------------------- Python

  private void python(String path, String distInfoDir, byte[] metadata) {
    Map<String, List<String>> h = headers(new String(metadata, StandardCharsets.UTF_8));
    String name = first(h, "name");
    String version = first(h, "version");
    if (name.isEmpty() || version.isEmpty()) {
      return;
    }
    String license = first(h, "license-expression");
    if (license.isEmpty()) {
      List<String> fromClassifiers = new ArrayList<>();
      for (String c : h.getOrDefault("classifier", List.of())) {
        if (c.startsWith("License :: ")) {
          PythonLicenses.spdx(c).ifPresent(fromClassifiers::add);
        }
      }
      license = fromClassifiers.isEmpty() ? first(h, "license")
          : fromClassifiers.size() == 1 ? fromClassifiers.get(0) : String.join(" OR ", fromClassifiers);
    }
    add(new LanguagePackage(LanguagePackage.Ecosystem.PYPI, LanguagePackage.normalizePypi(name), version, path,
        List.of(distInfoDir.isEmpty() ? path : distInfoDir), Optional.empty(), license), path);
  }

  /** RFC 822 style headers (METADATA, PKG-INFO): the header block only, keys lowercase, repeated keys kept. */
  static Map<String, List<String>> headers(String text) {
    Map<String, List<String>> h = new LinkedHashMap<>();
    String last = null;
    for (String line : text.split("\r?\n", -1)) {
      if (line.isEmpty()) {
        break; // the body (long description) starts
      }
      if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
        continue; // a continuation line (multi-line License text): the first line is enough to compare
      }
      int c = line.indexOf(':');
      if (c <= 0) {
        continue;
      }
      last = line.substring(0, c).trim().toLowerCase(java.util.Locale.ROOT);
      h.computeIfAbsent(last, k -> new ArrayList<>()).add(line.substring(c + 1).trim());
    }
    return h;
  }

  private static String first(Map<String, List<String>> h, String k) {
    List<String> v = h.get(k);
    return v == null || v.isEmpty() ? "" : v.get(0);
  }

  /** The files a RECORD lists, as image paths (RECORD paths are relative to the site-packages directory). */
  private static List<String> record(String sitePackages, byte[] rec) {
    List<String> out = new ArrayList<>();
    for (String line : new String(rec, StandardCharsets.UTF_8).split("\r?\n")) {
      if (line.isBlank()) {
        continue;
      }
      String p = line.startsWith("\"") ? line.substring(1, Math.max(1, line.indexOf('"', 1))) : line.split(",", 2)[0];
      out.add(TarPaths.resolveLink(sitePackages.isEmpty() ? "_" : sitePackages + "/_", p));
    }
    return out;
  }

  // ---------------------------------------------------------------- Java

  private void jar(String topPath, String where, InputStream in, int depth, Counting counter) throws IOException {
    ZipInputStream zip = new ZipInputStream(in);
    ZipEntry z;
    List<String[]> poms = new ArrayList<>();
    Map<String, String> licenses = new LinkedHashMap<>();
    while ((z = zip.getNextEntry()) != null) {
      if (counter.count > MAX_JAR_INFLATED) {
        throw new IOException("jar inflates to over " + MAX_JAR_INFLATED + " bytes");
      }
      String n = z.getName();
      if (n.startsWith("META-INF/maven/") && n.endsWith("/pom.properties")) {
        Properties p = new Properties();
        p.load(new java.io.ByteArrayInputStream(bounded(zip, n)));
        String g = p.getProperty("groupId", "");
        String a = p.getProperty("artifactId", "");
        String v = p.getProperty("version", "");
        if (!g.isEmpty() && !a.isEmpty() && !v.isEmpty()) {
          poms.add(new String[] {g, a, v});
        }
      } else if (n.startsWith("META-INF/maven/") && n.endsWith("/pom.xml")) {
        Matcher m = Pattern.compile("<licenses>\\s*<license>\\s*<name>([^<]+)</name>").matcher(
            new String(bounded(zip, n), StandardCharsets.UTF_8));
        if (m.find()) {
          licenses.put(n.substring(0, n.length() - "pom.xml".length()), m.group(1).trim());
        }
      } else if ((n.endsWith(".jar") || n.endsWith(".war")) && depth + 1 < MAX_JAR_DEPTH) {
        jar(topPath, where + "!/" + n, new NoClose(zip), depth + 1, counter);
      }
    }
    for (String[] p : poms) {
      String dir = "META-INF/maven/" + p[0] + "/" + p[1] + "/";
      add(new LanguagePackage(LanguagePackage.Ecosystem.MAVEN, p[0] + "/" + p[1], p[2], where, List.of(where),
          Optional.empty(), licenses.getOrDefault(dir, "")), topPath);
    }
  }

  private static byte[] bounded(InputStream in, String name) throws IOException {
    byte[] b = in.readNBytes(MAX_METADATA + 1);
    if (b.length > MAX_METADATA) {
      throw new IOException(name + " is over " + MAX_METADATA + " bytes");
    }
    return b;
  }

  /** Counts inflated bytes of a top-level jar across its nested jars. */
  private static final class Counting extends FilterInputStream {
    long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }

  private static final class NoClose extends FilterInputStream {
    NoClose(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }

  // ---------------------------------------------------------------- Go

  private void go(String path, InputStream in) throws IOException {
    Optional<GoBuildInfo.Info> info = GoBuildInfo.scan(in, MAX_BINARY);
    if (info.isEmpty()) {
      return;
    }
    // the standard library linked in, named as syft and trivy name it: pkg:golang/stdlib@v<go version>
    String goVersion = info.get().goVersion().split(" ", 2)[0];
    if (goVersion.startsWith("go")) {
      add(new LanguagePackage(LanguagePackage.Ecosystem.GOLANG, "stdlib", "v" + goVersion.substring(2), path, List.of(path),
          Optional.empty(), "BSD-3-Clause"), path);
    }
    for (GoBuildInfo.Module m : info.get().modules()) {
      add(new LanguagePackage(LanguagePackage.Ecosystem.GOLANG, m.path(), m.version(), path, List.of(path), m.sum(), ""),
          path);
    }
  }

  // ---------------------------------------------------------------- merge

  /** The packages whose evidence is still in the merged tree (same layer), with Python RECORD files attached. */
  public Result result(ImageFilesystem fs) {
    List<LanguagePackage> out = new ArrayList<>();
    for (Found f : found) {
      Optional<ImageFilesystem.Node> n = fs.get(f.path());
      if (n.isEmpty() || n.get().layer() != f.layer()) {
        continue;
      }
      LanguagePackage p = f.pkg();
      if (p.ecosystem() == LanguagePackage.Ecosystem.PYPI && records.containsKey(p.files().get(0))) {
        p = new LanguagePackage(p.ecosystem(), p.name(), p.version(), p.evidence(), records.get(p.files().get(0)),
            p.sha256(), p.license());
      }
      out.add(p);
    }
    return new Result(out, limited);
  }
}
