package dev.bitproof.compare;

import dev.bitproof.io.Decompress;
import dev.bitproof.io.IoCode;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.tar.TarCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Explains a differing file by its own format, as diffoscope does: a tar inside it entry by entry (header fields
 * named, recursively), a zip (jar, war, Android apk) or {@code ar} archive (.deb, static library) member by member
 * ({@link ArchiveDiff}), a gzip/xz/zstd/bzip2 member by what it decompresses to, JSON path by path
 * ({@code $.a.b[2]: "x" → "y"}), ELF by sections, build-id and dynamic symbols. Text files already get a unified
 * diff from the layer comparison; inside a member they get one here.
 *
 * <p>Called only for files that differ and whose two versions were held (so identical content costs nothing).
 * Bounded by {@link NestedLimits}: nesting depth, bytes decompressed per explained file (shared by all its members
 * through one {@link Budget}), decompression ratio, entries per nested tar, zip or ar, lines per explanation. Past a bound, or
 * on a member that is not what it claims (truncated, corrupt), the explanation of that file stops with an INFO
 * finding whose code says why ({@code NESTED_TOO_DEEP}, {@code NESTED_TOO_LARGE}, {@code NESTED_DECOMPRESSION_BOMB},
 * {@code NESTED_CORRUPT}); the verdict is unaffected (the file already differs by its digest).
 */
final class NestedExplainer {
  /** Evidence key: the chain of formats explained, e.g. {@code gzip > tar}. */
  static final String FORMAT = "nested.format";

  /** What one differing file's explanation may still spend: shared by every member nested inside it. */
  static final class Budget {
    private final NestedLimits limits;
    private long expanded;

    Budget(NestedLimits limits) {
      this.limits = limits;
    }

    long remaining() {
      return Math.max(0, limits.maxExpanded() - expanded);
    }

    /** Bytes decompressed by a caller that checked them against {@link #remaining()} first. */
    void charge(long n) {
      expanded += n;
    }
  }

  /** Evidence for the outer file's finding, and findings for what is inside it (nested entries, refusals). */
  record Result(Map<String, String> evidence, List<Finding> findings) {
    Result {
      evidence = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(evidence)); // in the order explained
      findings = List.copyOf(findings);
    }

    static final Result NONE = new Result(Map.of(), List.of());
  }

  private NestedExplainer() {}

  /** A format worth holding a differing file's bytes for (beyond small text), by name or first bytes. */
  static boolean worthHolding(String path, byte[] head, int n) {
    String name = path.toLowerCase(Locale.ROOT);
    for (String s : List.of(".tar", ".gz", ".tgz", ".xz", ".zst", ".bz2", ".json", ".apk", ".so", ".zip", ".jar",
        ".war", ".ear", ".aar", ".whl", ".deb", ".udeb", ".a")) {
      if (name.endsWith(s)) {
        return true;
      }
    }
    byte[] h = n < head.length ? Arrays.copyOf(head, n) : head;
    return Decompress.Format.byMagic(h) != Decompress.Format.NONE || Elf.isElf(h) || isTar(h) || ZipArchive.isZip(h)
        || ArchiveDiff.isAr(h);
  }

  /**
   * A file too large to hold worth writing to disk for its explanation: a zip/jar (by its first bytes, or by its
   * name, as a jar with a launch script prepended), the one format explained from a file at positions.
   */
  static boolean worthSpilling(String path, byte[] head, int n) {
    byte[] h = n < head.length ? Arrays.copyOf(head, n) : head;
    String name = path.toLowerCase(Locale.ROOT);
    for (String s : List.of(".zip", ".jar", ".war", ".ear", ".aar", ".apk", ".whl")) {
      if (name.endsWith(s) && !(name.endsWith(".apk") && Decompress.Format.byMagic(h) != Decompress.Format.NONE)) {
        return true;
      }
    }
    return ZipArchive.isZip(h);
  }

  static Result explain(String subject, String path, byte[] a, byte[] b, CompareOptions o, int depth, Budget budget) {
    NestedLimits lim = o.nested();
    if (depth > lim.maxDepth()) {
      return refused(CompareCode.NESTED_TOO_DEEP, subject, "nested more than " + lim.maxDepth()
          + " formats deep: not explained further");
    }
    try {
      return explainAt(subject, path, a, b, o, depth, budget);
    } catch (CheckException e) {
      return refused(e, subject);
    } catch (IOException | RuntimeException e) {
      // a nested member is hostile input like any other: whatever it makes a parser do stops only its explanation
      return refused(CompareCode.NESTED_CORRUPT, subject, "not explained: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }

  /**
   * Explains two versions of a differing file too large to hold, from files (spilled while the layer streamed) read
   * at positions with bounded memory: a zip/jar by its central directory and local headers, inflating only the
   * entries whose stored bytes differ, one at a time, within the budget. Other formats would need the whole file
   * held: {@link Result#NONE} (the caller keeps sizes and hashes).
   */
  static Result explainFiles(String subject, String path, java.nio.file.Path a, java.nio.file.Path b,
      CompareOptions o, int depth, Budget budget) {
    return explainSources(subject, path, () -> ZipArchive.Source.open(a), () -> ZipArchive.Source.open(b), o, depth,
        budget);
  }

  /**
   * As {@link #explainFiles}, for two versions each either held ({@code content}) or spilled to a file: a jar that
   * grew past the held bound on one side only is explained too.
   */
  static Result explainLarge(String subject, String path, TarEntryStream.Entry a, TarEntryStream.Entry b,
      CompareOptions o, int depth, Budget budget) {
    return explainSources(subject, path, () -> source(a), () -> source(b), o, depth, budget);
  }

  private static ZipArchive.Source source(TarEntryStream.Entry e) throws IOException {
    return e.content() != null ? ZipArchive.Source.of(e.content()) : ZipArchive.Source.open(e.spilled().path());
  }

  private interface Opener {
    ZipArchive.Source open() throws IOException;
  }

  private static Result explainSources(String subject, String path, Opener a, Opener b, CompareOptions o, int depth,
      Budget budget) {
    NestedLimits lim = o.nested();
    if (depth > lim.maxDepth()) {
      return refused(CompareCode.NESTED_TOO_DEEP, subject, "nested more than " + lim.maxDepth()
          + " formats deep: not explained further");
    }
    try (ZipArchive.Source sa = a.open(); ZipArchive.Source sb = b.open()) {
      byte[] ha = sa.read(0, (int) Math.min(512, sa.size()));
      byte[] hb = sb.read(0, (int) Math.min(512, sb.size()));
      if ((ZipArchive.isZip(ha) || ZipArchive.isZipByName(path, sa))
          && (ZipArchive.isZip(hb) || ZipArchive.isZipByName(path, sb))) {
        return ArchiveDiff.zip(subject, sa, sb, o, depth, budget);
      }
      return Result.NONE;
    } catch (CheckException e) {
      return refused(e, subject);
    } catch (IOException | RuntimeException e) {
      return refused(CompareCode.NESTED_CORRUPT, subject, "not explained: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }

  private static Result refused(CheckException e, String subject) {
    Code c = e.code();
    Code mapped = c == IoCode.DECOMPRESSION_BOMB || c == CompareCode.NESTED_DECOMPRESSION_BOMB
        ? CompareCode.NESTED_DECOMPRESSION_BOMB
        : c == TarCode.TAR_TOO_MANY_ENTRIES || c == IoCode.LAYER_TOO_LARGE || c == CompareCode.NESTED_TOO_LARGE
            ? CompareCode.NESTED_TOO_LARGE : CompareCode.NESTED_CORRUPT;
    return refused(mapped, subject, e.getMessage());
  }

  private static Result explainAt(String subject, String path, byte[] a, byte[] b, CompareOptions o, int depth,
      Budget budget) throws IOException {
    Decompress.Format ca = Decompress.Format.byMagic(head(a));
    Decompress.Format cb = Decompress.Format.byMagic(head(b));
    if (ca != Decompress.Format.NONE || cb != Decompress.Format.NONE) {
      if (ca != cb) {
        return new Result(Map.of(FORMAT, lower(ca) + " | " + lower(cb), "nested.note",
            "A is " + lower(ca) + ", B is " + lower(cb)), List.of());
      }
      return compressed(subject, path, ca, a, b, o, depth, budget);
    }
    if (isTar(head(a)) && isTar(head(b))) {
      return tar(subject, a, b, o, depth, budget);
    }
    if ((ZipArchive.isZip(head(a)) || ZipArchive.isZipByName(path, a))
        && (ZipArchive.isZip(head(b)) || ZipArchive.isZipByName(path, b))) {
      return ArchiveDiff.zip(subject, a, b, o, depth, budget);
    }
    if (ArchiveDiff.isAr(head(a)) && ArchiveDiff.isAr(head(b))) {
      return ArchiveDiff.ar(subject, a, b, o, depth, budget);
    }
    if (Elf.isElf(head(a)) && Elf.isElf(head(b))) {
      List<String> lines = Elf.diff(a, b, o.nested().maxLines());
      return new Result(Map.of(FORMAT, "elf", "elf.diff", String.join("\n", lines)), List.of());
    }
    Optional<List<String>> json = JsonPathDiff.diff(path, a, b, o.nested().maxLines());
    if (json.isPresent()) {
      return new Result(Map.of(FORMAT, "json", "json.diff", String.join("\n", json.get())), List.of());
    }
    if (depth > 1) {
      // inside a member: the layer comparison's own text diff never saw these bytes
      Optional<String> ta = UnifiedDiff.asText(a);
      Optional<String> tb = UnifiedDiff.asText(b);
      if (ta.isPresent() && tb.isPresent()) {
        Optional<String> d = UnifiedDiff.diff(path, ta.get(), tb.get());
        if (d.isPresent()) {
          return new Result(Map.of(FORMAT, "text", "diff", d.get()), List.of());
        }
      }
    }
    return Result.NONE;
  }

  private static Result compressed(String subject, String path, Decompress.Format f, byte[] a, byte[] b,
      CompareOptions o, int depth, Budget budget) throws IOException {
    byte[] x = inflate(f, a, subject + " (A)", o.nested(), budget);
    byte[] y = inflate(f, b, subject + " (B)", o.nested(), budget);
    String inner = path.endsWith(f.suffix()) ? path.substring(0, path.length() - f.suffix().length())
        : path.endsWith(".tgz") ? path.substring(0, path.length() - 4) + ".tar" : path;
    Map<String, String> ev = new LinkedHashMap<>();
    if (Arrays.equals(x, y)) {
      ev.put(FORMAT, lower(f));
      ev.put("nested.note", "same " + x.length + " bytes once decompressed: only the " + lower(f) + " encoding differs");
      return new Result(ev, List.of());
    }
    Result r = explain(subject, inner, x, y, o, depth + 1, budget);
    ev.put(FORMAT, lower(f) + (r.evidence().containsKey(FORMAT) ? " > " + r.evidence().get(FORMAT) : ""));
    ev.put("nested.size.a", String.valueOf(x.length));
    ev.put("nested.size.b", String.valueOf(y.length));
    r.evidence().forEach((k, v) -> {
      if (!k.equals(FORMAT)) {
        ev.put(k, v);
      }
    });
    return new Result(ev, r.findings());
  }

  /** Decompresses one member within the shared budget and the ratio bound; never reads past either. */
  private static byte[] inflate(Decompress.Format f, byte[] in, String subject, NestedLimits lim, Budget budget)
      throws IOException {
    long room = budget.remaining();
    if (room == 0) {
      throw new CheckException(CompareCode.NESTED_TOO_LARGE, subject, "more than " + lim.maxExpanded()
          + " bytes decompressed while explaining this file: not explained further");
    }
    try (InputStream s = Decompress.open(f, new ByteArrayInputStream(in), room, lim.maxRatio(), subject)) {
      byte[] out = s.readAllBytes(); // the guard stops it past `room` bytes (at most maxExpanded) or the ratio
      budget.expanded += out.length;
      return out;
    }
  }

  /** Two tars paired entry by entry with the layer comparison's own checks; entries beyond the bound: refused. */
  private static Result tar(String subject, byte[] a, byte[] b, CompareOptions o, int depth, Budget budget)
      throws IOException {
    NestedLimits lim = o.nested();
    String where = subject + "!/";
    LayerComparator lc = LayerComparator.forNested(o, where, depth, budget);
    Map<String, TarEntryStream.Entry> left = new LinkedHashMap<>();
    TarEntryStream ta = new TarEntryStream(new ByteArrayInputStream(a), subject + " (A)", lim.maxEntries(),
        lim.maxFileSize());
    int entries = 0;
    for (Optional<TarEntryStream.Entry> e = ta.next(); e.isPresent(); e = ta.next()) {
      String k = e.get().path();
      while (left.containsKey(k)) {
        k = k + "\0dup";
      }
      left.put(k, e.get());
      entries++;
    }
    TarEntryStream tb = new TarEntryStream(new ByteArrayInputStream(b), subject + " (B)", lim.maxEntries(),
        lim.maxFileSize());
    for (Optional<TarEntryStream.Entry> e = tb.next(); e.isPresent(); e = tb.next()) {
      TarEntryStream.Entry x = left.remove(e.get().path());
      if (x == null) {
        lc.onlyInB(e.get());
      } else {
        lc.pair(x, e.get());
      }
      entries++;
    }
    left.values().forEach(lc::onlyInA);
    List<Finding> fs = lc.explanation();
    long differing = fs.stream().filter(Finding::fails).filter(f -> f.subject().startsWith(where)).count();
    Map<String, String> ev = new LinkedHashMap<>();
    ev.put(FORMAT, "tar");
    ev.put("nested.note", differing == 0
        ? "the tars hold the same entries: they differ outside entry headers and contents"
        : differing + " nested finding" + (differing == 1 ? "" : "s") + " (subjects " + where + "…)");
    ev.put("nested.entries", String.valueOf(entries));
    return new Result(ev, fs);
  }

  private static Result refused(Code code, String subject, String message) {
    return new Result(Map.of(), List.of(new Finding(code, Severity.INFO, subject, message, Map.of())));
  }

  /** POSIX/GNU tar: "ustar" at offset 257 of the first header. */
  static boolean isTar(byte[] h) {
    return h.length >= 262 && h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r';
  }

  private static byte[] head(byte[] b) {
    return b.length <= 512 ? b : Arrays.copyOf(b, 512);
  }

  private static String lower(Decompress.Format f) {
    return f == Decompress.Format.NONE ? "uncompressed" : f.name().toLowerCase(Locale.ROOT);
  }
}
