package dev.bitproof.compare;

import dev.bitproof.oci.Digest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Just enough of ELF (the System V gABI: file header, section headers, notes, symbol tables) to say what differs
 * between two builds of a binary: the header fields, the build-id, which sections differ (size or bytes), which
 * dynamic symbols were added or removed. Written here rather than taken from a library: no maintained Java ELF
 * reader in our dependency set fits (they parse eagerly and trust offsets), and this needs only ~4 structures.
 * Every offset, size and count read from the file is checked against the bytes and the bounds below; an ELF that
 * breaks them is summarized as far as it is sound ({@code malformed: …} in the summary).
 */
final class Elf {
  static final int MAX_SECTIONS = 4096;
  static final int MAX_SYMBOLS = 200_000;
  private static final int SHT_NOBITS = 8;
  private static final int SHT_DYNSYM = 11;
  private static final int SHT_NOTE = 7;

  private Elf() {}

  static boolean isElf(byte[] h) {
    return h.length >= 16 && h[0] == 0x7f && h[1] == 'E' && h[2] == 'L' && h[3] == 'F' && (h[4] == 1 || h[4] == 2)
        && (h[5] == 1 || h[5] == 2);
  }

  /** What one file holds, as far as it could be read. */
  record Summary(Map<String, String> header, Map<String, String> sections, String buildId, TreeSet<String> dynamicSymbols,
      String malformed) {}

  /** One line per difference: header fields, build-id, sections, dynamic symbols; at most {@code maxLines}. */
  static List<String> diff(byte[] a, byte[] b, int maxLines) {
    Summary x = read(a);
    Summary y = read(b);
    List<String> out = new ArrayList<>();
    for (String k : union(x.header().keySet(), y.header().keySet())) {
      if (!Objects.equals(x.header().get(k), y.header().get(k))) {
        out.add(k + ": " + show(x.header().get(k)) + " → " + show(y.header().get(k)));
      }
    }
    if (!Objects.equals(x.buildId(), y.buildId())) {
      out.add("build-id: " + show(x.buildId()) + " → " + show(y.buildId()));
    }
    List<String> onlyA = new ArrayList<>();
    List<String> onlyB = new ArrayList<>();
    for (String s : union(x.sections().keySet(), y.sections().keySet())) {
      String sa = x.sections().get(s);
      String sb = y.sections().get(s);
      if (sa == null) {
        onlyB.add(s);
      } else if (sb == null) {
        onlyA.add(s);
      } else if (!sa.equals(sb)) {
        out.add("section " + s + ": " + sa + " → " + sb);
      }
    }
    if (!onlyA.isEmpty()) {
      out.add("sections only in A: " + String.join(" ", onlyA));
    }
    if (!onlyB.isEmpty()) {
      out.add("sections only in B: " + String.join(" ", onlyB));
    }
    TreeSet<String> removed = new TreeSet<>(x.dynamicSymbols());
    removed.removeAll(y.dynamicSymbols());
    TreeSet<String> added = new TreeSet<>(y.dynamicSymbols());
    added.removeAll(x.dynamicSymbols());
    if (!removed.isEmpty() || !added.isEmpty()) {
      out.add("dynamic symbols: " + x.dynamicSymbols().size() + " → " + y.dynamicSymbols().size() + " ("
          + added.size() + " added, " + removed.size() + " removed)");
      added.stream().limit(20).forEach(s -> out.add("  + " + s));
      removed.stream().limit(20).forEach(s -> out.add("  - " + s));
    } else {
      out.add("dynamic symbols: the same " + x.dynamicSymbols().size());
    }
    if (x.malformed() != null) {
      out.add("A malformed: " + x.malformed());
    }
    if (y.malformed() != null) {
      out.add("B malformed: " + y.malformed());
    }
    if (out.size() > maxLines) {
      int more = out.size() - maxLines;
      List<String> cut = new ArrayList<>(out.subList(0, maxLines));
      cut.add("… " + more + " more lines");
      return cut;
    }
    return out;
  }

  static Summary read(byte[] f) {
    Map<String, String> header = new LinkedHashMap<>();
    Map<String, String> sections = new LinkedHashMap<>();
    TreeSet<String> symbols = new TreeSet<>();
    String buildId = null;
    String malformed = null;
    try {
      boolean is64 = f[4] == 2;
      ByteBuffer bb = ByteBuffer.wrap(f).order(f[5] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
      header.put("class", is64 ? "ELF64" : "ELF32");
      header.put("data", f[5] == 1 ? "little-endian" : "big-endian");
      header.put("osabi", String.valueOf(f[7] & 0xff));
      need(f, is64 ? 64 : 52);
      header.put("type", String.valueOf(bb.getShort(16) & 0xffff));
      header.put("machine", String.valueOf(bb.getShort(18) & 0xffff));
      header.put("entry", "0x" + Long.toHexString(is64 ? bb.getLong(24) : bb.getInt(24) & 0xffffffffL));
      header.put("flags", "0x" + Integer.toHexString(bb.getInt(is64 ? 48 : 36)));
      long shoff = is64 ? bb.getLong(40) : bb.getInt(32) & 0xffffffffL;
      int shentsize = bb.getShort(is64 ? 58 : 46) & 0xffff;
      int shnum = bb.getShort(is64 ? 60 : 48) & 0xffff;
      int shstrndx = bb.getShort(is64 ? 62 : 50) & 0xffff;
      if (shnum == 0) {
        return new Summary(header, sections, null, symbols, null);
      }
      if (shnum > MAX_SECTIONS) {
        throw new IllegalArgumentException(shnum + " sections (limit " + MAX_SECTIONS + ")");
      }
      int minEnt = is64 ? 64 : 40;
      if (shentsize < minEnt || shoff < 0 || shoff > f.length || (long) shnum * shentsize > f.length - shoff) {
        throw new IllegalArgumentException("section header table outside the file");
      }
      long[][] sh = new long[shnum][6]; // name, type, offset, size, link, entsize
      for (int i = 0; i < shnum; i++) {
        int o = (int) (shoff + (long) i * shentsize);
        sh[i][0] = bb.getInt(o) & 0xffffffffL;
        sh[i][1] = bb.getInt(o + 4) & 0xffffffffL;
        sh[i][2] = is64 ? bb.getLong(o + 24) : bb.getInt(o + 16) & 0xffffffffL;
        sh[i][3] = is64 ? bb.getLong(o + 32) : bb.getInt(o + 20) & 0xffffffffL;
        sh[i][4] = bb.getInt(is64 ? o + 40 : o + 24) & 0xffffffffL;
        sh[i][5] = is64 ? bb.getLong(o + 56) : bb.getInt(o + 36) & 0xffffffffL;
      }
      long[] strtab = shstrndx < shnum ? sh[shstrndx] : null;
      for (int i = 0; i < shnum; i++) {
        String name = strtab == null ? "#" + i : cstring(f, strtab, sh[i][0]);
        if (name.isEmpty()) {
          name = "#" + i;
        }
        boolean nobits = sh[i][1] == SHT_NOBITS;
        String desc = "size " + sh[i][3];
        if (!nobits && sh[i][3] > 0) {
          inside(f, sh[i][2], sh[i][3]);
          Digest d = Digest.sha256(java.util.Arrays.copyOfRange(f, (int) sh[i][2], (int) (sh[i][2] + sh[i][3])));
          desc += ", sha256 " + d.shortHex();
        }
        String key = name;
        while (sections.containsKey(key)) {
          key = key + "'";
        }
        sections.put(key, desc);
        if (sh[i][1] == SHT_NOTE && name.equals(".note.gnu.build-id")) {
          buildId = buildId(f, bb, sh[i]);
        }
        if (sh[i][1] == SHT_DYNSYM && sh[i][4] < shnum) {
          symbols(f, bb, sh[i], sh[(int) sh[i][4]], is64, symbols);
        }
      }
    } catch (RuntimeException e) {
      malformed = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return new Summary(header, sections, buildId, symbols, malformed);
  }

  private static String buildId(byte[] f, ByteBuffer bb, long[] s) {
    inside(f, s[2], s[3]);
    int o = (int) s[2];
    if (s[3] < 12) {
      return null;
    }
    long namesz = bb.getInt(o) & 0xffffffffL;
    long descsz = bb.getInt(o + 4) & 0xffffffffL;
    long descOff = o + 12 + ((namesz + 3) & ~3L);
    if (descOff + descsz > s[2] + s[3] || descsz > 64) {
      return null;
    }
    return HexFormat.of().formatHex(f, (int) descOff, (int) (descOff + descsz));
  }

  private static void symbols(byte[] f, ByteBuffer bb, long[] sym, long[] str, boolean is64, TreeSet<String> out) {
    inside(f, sym[2], sym[3]);
    int ent = is64 ? 24 : 16;
    long n = sym[3] / ent;
    if (n > MAX_SYMBOLS) {
      throw new IllegalArgumentException(n + " dynamic symbols (limit " + MAX_SYMBOLS + ")");
    }
    for (int i = 1; i < n; i++) { // symbol 0 is the undefined one
      long name = bb.getInt((int) (sym[2] + (long) i * ent)) & 0xffffffffL;
      String s = cstring(f, str, name);
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
  }

  /** A NUL-terminated name at {@code off} within string table section {@code tab}. */
  private static String cstring(byte[] f, long[] tab, long off) {
    inside(f, tab[2], tab[3]);
    if (off >= tab[3]) {
      throw new IllegalArgumentException("name offset " + off + " outside its string table");
    }
    int start = (int) (tab[2] + off);
    int end = start;
    int limit = (int) Math.min(tab[2] + tab[3], start + 1024L);
    while (end < limit && f[end] != 0) {
      end++;
    }
    return new String(f, start, end - start, StandardCharsets.ISO_8859_1);
  }

  private static void inside(byte[] f, long off, long size) {
    if (off < 0 || size < 0 || off > f.length || size > f.length - off) {
      throw new IllegalArgumentException("section at " + off + " (" + size + " bytes) outside the file");
    }
  }

  private static void need(byte[] f, int n) {
    if (f.length < n) {
      throw new IllegalArgumentException("truncated header");
    }
  }

  private static String show(String s) {
    return s == null ? "(none)" : s;
  }

  private static List<String> union(java.util.Set<String> a, java.util.Set<String> b) {
    java.util.LinkedHashSet<String> s = new java.util.LinkedHashSet<>(a);
    s.addAll(b);
    return new ArrayList<>(s);
  }
}
