package dev.bitproof.sbom;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The build information the Go linker embeds in every module-mode binary ({@code .go.buildinfo}, Go 1.18+ inline
 * form): the Go version and the module list ({@code runtime/debug.BuildInfo}'s text) between two 16-byte
 * sentinels. Found by streaming the file once for the section's magic, never by loading the whole binary; a
 * candidate counts only when the sentinels frame the module text (the magic also appears as a constant inside
 * Go's own tools).
 */
public final class GoBuildInfo {
  static final byte[] MAGIC = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);
  private static final byte[] START = HexFormat.of().parseHex("3077af0c9274080241e1c107e6d618e6");
  private static final byte[] END = HexFormat.of().parseHex("f932433186182072008242104116d8f2");
  /** Bytes kept after a magic to read the two strings (module lists are a few KiB; 1 MiB is generous). */
  static final int MAX_INFO = 1 << 20;

  /** One module: {@code mod} (the main module) or a {@code dep}, with its replacement if any. */
  public record Module(String path, String version, Optional<String> sum, boolean main) {}

  public record Info(String goVersion, String mainPackage, List<Module> modules) {}

  private GoBuildInfo() {}

  /** Scans {@code in} (an executable's bytes, read once) for build info; empty when it has none. */
  public static Optional<Info> scan(InputStream in, long maxBytes) throws IOException {
    byte[] buf = new byte[1 << 16];
    byte[] carry = new byte[0];
    long read = 0;
    int n;
    while ((n = in.read(buf)) > 0 && read < maxBytes) {
      read += n;
      byte[] window = concat(carry, buf, n);
      int from = 0;
      int at;
      while ((at = indexOf(window, MAGIC, from)) >= 0) {
        byte[] tail = Arrays.copyOfRange(window, at, window.length);
        if (tail.length < MAX_INFO) {
          byte[] more = in.readNBytes(MAX_INFO - tail.length);
          read += more.length;
          tail = concat(tail, more, more.length);
          window = concat(Arrays.copyOf(window, at), tail, tail.length); // keep scanning what was read ahead
        }
        Optional<Info> info = parse(tail);
        if (info.isPresent()) {
          return info;
        }
        from = at + 1;
      }
      carry = Arrays.copyOfRange(window, Math.max(0, window.length - MAGIC.length + 1), window.length);
    }
    return Optional.empty();
  }

  /** Parses the section starting at its magic; empty when it is not the inline form with framed module text. */
  static Optional<Info> parse(byte[] b) {
    if (b.length < 32 || (b[14] != 4 && b[14] != 8) || (b[15] & 2) == 0) {
      return Optional.empty();
    }
    int[] pos = {32};
    Optional<String> version = varString(b, pos);
    Optional<String> mod = version.isPresent() ? varString(b, pos) : Optional.empty();
    if (mod.isEmpty()) {
      return Optional.empty();
    }
    byte[] m = mod.get().getBytes(StandardCharsets.ISO_8859_1);
    if (m.length < 33 || !Arrays.equals(Arrays.copyOf(m, 16), START)
        || !Arrays.equals(Arrays.copyOfRange(m, m.length - 16, m.length), END)) {
      return Optional.empty();
    }
    String text = new String(m, 16, m.length - 32, StandardCharsets.UTF_8);
    String mainPkg = "";
    List<Module> mods = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] f = line.split("\t", -1);
      switch (f[0]) {
        case "path" -> mainPkg = f.length > 1 ? f[1] : "";
        case "mod", "dep" -> {
          if (f.length >= 3) {
            mods.add(new Module(f[1], f[2], f.length > 3 ? sum(f[3]) : Optional.empty(), f[0].equals("mod")));
          }
        }
        case "=>" -> {
          // a replacement: the module's code came from elsewhere; its sum, if any, is the replacement's
          if (!mods.isEmpty() && f.length >= 4) {
            Module last = mods.remove(mods.size() - 1);
            mods.add(new Module(last.path(), last.version(), sum(f[3]), last.main()));
          }
        }
        default -> { }
      }
    }
    return Optional.of(new Info(version.get(), mainPkg, mods));
  }

  /** {@code h1:BASE64} to the hex SHA-256 it encodes (what cdxgen writes as the module's hash). */
  private static Optional<String> sum(String s) {
    if (!s.startsWith("h1:")) {
      return Optional.empty();
    }
    try {
      return Optional.of(HexFormat.of().formatHex(Base64.getDecoder().decode(s.substring(3))));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> varString(byte[] b, int[] pos) {
    long len = 0;
    int shift = 0;
    while (true) {
      if (pos[0] >= b.length || shift > 28) {
        return Optional.empty();
      }
      int x = b[pos[0]++] & 0xff;
      len |= (long) (x & 0x7f) << shift;
      shift += 7;
      if ((x & 0x80) == 0) {
        break;
      }
    }
    if (len > b.length - pos[0]) {
      return Optional.empty();
    }
    String s = new String(b, pos[0], (int) len, StandardCharsets.ISO_8859_1);
    pos[0] += (int) len;
    return Optional.of(s);
  }

  private static byte[] concat(byte[] a, byte[] b, int n) {
    byte[] out = Arrays.copyOf(a, a.length + n);
    System.arraycopy(b, 0, out, a.length, n);
    return out;
  }

  static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
      if (hay[i] != needle[0]) {
        continue;
      }
      for (int j = 1; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
