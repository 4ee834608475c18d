package dev.bitproof.compare;

import dev.bitproof.io.Decompress;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.tar.TarEntryInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Compares two layers whose blobs differ. Both tars are streamed once, in step: an entry is paired with the entry of
 * the same path on the other side as soon as both have been seen, so only entries not yet paired are held (at most
 * {@link CompareOptions#maxPendingEntries()} per side). The verdict comes from the diff_ids computed on the way and
 * is exact; the file-level explanation is best effort within the bounds.
 */
final class LayerComparator {
  /** PAX keys whose meaning is compared as its own field; the rest are compared as "pax". */
  private static final java.util.Set<String> PAX_FIELDS = java.util.Set.of("path", "linkpath", "size", "uid", "gid",
      "uname", "gname", "mtime", "atime", "ctime");

  private final CompareOptions opts;
  private final String where;
  private final List<Finding> findings = new ArrayList<>();
  private final Map<String, Integer> ignored = new TreeMap<>();
  /** Entries each ignore rule hid (an entry counts once per rule, however many of its fields the rule covers). */
  private final Map<String, Integer> ignoredRules = new TreeMap<>();
  private final List<java.util.regex.Pattern> pathPatterns;
  /** 0 for an image's layers; the nesting depth for a tar inside a differing file. */
  private final int depth;
  private final NestedExplainer.Budget budget;
  private final Map<String, TarEntryStream.Entry> pendingA = new LinkedHashMap<>();
  private final Map<String, TarEntryStream.Entry> pendingB = new LinkedHashMap<>();
  private long heldBytes;
  private int suppressed;
  private boolean explaining = true;
  private int maxPairedA = -1;
  private int maxPairedB = -1;
  private int failing;
  private final boolean positions;
  /** The comparison's temp files for zips too large to hold (null: nothing spilled, as inside a nested tar). */
  private Spill spill;

  private LayerComparator(CompareOptions opts, String where, boolean positions) {
    this(opts, where, positions, 0, null);
  }

  private LayerComparator(CompareOptions opts, String where, boolean positions, int depth, NestedExplainer.Budget budget) {
    this.opts = opts;
    this.where = where;
    this.positions = positions;
    this.pathPatterns = depth == 0 ? opts.pathPatterns() : List.of();
    this.depth = depth;
    this.budget = budget;
  }

  /**
   * A comparator for the entries of a tar inside a differing file ({@code where} ends with {@code PATH!/}): same
   * per-file checks, its findings explain the outer file and do not count again; no path ignores, no report
   * directory.
   */
  static LayerComparator forNested(CompareOptions opts, String where, int depth, NestedExplainer.Budget budget) {
    return new LayerComparator(opts, where, true, depth, budget);
  }

  /** How the subject of a file finding is formed: {@code where PATH}, or {@code where} + PATH inside a nested tar. */
  private String subject(String path) {
    return depth == 0 ? where + " " + path : where + path;
  }

  /**
   * A comparator for entries paired by someone else (the merged filesystems of {@link MergedComparator}): same
   * per-file checks and codes, no positions (entries of a merged tree come from different tars).
   */
  static LayerComparator forMerged(CompareOptions opts, String where, Spill spill) {
    LayerComparator lc = new LayerComparator(opts, where, false);
    lc.spill = spill;
    return lc;
  }

  static LayerComparison compare(int index, ImageSource sa, Descriptor da, Optional<Digest> claimedA, ImageSource sb,
      Descriptor db, Optional<Digest> claimedB, String where, CompareOptions opts, Spill spill) throws IOException {
    if (claimedA.isPresent() && claimedA.equals(claimedB)) {
      // both configs claim the same tar: proving each claim (decompress + SHA-256, both sides at once) proves the
      // tars equal byte for byte, without reading a single entry; a claim that does not hold is explained in full
      Optional<Digest>[] ids = diffIds(sa, da, where + " A " + da.digest(), sb, db, where + " B " + db.digest());
      if (ids[0].equals(claimedA) && ids[1].equals(claimedB)) {
        Finding summary = new Finding(CompareCode.LAYER_CONTENT_IDENTICAL, Severity.OK, where,
            "compressed blobs differ, uncompressed tars are identical (same diff_id)", Map.of())
            .with("digest.a", da.digest()).with("digest.b", db.digest()).with("diff_id", claimedA.get());
        return new LayerComparison(index, Optional.of(da), Optional.of(db), claimedA, claimedB,
            Verdict.CONTENT_IDENTICAL, true, List.of(summary));
      }
    }
    LayerComparator lc = new LayerComparator(opts, where, true);
    lc.spill = spill;
    return lc.run(index, sa, da, claimedA, sb, db, claimedB);
  }

  /** The diff_ids of two layers, B's computed on a second thread while A's is on this one. */
  @SuppressWarnings("unchecked")
  private static Optional<Digest>[] diffIds(ImageSource sa, Descriptor da, String subjA, ImageSource sb,
      Descriptor db, String subjB) throws IOException {
    java.util.concurrent.FutureTask<Digest> b = new java.util.concurrent.FutureTask<>(() -> diffId(sb, db, subjB));
    Thread t = new Thread(b, "bitproof-compare-layer-b");
    t.setDaemon(true);
    t.start();
    Digest a = diffId(sa, da, subjA);
    try {
      return new Optional[] {Optional.of(a), Optional.of(b.get())};
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while reading " + subjB);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(e.getCause());
    }
  }

  /** SHA-256 of the layer's decompressed bytes; the blob is read to its end, so its own digest is checked too. */
  private static Digest diffId(ImageSource s, Descriptor d, String subject) throws IOException {
    java.security.MessageDigest sha = Digest.newSha256();
    try (InputStream blob = s.blob(d); InputStream tar = Decompress.layer(d.mediaType(), blob, subject)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = tar.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
      }
      blob.transferTo(OutputStream.nullOutputStream());
    }
    return Digest.sha256(sha);
  }

  private LayerComparison run(int index, ImageSource sa, Descriptor da, Optional<Digest> claimedA, ImageSource sb,
      Descriptor db, Optional<Digest> claimedB) throws IOException {
    String subjA = where + " A " + da.digest();
    String subjB = where + " B " + db.digest();
    Digest idA;
    Digest idB;
    long sizeA;
    long sizeB;
    try (InputStream blobA = sa.blob(da); InputStream blobB = sb.blob(db);
        InputStream tarA = Decompress.layer(da.mediaType(), blobA, subjA);
        InputStream tarB = Decompress.layer(db.mediaType(), blobB, subjB)) {
      TarEntryStream ta = TarEntryStream.forComparison(tarA, subjA, opts, spill);
      TarEntryStream tb = TarEntryStream.forComparison(tarB, subjB, opts, spill);
      boolean doneA = false;
      boolean doneB = false;
      while (!doneA || !doneB) {
        if (!doneA) {
          Optional<TarEntryStream.Entry> e = ta.next();
          if (e.isEmpty()) {
            doneA = true;
          } else {
            arrive(e.get(), pendingA, pendingB, true);
          }
        }
        if (!doneB) {
          Optional<TarEntryStream.Entry> e = tb.next();
          if (e.isEmpty()) {
            doneB = true;
          } else {
            arrive(e.get(), pendingB, pendingA, false);
          }
        }
      }
      idA = ta.finish();
      idB = tb.finish();
      sizeA = ta.bytesRead();
      sizeB = tb.bytesRead();
      // the compressed streams must be read to their end for the blob digests to be checked
      blobA.transferTo(OutputStream.nullOutputStream());
      blobB.transferTo(OutputStream.nullOutputStream());
    }
    if (explaining) {
      pendingA.values().forEach(this::onlyInA);
      pendingB.values().forEach(this::onlyInB);
    }
    List<Finding> out = new ArrayList<>();
    claimedA.filter(c -> !c.equals(idA)).ifPresent(c -> out.add(diffIdMismatch("A", c, idA)));
    claimedB.filter(c -> !c.equals(idB)).ifPresent(c -> out.add(diffIdMismatch("B", c, idB)));
    Verdict v;
    if (idA.equals(idB)) {
      v = Verdict.CONTENT_IDENTICAL;
    } else if (failing > 0 || !explaining) {
      v = Verdict.DIFFERENT;
    } else if (ignoredAny() || opts.ignoreTarFormat()) {
      v = Verdict.SEMANTICALLY_IDENTICAL;
      if (!ignoredAny()) {
        ignoredRules.merge(CompareOptions.TAR_FORMAT, 1, Integer::sum);
        findings.add(new Finding(CompareCode.LAYER_TAR_ENCODING_DIFFERS, Severity.INFO, where,
            "the tars differ outside entry headers and contents (end-of-archive padding); ignored as tar format",
            Map.of("size.a", String.valueOf(sizeA), "size.b", String.valueOf(sizeB))));
      }
    } else {
      v = Verdict.DIFFERENT;
      findings.add(new Finding(CompareCode.LAYER_BYTES_DIFFER_UNEXPLAINED, Severity.FAIL, where,
          "every entry matches, yet the tars differ: the difference is outside entry headers and contents "
              + "(end-of-archive padding or trailing data)",
          Map.of("size.a", String.valueOf(sizeA), "size.b", String.valueOf(sizeB))));
    }
    if (!out.isEmpty()) {
      v = Verdict.DIFFERENT; // a config that lies about its layer's diff_id
    }
    Finding summary = switch (v) {
      case CONTENT_IDENTICAL -> new Finding(CompareCode.LAYER_CONTENT_IDENTICAL, Severity.OK, where,
          "compressed blobs differ, uncompressed tars are identical (same diff_id)", Map.of())
          .with("digest.a", da.digest()).with("digest.b", db.digest()).with("diff_id", idA);
      case SEMANTICALLY_IDENTICAL -> new Finding(CompareCode.LAYER_SEMANTICALLY_IDENTICAL, Severity.INFO, where,
          "tars differ only in ignored fields (" + String.join(", ", opts.ignoreSet()) + ")", Map.of())
          .with("diff_id.a", idA).with("diff_id.b", idB);
      default -> new Finding(CompareCode.LAYER_DIFFERENT, Severity.FAIL, where,
          "the uncompressed tars differ" + (failing > 0 ? " in " + failing + " entr" + (failing == 1 ? "y" : "ies") : ""),
          Map.of()).with("digest.a", da.digest()).with("digest.b", db.digest()).with("diff_id.a", idA)
          .with("diff_id.b", idB);
    };
    List<Finding> all = new ArrayList<>();
    all.add(summary);
    all.addAll(out);
    all.addAll(explanation());
    return new LayerComparison(index, Optional.of(da), Optional.of(db), Optional.of(idA), Optional.of(idB), v,
        explaining && suppressed == 0, all, ignoredRules);
  }

  /** The file findings so far, then the per-field counts of ignored differences and the truncation note. */
  List<Finding> explanation() {
    List<Finding> all = new ArrayList<>(findings);
    if (!ignored.isEmpty() || !ignoredRules.isEmpty()) {
      Finding f = new Finding(CompareCode.LAYER_IGNORED_DIFFERENCES, Severity.INFO, where,
          "differences in ignored fields, counted per field and per rule", Map.of());
      for (var e : ignored.entrySet()) {
        f = f.with(e.getKey(), e.getValue() + " entries");
      }
      for (var e : ignoredRules.entrySet()) {
        f = f.with("rule " + e.getKey(), e.getValue() + " entries");
      }
      all.add(f);
    }
    if (!explaining || suppressed > 0) {
      all.add(new Finding(CompareCode.LAYER_EXPLANATION_TRUNCATED, Severity.INFO, where,
          !explaining ? "more than " + opts.maxPendingEntries() + " unmatched entries: the file-level explanation "
              + "stops there (the verdict is exact)" : suppressed + " more file differences not listed", Map.of())
          .with("suppressed", suppressed));
    }
    return all;
  }

  /** Entries whose differences count against the verdict. */
  int failing() {
    return failing;
  }

  /** Whether some differences were only in ignored fields. */
  boolean ignoredAny() {
    return !ignored.isEmpty() || !ignoredRules.isEmpty();
  }

  /** How many entries each ignore rule hid in this layer (or merged tree). */
  Map<String, Integer> ignoredRules() {
    return Map.copyOf(ignoredRules);
  }

  /** Whether every difference was listed. */
  boolean complete() {
    return explaining && suppressed == 0;
  }

  void onlyInA(TarEntryStream.Entry e) {
    unspill(e);
    if (hiddenByPath(e.path())) {
      return;
    }
    keep(e, null);
    report(Finding.fail(CompareCode.FILE_REMOVED, subject(e.path()), "only in A: " + describe(e))
        .with("type", e.info().type()).with("size", e.info().size())
        .with("sha256", e.info().sha256().map(Digest::toString).orElse("")));
  }

  void onlyInB(TarEntryStream.Entry e) {
    unspill(e);
    if (hiddenByPath(e.path())) {
      return;
    }
    keep(null, e);
    report(Finding.fail(CompareCode.FILE_ADDED, subject(e.path()), "only in B: " + describe(e))
        .with("type", e.info().type()).with("size", e.info().size())
        .with("sha256", e.info().sha256().map(Digest::toString).orElse("")));
  }

  private Finding diffIdMismatch(String side, Digest claimed, Digest actual) {
    return new Finding(CompareCode.LAYER_DIFF_ID_MISMATCH, Severity.FAIL, where,
        "image " + side + "'s config claims a diff_id its layer does not have", Map.of())
        .with("side", side).with("claimed", claimed).with("actual", actual);
  }

  private void arrive(TarEntryStream.Entry e, Map<String, TarEntryStream.Entry> mine,
      Map<String, TarEntryStream.Entry> theirs, boolean isA) {
    if (!explaining) {
      unspill(e);
      return;
    }
    String key = e.path();
    TarEntryStream.Entry other = theirs.remove(key);
    if (other != null) {
      release(other);
      if (isA) {
        pair(e, other);
      } else {
        pair(other, e);
      }
      return;
    }
    while (mine.containsKey(key)) {
      key = key + "\0dup"; // the same path twice in one tar: the second pairs with the other side's second
    }
    TarEntryStream.Entry held = e;
    if (e.content() != null) {
      if (heldBytes + e.content().length > opts.maxHeldContent()) {
        held = new TarEntryStream.Entry(e.info(), e.format(), e.paxRecords(), e.headerDigest(), e.ustar(), null,
            e.spilled());
      } else {
        heldBytes += e.content().length;
      }
    }
    mine.put(key, held);
    if (mine.size() > opts.maxPendingEntries()) {
      explaining = false;
      pendingA.values().forEach(this::unspill);
      pendingB.values().forEach(this::unspill);
      pendingA.clear();
      pendingB.clear();
      heldBytes = 0;
    }
  }

  /** Deletes an entry's spilled file: once it is explained, or can no longer be. */
  void unspill(TarEntryStream.Entry e) {
    if (spill != null && e != null && e.spilled() != null) {
      spill.release(e.spilled());
    }
  }

  private void release(TarEntryStream.Entry e) {
    if (e.content() != null) {
      heldBytes = Math.max(0, heldBytes - e.content().length);
    }
  }

  /** A field that differs; {@code rule} names the ignore rule that hides it (null: it counts). */
  private record Change(String field, String a, String b, String rule) {
    boolean ignored() {
      return rule != null;
    }
  }

  /** An entry under an {@code --ignore-path} glob: counted for its rule, never compared further. */
  private boolean hiddenByPath(String path) {
    for (int i = 0; i < pathPatterns.size(); i++) {
      if (pathPatterns.get(i).matcher(path).matches()) {
        ignoredRules.merge(CompareOptions.pathRule(opts.ignorePaths().get(i)), 1, Integer::sum);
        return true;
      }
    }
    return false;
  }

  /** Both versions of a differing regular file go to the report directory, if one was asked for. */
  private void keep(TarEntryStream.Entry a, TarEntryStream.Entry b) {
    if (depth > 0 || opts.files().isEmpty()) {
      return;
    }
    boolean fileA = a != null && a.info().type() == TarEntryInfo.Type.FILE;
    boolean fileB = b != null && b.info().type() == TarEntryInfo.Type.FILE;
    if (!fileA && !fileB) {
      return;
    }
    int sp = where.indexOf(' ');
    String platform = sp < 0 ? where : where.substring(0, sp);
    String layer = sp < 0 ? "" : where.substring(sp + 1);
    opts.files().get().accept(platform, layer, (a != null ? a : b).path(),
        fileA ? Optional.ofNullable(a.content()) : Optional.empty(), fileA ? a.info().size() : -1,
        fileB ? Optional.ofNullable(b.content()) : Optional.empty(), fileB ? b.info().size() : -1);
  }

  void pair(TarEntryStream.Entry a, TarEntryStream.Entry b) {
    try {
      pairHeld(a, b);
    } finally {
      unspill(a);
      unspill(b);
    }
  }

  private void pairHeld(TarEntryStream.Entry a, TarEntryStream.Entry b) {
    TarEntryInfo x = a.info();
    TarEntryInfo y = b.info();
    List<Change> changes = new ArrayList<>();
    String ts = opts.ignoreTimestamps() ? CompareOptions.TIMESTAMPS : null;
    String tf = opts.ignoreTarFormat() ? CompareOptions.TAR_FORMAT : null;
    field(changes, "type", x.type(), y.type(), null);
    if (x.mode() != y.mode()) {
      // diffoci: the file-type bits (0040000, 0100000 …) some writers add to the mode field are redundant
      boolean onlyTypeBits = (x.mode() & 07777) == (y.mode() & 07777);
      changes.add(new Change("mode", octal(x.mode()), octal(y.mode()),
          onlyTypeBits && opts.ignoreFileModeRedundantBits() ? CompareOptions.FILE_MODE_REDUNDANT_BITS : null));
    }
    field(changes, "uid", x.uid(), y.uid(), null);
    field(changes, "gid", x.gid(), y.gid(), null);
    field(changes, "uname", x.uname(), y.uname(), null);
    field(changes, "gname", x.gname(), y.gname(), null);
    field(changes, "size", x.size(), y.size(), null);
    field(changes, "sha256", x.sha256().map(Digest::toString).orElse(""), y.sha256().map(Digest::toString).orElse(""), null);
    field(changes, "mtime", x.mtimeSeconds(), y.mtimeSeconds(), ts);
    field(changes, "linkname", x.linkTarget(), y.linkTarget(), null);
    field(changes, "xattrs", x.xattrs(), y.xattrs(), null);
    if (isDevice(x) || isDevice(y)) {
      field(changes, "devmajor", x.devMajor(), y.devMajor(), null);
      field(changes, "devminor", x.devMinor(), y.devMinor(), null);
    }
    for (String t : List.of("mtime", "atime", "ctime")) {
      field(changes, "pax." + t, a.paxRecords().getOrDefault(t, ""), b.paxRecords().getOrDefault(t, ""),
          ts != null ? ts : tf);
    }
    field(changes, "pax", otherPax(a.paxRecords()), otherPax(b.paxRecords()), tf);
    field(changes, "format", a.format(), b.format(), tf);
    boolean headerFieldsEqual = changes.stream().noneMatch(c -> !c.field.equals("sha256"));
    if (headerFieldsEqual && a.headerDigest().isPresent() && b.headerDigest().isPresent()
        && !a.headerDigest().equals(b.headerDigest())) {
      List<TarHeaderFields.Difference> fields = TarHeaderFields.differences(a.ustar(), b.ustar());
      if (fields.isEmpty()) {
        // the ustar blocks are equal (or not captured): the difference is in the PAX / GNU long-name records
        changes.add(new Change("header", a.headerDigest().get().shortHex(), b.headerDigest().get().shortHex(), tf));
      }
      for (TarHeaderFields.Difference d : fields) {
        changes.add(new Change("header." + d.field(), d.a(), d.b(), tf));
      }
    }
    if (positions) {
      int ia = x.index();
      int ib = y.index();
      if (ia < maxPairedA || ib < maxPairedB) {
        changes.add(new Change("position", String.valueOf(ia), String.valueOf(ib),
            opts.ignoreFileOrder() ? CompareOptions.FILE_ORDER : null));
      }
      maxPairedA = Math.max(maxPairedA, ia);
      maxPairedB = Math.max(maxPairedB, ib);
    }
    if (changes.isEmpty()) {
      return;
    }
    if (hiddenByPath(x.path())) {
      return;
    }
    List<Change> counted = changes.stream().filter(c -> !c.ignored()).toList();
    changes.stream().filter(Change::ignored).forEach(c -> ignored.merge(c.field, 1, Integer::sum));
    changes.stream().filter(Change::ignored).map(Change::rule).distinct()
        .forEach(r -> ignoredRules.merge(r, 1, Integer::sum));
    if (counted.isEmpty()) {
      return;
    }
    StringBuilder msg = new StringBuilder();
    Finding f = Finding.fail(CompareCode.FILE_CHANGED, subject(x.path()), "");
    for (Change c : counted) {
      if (msg.length() > 0) {
        msg.append(", ");
      }
      msg.append(c.field.equals("sha256") ? "content" : c.field);
      f = f.with(c.field + ".a", c.a).with(c.field + ".b", c.b);
    }
    msg.append(counted.size() == 1 ? " differs" : " differ");
    List<Finding> nested = List.of();
    if (counted.stream().anyMatch(c -> c.field.equals("sha256"))) {
      keep(a, b);
      Optional<String> ta = a.content() == null ? Optional.empty() : UnifiedDiff.asText(a.content());
      Optional<String> tb = b.content() == null ? Optional.empty() : UnifiedDiff.asText(b.content());
      if (ta.isPresent() && tb.isPresent()) {
        Optional<String> d = UnifiedDiff.diff(x.path(), ta.get(), tb.get());
        if (d.isPresent()) {
          f = f.with("diff", d.get());
        }
      }
      boolean explained = false;
      if (a.content() != null && b.content() != null) {
        NestedExplainer.Budget bd = budget != null ? budget : new NestedExplainer.Budget(opts.nested());
        NestedExplainer.Result r = NestedExplainer.explain(subject(x.path()), x.path(), a.content(), b.content(),
            opts, depth + 1, bd);
        for (var e : r.evidence().entrySet()) {
          f = f.with(e.getKey(), e.getValue());
        }
        explained = r.evidence().containsKey(NestedExplainer.FORMAT);
        nested = r.findings();
      } else if (a.spilled() != null || b.spilled() != null) {
        // too large to hold, written to disk while the layer streamed (on one side or both): a zip is explained
        // from the file(s)
        String refusal = a.spilled() != null && a.spilled().refusal() != null ? a.spilled().refusal()
            : b.spilled() != null ? b.spilled().refusal() : null;
        boolean haveA = a.content() != null || a.spilled() != null && a.spilled().path() != null;
        boolean haveB = b.content() != null || b.spilled() != null && b.spilled().path() != null;
        if (refusal != null) {
          nested = List.of(new Finding(CompareCode.NESTED_TOO_LARGE, Severity.INFO, subject(x.path()), refusal,
              Map.of()));
        } else if (haveA && haveB) {
          NestedExplainer.Budget bd = budget != null ? budget : new NestedExplainer.Budget(opts.nested());
          NestedExplainer.Result r = NestedExplainer.explainLarge(subject(x.path()), x.path(), a, b, opts, depth + 1,
              bd);
          for (var e : r.evidence().entrySet()) {
            f = f.with(e.getKey(), e.getValue());
          }
          explained = r.evidence().containsKey(NestedExplainer.FORMAT);
          nested = r.findings();
        }
      }
      if ((ta.isEmpty() || tb.isEmpty()) && !explained) {
        msg.append(" (binary or large: sizes ").append(x.size()).append(" and ").append(y.size()).append(" bytes)");
      }
    }
    report(new Finding(f.code(), f.severity(), f.subject(), msg.toString(), f.evidence()));
    // what is inside the file explains it: listed, not counted again
    nested.forEach(n -> report(n, false));
    if (depth == 0 && InstalledDbDiff.isInstalledDb(x.path()) && a.content() != null && b.content() != null) {
      InstalledDbDiff.diff(where + " " + x.path(), a.content(), b.content()).forEach(this::report);
    }
  }

  private void report(Finding f) {
    report(f, true);
  }

  private void report(Finding f, boolean counts) {
    if (counts && f.fails()) {
      failing++;
    }
    if (findings.size() >= opts.maxFindingsPerLayer()) {
      suppressed++;
      return;
    }
    findings.add(f);
  }

  private static boolean isDevice(TarEntryInfo e) {
    return e.type() == TarEntryInfo.Type.CHAR_DEVICE || e.type() == TarEntryInfo.Type.BLOCK_DEVICE;
  }

  private static Map<String, String> otherPax(Map<String, String> pax) {
    Map<String, String> m = new TreeMap<>();
    pax.forEach((k, v) -> {
      if (!PAX_FIELDS.contains(k) && !k.startsWith("SCHILY.xattr.")) {
        m.put(k, v);
      }
    });
    return m;
  }

  private static void field(List<Change> out, String name, Object a, Object b, String rule) {
    if (!Objects.equals(a, b)) {
      out.add(new Change(name, String.valueOf(a), String.valueOf(b), rule));
    }
  }

  private static String octal(int mode) {
    return String.format("%04o", mode);
  }

  private static String describe(TarEntryStream.Entry e) {
    TarEntryInfo i = e.info();
    return switch (i.type()) {
      case FILE -> "file, " + i.size() + " bytes, mode " + octal(i.mode() & 07777);
      case SYMLINK -> "symlink to " + i.linkTarget();
      case HARDLINK -> "hardlink to " + i.linkTarget();
      default -> i.type().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ", mode " + octal(i.mode() & 07777);
    };
  }
}
