package dev.bitproof.compare;

import dev.bitproof.io.Decompress;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.tar.TarCode;
import dev.bitproof.tar.TarEntryInfo;
import dev.bitproof.tar.TarPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Compares two images whose layer lists do not line up (different counts) by the filesystems their layers produce,
 * as diffoci squashes them. Unlike diffoci, whiteouts and opaque directories are applied, so a file deleted in an
 * upper layer is gone rather than "appearing twice". Each layer is streamed once; the merged tree holds every
 * path's header, digest and format, and contents only of files small enough to diff, within half of
 * {@link CompareOptions#maxHeldContent()} per side. Files are explained with the per-layer codes
 * ({@code FILE_ADDED}, {@code FILE_REMOVED}, {@code FILE_CHANGED}) under the subject {@code PLATFORM merged PATH}.
 */
final class MergedComparator {
  /** The outcome: the file findings, the verdict of the merged trees, and the diff_ids computed on the way. */
  record Result(List<Finding> findings, int failing, boolean ignoredAny, boolean complete, int entriesA,
      int entriesB, List<Digest> diffIdsA, List<Digest> diffIdsB, Map<String, Integer> ignoredRules) {
    Result {
      findings = List.copyOf(findings);
      ignoredRules = Map.copyOf(ignoredRules);
      diffIdsA = List.copyOf(diffIdsA);
      diffIdsB = List.copyOf(diffIdsB);
    }

    Verdict verdict() {
      return failing > 0 || !complete ? Verdict.DIFFERENT
          : ignoredAny ? Verdict.SEMANTICALLY_IDENTICAL : Verdict.CONTENT_IDENTICAL;
    }
  }

  private MergedComparator() {}

  static Result compare(String platform, ImageSource sa, List<Descriptor> layersA, List<Digest> claimsA,
      ImageSource sb, List<Descriptor> layersB, List<Digest> claimsB, CompareOptions o, Spill spill)
      throws IOException {
    List<Finding> out = new ArrayList<>();
    Tree a = Tree.read(platform, "A", sa, layersA, claimsA, o, out, spill);
    Tree b = Tree.read(platform, "B", sb, layersB, claimsB, o, out, spill);
    LayerComparator lc = LayerComparator.forMerged(o, platform + " merged", spill);
    Iterator<Map.Entry<String, Tree.Node>> ia = a.nodes.entrySet().iterator();
    Iterator<Map.Entry<String, Tree.Node>> ib = b.nodes.entrySet().iterator();
    Map.Entry<String, Tree.Node> x = ia.hasNext() ? ia.next() : null;
    Map.Entry<String, Tree.Node> y = ib.hasNext() ? ib.next() : null;
    while (x != null || y != null) {
      int c = x == null ? 1 : y == null ? -1 : x.getKey().compareTo(y.getKey());
      if (c == 0) {
        lc.pair(x.getValue().entry(), y.getValue().entry());
      } else if (c < 0) {
        lc.onlyInA(x.getValue().entry());
      } else {
        lc.onlyInB(y.getValue().entry());
      }
      if (c <= 0) {
        x = ia.hasNext() ? ia.next() : null;
      }
      if (c >= 0) {
        y = ib.hasNext() ? ib.next() : null;
      }
    }
    int failing = lc.failing() + (int) out.stream().filter(Finding::fails).count();
    out.addAll(lc.explanation());
    return new Result(out, failing, lc.ignoredAny(), lc.complete(), a.nodes.size(), b.nodes.size(), a.diffIds,
        b.diffIds, lc.ignoredRules());
  }

  /** One image's layers applied in order. */
  private static final class Tree {
    /** An entry of the merged tree and the layer that put it there. */
    private record Node(TarEntryStream.Entry entry, int layer) {}

    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private final List<Digest> diffIds = new ArrayList<>();
    private final long budget;
    private final long maxNodes;
    private long held;
    private Spill spill;

    private Tree(long budget, long maxNodes) {
      this.budget = budget;
      this.maxNodes = maxNodes;
    }

    static Tree read(String platform, String side, ImageSource src, List<Descriptor> layers, List<Digest> claims,
        CompareOptions o, List<Finding> out, Spill spill) throws IOException {
      Tree t = new Tree(o.maxHeldContent() / 2, o.maxEntries());
      t.spill = spill;
      for (int i = 0; i < layers.size(); i++) {
        Descriptor d = layers.get(i);
        String subject = platform + " layer " + i + " " + side + " " + d.digest();
        try (InputStream blob = src.blob(d); InputStream tar = Decompress.layer(d.mediaType(), blob, subject)) {
          TarEntryStream s = TarEntryStream.forComparison(tar, subject, o, spill);
          for (Optional<TarEntryStream.Entry> e = s.next(); e.isPresent(); e = s.next()) {
            t.apply(e.get(), i, subject);
          }
          Digest id = s.finish();
          t.diffIds.add(id);
          blob.transferTo(OutputStream.nullOutputStream()); // to the end, so the blob digest is checked
          if (i < claims.size() && !claims.get(i).equals(id)) {
            out.add(Finding.fail(CompareCode.LAYER_DIFF_ID_MISMATCH, platform + " layer " + i,
                "image " + side + "'s config claims a diff_id its layer does not have")
                .with("side", side).with("claimed", claims.get(i)).with("actual", id));
          }
        }
      }
      return t;
    }

    /** A whiteout in layer {@code n} hides only what lower layers had; a later entry of a path replaces it. */
    void apply(TarEntryStream.Entry e, int n, String subject) {
      TarEntryInfo info = e.info();
      if (info.path().isEmpty() || info.isOpaqueWhiteout() || info.isWhiteout()) {
        unspill(e);
      }
      if (info.path().isEmpty()) {
        return;
      }
      if (info.isOpaqueWhiteout()) {
        removeBelow(TarPaths.parent(info.path()), n, false);
        return;
      }
      if (info.isWhiteout()) {
        String dir = TarPaths.parent(info.path());
        String name = TarPaths.baseName(info.path()).substring(4);
        removeBelow(dir.isEmpty() ? name : dir + "/" + name, n, true);
        return;
      }
      Node prev = nodes.get(info.path());
      if (prev != null && prev.entry().info().type() == TarEntryInfo.Type.DIRECTORY
          && info.type() != TarEntryInfo.Type.DIRECTORY) {
        removeBelow(info.path(), Integer.MAX_VALUE, false); // a directory replaced by a file takes its tree along
      }
      TarEntryStream.Entry kept = e;
      if (e.content() != null) {
        if (held + e.content().length > budget) {
          kept = new TarEntryStream.Entry(info, e.format(), e.paxRecords(), e.headerDigest(), e.ustar(), null,
              e.spilled());
        } else {
          held += e.content().length;
        }
      }
      release(nodes.put(info.path(), new Node(kept, n)));
      if (nodes.size() > maxNodes) {
        throw new CheckException(TarCode.TAR_TOO_MANY_ENTRIES, subject,
            "the merged filesystem has more than " + maxNodes + " entries");
      }
    }

    /** Removes the children of {@code path} (and the path itself when {@code self}) that layers below {@code n} added. */
    private void removeBelow(String path, int n, boolean self) {
      Node own = nodes.get(path);
      if (self && own != null && own.layer() < n) {
        release(nodes.remove(path));
      }
      String prefix = path.isEmpty() ? "" : path + "/";
      Iterator<Node> it = (prefix.isEmpty() ? nodes
          : nodes.subMap(prefix, true, prefix + Character.MAX_VALUE, true)).values().iterator();
      while (it.hasNext()) {
        Node m = it.next();
        if (m.layer() < n) {
          release(m);
          it.remove();
        }
      }
    }

    private void release(Node n) {
      if (n != null && n.entry().content() != null) {
        held -= n.entry().content().length;
      }
      if (n != null) {
        unspill(n.entry());
      }
    }

    private void unspill(TarEntryStream.Entry e) {
      if (spill != null && e.spilled() != null) {
        spill.release(e.spilled());
      }
    }
  }
}
