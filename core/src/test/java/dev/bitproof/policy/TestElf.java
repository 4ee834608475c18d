package dev.bitproof.policy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes minimal, well-formed little-endian ELF64 files: optional PT_INTERP, chosen section names. */
final class TestElf {
  private TestElf() {}

  static byte[] build(String interpreter, List<String> sectionNames) {
    // layout: ehdr(64) | phdr(56) if interp | interp string | shstrtab | section headers
    boolean dyn = interpreter != null;
    ByteArrayOutputStream strtab = new ByteArrayOutputStream();
    strtab.write(0);
    int[] nameOff = new int[sectionNames.size() + 2];
    List<String> all = new java.util.ArrayList<>();
    all.add("");
    all.addAll(sectionNames);
    all.add(".shstrtab");
    for (int i = 1; i < all.size(); i++) {
      nameOff[i] = strtab.size();
      strtab.writeBytes(all.get(i).getBytes(StandardCharsets.US_ASCII));
      strtab.write(0);
    }
    byte[] interp = dyn ? (interpreter + "\0").getBytes(StandardCharsets.US_ASCII) : new byte[0];
    int phoff = 64;
    int interpOff = phoff + (dyn ? 56 : 0);
    int strOff = interpOff + interp.length;
    int shoff = strOff + strtab.size();
    int shnum = all.size();
    ByteBuffer b = ByteBuffer.allocate(shoff + shnum * 64).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
    b.position(16);
    b.putShort((short) 2).putShort((short) 62).putInt(1).putLong(0x401000);
    b.putLong(dyn ? phoff : 0).putLong(shoff).putInt(0);
    b.putShort((short) 64).putShort((short) 56).putShort((short) (dyn ? 1 : 0));
    b.putShort((short) 64).putShort((short) shnum).putShort((short) (shnum - 1));
    if (dyn) {
      b.position(phoff);
      b.putInt(3).putInt(4).putLong(interpOff).putLong(0).putLong(0).putLong(interp.length).putLong(interp.length).putLong(1);
      b.position(interpOff);
      b.put(interp);
    }
    b.position(strOff);
    b.put(strtab.toByteArray());
    for (int i = 0; i < shnum; i++) {
      b.position(shoff + i * 64);
      b.putInt(nameOff[i]).putInt(i == shnum - 1 ? 3 : (i == 0 ? 0 : 1)).putLong(0).putLong(0);
      b.putLong(i == shnum - 1 ? strOff : 0).putLong(i == shnum - 1 ? strtab.size() : 0);
    }
    return b.array();
  }
}
