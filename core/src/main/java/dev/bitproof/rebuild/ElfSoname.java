package dev.bitproof.rebuild;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What apko's ld.so.cache generator reads from a library with Go's {@code debug/elf}: {@code elf.NewFile} (which
 * must accept the file), the header's type and machine, and {@code DynString(DT_SONAME)} (the first
 * {@code SHT_DYNAMIC} section's {@code DT_SONAME} strings from the section its {@code sh_link} names; every entry is
 * scanned, {@code DT_NULL} does not stop it). A file Go would refuse is {@link Optional#empty()}: apko skips it.
 *
 * <p>Not modelled: compressed ({@code SHF_COMPRESSED}) dynamic or string sections, which Go inflates; such a file
 * is treated as unreadable. The gABI forbids compressing allocated sections, so real libraries have none.
 */
public final class ElfSoname {
  public static final int ET_DYN = 3;
  public static final int EM_X86_64 = 62;
  public static final int EM_AARCH64 = 183;

  private static final int SHT_STRTAB = 3;
  private static final int SHT_DYNAMIC = 6;
  private static final int SHT_NOBITS = 8;
  private static final long SHF_COMPRESSED = 0x800;
  private static final int DT_SONAME = 14;
  private static final int SHN_LORESERVE = 0xff00;
  private static final int SHN_XINDEX = 0xffff;

  private ElfSoname() {}

  /** The fields apko uses; {@code sonames} empty when the file has no dynamic section. */
  public record Info(int type, int machine, List<String> sonames) {
    public Info {
      sonames = List.copyOf(sonames);
    }
  }

  private record Section(int type, long flags, long offset, long size, int link) {}

  /** Go's NewFile + DynString(DT_SONAME); empty when Go would return an error for either. */
  public static Optional<Info> read(byte[] f) {
    try {
      return Optional.of(parse(f));
    } catch (Bad | IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
      return Optional.empty();
    }
  }

  private static final class Bad extends Exception {
    Bad(String m) {
      super(m, null, false, false);
    }
  }

  private static Info parse(byte[] f) throws Bad {
    if (f.length < 16 || f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F') {
      throw new Bad("bad magic number");
    }
    boolean is64 = switch (f[4]) {
      case 1 -> false;
      case 2 -> true;
      default -> throw new Bad("unknown ELF class");
    };
    ByteOrder order = switch (f[5]) {
      case 1 -> ByteOrder.LITTLE_ENDIAN;
      case 2 -> ByteOrder.BIG_ENDIAN;
      default -> throw new Bad("unknown ELF data encoding");
    };
    if (f[6] != 1) {
      throw new Bad("unknown ELF version");
    }
    int hdrSize = is64 ? 64 : 52;
    need(f, 0, hdrSize);
    ByteBuffer b = ByteBuffer.wrap(f).order(order);
    int type = b.getShort(16) & 0xffff;
    int machine = b.getShort(18) & 0xffff;
    if (b.getInt(20) != 1) {
      throw new Bad("mismatched ELF version");
    }
    long phoff;
    long shoff;
    int phentsize;
    int phnum;
    int shentsize;
    int shnum;
    int shstrndx;
    if (is64) {
      phoff = b.getLong(32);
      shoff = b.getLong(40);
      phentsize = b.getShort(54) & 0xffff;
      phnum = b.getShort(56) & 0xffff;
      shentsize = b.getShort(58) & 0xffff;
      shnum = b.getShort(60) & 0xffff;
      shstrndx = b.getShort(62) & 0xffff;
    } else {
      phoff = b.getInt(28) & 0xffffffffL;
      shoff = b.getInt(32) & 0xffffffffL;
      phentsize = b.getShort(42) & 0xffff;
      phnum = b.getShort(44) & 0xffff;
      shentsize = b.getShort(46) & 0xffff;
      shnum = b.getShort(48) & 0xffff;
      shstrndx = b.getShort(50) & 0xffff;
    }
    if (shoff < 0 || phoff < 0) {
      throw new Bad("invalid shoff/phoff");
    }
    if (shoff == 0 && shnum != 0) {
      throw new Bad("invalid ELF shnum for shoff=0");
    }
    if (shnum > 0 && shstrndx >= shnum) {
      throw new Bad("invalid ELF shstrndx");
    }
    int wantPh = is64 ? 56 : 32;
    int wantSh = is64 ? 64 : 40;
    if (phnum > 0 && phentsize < wantPh) {
      throw new Bad("invalid ELF phentsize");
    }
    // program headers: Go reads each one in full (their contents do not matter here)
    for (int i = 0; i < phnum; i++) {
      long off = phoff + (long) i * phentsize;
      need(f, off, wantPh);
      if (is64 && (b.getLong((int) off + 8) < 0 || b.getLong((int) off + 32) < 0)) {
        throw new Bad("invalid program header offset or size");
      }
    }
    if (shoff > 0 && shnum == 0) {
      need(f, shoff, wantSh);
      int t0 = b.getInt((int) shoff + 4);
      long size0 = is64 ? b.getLong((int) shoff + 32) : b.getInt((int) shoff + 20) & 0xffffffffL;
      int link0 = b.getInt((int) shoff + (is64 ? 40 : 24));
      if (t0 != 0) {
        throw new Bad("invalid type of the initial section");
      }
      if (size0 < SHN_LORESERVE || size0 > Integer.MAX_VALUE) {
        throw new Bad("invalid ELF shnum contained in sh_size");
      }
      shnum = (int) size0;
      if (shstrndx == SHN_XINDEX) {
        shstrndx = link0;
        if (shstrndx < SHN_LORESERVE) {
          throw new Bad("invalid ELF shstrndx contained in sh_link");
        }
      }
    }
    if (shnum > 0 && shentsize < wantSh) {
      throw new Bad("invalid ELF shentsize");
    }
    List<Section> sections = new ArrayList<>();
    List<Integer> names = new ArrayList<>();
    for (int i = 0; i < shnum; i++) {
      long off = shoff + (long) i * shentsize;
      need(f, off, wantSh);
      int o = (int) off;
      names.add(b.getInt(o));
      int st = b.getInt(o + 4);
      long flags;
      long secOff;
      long size;
      int link;
      if (is64) {
        flags = b.getLong(o + 8);
        secOff = b.getLong(o + 24);
        size = b.getLong(o + 32);
        link = b.getInt(o + 40);
      } else {
        flags = b.getInt(o + 8) & 0xffffffffL;
        secOff = b.getInt(o + 16) & 0xffffffffL;
        size = b.getInt(o + 20) & 0xffffffffL;
        link = b.getInt(o + 24);
      }
      if (secOff < 0 || size < 0) {
        throw new Bad("invalid section offset or size");
      }
      if ((flags & SHF_COMPRESSED) != 0) {
        // Go reads the compression header here (and would inflate on Data()): not modelled
        need(f, secOff, is64 ? 24 : 12);
      }
      sections.add(new Section(st, flags, secOff, size, link));
    }
    if (!sections.isEmpty() && shstrndx != 0) {
      Section shstr = sections.get(shstrndx);
      if (shstr.type() != SHT_STRTAB) {
        throw new Bad("invalid ELF section name string table type");
      }
      byte[] tab = data(f, shstr);
      for (int n : names) {
        if (string(tab, n) == null) {
          throw new Bad("bad section name index");
        }
      }
    }
    // DynString(DT_SONAME)
    List<String> sonames = new ArrayList<>();
    Section dyn = null;
    for (Section s : sections) {
      if (s.type() == SHT_DYNAMIC) {
        dyn = s;
        break;
      }
    }
    if (dyn != null) {
      byte[] d = data(f, dyn);
      int ent = is64 ? 16 : 8;
      if (d.length % ent != 0) {
        throw new Bad("length of dynamic section is not a multiple of dynamic entry size");
      }
      if (dyn.link() <= 0 || dyn.link() >= sections.size()) {
        throw new Bad("section has invalid string table link");
      }
      byte[] str = data(f, sections.get(dyn.link()));
      ByteBuffer db = ByteBuffer.wrap(d).order(order);
      for (int p = 0; p < d.length; p += ent) {
        long tag = is64 ? db.getLong(p) : db.getInt(p) & 0xffffffffL;
        long val = is64 ? db.getLong(p + 8) : db.getInt(p + 4) & 0xffffffffL;
        if (tag == DT_SONAME && val >= 0 && val <= Integer.MAX_VALUE) {
          String s = string(str, (int) val);
          if (s != null) {
            sonames.add(s);
          }
        }
      }
    }
    return new Info(type, machine, sonames);
  }

  private static void need(byte[] f, long off, long len) throws Bad {
    if (off < 0 || len < 0 || off > f.length || len > f.length - off) {
      throw new Bad("unexpected EOF");
    }
  }

  /** Section.Data(): its bytes from the file (zeros for NOBITS); a section past the file's end is an error. */
  private static byte[] data(byte[] f, Section s) throws Bad {
    if ((s.flags() & SHF_COMPRESSED) != 0) {
      throw new Bad("compressed section not modelled");
    }
    if (s.size() > f.length && s.type() != SHT_NOBITS) {
      throw new Bad("section larger than the file");
    }
    if (s.type() == SHT_NOBITS) {
      if (s.size() > 64L * 1024 * 1024) {
        throw new Bad("NOBITS section too large");
      }
      return new byte[(int) s.size()];
    }
    need(f, s.offset(), s.size());
    return java.util.Arrays.copyOfRange(f, (int) s.offset(), (int) (s.offset() + s.size()));
  }

  /** Go's getString: the NUL-terminated string at {@code start}, or null when there is none. */
  private static String string(byte[] tab, int start) {
    if (start < 0 || start >= tab.length) {
      return null;
    }
    for (int end = start; end < tab.length; end++) {
      if (tab[end] == 0) {
        return new String(tab, start, end - start, StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
