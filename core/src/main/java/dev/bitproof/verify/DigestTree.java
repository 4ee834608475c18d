package dev.bitproof.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.compare.Comparison;
import dev.bitproof.compare.ImageComparison;
import dev.bitproof.compare.LayerComparison;
import dev.bitproof.compare.Verdict;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The digests of a comparison side by side (index → per platform manifest, config, layers with their diff_ids), the
 * verdicts and the ignore rules with what they hid: the part of a {@link Report} that the JSON's {@code images},
 * {@code ignoreSet} and {@code ignored} hold and the HTML's digest tree shows. Made from a live {@link Comparison}, or
 * read back from a report document someone stored (the registry hook's results), so a stored report renders the same
 * table as a fresh one.
 */
public record DigestTree(Verdict verdict, Pair root, List<String> ignoreSet, Map<String, Integer> ignored,
    List<Image> images) {
  public DigestTree {
    ignoreSet = List.copyOf(ignoreSet);
    ignored = Collections.unmodifiableMap(new LinkedHashMap<>(ignored));
    images = List.copyOf(images);
  }

  /** The same object in A and B; empty where that side has none. */
  public record Pair(Optional<Digest> a, Optional<Digest> b) {
    public boolean same() {
      return a.equals(b);
    }
  }

  /** One platform's image. */
  public record Image(String platform, Verdict verdict, Pair manifest, Pair config, List<Layer> layers) {
    public Image {
      layers = List.copyOf(layers);
    }
  }

  /**
   * One layer: blob digests and diff_ids.
   *
   * @param explained false when the file-level explanation was cut short by a memory bound
   */
  public record Layer(int index, Verdict verdict, Pair digest, Pair diffId, boolean explained) {}

  public static DigestTree of(Comparison c) {
    List<Image> images = new ArrayList<>();
    for (ImageComparison i : c.images()) {
      List<Layer> layers = new ArrayList<>();
      for (LayerComparison l : i.layers()) {
        layers.add(new Layer(l.index(), l.verdict(),
            new Pair(l.a().map(Descriptor::digest), l.b().map(Descriptor::digest)),
            new Pair(l.diffIdA(), l.diffIdB()), l.explained()));
      }
      images.add(new Image(i.platform(), i.verdict(), new Pair(i.manifestA(), i.manifestB()),
          new Pair(i.configA(), i.configB()), layers));
    }
    return new DigestTree(c.verdict(), new Pair(Optional.of(c.rootA()), Optional.of(c.rootB())), c.ignoreSet(),
        c.ignoredCounts(), images);
  }

  /**
   * The tree of a report document ({@code docs/schema/report.json}) as {@link ReportJson} wrote it. Empty when the
   * report compared nothing ({@code NOT_COMPARED}).
   *
   * @throws IllegalArgumentException when the document's tree is not that shape (a digest that is not one, an unknown
   *     verdict, a missing pair): a stored document is read, not trusted
   */
  public static Optional<DigestTree> fromReportJson(JsonNode report) {
    String verdict = report.path("verdict").asText("NOT_COMPARED");
    if (verdict.equals("NOT_COMPARED")) {
      return Optional.empty();
    }
    JsonNode subjects = report.path("subjects");
    Pair root = new Pair(digest(subjects.path("a"), "digest"), digest(subjects.path("b"), "digest"));
    List<String> ignoreSet = new ArrayList<>();
    report.path("ignoreSet").forEach(r -> ignoreSet.add(text(r, "ignoreSet")));
    Map<String, Integer> ignored = new LinkedHashMap<>();
    report.path("ignored").forEach(r -> ignored.put(text(r.path("rule"), "ignored rule"), count(r.path("hid"))));
    List<Image> images = new ArrayList<>();
    for (JsonNode i : report.path("images")) {
      List<Layer> layers = new ArrayList<>();
      for (JsonNode l : i.path("layers")) {
        if (!l.path("index").canConvertToInt() || l.path("index").asInt() < 0) {
          throw new IllegalArgumentException("a layer's index is not a number: " + l.path("index"));
        }
        layers.add(new Layer(l.path("index").asInt(), verdict(l.path("verdict")), pair(l.path("digest")),
            pair(l.path("diffId")), l.path("explained").asBoolean(true)));
      }
      images.add(new Image(text(i.path("platform"), "platform"), verdict(i.path("verdict")), pair(i.path("manifest")),
          pair(i.path("config")), layers));
    }
    return Optional.of(new DigestTree(verdict(report.path("verdict")), root, ignoreSet, ignored, images));
  }

  private static Pair pair(JsonNode n) {
    if (!n.isObject() || !n.has("a") || !n.has("b")) {
      throw new IllegalArgumentException("a digest pair is not {a, b}: " + n);
    }
    return new Pair(digest(n, "a"), digest(n, "b"));
  }

  private static Optional<Digest> digest(JsonNode parent, String field) {
    JsonNode n = parent.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return Optional.empty();
    }
    String s = text(n, field);
    try {
      return Optional.of(Digest.parse(s));
    } catch (dev.bitproof.report.CheckException e) {
      String shown = s.length() > 100 ? s.substring(0, 100) + "…" : s;
      throw new IllegalArgumentException(field + " is not a digest (" + shown + "): " + e.getMessage(), e);
    }
  }

  private static Verdict verdict(JsonNode n) {
    String s = text(n, "verdict");
    for (Verdict v : Verdict.values()) {
      if (v.name().equals(s)) {
        return v;
      }
    }
    throw new IllegalArgumentException("not a verdict: " + s);
  }

  private static String text(JsonNode n, String what) {
    if (!n.isTextual()) {
      throw new IllegalArgumentException(what + " is not a string: " + n);
    }
    return n.asText();
  }

  private static int count(JsonNode n) {
    if (!n.canConvertToInt() || n.asInt() < 0) {
      throw new IllegalArgumentException("a count is not a number: " + n);
    }
    return n.asInt();
  }
}
