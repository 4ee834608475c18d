package dev.bitproof.policy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the policy needs from an ELF file: is it ELF, its interpreter (dynamic vs static) and its section names
 * (debug info, symbol table). Every offset read from the file is bounds-checked: a truncated or hostile file
 * yields {@link Optional#empty()} or a partial answer, never an exception or a huge allocation.
 */
public record Elf(boolean is64, Optional<String> interpreter, List<String> sections) {
  private static final int PT_INTERP = 3;
  private static final int MAX_SECTIONS = 65_535;
  private static final int MAX_PHDRS = 65_535;

  public static boolean looksLikeElf(byte[] b) {
    return b != null && b.length >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
  }

  /** Parses {@code b}; empty when it is not a well-formed ELF header. */
  public static Optional<Elf> parse(byte[] b) {
    if (!looksLikeElf(b) || b.length < 52) {
      return Optional.empty();
    }
    int cls = b[4];
    int data = b[5];
    if ((cls != 1 && cls != 2) || (data != 1 && data != 2)) {
      return Optional.empty();
    }
    boolean is64 = cls == 2;
    if (is64 && b.length < 64) {
      return Optional.empty();
    }
    ByteBuffer bb = ByteBuffer.wrap(b).order(data == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    long phoff = is64 ? bb.getLong(0x20) : Integer.toUnsignedLong(bb.getInt(0x1C));
    long shoff = is64 ? bb.getLong(0x28) : Integer.toUnsignedLong(bb.getInt(0x20));
    int phentsize = Short.toUnsignedInt(bb.getShort(is64 ? 0x36 : 0x2A));
    int phnum = Short.toUnsignedInt(bb.getShort(is64 ? 0x38 : 0x2C));
    int shentsize = Short.toUnsignedInt(bb.getShort(is64 ? 0x3A : 0x2E));
    int shnum = Short.toUnsignedInt(bb.getShort(is64 ? 0x3C : 0x30));
    int shstrndx = Short.toUnsignedInt(bb.getShort(is64 ? 0x3E : 0x32));

    Optional<String> interp = Optional.empty();
    if (phnum <= MAX_PHDRS && phentsize >= (is64 ? 56 : 32)) {
      for (int i = 0; i < phnum; i++) {
        long off = phoff + (long) i * phentsize;
        if (!in(b, off, phentsize)) {
          break;
        }
        int type = bb.getInt((int) off);
        if (type == PT_INTERP) {
          long poff = is64 ? bb.getLong((int) off + 8) : Integer.toUnsignedLong(bb.getInt((int) off + 4));
          long psz = is64 ? bb.getLong((int) off + 32) : Integer.toUnsignedLong(bb.getInt((int) off + 16));
          if (psz > 0 && psz < 4096 && in(b, poff, psz)) {
            String s = new String(b, (int) poff, (int) psz, StandardCharsets.ISO_8859_1);
            int nul = s.indexOf('\0');
            interp = Optional.of(nul >= 0 ? s.substring(0, nul) : s);
          }
          break;
        }
      }
    }

    List<String> names = new ArrayList<>();
    if (shnum > 0 && shnum <= MAX_SECTIONS && shentsize >= (is64 ? 64 : 40) && shstrndx < shnum
        && in(b, shoff, (long) shnum * shentsize)) {
      long strHdr = shoff + (long) shstrndx * shentsize;
      long strOff = is64 ? bb.getLong((int) strHdr + 0x18) : Integer.toUnsignedLong(bb.getInt((int) strHdr + 0x10));
      long strSize = is64 ? bb.getLong((int) strHdr + 0x20) : Integer.toUnsignedLong(bb.getInt((int) strHdr + 0x14));
      if (in(b, strOff, strSize)) {
        for (int i = 0; i < shnum; i++) {
          long h = shoff + (long) i * shentsize;
          long nameOff = Integer.toUnsignedLong(bb.getInt((int) h));
          if (nameOff < strSize) {
            int start = (int) (strOff + nameOff);
            int end = start;
            int limit = (int) (strOff + strSize);
            while (end < limit && b[end] != 0) {
              end++;
            }
            names.add(new String(b, start, end - start, StandardCharsets.ISO_8859_1));
          }
        }
      }
    }
    return Optional.of(new Elf(is64, interp, List.copyOf(names)));
  }

  private static boolean in(byte[] b, long off, long len) {
    return off >= 0 && len >= 0 && off <= b.length && len <= b.length - off;
  }

  public boolean isStatic() {
    return interpreter.isEmpty();
  }

  /** Not stripped: has DWARF debug info or a full symbol table. */
  public boolean hasDebugInfo() {
    return sections.stream().anyMatch(s -> s.startsWith(".debug_") || s.equals(".symtab") || s.startsWith(".zdebug_"));
  }
}
