package dev.bitproof.rebuild;

import dev.bitproof.gocompat.GoTarWriter;

import dev.bitproof.gocompat.GoJson;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * apko's {@code layering: {strategy: origin, budget: N}} (reference apko.md §1.7, apko {@code pkg/build/layers.go}):
 * packages grouped by origin, groups that replace each other merged, the largest {@code budget-1} groups kept and
 * the rest merged; one layer per group in that order plus a top layer for everything no package owns. Missing
 * parent directories are repeated in each layer with the mtime of the file that needed them; each group layer
 * gets a partial installed DB with its packages' records.
 */
final class OriginLayers {
  private OriginLayers() {}

  static final class Group {
    final List<ApkInstaller.Installed> pkgs = new ArrayList<>();
    long size;
    String tiebreaker = "";
  }

  static List<Group> groups(List<ApkInstaller.Installed> installed, int budget) {
    Map<String, Group> byOrigin = new LinkedHashMap<>();
    for (ApkInstaller.Installed i : installed) {
      byOrigin.computeIfAbsent(i.pkg().origin(), o -> new Group()).pkgs.add(i);
    }
    Map<String, Group> byPackage = new HashMap<>();
    byOrigin.values().forEach(g -> g.pkgs.forEach(p -> byPackage.put(p.pkg().name(), g)));
    for (ApkInstaller.Installed i : installed) {
      for (String rep : i.pkg().replaces()) {
        String name = rep.split("[=<>~]", 2)[0];
        Group replacee = byPackage.get(name);
        Group g = byPackage.get(i.pkg().name());
        if (replacee == null || replacee == g) {
          continue;
        }
        Group merged = merge(List.of(g, replacee));
        for (ApkInstaller.Installed p : merged.pkgs) {
          byPackage.put(p.pkg().name(), merged);
          byOrigin.put(p.pkg().origin(), merged);
        }
      }
    }
    List<Group> groups = new ArrayList<>();
    Map<Group, Boolean> seen = new IdentityHashMap<>();
    for (Group g : byOrigin.values()) {
      if (seen.put(g, Boolean.TRUE) == null) {
        groups.add(g);
      }
    }
    for (Group g : groups) {
      g.size = 0;
      g.tiebreaker = "";
      for (ApkInstaller.Installed p : g.pkgs) {
        g.size += p.pkg().installedSize();
        g.tiebreaker = max(g.tiebreaker, p.pkg().name());
      }
    }
    groups.sort((a, b) -> a.size != b.size ? Long.compare(b.size, a.size) : GoJson.compareUtf8(a.tiebreaker, b.tiebreaker));
    if (groups.size() > budget) {
      int cutoff = Math.max(budget - 1, 0);
      List<Group> kept = new ArrayList<>(groups.subList(0, cutoff));
      kept.add(merge(groups.subList(cutoff, groups.size())));
      groups = kept;
    }
    for (Group g : groups) {
      g.pkgs.sort((a, b) -> GoJson.compareUtf8(a.pkg().name(), b.pkg().name()));
    }
    return groups;
  }

  private static Group merge(List<Group> gs) {
    Group m = new Group();
    for (Group g : gs) {
      m.pkgs.addAll(g.pkgs);
      m.size += g.size;
      m.tiebreaker = max(m.tiebreaker, g.tiebreaker);
    }
    return m;
  }

  private static String max(String a, String b) {
    return GoJson.compareUtf8(a, b) >= 0 ? a : b;
  }

  /**
   * A layer being written and the directories it already holds (its stack). The tar goes to a blob that moves to a
   * temporary file past a few MiB: the layers are written side by side in one walk, so none can stream into its
   * compressor yet, and together they are the whole image.
   */
  private static final class Writer {
    final LayerBlob.Sink sink = new LayerBlob.Sink();
    final java.io.BufferedOutputStream buffered = new java.io.BufferedOutputStream(sink, 1 << 16);
    final GoTarWriter tw = new GoTarWriter(buffered);
    final List<String> stack = new ArrayList<>();

    LayerBlob finish() throws IOException {
      tw.close();
      buffered.flush();
      sink.close();
      return sink.blob();
    }
  }

  record Dir(String path, MemFs.Node node) {}

  /** The layer tars, each in a blob (on the heap while small, else in a temporary file). */
  static List<LayerBlob> tars(MemFs fs, List<ApkInstaller.Installed> installed, int budget, ApkoRules rules)
      throws IOException {
    String installedDb = ApkInstaller.installed(rules);
    // apko v0.26.0 (#1624): a directory written ahead of a file takes the file's mtime
    boolean synthesize = rules.has(ApkoChange.LAYER_DIR_MTIMES_SYNTHESIZED);
    boolean partialDb = rules.has(ApkoChange.LAYER_PARTIAL_DB);
    boolean partialDbAtDb = rules.has(ApkoChange.LAYER_PARTIAL_DB_PARENTS);
    MemFs.Node[] idb = new MemFs.Node[1];
    List<Group> groups = groups(installed, budget);
    Map<Integer, String> users = LayerTar.names(fs, "etc/passwd");
    Map<Integer, String> grps = LayerTar.names(fs, "etc/group");
    Map<String, Writer> byOwner = new HashMap<>();
    Map<Group, Writer> byGroup = new IdentityHashMap<>();
    List<Writer> writers = new ArrayList<>();
    for (Group g : groups) {
      Writer w = new Writer();
      writers.add(w);
      byGroup.put(g, w);
      g.pkgs.forEach(p -> byOwner.put(p.pkg().name(), w));
    }
    Writer top = new Writer();
    List<Dir> stack = new ArrayList<>();
    fs.walk((path, n) -> {
      if (n.kind() == MemFs.Kind.DIR) {
        String parent = MemFs.parent(path);
        while (!stack.isEmpty() && !stack.get(stack.size() - 1).path().equals(parent)) {
          stack.remove(stack.size() - 1);
        }
        stack.add(new Dir(path, n));
      }
      Writer w = top;
      if (n.owner() != null && byOwner.containsKey(n.owner().pkgName())) {
        w = byOwner.get(n.owner().pkgName());
      }
      for (Dir d : align(w, stack)) {
        if (d.path().equals(path)) {
          continue;
        }
        LayerTar.writeEntry(w.tw, d.path(), d.node(), users, grps, synthesize ? n.mtime() : d.node().mtime());
      }
      LayerTar.writeEntry(w.tw, path, n, users, grps, n.mtime());
      if (path.equals(installedDb)) {
        idb[0] = n;
      }
      if (path.equals(installedDb) && partialDb && partialDbAtDb) {
        for (Group g : groups) {
          Writer gw = byGroup.get(g);
          for (Dir d : align(gw, stack)) {
            LayerTar.writeEntry(gw.tw, d.path(), d.node(), users, grps, n.mtime());
          }
          ByteArrayOutputStream db = new ByteArrayOutputStream();
          for (ApkInstaller.Installed p : g.pkgs) {
            db.write(p.dbRecord());
          }
          MemFs.Node partial = new MemFs.Node(MemFs.Kind.FILE, n.mode());
          partial.uid = n.uid();
          partial.gid = n.gid();
          partial.setData(db.toByteArray());
          LayerTar.writeEntry(gw.tw, path, partial, users, grps, n.mtime());
        }
      }
    });
    List<LayerBlob> out = new ArrayList<>();
    for (int i = 0; i < writers.size(); i++) {
      Writer w = writers.get(i);
      if (partialDb && !partialDbAtDb && idb[0] != null) {
        // apko v0.29.4-v0.29.8 (#1752): appended after the walk, with the top db's header, no parent directories
        ByteArrayOutputStream db = new ByteArrayOutputStream();
        for (ApkInstaller.Installed p : groups.get(i).pkgs) {
          db.write(p.dbRecord());
        }
        MemFs.Node partial = new MemFs.Node(MemFs.Kind.FILE, idb[0].mode());
        partial.uid = idb[0].uid();
        partial.gid = idb[0].gid();
        partial.setData(db.toByteArray());
        LayerTar.writeEntry(w.tw, installedDb, partial, users, grps, idb[0].mtime());
      }
      out.add(w.finish());
    }
    out.add(top.finish());
    return out;
  }

  /** apko's alignStacks: the directories of {@code stack} the layer has not written yet. */
  private static List<Dir> align(Writer w, List<Dir> stack) {
    for (int i = 0; i < Math.max(w.stack.size(), stack.size()); i++) {
      if (i >= stack.size()) {
        w.stack.subList(i, w.stack.size()).clear();
        return List.of();
      }
      if (i < w.stack.size() && w.stack.get(i).equals(stack.get(i).path())) {
        continue;
      }
      w.stack.subList(i, w.stack.size()).clear();
      List<Dir> todo = new ArrayList<>(stack.subList(i, stack.size()));
      todo.forEach(d -> w.stack.add(d.path()));
      return todo;
    }
    return List.of();
  }

  static boolean same(byte[] a, byte[] b) {
    return Arrays.equals(a, b);
  }
}
