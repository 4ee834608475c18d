package dev.bitproof.compare;

import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;

/**
 * Explains two zips (jar, war, Android apk …) or two {@code ar} archives (.deb, static libraries) member by member,
 * as {@link NestedExplainer} does a nested tar: members paired by name, added and removed ones listed, and for each
 * pair the header fields that differ by name (a zip's DOS time, extended-timestamp and other extra fields, central
 * and local apart, method, flags, versions, attributes, comment, the position in the archive; an ar member's mtime,
 * uid, gid, mode), then its content explained recursively. A jar whose entries are the same but re-timestamped or
 * reordered is said to be exactly that in the outer finding's {@code nested.note}.
 *
 * <p>Contents are decompressed only for entries whose stored bytes differ, within the explained file's
 * {@link NestedExplainer.Budget}.
 */
final class ArchiveDiff {
  private static final String ABSENT = "(absent)";
  private static final Set<Integer> TIME_EXTRAS = Set.of(0x5455, 0x000a);

  /** What a member's content is read as, when its stored bytes differ from the other side's. */
  private interface Loader {
    /** The content, charged to the budget; {@code raw[0]}: the stored bytes, not decoded (encrypted, unknown method). */
    byte[] load(long room, long maxRatio, String subject, boolean[] raw) throws IOException;
  }

  /** One member: its header fields by name in display order, the timestamp ones, and its stored bytes. */
  private record Member(String name, int index, Map<String, String> fields, Set<String> timeFields, Object stored,
      Loader loader) {}

  private ArchiveDiff() {}

  static boolean isAr(byte[] h) {
    return h.length >= 8 && new String(h, 0, 8, java.nio.charset.StandardCharsets.ISO_8859_1).equals("!<arch>\n");
  }

  // --- zip ------------------------------------------------------------------------------------------------------

  static NestedExplainer.Result zip(String subject, byte[] a, byte[] b, CompareOptions o, int depth,
      NestedExplainer.Budget budget) throws IOException {
    return zip(subject, ZipArchive.Source.of(a), ZipArchive.Source.of(b), o, depth, budget);
  }

  /**
   * Two zips read at positions (held bytes, or spilled files): only the central directories (at most a quarter of
   * {@link NestedLimits#maxExpanded()}, 4 MiB, each) and local headers are held; entries whose stored bytes differ are
   * inflated one at a time within the budget.
   */
  static NestedExplainer.Result zip(String subject, ZipArchive.Source a, ZipArchive.Source b, CompareOptions o,
      int depth, NestedExplainer.Budget budget) throws IOException {
    NestedLimits lim = o.nested();
    // both central directories are held with their entries' names and extra fields: a quarter of the budget each
    long maxCentral = Math.max(1 << 20, lim.maxExpanded() / 4);
    ZipArchive.Archive za = ZipArchive.read(a, subject + " (A)", lim.maxEntries(), maxCentral);
    ZipArchive.Archive zb = ZipArchive.read(b, subject + " (B)", lim.maxEntries(), maxCentral);
    Map<String, String> archive = new LinkedHashMap<>();
    archive.put("zip.entries.a", String.valueOf(za.entries().size()));
    archive.put("zip.entries.b", String.valueOf(zb.entries().size()));
    if (!za.comment().equals(zb.comment())) {
      archive.put("zip.comment.a", cut(za.comment()));
      archive.put("zip.comment.b", cut(zb.comment()));
    }
    outside(archive, "zip.before-entries", a, 0, za.outsideBefore(), b, 0, zb.outsideBefore());
    outside(archive, "zip.before-central-directory", a, za.outsideFrom(), za.cdOffset(), b, zb.outsideFrom(),
        zb.cdOffset());
    return explain(subject, "zip", members(za), members(zb), archive, o, depth, budget);
  }

  private static List<Member> members(ZipArchive.Archive z) {
    List<Member> out = new ArrayList<>();
    for (ZipArchive.Entry e : z.entries()) {
      Map<String, String> f = new LinkedHashMap<>();
      Set<String> times = new LinkedHashSet<>();
      f.put("mtime", dosTime(e.dosTime()));
      times.add("mtime");
      extras(f, times, "extra.", e.extra());
      f.put("method", method(e.method()));
      f.put("flags", String.format("0x%04x", e.flags()));
      f.put("version-made-by", madeBy(e.versionMadeBy()));
      f.put("version-needed", version(e.versionNeeded()));
      f.put("attributes.external", String.format("0x%08x", e.externalAttributes())
          + (e.versionMadeBy() >> 8 == 3 ? " (unix mode " + Long.toOctalString(e.externalAttributes() >>> 16) + ")" : ""));
      f.put("attributes.internal", String.format("0x%04x", e.internalAttributes()));
      f.put("comment", cut(e.comment()));
      // the local header repeats some fields; listed when it disagrees with the other side's (see pairing)
      f.put("local.mtime", dosTime(e.localDosTime()));
      times.add("local.mtime");
      f.put("local.method", method(e.localMethod()));
      f.put("local.flags", String.format("0x%04x", e.localFlags()));
      f.put("local.version-needed", version(e.localVersionNeeded()));
      extras(f, times, "local.extra.", e.localExtra());
      out.add(new Member(e.name(), e.index(), f, times, new ZipRef(z, e),
          (room, ratio, s, raw) -> ZipArchive.content(z, e, room, ratio, s, raw)));
    }
    return out;
  }

  private static void extras(Map<String, String> f, Set<String> times, String prefix, Map<Integer, byte[]> extra) {
    for (var x : extra.entrySet()) {
      String k = prefix + extraName(x.getKey());
      f.put(k, extraValue(x.getKey(), x.getValue()));
      if (TIME_EXTRAS.contains(x.getKey())) {
        times.add(k);
      }
    }
  }

  // --- ar -------------------------------------------------------------------------------------------------------

  static NestedExplainer.Result ar(String subject, byte[] a, byte[] b, CompareOptions o, int depth,
      NestedExplainer.Budget budget) throws IOException {
    Map<String, String> archive = new LinkedHashMap<>();
    List<Member> ma = arMembers(a, subject + " (A)", o.nested().maxEntries());
    List<Member> mb = arMembers(b, subject + " (B)", o.nested().maxEntries());
    archive.put("ar.members.a", String.valueOf(ma.size()));
    archive.put("ar.members.b", String.valueOf(mb.size()));
    return explain(subject, "ar", ma, mb, archive, o, depth, budget);
  }

  /** Members through commons-compress (GNU and BSD long names, the symbol table as a member named "/"). */
  private static List<Member> arMembers(byte[] bytes, String subject, int maxEntries) throws IOException {
    List<Member> out = new ArrayList<>();
    try (ArArchiveInputStream in = new ArArchiveInputStream(new ByteArrayInputStream(bytes))) {
      for (ArArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (out.size() >= maxEntries) {
          throw new CheckException(CompareCode.NESTED_TOO_LARGE, subject, "more than " + maxEntries
              + " ar members: not explained further");
        }
        byte[] content = in.readAllBytes(); // bounded by the member, itself inside the bytes held
        if (content.length != e.getLength()) {
          throw CheckException.integrity(CompareCode.NESTED_CORRUPT, subject, "ar member " + e.getName() + " declares "
              + e.getLength() + " bytes, the archive ends after " + content.length);
        }
        Map<String, String> f = new LinkedHashMap<>();
        f.put("mtime", e.getLastModified() + " (" + Instant.ofEpochSecond(e.getLastModified()) + ")");
        f.put("uid", String.valueOf(e.getUserId()));
        f.put("gid", String.valueOf(e.getGroupId()));
        f.put("mode", Integer.toOctalString(e.getMode()));
        out.add(new Member(e.getName(), out.size(), f, Set.of("mtime"), content, (room, ratio, s, raw) -> content));
      }
    }
    return out;
  }

  // --- both -----------------------------------------------------------------------------------------------------

  private record Change(String field, String a, String b, String rule) {}

  private static NestedExplainer.Result explain(String subject, String format, List<Member> as, List<Member> bs,
      Map<String, String> archive, CompareOptions o, int depth, NestedExplainer.Budget budget) throws IOException {
    String where = subject + "!/";
    Map<String, Member> left = new LinkedHashMap<>();
    for (Member m : as) {
      String k = m.name();
      while (left.containsKey(k)) {
        k = k + "\0dup"; // the same name twice: the second pairs with the other side's second
      }
      left.put(k, m);
    }
    List<Finding> findings = new ArrayList<>();
    Map<String, Integer> fieldCounts = new TreeMap<>();
    int added = 0;
    int contentChanged = 0;
    int ignoredOnly = 0;
    int maxPairedA = -1;
    Map<String, Integer> seenB = new LinkedHashMap<>();
    for (Member y : bs) {
      int nth = seenB.merge(y.name(), 1, Integer::sum);
      Member x = left.remove(y.name() + "\0dup".repeat(nth - 1));
      if (x == null) {
        added++;
        findings.add(Finding.fail(CompareCode.FILE_ADDED, where + shown(y.name()), "only in B: " + describe(y))
            .with("position", y.index()));
        continue;
      }
      List<Change> changes = fields(x, y, o);
      if (x.index() < maxPairedA) {
        changes.add(new Change("position", String.valueOf(x.index()), String.valueOf(y.index()),
            o.ignoreFileOrder() ? CompareOptions.FILE_ORDER : null));
      }
      maxPairedA = Math.max(maxPairedA, x.index());
      Finding f = Finding.fail(CompareCode.FILE_CHANGED, where + shown(x.name()), "");
      List<Finding> nested = List.of();
      String binary = "";
      if (!sameStored(x, y)) {
        long room = budget.remaining();
        boolean[] rawA = new boolean[1];
        boolean[] rawB = new boolean[1];
        byte[] ca = x.loader().load(room, o.nested().maxRatio(), where + shown(x.name()) + " (A)", rawA);
        budget.charge(rawA[0] ? 0 : ca.length);
        byte[] cb = y.loader().load(budget.remaining(), o.nested().maxRatio(), where + shown(y.name()) + " (B)", rawB);
        budget.charge(rawB[0] ? 0 : cb.length);
        if (Arrays.equals(ca, cb) && rawA[0] == rawB[0]) {
          changes.add(new Change("compressed", stored(x), stored(y), null));
        } else {
          contentChanged++;
          changes.add(new Change("sha256", Digest.sha256(ca).toString(), Digest.sha256(cb).toString(), null));
          f = f.with("size.a", ca.length).with("size.b", cb.length);
          NestedExplainer.Result r = rawA[0] || rawB[0] ? NestedExplainer.Result.NONE
              : NestedExplainer.explain(where + shown(x.name()), x.name(), ca, cb, o, depth + 1, budget);
          for (var e : r.evidence().entrySet()) {
            f = f.with(e.getKey(), e.getValue());
          }
          nested = r.findings();
          if (!r.evidence().containsKey(NestedExplainer.FORMAT)) {
            binary = rawA[0] || rawB[0] ? " (stored bytes compared: encrypted or an unknown method)"
                : " (binary: sizes " + ca.length + " and " + cb.length + " bytes)";
          }
        }
      }
      changes.forEach(c -> fieldCounts.merge(c.field(), 1, Integer::sum));
      List<Change> counted = changes.stream().filter(c -> c.rule() == null).toList();
      if (counted.isEmpty()) {
        if (!changes.isEmpty()) {
          ignoredOnly++;
        }
        continue;
      }
      StringBuilder msg = new StringBuilder();
      Map<String, String> ev = new LinkedHashMap<>();
      for (Change c : counted) {
        msg.append(msg.length() > 0 ? ", " : "").append(c.field().equals("sha256") ? "content" : c.field());
        ev.put(c.field() + ".a", c.a());
        ev.put(c.field() + ".b", c.b());
      }
      ev.putAll(f.evidence());
      msg.append(counted.size() == 1 ? " differs" : " differ").append(binary);
      findings.add(new Finding(CompareCode.FILE_CHANGED, f.severity(), f.subject(), msg.toString(), ev));
      findings.addAll(nested);
    }
    for (Member x : left.values()) {
      findings.add(Finding.fail(CompareCode.FILE_REMOVED, where + shown(x.name()), "only in A: " + describe(x))
          .with("position", x.index()));
    }
    int removed = left.size();
    fieldCounts.remove("sha256");
    Map<String, String> ev = new LinkedHashMap<>();
    ev.put(NestedExplainer.FORMAT, format);
    ev.put("nested.note", note(as.size(), contentChanged, added, removed, fieldCounts, ignoredOnly, o));
    ev.putAll(archive);
    return new NestedExplainer.Result(ev, findings);
  }

  /** The header fields that differ; a local-header field is left out when its central twin differs the same way. */
  private static List<Change> fields(Member x, Member y, CompareOptions o) {
    Set<String> keys = new LinkedHashSet<>(x.fields().keySet());
    keys.addAll(y.fields().keySet());
    List<Change> out = new ArrayList<>();
    for (String k : keys) {
      String va = x.fields().getOrDefault(k, ABSENT);
      String vb = y.fields().getOrDefault(k, ABSENT);
      if (va.equals(vb)) {
        continue;
      }
      if (k.startsWith("local.")) {
        String twin = k.substring("local.".length());
        if (va.equals(x.fields().get(twin)) && vb.equals(y.fields().get(twin))) {
          continue; // the local header says what the central directory says, on both sides
        }
      }
      boolean time = x.timeFields().contains(k) || y.timeFields().contains(k);
      out.add(new Change(k, va, vb, time && o.ignoreTimestamps() ? CompareOptions.TIMESTAMPS : null));
    }
    return out;
  }

  /** A zip entry with the archive its bytes are in. */
  private record ZipRef(ZipArchive.Archive archive, ZipArchive.Entry entry) {}

  /** Whether the stored bytes are the same (so the contents are, without reading them). */
  private static boolean sameStored(Member x, Member y) throws IOException {
    if (x.stored() instanceof ZipRef rx && y.stored() instanceof ZipRef ry) {
      return ZipArchive.sameData(rx.archive(), rx.entry(), ry.archive(), ry.entry());
    }
    return x.stored() instanceof byte[] ba && y.stored() instanceof byte[] bb && Arrays.equals(ba, bb);
  }

  /** How a member is stored, when the contents are equal and the stored bytes are not (another compression). */
  private static String stored(Member m) {
    if (m.stored() instanceof ZipRef r) {
      return method(r.entry().method()) + ", " + r.entry().compressedSize() + " bytes";
    }
    return "";
  }

  private static String note(int entries, int content, int added, int removed, Map<String, Integer> fieldCounts,
      int ignoredOnly, CompareOptions o) {
    StringBuilder fieldsSaid = new StringBuilder();
    fieldCounts.forEach((k, v) -> fieldsSaid.append(fieldsSaid.length() > 0 ? ", " : "").append(k).append(" (")
        .append(v).append(v == 1 ? " entry)" : " entries)"));
    String ignored = ignoredOnly == 0 ? "" : "; " + ignoredOnly + (ignoredOnly == 1 ? " entry differs" : " entries differ")
        + " only in ignored fields (" + String.join(", ", o.ignoreSet()) + ")";
    if (content == 0 && added == 0 && removed == 0) {
      if (fieldCounts.isEmpty()) {
        return "the same " + entries + " entries with the same headers and contents: the archives differ outside "
            + "them" + ignored;
      }
      if (fieldCounts.keySet().equals(Set.of("position"))) {
        return "the same " + entries + " entries with the same headers and contents, in another order: "
            + fieldsSaid + ignored;
      }
      return "the same " + entries + " entries with the same contents; only entry headers differ: " + fieldsSaid
          + ignored;
    }
    return content + (content == 1 ? " entry differs" : " entries differ") + " in content, " + added + " added, "
        + removed + " removed" + (fieldsSaid.length() > 0 ? "; header fields: " + fieldsSaid : "") + ignored;
  }

  private static String describe(Member m) {
    if (m.stored() instanceof ZipRef r) {
      ZipArchive.Entry e = r.entry();
      return e.size() + " bytes, " + method(e.method()) + ", mtime " + dosTime(e.dosTime());
    }
    return (m.stored() instanceof byte[] c ? c.length : 0) + " bytes, mode " + m.fields().get("mode");
  }

  /** Bytes of an archive outside its members: listed when they differ (compared and hashed a chunk at a time). */
  private static void outside(Map<String, String> ev, String key, ZipArchive.Source a, long fa, long ta,
      ZipArchive.Source b, long fb, long tb) throws IOException {
    long na = Math.max(0, ta - fa);
    long nb = Math.max(0, tb - fb);
    boolean same = na == nb;
    byte[] xa = new byte[1 << 16];
    byte[] xb = new byte[1 << 16];
    for (long done = 0; same && done < na; ) {
      int n = (int) Math.min(xa.length, na - done);
      a.read(fa + done, xa, 0, n);
      b.read(fb + done, xb, 0, n);
      same = Arrays.equals(xa, 0, n, xb, 0, n);
      done += n;
    }
    if (!same) {
      ev.put(key + ".a", region(a, fa, ta));
      ev.put(key + ".b", region(b, fb, tb));
    }
  }

  private static String region(ZipArchive.Source z, long from, long to) throws IOException {
    if (to <= from) {
      return "none";
    }
    long len = to - from;
    java.security.MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[1 << 16];
    for (long done = 0; done < len; ) {
      int n = (int) Math.min(buf.length, len - done);
      z.read(from + done, buf, 0, n);
      md.update(buf, 0, n);
      done += n;
    }
    String sig = len >= 16 && new String(z.read(to - 16, 16), java.nio.charset.StandardCharsets.ISO_8859_1)
        .equals("APK Sig Block 42") ? "Android signing block, " : "";
    return sig + len + " bytes, " + Digest.sha256(md);
  }

  // --- rendering ------------------------------------------------------------------------------------------------

  /** A DOS date and time as stored (no time zone): every bit shown, so two values never render alike. */
  static String dosTime(long dos) {
    long d = dos >>> 16;
    long t = dos & 0xffff;
    return String.format("%04d-%02d-%02d %02d:%02d:%02d", ((d >> 9) & 0x7f) + 1980, (d >> 5) & 0xf, d & 0x1f,
        (t >> 11) & 0x1f, (t >> 5) & 0x3f, (t & 0x1f) * 2);
  }

  private static String method(int m) {
    return switch (m) {
      case 0 -> "stored";
      case 8 -> "deflated";
      case 9 -> "deflate64";
      case 12 -> "bzip2";
      case 14 -> "lzma";
      case 93 -> "zstd";
      case 95 -> "xz";
      default -> "method " + m;
    };
  }

  private static String version(int v) {
    return (v & 0xff) / 10 + "." + (v & 0xff) % 10;
  }

  private static String madeBy(int v) {
    String host = switch (v >> 8) {
      case 0 -> "fat";
      case 3 -> "unix";
      case 10 -> "ntfs";
      case 19 -> "osx";
      default -> "host " + (v >> 8);
    };
    return host + " " + version(v);
  }

  private static String extraName(int id) {
    return switch (id) {
      case -1 -> "padding";
      case 0x0001 -> "zip64";
      case 0x000a -> "ntfs-times";
      case 0x5455 -> "timestamp";
      case 0x7875 -> "unix-owner";
      case 0x5855 -> "unix-old";
      case 0x756e -> "asi-unix";
      case 0x7075 -> "unicode-path";
      case 0xcafe -> "jar-marker";
      case 0xd935 -> "android-alignment";
      default -> String.format("0x%04x", id);
    };
  }

  private static String extraValue(int id, byte[] v) {
    if (id == 0x5455 && v.length >= 1) { // flags, then the times its bits name, as far as the field goes
      StringBuilder s = new StringBuilder();
      String[] names = {"mtime", "atime", "ctime"};
      int p = 1;
      for (int bit = 0; bit < 3; bit++) {
        if ((v[0] & (1 << bit)) != 0 && p + 4 <= v.length) {
          long secs = ZipArchive.le32(v, p); // signed 32-bit Unix time
          s.append(s.length() > 0 ? ", " : "").append(names[bit]).append(' ').append(secs).append(" (")
              .append(Instant.ofEpochSecond(secs)).append(')');
          p += 4;
        }
      }
      if (p == v.length) {
        return s.length() == 0 ? "flags " + (v[0] & 0xff) : s.toString();
      }
    }
    if (id == 0x000a && v.length == 32 && ZipArchive.le16(v, 4) == 1 && ZipArchive.le16(v, 6) == 24) {
      String[] names = {"mtime", "atime", "ctime"};
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < 3; i++) {
        long ticks = ZipArchive.le64(v, 8 + 8 * i); // 100 ns since 1601-01-01
        s.append(i > 0 ? ", " : "").append(names[i]).append(' ')
            .append(ticks < 0 ? "0x" + Long.toHexString(ticks) : Instant.ofEpochSecond(-11_644_473_600L)
                .plusSeconds(ticks / 10_000_000).plusNanos(ticks % 10_000_000 * 100).toString());
      }
      return s.toString();
    }
    if (id == 0x7875 && v.length >= 3 && v[0] == 1) {
      int us = v[1] & 0xff;
      if (2 + us + 1 <= v.length) {
        int gs = v[2 + us] & 0xff;
        if (3 + us + gs == v.length && us <= 8 && gs <= 8) {
          return "uid " + unsignedLe(v, 2, us) + ", gid " + unsignedLe(v, 3 + us, gs);
        }
      }
    }
    String hex = HexFormat.of().formatHex(v, 0, Math.min(v.length, 64));
    return v.length > 64 ? hex + "… (" + v.length + " bytes)" : hex.isEmpty() ? "(empty)" : hex;
  }

  private static String unsignedLe(byte[] v, int at, int n) {
    java.math.BigInteger x = java.math.BigInteger.ZERO;
    for (int i = n - 1; i >= 0; i--) {
      x = x.shiftLeft(8).or(java.math.BigInteger.valueOf(v[at + i] & 0xff));
    }
    return x.toString();
  }

  /** A name or comment as shown: control characters escaped (they could forge lines in a text report), cut. */
  private static String cut(String s) {
    return shown(s.length() > 200 ? s.substring(0, 200) + "…" : s);
  }

  static String shown(String name) {
    StringBuilder b = new StringBuilder(name.length());
    name.codePoints().forEach(c -> {
      if (c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0) {
        b.append(String.format("\\x%02x", c));
      } else {
        b.appendCodePoint(c);
      }
    });
    return b.toString();
  }
}
