package dev.bitproof.verify;

import dev.bitproof.io.Decompress;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.rebuild.ApkoChange;
import dev.bitproof.rebuild.ApkoRules;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Which apko rule sets could have built a published image, judged from what the image shows: without reading a
 * layer, {@code artifactType} on the index entries, the {@code created} annotation, the default PATH order in
 * the config, and (with title and vendor annotations) the history comment; from the top layer's entry names,
 * {@code etc/apko.json} and the installed db's location ({@link TopLayer}). The newest rule set always comes first (it is the likeliest); the others follow newest first.
 */
public final class ApkoCandidates {
  private ApkoCandidates() {}

  static final String PATH_SBIN_FIRST = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  static final String PATH_BIN_FIRST = "PATH=/usr/local/sbin:/usr/local/bin:/usr/bin:/usr/sbin:/sbin:/bin";

  public static List<ApkoRules> forImage(Images.Tree published) {
    return forImage(published, TopLayer.UNKNOWN);
  }

  /** With what apko's top layer (the last one) shows as well. */
  public static List<ApkoRules> forImage(Images.Tree published, TopLayer top) {
    List<ApkoRules> out = new ArrayList<>();
    out.add(ApkoRules.newest());
    for (ApkoRules r : ApkoRules.all()) {
      if (!out.contains(r) && allows(published, r) && top.allows(r)) {
        out.add(r);
      }
    }
    return out;
  }

  /**
   * What apko's own files in the top layer say: {@code etc/apko.json} present or not, and where the installed db
   * is, when that is unambiguous ({@code lib/apk} a symlink to {@code ../usr/lib/apk}: usrmerge; a regular
   * {@code lib/apk/db/installed}: before it). Empty when not read.
   */
  public record TopLayer(Optional<Boolean> apkoJson, Optional<Boolean> usrmergeDb) {
    public static final TopLayer UNKNOWN = new TopLayer(Optional.empty(), Optional.empty());

    boolean allows(ApkoRules r) {
      return apkoJson.map(b -> b == r.has(ApkoChange.APKO_JSON)).orElse(true)
          && usrmergeDb.map(b -> b == r.has(ApkoChange.USRMERGE_DB)).orElse(true);
    }

    /** Reads the entry names (not the contents) of the first image's last layer; UNKNOWN if it cannot. */
    public static TopLayer read(Images.Tree t, ImageSource src) {
      if (t.images().isEmpty() || t.images().get(0).manifest().layers().isEmpty()) {
        return UNKNOWN;
      }
      List<Descriptor> layers = t.images().get(0).manifest().layers();
      Descriptor d = layers.get(layers.size() - 1);
      boolean apkoJson = false;
      Optional<Boolean> usrmerge = Optional.empty();
      try (InputStream blob = src.blob(d);
          InputStream tar = Decompress.layer(d.mediaType(), blob, d.digest().toString());
          TarArchiveInputStream in = new TarArchiveInputStream(tar)) {
        TarArchiveEntry e;
        while ((e = in.getNextEntry()) != null) {
          String name = e.getName().replaceAll("^\\./", "").replaceAll("/+$", "");
          if (name.equals("etc/apko.json") && e.isFile()) {
            apkoJson = true;
          } else if (name.equals("lib/apk") && e.isSymbolicLink() && e.getLinkName().equals("../usr/lib/apk")) {
            usrmerge = Optional.of(true);
          } else if (name.equals("lib/apk/db/installed") && e.isFile()) {
            usrmerge = Optional.of(false);
          }
        }
      } catch (IOException | RuntimeException e) {
        return UNKNOWN;
      }
      return new TopLayer(Optional.of(apkoJson), usrmerge);
    }
  }

  /** Whether the image's visible features agree with the rule set. */
  static boolean allows(Images.Tree t, ApkoRules r) {
    if (t.index().isPresent()) {
      boolean artifactType = t.images().stream().anyMatch(i -> i.indexEntry().flatMap(Descriptor::artifactType).isPresent());
      if (artifactType != r.has(ApkoChange.INDEX_ARTIFACT_TYPE)) {
        return false;
      }
    }
    Map<String, String> ann = t.index().map(i -> i.annotations())
        .orElseGet(() -> t.images().get(0).manifest().annotations());
    if (ann.containsKey("org.opencontainers.image.created") != r.has(ApkoChange.CREATED_ANNOTATION)) {
      return false;
    }
    String title = ann.get("org.opencontainers.image.title");
    String vendor = ann.get("org.opencontainers.image.vendor");
    List<com.fasterxml.jackson.databind.JsonNode> history = t.images().get(0).config().history();
    if (title != null && vendor != null && !history.isEmpty()) {
      boolean byVendor = history.get(history.size() - 1).path("comment").asText("").equals(title + " by " + vendor);
      if (byVendor != r.has(ApkoChange.HISTORY_TITLE_VENDOR)) {
        return false;
      }
    }
    List<String> env = t.images().get(0).config().env();
    if (env.contains(PATH_SBIN_FIRST) && r.has(ApkoChange.PATH_SBIN_MERGE)) {
      return false;
    }
    return !(env.contains(PATH_BIN_FIRST) && !r.has(ApkoChange.PATH_SBIN_MERGE));
  }
}
