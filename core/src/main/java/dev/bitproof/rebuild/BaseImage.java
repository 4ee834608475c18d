package dev.bitproof.rebuild;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bitproof.apk.db.ApkInstalledDb;
import dev.bitproof.apko.Arch;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageIndex;
import dev.bitproof.oci.ImageManifest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.OciLayout;
import dev.bitproof.report.CheckException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * apko's base-image mode input (reference apko.md §1.8, apko {@code pkg/baseimg}): one arch's image from an OCI
 * layout (the first index entry whose config {@code architecture} matches, one nested index unwrapped), its
 * layers as published (digest-checked, and each proved to decompress to the config's diff_id), and the base's
 * installed packages read from {@code <apkindex>/<arch>/APKINDEX} with apko's {@code ParseInstalled}.
 *
 * <p>That parser has two quirks that decide the bytes of the rebuilt installed DB and world, and both are
 * reproduced: the {@code M:}/{@code a:} lines change a copy of the header that was already appended, so every base
 * file comes back as 0755/0644 root-owned with no {@code Z:} checksum; and a record not followed by a blank line
 * (the last one, when the file does not end in an empty line) is dropped.
 */
public record BaseImage(Arch arch, ImageManifest manifest, JsonNode config, List<BuildResult.Layer> layers,
    List<Record> packages) {

  static final long MAX_LAYER = Integer.MAX_VALUE - 16;
  static final long MAX_APKINDEX = 64L * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern JSON_HAS_SUBJECT = Pattern.compile("\"subject\"\\s*:");
  private static final Pattern GO_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d*[1-9])?Z");
  static final Set<String> TOP_KEYS = Set.of("architecture", "author", "created", "history", "os", "rootfs", "config",
      "variant", "os.version", "os.features");
  static final Set<String> CONFIG_KEYS = Set.of("Cmd", "Entrypoint", "Env", "Labels", "User", "Volumes", "WorkingDir",
      "StopSignal");

  public BaseImage {
    layers = List.copyOf(layers);
    packages = List.copyOf(packages);
  }

  /** One base package as apko's {@code ParseInstalled} leaves it; {@code files} are (path, isDir) in file order. */
  public record Record(String name, String version, String arch, String license, String description, String origin,
      String maintainer, String url, String depends, String provides, String replaces, String commit, long buildDate,
      String installIf, long size, long installedSize, long providerPriority, byte[] checksum, List<String> files,
      List<Boolean> dirs) {

    public String pin() {
      return name + "=" + version;
    }
  }

  /** Loads the base for {@code arch}: {@code image} is an OCI layout directory, {@code apkindex} holds per-arch files. */
  public static BaseImage load(Path image, Path apkindex, Arch arch) throws IOException {
    if (!Files.isRegularFile(image.resolve("index.json"))) {
      throw new CheckException(RebuildCode.BUILD_BASE_IMAGE_NOT_FOUND, image.toString(), "not an OCI layout (no index.json)");
    }
    try (ImageSource src = OciLayout.source(ImageReference.oci(image.toString(), null))) {
      ImageIndex idx = ImageIndex.parse(src.root());
      for (Descriptor d : idx.manifests()) {
        if (d.mediaType().equals(MediaType.OCI_INDEX)) {
          idx = ImageIndex.parse(src.manifest(d));
          break;
        }
      }
      for (Descriptor d : idx.manifests()) {
        ImageManifest m = ImageManifest.parse(src.manifest(d));
        byte[] cb = src.blobBytes(m.config(), dev.bitproof.oci.ImageConfig.MAX_SIZE);
        JsonNode cfg = JSON.readTree(cb);
        if (!cfg.path("architecture").asText("").equals(arch.platform().architecture())) {
          continue;
        }
        checkSupported(m, cfg, d.digest().toString());
        List<BuildResult.Layer> layers = readLayers(src, m, cfg);
        List<Record> pkgs = parseInstalled(readApkindex(apkindex, arch), apkindex.toString());
        return new BaseImage(arch, m, cfg, layers, pkgs);
      }
      throw new CheckException(RebuildCode.BUILD_BASE_ARCH_MISSING, image.toString(),
          "the base image has no image for architecture " + arch.platform().architecture());
    }
  }

  private static byte[] readApkindex(Path apkindex, Arch arch) throws IOException {
    Path p = apkindex.resolve(arch.apk()).resolve("APKINDEX");
    try {
      if (Files.size(p) > MAX_APKINDEX) {
        throw new CheckException(RebuildCode.BUILD_BASE_APKINDEX_TOO_LARGE, p.toString(), "over " + MAX_APKINDEX + " bytes");
      }
      return Files.readAllBytes(p);
    } catch (NoSuchFileException e) {
      throw new CheckException(RebuildCode.BUILD_BASE_APKINDEX_MISSING, p.toString(), "no base-image APKINDEX for " + arch.apk(), e);
    }
  }

  /** Refuses what the ggcr round trip would rewrite in ways this model does not reproduce. */
  private static void checkSupported(ImageManifest m, JsonNode cfg, String subject) {
    for (Iterator<String> it = cfg.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!TOP_KEYS.contains(k)) {
        throw new CheckException(RebuildCode.BUILD_UNSUPPORTED, subject, "base image config field '" + k + "' is not reproduced");
      }
    }
    for (Iterator<String> it = cfg.path("config").fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!CONFIG_KEYS.contains(k)) {
        throw new CheckException(RebuildCode.BUILD_UNSUPPORTED, subject, "base image config.config field '" + k + "' is not reproduced");
      }
    }
    for (JsonNode h : cfg.path("history")) {
      if (h.has("created") && !GO_TIME.matcher(h.get("created").asText()).matches()) {
        throw new CheckException(RebuildCode.BUILD_UNSUPPORTED, subject, "base history time '" + h.get("created").asText()
            + "' is not in the form Go writes back unchanged");
      }
    }
    for (Descriptor d : m.layers()) {
      if (d.json() != null && d.json().has("data")) {
        throw new CheckException(RebuildCode.BUILD_UNSUPPORTED, subject, "base layer descriptor with embedded data");
      }
    }
    if (JSON_HAS_SUBJECT.matcher(new String(m.raw().bytes(), StandardCharsets.UTF_8)).find()
        || m.config().json() != null && m.config().json().has("data")) {
      throw new CheckException(RebuildCode.BUILD_UNSUPPORTED, subject, "base manifest with subject or embedded config data");
    }
  }

  private static List<BuildResult.Layer> readLayers(ImageSource src, ImageManifest m, JsonNode cfg) throws IOException {
    JsonNode ids = cfg.path("rootfs").path("diff_ids");
    if (!ids.isArray() || ids.size() != m.layers().size()) {
      throw CheckException.integrity(RebuildCode.BUILD_BASE_INVALID, m.digest().toString(), "base config lists " + ids.size()
          + " diff_ids for " + m.layers().size() + " layers");
    }
    List<BuildResult.Layer> out = new ArrayList<>();
    for (int i = 0; i < m.layers().size(); i++) {
      Descriptor d = m.layers().get(i);
      byte[] blob = src.blobBytes(d, MAX_LAYER);
      Digest want = Digest.parse(ids.get(i).asText());
      byte[] tar;
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(blob))) {
        tar = dev.bitproof.io.LimitedInputStream.readAll(in, MAX_LAYER, RebuildCode.BUILD_BASE_LAYER_TOO_LARGE,
            d.digest().toString());
      } catch (java.util.zip.ZipException e) {
        throw CheckException.integrity(RebuildCode.BUILD_BASE_LAYER_MISMATCH, d.digest().toString(), "base layer " + i
            + " is not gzip: " + e.getMessage());
      }
      Digest got = Digest.sha256(tar);
      if (!got.equals(want)) {
        throw CheckException.integrity(RebuildCode.BUILD_BASE_LAYER_MISMATCH, d.digest().toString(), "base layer " + i
            + " decompresses to " + got + " but the base config says " + want);
      }
      out.add(new BuildResult.Layer(tar, want, blob, d, "base"));
    }
    return out;
  }

  /**
   * apko's {@code ParseInstalled}, quirks included (see the class comment): the one installed-db reader in its apko
   * mode, its records in the shape the writer below takes; errors keep the base-image code.
   */
  static List<Record> parseInstalled(byte[] text, String subject) {
    ApkInstalledDb db;
    try {
      db = ApkInstalledDb.parse(text, subject, ApkInstalledDb.Mode.APKO);
    } catch (CheckException e) {
      throw CheckException.integrity(RebuildCode.BUILD_BASE_APKINDEX_INVALID, e.subject(), e.getMessage());
    }
    List<Record> out = new ArrayList<>();
    for (ApkInstalledDb.Package p : db.packages()) {
      out.add(new Record(p.name(), p.version(), p.arch(), p.license(), p.description(), p.origin(), p.maintainer(),
          p.url(), p.depends(), p.provides(), p.replaces().orElse(null), p.commit(), p.buildTime(),
          p.installIf().orElse(null), p.size(), p.installedSize(), p.providerPriority(),
          p.controlChecksum().map(ApkInstalledDb.Checksum::value).orElse(null),
          p.entries().stream().map(ApkInstalledDb.Entry::path).toList(),
          p.entries().stream().map(ApkInstalledDb.Entry::directory).toList()));
    }
    return out;
  }

  /** The base's records as apko's {@code AddInstalledPackage} writes them back, in base order. */
  public byte[] installedDb() {
    StringBuilder sb = new StringBuilder();
    for (Record r : packages) {
      sb.append(record(r));
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static String record(Record r) {
    List<String> lines = new ArrayList<>();
    lines.add("P:" + r.name());
    lines.add("V:" + r.version());
    lines.add("A:" + r.arch());
    lines.add("L:" + r.license());
    lines.add("T:" + r.description());
    lines.add("o:" + r.origin());
    lines.add("m:" + r.maintainer());
    lines.add("U:" + r.url());
    lines.add("D:" + r.depends());
    lines.add("p:" + r.provides());
    if (r.replaces() != null) {
      lines.add("r:" + r.replaces());
    }
    lines.add("c:" + r.commit());
    // Go's %s of strings.Split(value, " "): an "i:[]" read back is written "i:[[]]"
    lines.add("i:[" + (r.installIf() == null ? "" : r.installIf()) + "]");
    lines.add("t:" + r.buildDate());
    lines.add("S:" + r.size());
    lines.add("I:" + r.installedSize());
    lines.add("k:" + r.providerPriority());
    if (r.checksum() != null && r.checksum().length > 0) {
      lines.add("C:Q1" + Base64.getEncoder().encodeToString(r.checksum()));
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < r.files().size(); i++) {
      order.add(i);
    }
    order.sort((a, b) -> InstalledDb.pathCompare(r.files().get(a), r.dirs().get(a), r.files().get(b), r.dirs().get(b)));
    Set<String> dirSet = new HashSet<>();
    for (int i = 0; i < r.files().size(); i++) {
      if (r.dirs().get(i)) {
        dirSet.add(r.files().get(i));
      }
    }
    boolean topDirNeeded = true;
    for (int i : order) {
      String path = r.files().get(i);
      String parent = MemFs.parent(path);
      boolean orphan = false;
      while (!parent.isEmpty() && !parent.equals(".")) {
        if (!dirSet.contains(parent)) {
          orphan = true;
          break;
        }
        parent = MemFs.parent(parent);
      }
      if (orphan) {
        continue;
      }
      if (r.dirs().get(i)) {
        lines.add("F:" + path);
        topDirNeeded = false;
      } else {
        if (topDirNeeded) {
          lines.add("F:");
          topDirNeeded = false;
        }
        lines.add("R:" + MemFs.base(path));
      }
    }
    return String.join("\n", lines) + "\n\n";
  }

  /** The manifest annotations the base carries (ggcr's mutate keeps them and adds apko's over them). */
  public Map<String, String> annotations() {
    return manifest.annotations();
  }
}
