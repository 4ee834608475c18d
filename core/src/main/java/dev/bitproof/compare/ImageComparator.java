package dev.bitproof.compare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.io.IoCode;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageIndex;
import dev.bitproof.oci.ImageManifest;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.CountingSource;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.report.Code;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Progress;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Compares two images from any transports, top-down: index → manifests matched by platform → config → layers →
 * tar entries. Lazy: equal digests stop the descent, so two images with the same manifest digest are compared
 * without reading a layer, and a layer is only streamed when its blob digest differs.
 *
 * <p>A difference is a {@link Finding} (FAIL, or INFO with evidence {@code ignored} when it is in the declared
 * ignore set); an input that cannot be compared at all (no common platform, duplicate platforms, a config that
 * is not JSON, a layer that is not a tar, a decompression bomb) is a {@link CheckException}.
 */
public final class ImageComparator {
  private ImageComparator() {}

  /**
   * {@link #compare(ImageSource, ImageSource, CompareOptions)}, telling {@code progress} each layer blob streamed
   * and its bytes ("comparing layers"; no total: which layers must be read is known only on the way).
   */
  public static Comparison compare(ImageSource a, ImageSource b, CompareOptions o, Progress progress) throws IOException {
    try (Progress.Task t = progress.start("comparing layers", 0, 0)) {
      return compare(CountingSource.of(a, t), CountingSource.of(b, t), o);
    }
  }

  public static Comparison compare(ImageSource a, ImageSource b, CompareOptions o) throws IOException {
    Images.Tree ta = Images.walk(a);
    Images.Tree tb = Images.walk(b);
    Map<String, Images.Resolved> ma = byPlatform(ta, a.reference().toString());
    Map<String, Images.Resolved> mb = byPlatform(tb, b.reference().toString());
    if (o.platform().isPresent()) {
      Platform want = o.platform().get();
      // matched on the platforms as read, never on their printed form re-parsed
      ma.values().removeIf(r -> !platformOf(r).matches(want));
      mb.values().removeIf(r -> !platformOf(r).matches(want));
      if (ma.isEmpty() && mb.isEmpty()) {
        throw new CheckException(TransportCode.PLATFORM_NOT_FOUND, want.toString(), "neither image has platform " + want);
      }
    } else if (ma.isEmpty() || mb.isEmpty()) {
      throw new CheckException(CompareCode.NO_IMAGES, (ma.isEmpty() ? a : b).reference().toString(),
          "the index lists no image manifests");
    }
    List<Finding> top = new ArrayList<>();
    boolean rootsEqual = ta.root().digest().equals(tb.root().digest());
    if (!rootsEqual) {
      if (ta.index().isPresent() != tb.index().isPresent()) {
        top.add(new Finding(CompareCode.ROOT_KIND_DIFFERS, Severity.FAIL, "root",
            "one reference names an index, the other a single image manifest", FieldDiff.evidence(
                ta.root().mediaType().value(), tb.root().mediaType().value())));
      } else if (ta.index().isPresent()) {
        indexDiffs(ta, tb, o, top);
      }
      top.addAll(otherEntries(ta, tb));
    }
    Set<String> platforms = new LinkedHashSet<>(ma.keySet());
    platforms.addAll(mb.keySet());
    if (o.platform().isEmpty()) {
      Set<String> common = new LinkedHashSet<>(ma.keySet());
      common.retainAll(mb.keySet());
      if (common.isEmpty()) {
        throw new CheckException(TransportCode.PLATFORM_NOT_FOUND, "", "the images share no platform: A has " + ma.keySet()
            + ", B has " + mb.keySet());
      }
    }
    List<ImageComparison> images = new ArrayList<>();
    for (String p : platforms) {
      Images.Resolved ra = ma.get(p);
      Images.Resolved rb = mb.get(p);
      if (ra == null || rb == null) {
        Images.Resolved only = ra == null ? rb : ra;
        images.add(new ImageComparison(p, Optional.ofNullable(ra).map(r -> r.manifest().digest()),
            Optional.ofNullable(rb).map(r -> r.manifest().digest()), Optional.ofNullable(ra).map(r -> r.config().digest()),
            Optional.ofNullable(rb).map(r -> r.config().digest()), Verdict.DIFFERENT,
            List.of(new Finding(CompareCode.PLATFORM_MISSING, Severity.FAIL, p, "platform only in " + (ra == null ? "B" : "A"),
                Map.of("manifest", only.manifest().digest().toString()))), List.of()));
      } else {
        // differing zips too large to hold are spilled to this platform comparison's temp files, deleted here
        try (Spill spill = new Spill(o.nested())) {
          images.add(compareImage(p, a, ra, b, rb, o, spill));
        }
      }
    }
    Verdict v = rootsEqual ? Verdict.BIT_IDENTICAL : verdictOf(top, Verdict.CONTENT_IDENTICAL);
    for (ImageComparison i : images) {
      v = Verdict.worst(v, i.verdict());
    }
    Comparison counted = new Comparison(a.reference().toString(), b.reference().toString(), ta.root().digest(),
        tb.root().digest(), v, o.ignoreSet(), top, images);
    List<Finding> withRules = new ArrayList<>(top);
    counted.ignoredCounts().forEach((rule, n) -> withRules.add(ignoreRule(rule, n)));
    return new Comparison(counted.referenceA(), counted.referenceB(), counted.rootA(), counted.rootB(), v,
        o.ignoreSet(), withRules, images);
  }

  /** One rule in force and what it hid: listed whether or not it hid anything, so nothing is hidden silently. */
  private static Finding ignoreRule(String rule, int hid) {
    return new Finding(CompareCode.IGNORE_RULE_APPLIED, Severity.INFO, "ignore " + rule,
        hid == 0 ? "this ignore rule hid no difference"
            : "this ignore rule hid " + hid + (hid == 1 ? " difference" : " differences"), Map.of())
        .with("rule", rule).with("hid", hid);
  }

  private static Verdict verdictOf(List<Finding> fs, Verdict base) {
    Verdict v = base;
    for (Finding f : fs) {
      if (f.fails()) {
        return Verdict.DIFFERENT;
      }
      if (FieldDiff.isIgnored(f)) {
        v = Verdict.worst(v, Verdict.SEMANTICALLY_IDENTICAL);
      }
    }
    return v;
  }

  private static Platform platformOf(Images.Resolved r) {
    return r.indexEntry().flatMap(Descriptor::platform).orElse(r.config().platform());
  }

  /** Images by platform: the index entry's platform, else the config's. Two entries for one platform: refused. */
  private static Map<String, Images.Resolved> byPlatform(Images.Tree t, String subject) {
    Map<String, Images.Resolved> m = new LinkedHashMap<>();
    for (Images.Resolved r : t.images()) {
      Platform p = r.indexEntry().flatMap(Descriptor::platform).orElse(r.config().platform());
      String key = p.toString();
      if (m.put(key, r) != null) {
        // read and proved ambiguous: a client picks one of the two, so a second image for a platform is how
        // a modified image hides beside the real one (exit 1, not "could not check")
        throw new CheckException(CompareCode.INDEX_DUPLICATE_PLATFORM, CheckException.Kind.INTEGRITY, subject,
            "the index lists platform " + key + " twice: images cannot be matched by platform", null);
      }
    }
    return m;
  }

  /**
   * Index entries that are not images (an unknown or slightly wrong media type, an attestation): never skipped.
   * One that the other side lists with the very same descriptor is accounted for; any other is
   * {@code INDEX_ENTRY_UNKNOWN}, because a client that knows the media type (or matches it loosely) would pull
   * an image this comparison never looked at.
   */
  private static List<Finding> otherEntries(Images.Tree ta, Images.Tree tb) {
    List<Finding> out = new ArrayList<>();
    for (int side = 0; side < 2; side++) {
      Images.Tree mine = side == 0 ? ta : tb;
      Images.Tree theirs = side == 0 ? tb : ta;
      List<JsonNode> known = theirs.other().stream().map(ImageComparator::fieldsOf).toList();
      for (Descriptor d : mine.other()) {
        if (!known.contains(fieldsOf(d))) {
          out.add(new Finding(CompareCode.INDEX_ENTRY_UNKNOWN, Severity.FAIL, "index entry " + d.digest(),
              "an index entry of media type " + d.mediaType() + " only in " + (side == 0 ? "A" : "B")
                  + " is not an image this comparison can check", Map.of())
              .with("side", side == 0 ? "A" : "B").with("mediaType", d.mediaType().value())
              .with("digest", d.digest()).with("platform", d.platform().map(Platform::toString).orElse("(none)")));
        }
      }
    }
    return out;
  }

  /** A descriptor's JSON as read, or (made in code) the fields it models. */
  static JsonNode fieldsOf(Descriptor d) {
    if (d.json() != null) {
      return d.json();
    }
    com.fasterxml.jackson.databind.node.ObjectNode n = dev.bitproof.json.Json.mapper().createObjectNode();
    n.put("mediaType", d.mediaType().value());
    n.put("digest", d.digest().toString());
    n.put("size", d.size());
    if (!d.urls().isEmpty()) {
      d.urls().forEach(n.putArray("urls")::add);
    }
    if (!d.annotations().isEmpty()) {
      com.fasterxml.jackson.databind.node.ObjectNode a = n.putObject("annotations");
      new java.util.TreeMap<>(d.annotations()).forEach(a::put);
    }
    d.artifactType().ifPresent(t -> n.put("artifactType", t));
    d.platform().ifPresent(p -> n.set("platform", dev.bitproof.json.Json.mapper().valueToTree(Map.of(
        "architecture", p.architecture(), "os", p.os()))));
    return n;
  }

  /**
   * Every descriptor field not compared elsewhere ({@code handled}): {@code urls}, {@code data}, unknown keys,
   * and {@code size} when the digests are equal (the same blob has one size). A descriptor field a client acts on
   * (a foreign-layer URL to fetch from, a size to read up to) is part of what was published.
   */
  static List<Finding> descriptorFields(String where, Code code, Descriptor x, Descriptor y, Set<String> handled) {
    JsonNode a = fieldsOf(x);
    JsonNode b = fieldsOf(y);
    Set<String> keys = new java.util.TreeSet<>();
    a.fieldNames().forEachRemaining(keys::add);
    b.fieldNames().forEachRemaining(keys::add);
    keys.removeAll(handled);
    keys.remove("digest");
    if (!x.digest().equals(y.digest())) {
      keys.remove("size"); // different blobs: their sizes differ for the reason their digests do
    }
    List<Finding> out = new ArrayList<>();
    for (String k : keys) {
      if (!Objects.equals(a.get(k), b.get(k))) {
        out.add(new Finding(code, Severity.FAIL, where + " " + k, "descriptor field differs",
            FieldDiff.evidence(FieldDiff.show(a.get(k)), FieldDiff.show(b.get(k)))));
      }
    }
    return out;
  }

  private static void indexDiffs(Images.Tree ta, Images.Tree tb, CompareOptions o, List<Finding> out) {
    ImageIndex ia = ta.index().orElseThrow();
    ImageIndex ib = tb.index().orElseThrow();
    if (!ia.mediaType().equals(ib.mediaType())) {
      out.add(new Finding(CompareCode.INDEX_FIELD_DIFFERS, Severity.FAIL, "index mediaType", "value differs",
          FieldDiff.evidence(ia.mediaType().value(), ib.mediaType().value())));
    }
    out.addAll(FieldDiff.annotations("index", CompareCode.INDEX_ANNOTATION_DIFFERS, "annotations", ia.annotations(),
        ib.annotations(), o));
    Set<String> keys = new LinkedHashSet<>();
    ia.json().fieldNames().forEachRemaining(keys::add);
    ib.json().fieldNames().forEachRemaining(keys::add);
    keys.removeAll(Set.of("manifests", "annotations", "mediaType"));
    for (String k : keys) {
      if (!Objects.equals(ia.json().get(k), ib.json().get(k))) {
        out.add(new Finding(CompareCode.INDEX_FIELD_DIFFERS, Severity.FAIL, "index " + k, "value differs",
            FieldDiff.evidence(FieldDiff.show(ia.json().get(k)), FieldDiff.show(ib.json().get(k)))));
      }
    }
    List<String> orderA = new ArrayList<>();
    Map<String, Descriptor> da = new LinkedHashMap<>();
    for (Images.Resolved r : ta.images()) {
      r.indexEntry().ifPresent(d -> {
        String p = d.platform().orElse(r.config().platform()).toString();
        orderA.add(p);
        da.put(p, d);
      });
    }
    List<String> orderB = new ArrayList<>();
    Map<String, Descriptor> db = new LinkedHashMap<>();
    for (Images.Resolved r : tb.images()) {
      r.indexEntry().ifPresent(d -> {
        String p = d.platform().orElse(r.config().platform()).toString();
        orderB.add(p);
        db.put(p, d);
      });
    }
    List<String> commonA = orderA.stream().filter(db::containsKey).toList();
    List<String> commonB = orderB.stream().filter(da::containsKey).toList();
    if (!commonA.equals(commonB)) {
      out.add(new Finding(CompareCode.INDEX_ORDER_DIFFERS, Severity.FAIL, "index manifests", "platforms are listed in a different order",
          FieldDiff.evidence(String.join(", ", commonA), String.join(", ", commonB))));
    }
    for (String p : commonA) {
      Descriptor x = da.get(p);
      Descriptor y = db.get(p);
      String where = "index entry " + p;
      if (!x.mediaType().equals(y.mediaType())) {
        out.add(new Finding(CompareCode.INDEX_DESCRIPTOR_DIFFERS, Severity.FAIL, where + " mediaType", "value differs",
            FieldDiff.evidence(x.mediaType().value(), y.mediaType().value())));
      }
      if (!x.artifactType().equals(y.artifactType())) {
        out.add(new Finding(CompareCode.INDEX_DESCRIPTOR_DIFFERS, Severity.FAIL, where + " artifactType", "value differs",
            FieldDiff.evidence(x.artifactType().orElse("(absent)"), y.artifactType().orElse("(absent)"))));
      }
      JsonNode px = x.json() == null ? null : x.json().get("platform");
      JsonNode py = y.json() == null ? null : y.json().get("platform");
      if (!Objects.equals(px, py)) {
        out.add(new Finding(CompareCode.INDEX_DESCRIPTOR_DIFFERS, Severity.FAIL, where + " platform", "value differs",
            FieldDiff.evidence(FieldDiff.show(px), FieldDiff.show(py))));
      }
      if (!x.urls().equals(y.urls())) {
        out.add(new Finding(CompareCode.INDEX_DESCRIPTOR_DIFFERS, Severity.FAIL, where + " urls", "value differs",
            FieldDiff.evidence(x.urls().toString(), y.urls().toString())));
      }
      out.addAll(FieldDiff.annotations(where, CompareCode.INDEX_DESCRIPTOR_DIFFERS, "annotations", x.annotations(),
          y.annotations(), o));
      out.addAll(descriptorFields(where, CompareCode.INDEX_DESCRIPTOR_DIFFERS, x, y,
          Set.of("mediaType", "artifactType", "platform", "urls", "annotations")));
    }
  }

  private static ImageComparison compareImage(String p, ImageSource sa, Images.Resolved ra, ImageSource sb,
      Images.Resolved rb, CompareOptions o, Spill spill) throws IOException {
    ImageManifest a = ra.manifest();
    ImageManifest b = rb.manifest();
    List<Digest> idsA = ra.config().diffIds();
    List<Digest> idsB = rb.config().diffIds();
    if (a.digest().equals(b.digest())) {
      List<LayerComparison> layers = new ArrayList<>();
      for (int i = 0; i < a.layers().size(); i++) {
        Descriptor d = a.layers().get(i);
        Optional<Digest> id = i < idsA.size() ? Optional.of(idsA.get(i)) : Optional.empty();
        layers.add(new LayerComparison(i, Optional.of(d), Optional.of(d), id, id, Verdict.BIT_IDENTICAL, true,
            List.of(new Finding(CompareCode.LAYER_BIT_IDENTICAL, Severity.OK, p + " layer " + i, "same blob", Map.of())
                .with("digest", d.digest()))));
      }
      return new ImageComparison(p, Optional.of(a.digest()), Optional.of(b.digest()), Optional.of(ra.config().digest()),
          Optional.of(rb.config().digest()), Verdict.BIT_IDENTICAL,
          List.of(new Finding(CompareCode.IMAGE_BIT_IDENTICAL, Severity.OK, p, "same manifest digest", Map.of())
              .with("manifest", a.digest())), layers);
    }
    List<Finding> fs = new ArrayList<>();
    String where = p + " manifest";
    if (!a.mediaType().equals(b.mediaType())) {
      fs.add(new Finding(CompareCode.MANIFEST_FIELD_DIFFERS, Severity.FAIL, where + " mediaType", "value differs",
          FieldDiff.evidence(a.mediaType().value(), b.mediaType().value())));
    }
    if (!a.config().mediaType().equals(b.config().mediaType())) {
      fs.add(new Finding(CompareCode.MANIFEST_FIELD_DIFFERS, Severity.FAIL, where + " config.mediaType", "value differs",
          FieldDiff.evidence(a.config().mediaType().value(), b.config().mediaType().value())));
    }
    if (!a.artifactType().equals(b.artifactType())) {
      fs.add(new Finding(CompareCode.MANIFEST_FIELD_DIFFERS, Severity.FAIL, where + " artifactType", "value differs",
          FieldDiff.evidence(a.artifactType().orElse("(absent)"), b.artifactType().orElse("(absent)"))));
    }
    if (!a.subject().map(Descriptor::digest).equals(b.subject().map(Descriptor::digest))) {
      fs.add(new Finding(CompareCode.MANIFEST_FIELD_DIFFERS, Severity.FAIL, where + " subject", "value differs",
          FieldDiff.evidence(a.subject().map(d -> d.digest().toString()).orElse("(absent)"),
              b.subject().map(d -> d.digest().toString()).orElse("(absent)"))));
    }
    fs.addAll(FieldDiff.annotations(where, CompareCode.MANIFEST_ANNOTATION_DIFFERS, "annotations", a.annotations(),
        b.annotations(), o));
    fs.addAll(descriptorFields(where + " config", CompareCode.MANIFEST_FIELD_DIFFERS, a.config(), b.config(), Set.of("mediaType")));
    Set<String> topKeys = new java.util.TreeSet<>();
    a.json().fieldNames().forEachRemaining(topKeys::add);
    b.json().fieldNames().forEachRemaining(topKeys::add);
    topKeys.removeAll(Set.of("mediaType", "config", "layers", "annotations", "artifactType", "subject"));
    for (String k : topKeys) {
      if (!Objects.equals(a.json().get(k), b.json().get(k))) {
        fs.add(new Finding(CompareCode.MANIFEST_FIELD_DIFFERS, Severity.FAIL, where + " " + k, "value differs",
            FieldDiff.evidence(FieldDiff.show(a.json().get(k)), FieldDiff.show(b.json().get(k)))));
      }
    }
    if (!ra.config().digest().equals(rb.config().digest())) {
      fs.addAll(FieldDiff.config(p + " config", ra.config().json(), rb.config().json(), o));
    }
    List<LayerComparison> layers;
    Map<String, Integer> mergedRules = new java.util.TreeMap<>();
    if (a.layers().size() != b.layers().size()) {
      layers = mergedLayers(p, sa, ra, sb, rb, o, spill, fs, true, mergedRules);
    } else {
      layers = positionalLayers(p, sa, ra, sb, rb, o, spill, fs);
      if (filesMoved(p, layers)) {
        // same count, files added to one layer and removed from another: maybe only the boundaries moved
        List<Finding> mfs = new ArrayList<>();
        Map<String, Integer> rules = new java.util.TreeMap<>();
        List<LayerComparison> merged = mergedLayers(p, sa, ra, sb, rb, o, spill, mfs, false, rules);
        Optional<Finding> same = mfs.stream().filter(f -> f.code() == CompareCode.LAYERING_DIFFERS_CONTENT_SAME).findFirst();
        if (same.isPresent() && o.ignoreLayering()) {
          layers = merged;
          mergedRules = rules;
          fs.addAll(mfs);
        } else {
          same.ifPresent(fs::add);
        }
      }
    }
    Verdict v = verdictOf(fs, Verdict.CONTENT_IDENTICAL);
    for (LayerComparison l : layers) {
      v = Verdict.worst(v, l.verdict());
    }
    boolean anyExplained = !fs.isEmpty() || layers.stream().anyMatch(l -> l.verdict() != Verdict.BIT_IDENTICAL);
    if (!anyExplained) {
      fs.add(new Finding(CompareCode.MANIFEST_ENCODING_DIFFERS, Severity.INFO, where,
          "the manifests name the same config and layers but their bytes differ (JSON encoding)",
          FieldDiff.evidence(a.digest().toString(), b.digest().toString())));
    }
    Finding summary = switch (v) {
      case BIT_IDENTICAL, CONTENT_IDENTICAL -> new Finding(CompareCode.IMAGE_CONTENT_IDENTICAL, Severity.OK, p,
          "same config and same uncompressed layers; compressed bytes or manifest encoding differ", Map.of());
      case SEMANTICALLY_IDENTICAL -> new Finding(CompareCode.IMAGE_SEMANTICALLY_IDENTICAL, Severity.INFO, p,
          "differences only in ignored fields (" + String.join(", ", o.ignoreSet()) + ")", Map.of());
      case DIFFERENT -> new Finding(CompareCode.IMAGE_DIFFERENT, Severity.FAIL, p, "the images differ", Map.of());
    };
    summary = summary.with("manifest.a", a.digest()).with("manifest.b", b.digest())
        .with("config.a", ra.config().digest()).with("config.b", rb.config().digest());
    List<Finding> all = new ArrayList<>();
    all.add(summary);
    all.addAll(fs);
    return new ImageComparison(p, Optional.of(a.digest()), Optional.of(b.digest()), Optional.of(ra.config().digest()),
        Optional.of(rb.config().digest()), v == Verdict.BIT_IDENTICAL ? Verdict.CONTENT_IDENTICAL : v, all, layers,
        mergedRules);
  }

  /** Layer lists of the same length: paired by position, each pair streamed in step when the blobs differ. */
  private static List<LayerComparison> positionalLayers(String p, ImageSource sa, Images.Resolved ra, ImageSource sb,
      Images.Resolved rb, CompareOptions o, Spill spill, List<Finding> fs) throws IOException {
    ImageManifest a = ra.manifest();
    ImageManifest b = rb.manifest();
    List<Digest> idsA = ra.config().diffIds();
    List<Digest> idsB = rb.config().diffIds();
    List<LayerComparison> layers = new ArrayList<>();
    for (int i = 0; i < a.layers().size(); i++) {
      String lw = p + " layer " + i;
      Optional<Digest> claimA = i < idsA.size() ? Optional.of(idsA.get(i)) : Optional.empty();
      Optional<Digest> claimB = i < idsB.size() ? Optional.of(idsB.get(i)) : Optional.empty();
      Descriptor x = a.layers().get(i);
      Descriptor y = b.layers().get(i);
      List<Finding> descFs = new ArrayList<>();
      if (!x.mediaType().equals(y.mediaType()) && x.digest().equals(y.digest())
          && x.mediaType().layerCompression() != y.mediaType().layerCompression()) {
        // one blob, two compressions: one of the media types contradicts the bytes
        descFs.add(new Finding(IoCode.LAYER_MEDIA_TYPE_MISMATCH, Severity.FAIL, lw + " mediaType",
            "the same blob is labelled with two compressions: one media type contradicts its bytes",
            FieldDiff.evidence(x.mediaType().value(), y.mediaType().value())).with("digest", x.digest()));
      } else if (!x.mediaType().equals(y.mediaType())) {
        boolean compressionOnly = x.mediaType().isLayer() && y.mediaType().isLayer()
            && stripCompression(x.mediaType()).equals(stripCompression(y.mediaType()));
        descFs.add(new Finding(compressionOnly ? CompareCode.LAYER_COMPRESSION_DIFFERS : CompareCode.LAYER_MEDIA_TYPE_DIFFERS,
            compressionOnly ? Severity.INFO : Severity.FAIL, lw + " mediaType",
            compressionOnly ? "compressed differently" : "value differs",
            FieldDiff.evidence(x.mediaType().value(), y.mediaType().value())));
      }
      descFs.addAll(FieldDiff.annotations(lw, CompareCode.LAYER_ANNOTATION_DIFFERS, "annotations", x.annotations(), y.annotations(), o));
      descFs.addAll(descriptorFields(lw, CompareCode.LAYER_DESCRIPTOR_DIFFERS, x, y, Set.of("mediaType", "annotations")));
      fs.addAll(descFs);
      if (x.digest().equals(y.digest())) {
        layers.add(new LayerComparison(i, Optional.of(x), Optional.of(y), claimA, claimB, Verdict.BIT_IDENTICAL, true,
            List.of(new Finding(CompareCode.LAYER_BIT_IDENTICAL, Severity.OK, lw, "same blob", Map.of()).with("digest", x.digest()))));
      } else {
        layers.add(LayerComparator.compare(i, sa, x, claimA, sb, y, claimB, lw, o, spill));
      }
    }
    return layers;
  }

  /**
   * Layer lists of different lengths: the split into layers differs, so positions mean nothing. Both images are
   * compared by their merged filesystems (diffoci squashes them); the layer rows keep the digests side by side.
   * Strict: {@code LAYER_COUNT_DIFFERS} fails (the digests differ) and {@code LAYERING_DIFFERS_CONTENT_SAME} says
   * when the merged trees are the same anyway; with the layering ignored the image can be semantically identical.
   */
  private static List<LayerComparison> mergedLayers(String p, ImageSource sa, Images.Resolved ra, ImageSource sb,
      Images.Resolved rb, CompareOptions o, Spill spill, List<Finding> fs, boolean countsDiffer,
      Map<String, Integer> rules)
      throws IOException {
    List<Descriptor> la = ra.manifest().layers();
    List<Descriptor> lb = rb.manifest().layers();
    Finding count = countsDiffer
        ? new Finding(CompareCode.LAYER_COUNT_DIFFERS, o.ignoreLayering() ? Severity.INFO : Severity.FAIL,
            p + " manifest layers", "the images have different layer counts; their merged filesystems are compared",
            FieldDiff.evidence(String.valueOf(la.size()), String.valueOf(lb.size())))
        : new Finding(CompareCode.LAYER_BOUNDARIES_DIFFER, o.ignoreLayering() ? Severity.INFO : Severity.FAIL,
            p + " manifest layers", "files moved between layers; their merged filesystems are compared",
            Map.of("layers", String.valueOf(la.size())));
    fs.add(o.ignoreLayering() ? count.with("ignored", "layering") : count);
    MergedComparator.Result m = MergedComparator.compare(p, sa, la, ra.config().diffIds(), sb, lb,
        rb.config().diffIds(), o, spill);
    Verdict merged = m.verdict();
    rules.putAll(m.ignoredRules());
    String where = p + " merged";
    if (merged == Verdict.DIFFERENT) {
      fs.add(Finding.fail(CompareCode.MERGED_FILESYSTEM_DIFFERENT, where, "the merged filesystems differ"
          + (m.failing() > 0 ? " in " + m.failing() + " entr" + (m.failing() == 1 ? "y" : "ies") : ""))
          .with("entries.a", m.entriesA()).with("entries.b", m.entriesB()));
    } else {
      fs.add(new Finding(CompareCode.LAYERING_DIFFERS_CONTENT_SAME, Severity.INFO, where, "the layers are split differently "
          + "but the merged filesystems (whiteouts applied) are identical"
          + (merged == Verdict.SEMANTICALLY_IDENTICAL ? " apart from ignored fields" : ""), Map.of())
          .with("layers.a", la.size()).with("layers.b", lb.size())
          .with("entries", m.entriesA()));
    }
    fs.addAll(m.findings());
    Verdict layerVerdict = o.ignoreLayering() ? Verdict.worst(merged, Verdict.SEMANTICALLY_IDENTICAL) : Verdict.DIFFERENT;
    List<LayerComparison> layers = new ArrayList<>();
    for (int i = 0; i < Math.max(la.size(), lb.size()); i++) {
      Optional<Descriptor> x = i < la.size() ? Optional.of(la.get(i)) : Optional.empty();
      Optional<Descriptor> y = i < lb.size() ? Optional.of(lb.get(i)) : Optional.empty();
      Optional<Digest> idA = i < m.diffIdsA().size() ? Optional.of(m.diffIdsA().get(i)) : Optional.empty();
      Optional<Digest> idB = i < m.diffIdsB().size() ? Optional.of(m.diffIdsB().get(i)) : Optional.empty();
      String lw = p + " layer " + i;
      Finding f;
      Verdict v = layerVerdict;
      if (x.isPresent() && y.isPresent() && x.get().digest().equals(y.get().digest())) {
        f = new Finding(CompareCode.LAYER_BIT_IDENTICAL, Severity.OK, lw, "same blob", Map.of()).with("digest", x.get().digest());
        v = Verdict.BIT_IDENTICAL;
      } else if (x.isPresent() && y.isPresent()) {
        f = new Finding(CompareCode.LAYER_COMPARED_MERGED, Severity.INFO, lw,
            "the layers are split differently: this pair is compared as part of the merged filesystems", Map.of())
            .with("digest.a", x.get().digest()).with("digest.b", y.get().digest());
      } else {
        boolean onlyB = x.isEmpty();
        f = new Finding(onlyB ? CompareCode.LAYER_ADDED : CompareCode.LAYER_REMOVED, o.ignoreLayering() ? Severity.INFO : Severity.FAIL, lw,
            "layer only in " + (onlyB ? "B" : "A") + "; its files are compared in the merged filesystems",
            Map.of("digest", (onlyB ? y : x).get().digest().toString()));
        f = o.ignoreLayering() ? f.with("ignored", "layering") : f;
      }
      layers.add(new LayerComparison(i, x, y, idA, idB, v, m.complete(), List.of(f)));
    }
    return layers;
  }

  /**
   * Whether a path is only in A in one layer and only in B in another: files moved between layers. Only listed
   * findings are looked at, so a move hidden by a truncated explanation is not noticed.
   */
  private static boolean filesMoved(String p, List<LayerComparison> layers) {
    Map<String, Integer> removed = new java.util.HashMap<>();
    Map<String, Integer> added = new java.util.HashMap<>();
    for (LayerComparison l : layers) {
      String prefix = p + " layer " + l.index() + " ";
      for (Finding f : l.findings()) {
        if (f.fails() && f.subject().startsWith(prefix)
            && (f.code() == CompareCode.FILE_ADDED || f.code() == CompareCode.FILE_REMOVED)) {
          (f.code() == CompareCode.FILE_ADDED ? added : removed).put(f.subject().substring(prefix.length()), l.index());
        }
      }
    }
    return removed.entrySet().stream().anyMatch(e -> added.containsKey(e.getKey())
        && !added.get(e.getKey()).equals(e.getValue()));
  }

  private static String stripCompression(MediaType m) {
    String s = m.value();
    for (String suffix : List.of("+gzip", "+zstd", ".gzip", ".zstd")) {
      if (s.endsWith(suffix)) {
        return s.substring(0, s.length() - suffix.length());
      }
    }
    return s;
  }
}
