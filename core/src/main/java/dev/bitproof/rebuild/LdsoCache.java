package dev.bitproof.rebuild;

import dev.bitproof.gocompat.GoJson;
import dev.bitproof.gocompat.GoPathMatch;
import dev.bitproof.gocompat.GoSort;
import dev.bitproof.report.CheckException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * apko's {@code /etc/ld.so.cache} for glibc images ({@code pkg/build/build_implementation.go updateCache} over
 * {@code internal/ldso-cache}), byte for byte: written only when {@code etc/ld.so.conf} exists, over {@code /lib}
 * and the directories {@code ld.so.conf} lists, in glibc's "new" format 1.1 as apko writes it (48-byte header with
 * flags 0 and no extension, 24-byte entries, one un-shared string per entry, 1 to 16 bytes of zero padding).
 *
 * <p>apko's own choices, all reproduced: an {@code include} line that matched ends its file (later lines are never
 * read); paths are de-duplicated only within one file, and {@code /lib} is always scanned first, so a usrmerged
 * {@code /lib → usr/lib} lists every library twice; only {@code lib*}/{@code ld-*} names whose SONAME (or link name)
 * is their own name; a library of another machine than x86_64/aarch64 fails the build; entry order depends on the
 * apko version ({@link Rules}), with Go's unstable sort deciding between equal basenames.
 */
public final class LdsoCache {
  static final String CONF = "etc/ld.so.conf";
  static final String CACHE = "etc/ld.so.cache";
  private static final byte[] MAGIC = "glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER = 48;
  private static final int ENTRY = 24;
  private static final int EXTENSION_MAGIC = 0xEAA42174;
  private static final int FLAG_ELF_LIBC6 = 0x0001 | 0x0003;
  private static final int MAX_INCLUDE_DEPTH = 32;
  private static final int MAX_LINE = 64 * 1024;

  private LdsoCache() {}

  /** How entries are collected and ordered; each apko era in {@link Rules}. */
  public enum Ordering {
    /** One map over all directories, the first directory's library wins a name; names ascending. */
    FIRST_DIRECTORY_WINS_NAME_ASCENDING,
    /** Per-directory entries, then Go's {@code sort.Slice} by basename, descending bytewise. */
    BASENAME_DESCENDING,
    /** Per-directory entries, then Go's {@code slices.SortFunc} by glibc's {@code _dl_cache_libcmp}, descending. */
    LIBCMP_DESCENDING
  }

  /**
   * apko's ld.so.cache behaviour at a version. {@code chmod644}: the file is chmod 0644 after writing (else a new
   * file is created 0666 and an existing one keeps its mode).
   */
  public record Rules(boolean generate, Ordering ordering, boolean chmod644) {
    /** Before v0.27.0 apko wrote no ld.so.cache. */
    public static final Rules NONE = new Rules(false, Ordering.FIRST_DIRECTORY_WINS_NAME_ASCENDING, false);
    /** v0.27.0 (commit 04f37e2d, 2025-04-22): first generator. */
    public static final Rules V0_27_0 = new Rules(true, Ordering.FIRST_DIRECTORY_WINS_NAME_ASCENDING, false);
    /** v0.27.6 (b89fd6cc, 2025-05-12): per-directory entries, reverse-sorted by basename. */
    public static final Rules V0_27_6 = new Rules(true, Ordering.BASENAME_DESCENDING, false);
    /** v0.29.5 (aedb0772, 2025-07-16): the file is made 0644 (it was 0666). */
    public static final Rules V0_29_5 = new Rules(true, Ordering.BASENAME_DESCENDING, true);
    /** v1.2.21 (403a40e1, 2026-07-02): ordered by {@code _dl_cache_libcmp}, as ld.so binary-searches it. */
    public static final Rules V1_2_21 = new Rules(true, Ordering.LIBCMP_DESCENDING, true);
    public static final Rules CURRENT = V1_2_21;
  }

  /** One cache entry ({@code LDSOCacheEntry}); {@code name} is the library's absolute path. */
  public record Entry(int flags, String name, int osVersionNeeded, long hwcapNeeded) {}

  /** A loaded extension section: its header as read, and its data. */
  public record Extension(int tag, int flags, int offset, int size, byte[] data) {
    public Extension {
      data = data.clone();
    }

    @Override
    public byte[] data() {
      return data.clone();
    }
  }

  /**
   * A cache file as apko holds it: the raw 48-byte header (only its library count and string table size are
   * recomputed on writing), the entries and the extensions.
   */
  public record CacheFile(byte[] header, List<Entry> entries, List<Extension> extensions) {
    public CacheFile {
      header = header.clone();
      entries = List.copyOf(entries);
      extensions = List.copyOf(extensions);
    }

    public int numLibs() {
      return ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(20);
    }

    public int stringTableSize() {
      return ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(24);
    }
  }

  /**
   * {@code updateCache}: when {@code etc/ld.so.conf} exists, writes {@code etc/ld.so.cache} (mtime untouched; a new
   * file has mtime 0 as apko's tarfs {@code Create}).
   */
  public static void update(MemFs fs, Rules rules) {
    if (!rules.generate()) {
      return;
    }
    MemFs.Node conf;
    try {
      conf = fs.get(CONF);
    } catch (CheckException e) {
      conf = null; // apko: any Stat error skips the cache
    }
    if (conf == null) {
      return;
    }
    List<String> dirs = parseConf(fs, CONF, 0).orElseThrow(() -> new CheckException(RebuildCode.BUILD_LDSO_CACHE_FAILED, CONF,
        "parsing /etc/ld.so.conf failed (not a readable file, or a line of 64 KiB or more)"));
    List<String> libdirs = new ArrayList<>();
    libdirs.add("/lib");
    libdirs.addAll(dirs);
    byte[] bytes = write(new CacheFile(newHeader(), entries(fs, libdirs, rules.ordering()), List.of()));
    MemFs.Node existing = fs.get(CACHE);
    fs.writeFile(CACHE, bytes, existing == null ? 0666 : existing.mode());
    if (rules.chmod644()) {
      fs.chmod(CACHE, 0644);
    }
  }

  private static byte[] newHeader() {
    byte[] h = new byte[HEADER];
    System.arraycopy(MAGIC, 0, h, 0, MAGIC.length);
    return h;
  }

  // ---------------------------------------------------------------------------------------------------- ld.so.conf

  /**
   * {@code ParseLDSOConf}: the directories a conf file lists, following {@code include} globs; empty when apko's
   * function returns an error (the file cannot be opened, or a line is too long for Go's {@code bufio.Scanner}).
   */
  static Optional<List<String>> parseConf(MemFs fs, String path, int depth) {
    if (depth > MAX_INCLUDE_DEPTH) {
      throw new CheckException(RebuildCode.BUILD_LDSO_CACHE_FAILED, path, "ld.so.conf includes nest deeper than "
          + MAX_INCLUDE_DEPTH + " (apko would recurse until it crashes)");
    }
    MemFs.Node n = tarfsGet(fs, path);
    if (n == null || n.kind() != MemFs.Kind.FILE) {
      return Optional.empty();
    }
    List<String> libpaths = new ArrayList<>();
    byte[] data = n.data();
    int start = 0;
    while (start < data.length) {
      int nl = start;
      while (nl < data.length && data[nl] != '\n') {
        nl++;
      }
      int end = nl;
      if (end - start >= MAX_LINE) {
        return Optional.empty(); // bufio.ErrTooLong
      }
      if (end > start && data[end - 1] == '\r') {
        end--;
      }
      String line = new String(data, start, end - start, StandardCharsets.UTF_8);
      start = nl + 1;
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      line = trimSpace(line);
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("include ")) {
        String glob = trimSpace(line.substring("include ".length()));
        int s = 0;
        while (s < glob.length() && glob.charAt(s) == '/') {
          s++;
        }
        glob = glob.substring(s);
        List<String> matches;
        try {
          matches = glob(fs, glob, 0);
        } catch (GoPathMatch.BadPattern e) {
          continue; // apko logs the glob error and reads on
        }
        for (String m : matches) {
          parseConf(fs, m, depth + 1).ifPresent(libpaths::addAll);
        }
        return Optional.of(libpaths); // apko stops reading this file after a matched include
      }
      if (!libpaths.contains(line)) {
        libpaths.add(line);
      }
    }
    return Optional.of(libpaths);
  }

  /** Go's {@code strings.TrimSpace} (Unicode White_Space). */
  static String trimSpace(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && isGoSpace(s.codePointAt(a))) {
      a += Character.charCount(s.codePointAt(a));
    }
    while (b > a && isGoSpace(s.codePointBefore(b))) {
      b -= Character.charCount(s.codePointBefore(b));
    }
    return s.substring(a, b);
  }

  private static boolean isGoSpace(int c) {
    return c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r' || c == ' ' || c == 0x85 || c == 0xa0
        || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f
        || c == 0x3000;
  }

  /** {@code fs.Glob} over apko's tarfs (which has no Glob of its own: the ReadDir-based fallback). */
  static List<String> glob(MemFs fs, String pattern, int depth) throws GoPathMatch.BadPattern {
    if (depth > 10000) {
      throw new GoPathMatch.BadPattern();
    }
    GoPathMatch.match(pattern, "");
    if (!GoPathMatch.hasMeta(pattern)) {
      return tarfsGet(fs, pattern) == null ? List.of() : List.of(pattern);
    }
    int slash = pattern.lastIndexOf('/');
    String dir = slash < 0 ? "" : pattern.substring(0, slash + 1);
    String file = pattern.substring(slash + 1);
    dir = dir.isEmpty() ? "." : dir.substring(0, dir.length() - 1);
    if (!GoPathMatch.hasMeta(dir)) {
      return globDir(fs, dir, file, new ArrayList<>());
    }
    if (dir.equals(pattern)) {
      throw new GoPathMatch.BadPattern();
    }
    List<String> out = new ArrayList<>();
    for (String d : glob(fs, dir, depth + 1)) {
      globDir(fs, d, file, out);
    }
    return out;
  }

  private static List<String> globDir(MemFs fs, String dir, String pattern, List<String> out)
      throws GoPathMatch.BadPattern {
    MemFs.Node d;
    try {
      d = tarfsGet(fs, dir);
    } catch (CheckException e) {
      return out; // glob ignores I/O errors
    }
    if (d == null || d.kind() != MemFs.Kind.DIR) {
      return out;
    }
    for (String name : d.children.keySet()) {
      if (GoPathMatch.match(pattern, name)) {
        out.add(goClean(dir + "/" + name));
      }
    }
    return out;
  }

  /**
   * apko's tarfs {@code getNode}: "." and "/" are the root; other "." or ".." components name nothing (they are looked
   * up literally); symlinks are followed at every component.
   */
  static MemFs.Node tarfsGet(MemFs fs, String path) {
    if (path.equals(".") || path.equals("/")) {
      return fs.root();
    }
    for (String part : path.split("/")) {
      if (part.equals(".") || part.equals("..")) {
        return null;
      }
    }
    return fs.get(path);
  }

  // ------------------------------------------------------------------------------------------------------ entries

  /** {@code LDSOCacheEntriesForDirs} in the given era's order. */
  static List<Entry> entries(MemFs fs, List<String> libdirs, Ordering ordering) {
    boolean firstWins = ordering == Ordering.FIRST_DIRECTORY_WINS_NAME_ASCENDING;
    Map<String, Entry> global = new TreeMap<>(GoJson::compareUtf8);
    List<Entry> all = new ArrayList<>();
    for (String libdir : libdirs) {
      Map<String, Entry> dirMap = firstWins ? global : new TreeMap<>(GoJson::compareUtf8);
      scanDir(fs, libdir, dirMap, !firstWins);
      if (!firstWins) {
        all.addAll(dirMap.values());
      }
    }
    if (firstWins) {
      return new ArrayList<>(global.values());
    }
    if (ordering == Ordering.BASENAME_DESCENDING) {
      GoSort.sort(all, (a, b) -> Arrays.compareUnsigned(base(b.name()), base(a.name())) < 0);
    } else {
      GoSort.sort(all, (a, b) -> -libcmp(base(a.name()), base(b.name())) < 0);
    }
    return all;
  }

  private static void scanDir(MemFs fs, String libdir, Map<String, Entry> entryMap, boolean nameFilterFirst) {
    String rel = libdir;
    if (libdir.startsWith("/")) {
      rel = goClean(libdir).substring(1);
      if (rel.isEmpty()) {
        rel = ".";
      }
    }
    MemFs.Node dir = tarfsGet(fs, rel); // a symlink loop fails the build, as in apko
    if (dir == null) {
      return;
    }
    if (dir.kind() != MemFs.Kind.DIR) {
      throw new CheckException(RebuildCode.BUILD_LDSO_CACHE_FAILED, libdir, "generating ldsocache: " + libdir + " is not a directory");
    }
    for (Map.Entry<String, MemFs.Node> c : dir.children.entrySet()) {
      String realname = c.getKey();
      if (nameFilterFirst && parseLibFilename(realname) == null) {
        continue;
      }
      MemFs.Node n = c.getValue();
      if (n.kind() == MemFs.Kind.SYMLINK) {
        try {
          n = fs.get(rel.equals(".") ? realname : rel + "/" + realname);
        } catch (CheckException e) {
          continue;
        }
        if (n == null) {
          continue;
        }
      }
      if (n.kind() != MemFs.Kind.FILE) {
        continue;
      }
      Optional<ElfSoname.Info> info = ElfSoname.read(n.data());
      if (info.isEmpty() || info.get().type() != ElfSoname.ET_DYN) {
        continue;
      }
      List<String> sonames = new ArrayList<>(info.get().sonames());
      int flags = FLAG_ELF_LIBC6 | switch (info.get().machine()) {
        case ElfSoname.EM_X86_64 -> 0x0300;
        case ElfSoname.EM_AARCH64 -> 0x0a00;
        default -> throw new CheckException(RebuildCode.BUILD_LDSO_CACHE_FAILED, goClean(rel + "/" + realname),
            "generating ldsocache: " + goClean(rel + "/" + realname) + ": unknown machine type " + info.get().machine()
                + " (apko knows only x86_64 and aarch64 libraries)");
      };
      if (sonames.isEmpty() && realname.endsWith(".so")) {
        sonames.add(realname);
      }
      for (String soname : sonames) {
        String fname = parseLibFilename(soname);
        if (fname == null) {
          continue;
        }
        if (!realname.equals(soname) && !realname.equals(fname + ".so")) {
          continue;
        }
        if (entryMap.containsKey(realname)) {
          continue;
        }
        entryMap.put(realname, new Entry(flags, "/" + stripRoot(goClean(rel + "/" + realname)), 0, 0));
      }
    }
  }

  private static String stripRoot(String cleaned) {
    return cleaned.startsWith("/") ? cleaned.substring(1) : cleaned;
  }

  /** {@code ParseLibFilename}: the name without its {@code .so[.version]}, or null for a name ldconfig ignores. */
  static String parseLibFilename(String realname) {
    if (!realname.startsWith("lib") && !realname.startsWith("ld-")) {
      return null;
    }
    if (realname.endsWith(".so")) {
      return realname.substring(0, realname.length() - 3);
    }
    int idx = realname.lastIndexOf(".so.");
    return idx < 1 ? null : realname.substring(0, idx);
  }

  private static byte[] base(String name) {
    int i = name.lastIndexOf('/');
    return name.substring(i + 1).getBytes(StandardCharsets.UTF_8);
  }

  /** glibc's {@code _dl_cache_libcmp} as apko ports it: digit runs compare numerically, a digit beats a non-digit. */
  static int libcmp(byte[] a, byte[] b) {
    int p = 0;
    int q = 0;
    while (p < a.length && q < b.length) {
      int c = a[p] & 0xff;
      int d = b[q] & 0xff;
      boolean cd = c >= '0' && c <= '9';
      boolean dd = d >= '0' && d <= '9';
      if (cd && dd) {
        long v = 0;
        long w = 0;
        for (; p < a.length && a[p] >= '0' && a[p] <= '9'; p++) {
          v = v * 10 + (a[p] - '0');
        }
        for (; q < b.length && b[q] >= '0' && b[q] <= '9'; q++) {
          w = w * 10 + (b[q] - '0');
        }
        if (v != w) {
          return Long.compare(v, w);
        }
      } else if (cd) {
        return 1;
      } else if (dd) {
        return -1;
      } else if (c != d) {
        return Integer.compare(c, d);
      } else {
        p++;
        q++;
      }
    }
    return Integer.compare(a.length - p, b.length - q);
  }

  /** Go's {@code path.Clean} (slash paths). */
  static String goClean(String path) {
    if (path.isEmpty()) {
      return ".";
    }
    boolean rooted = path.startsWith("/");
    List<String> out = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
          out.remove(out.size() - 1);
        } else if (!rooted) {
          out.add("..");
        }
        continue;
      }
      out.add(part);
    }
    String s = String.join("/", out);
    if (rooted) {
      return "/" + s;
    }
    return s.isEmpty() ? "." : s;
  }

  /** Go's {@code filepath.Dir}. */
  static String goDir(String path) {
    int i = path.lastIndexOf('/');
    return goClean(path.substring(0, i + 1));
  }

  // ------------------------------------------------------------------------------------------------------- format

  /** {@code LDSOCacheFile.Write}, byte for byte. */
  public static byte[] write(CacheFile cf) {
    int n = cf.entries().size();
    long tableEnd = HEADER + (long) n * ENTRY;
    ByteArrayOutputStream strings = new ByteArrayOutputStream();
    ByteBuffer entries = ByteBuffer.allocate(n * ENTRY).order(ByteOrder.LITTLE_ENDIAN);
    for (Entry e : cf.entries()) {
      long cursor = tableEnd + strings.size();
      byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
      strings.writeBytes(name);
      strings.write(0);
      entries.putInt(e.flags());
      entries.putInt((int) (cursor + goDir(e.name()).getBytes(StandardCharsets.UTF_8).length + 1));
      entries.putInt((int) cursor);
      entries.putInt(e.osVersionNeeded());
      entries.putLong(e.hwcapNeeded());
    }
    ByteBuffer header = ByteBuffer.wrap(cf.header().clone()).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(20, n);
    header.putInt(24, strings.size());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header.array());
    out.writeBytes(entries.array());
    out.writeBytes(strings.toByteArray());
    int pos = out.size();
    int aligned = (pos & ~0xf) + 0x10;
    out.writeBytes(new byte[aligned - pos]);
    if (!cf.extensions().isEmpty()) {
      ByteBuffer eh = ByteBuffer.allocate(8 + 16 * cf.extensions().size()).order(ByteOrder.LITTLE_ENDIAN);
      eh.putInt(EXTENSION_MAGIC).putInt(cf.extensions().size());
      for (Extension x : cf.extensions()) {
        eh.putInt(x.tag()).putInt(x.flags()).putInt(x.offset()).putInt(x.size());
      }
      out.writeBytes(eh.array());
      for (Extension x : cf.extensions()) {
        out.writeBytes(x.data());
      }
    }
    return out.toByteArray();
  }

  /**
   * {@code LoadCacheFile}: reads a "new format" cache (glibc's or apko's), every offset checked. Extensions are read
   * where apko reads them (after the string table, at {@code (pos & -16) + 8}); none when they are not there.
   */
  public static CacheFile parse(byte[] f) {
    if (f.length < HEADER || !Arrays.equals(Arrays.copyOf(f, MAGIC.length), MAGIC)) {
      throw CheckException.integrity(RebuildCode.LDSO_CACHE_INVALID, CACHE, "not a glibc-ld.so.cache1.1 file");
    }
    ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getInt(20) & 0xffffffffL;
    long strSize = b.getInt(24) & 0xffffffffL;
    long pos = HEADER + n * ENTRY;
    if (pos + strSize > f.length) {
      throw CheckException.integrity(RebuildCode.LDSO_CACHE_INVALID, CACHE, "entry table or string table runs past the end");
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int o = HEADER + i * ENTRY;
      long value = b.getInt(o + 8) & 0xffffffffL;
      long idx = value - pos;
      if (idx < 0 || idx >= strSize) {
        throw CheckException.integrity(RebuildCode.LDSO_CACHE_INVALID, CACHE, "entry " + i + " names a string outside the table");
      }
      int end = (int) (pos + idx);
      while (end < pos + strSize && f[end] != 0) {
        end++;
      }
      entries.add(new Entry(b.getInt(o), new String(f, (int) (pos + idx), end - (int) (pos + idx),
          StandardCharsets.UTF_8), b.getInt(o + 12), b.getLong(o + 16)));
    }
    List<Extension> ext = new ArrayList<>();
    long at = ((pos + strSize) & -16L) + 8;
    if (at + 8 <= f.length && b.getInt((int) at) == EXTENSION_MAGIC) {
      long count = b.getInt((int) at + 4) & 0xffffffffL;
      List<Extension> read = new ArrayList<>();
      boolean ok = at + 8 + count * 16 <= f.length;
      for (int i = 0; ok && i < count; i++) {
        int h = (int) (at + 8 + i * 16L);
        long off = b.getInt(h + 8) & 0xffffffffL;
        long size = b.getInt(h + 12) & 0xffffffffL;
        if (off + size > f.length) {
          ok = false;
          break;
        }
        read.add(new Extension(b.getInt(h), b.getInt(h + 4), (int) off, (int) size,
            Arrays.copyOfRange(f, (int) off, (int) (off + size))));
      }
      if (ok) {
        ext = read;
      }
    }
    return new CacheFile(Arrays.copyOf(f, HEADER), entries, ext);
  }
}
