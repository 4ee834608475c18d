package dev.bitproof.gocompat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Go's {@code encoding/pem} {@code Decode} and {@code Encode}, byte for byte: apko re-encodes every additional
 * certificate with them, so the bytes written to the image are Go's, not the config's.
 */
public final class GoPem {
  private static final byte[] PEM_START = "\n-----BEGIN ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PEM_END = "\n-----END ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PEM_END_OF_LINE = "-----".getBytes(StandardCharsets.US_ASCII);

  private GoPem() {}

  /** A decoded block; headers as Go's map (iteration order does not matter, Encode sorts). */
  public record Block(String type, Map<String, String> headers, byte[] bytes) {}

  /** The first block and what follows it, or {@code null} when there is none (Go returns {@code nil, data}). */
  public record Decoded(Block block, byte[] rest) {}

  public static Decoded decode(byte[] data) {
    int rest = 0; // data[rest..] is Go's rest; offsets instead of copies keep hostile input linear per marker
    int n = data.length;
    while (true) {
      if (startsWith(data, rest, PEM_START, 1)) {
        rest += PEM_START.length - 1;
      } else {
        int i = indexOf(data, rest, PEM_START);
        if (i < 0) {
          return null;
        }
        rest = i + PEM_START.length;
      }
      int[] tl = getLine(data, rest);
      rest = tl[1];
      int typeStart = tl[2];
      int typeEnd = tl[0];
      if (typeEnd - typeStart < PEM_END_OF_LINE.length
          || !startsWith(data, typeEnd - PEM_END_OF_LINE.length, PEM_END_OF_LINE, 0)) {
        continue;
      }
      typeEnd -= PEM_END_OF_LINE.length;
      byte[] typeLine = Arrays.copyOfRange(data, typeStart, typeEnd);
      Map<String, String> headers = new TreeMap<>();
      while (true) {
        if (rest == n) {
          return null;
        }
        int[] ln = getLine(data, rest);
        int colon = -1;
        for (int k = ln[2]; k < ln[0]; k++) {
          if (data[k] == ':') {
            colon = k;
            break;
          }
        }
        if (colon < 0) {
          break;
        }
        headers.put(trimSpace(data, ln[2], colon), trimSpace(data, colon + 1, ln[0]));
        rest = ln[1];
      }
      int endIndex;
      int endTrailerIndex;
      if (headers.isEmpty() && startsWith(data, rest, PEM_END, 1)) {
        endIndex = rest;
        endTrailerIndex = rest + PEM_END.length - 1;
      } else {
        endIndex = indexOf(data, rest, PEM_END);
        endTrailerIndex = endIndex + PEM_END.length;
      }
      if (endIndex < 0) {
        continue;
      }
      int endTrailerLen = typeLine.length + PEM_END_OF_LINE.length;
      if (n - endTrailerIndex < endTrailerLen) {
        continue;
      }
      int restOfEndLine = endTrailerIndex + endTrailerLen;
      if (!startsWith(data, endTrailerIndex, typeLine, 0)
          || !startsWith(data, restOfEndLine - PEM_END_OF_LINE.length, PEM_END_OF_LINE, 0)) {
        continue;
      }
      int[] eol = getLine(data, restOfEndLine);
      if (eol[0] != eol[2]) {
        continue;
      }
      byte[] body = decodeBase64(data, rest, endIndex);
      if (body == null) {
        continue;
      }
      int after = getLine(data, endIndex + PEM_END.length - 1)[1];
      return new Decoded(new Block(new String(typeLine, StandardCharsets.UTF_8), headers, body),
          Arrays.copyOfRange(data, after, n));
    }
  }

  /** {@code pem.Encode}: Proc-Type first, other headers sorted, a blank line after headers, 64-column base64. */
  public static byte[] encode(Block b) {
    StringBuilder s = new StringBuilder("-----BEGIN ").append(b.type()).append("-----\n");
    if (!b.headers().isEmpty()) {
      List<String> keys = new ArrayList<>();
      if (b.headers().containsKey("Proc-Type")) {
        s.append("Proc-Type: ").append(b.headers().get("Proc-Type")).append('\n');
      }
      for (String k : new TreeMap<>(b.headers()).keySet()) {
        if (!k.equals("Proc-Type")) {
          keys.add(k);
        }
      }
      keys.sort(GoJson::compareUtf8);
      for (String k : keys) {
        s.append(k).append(": ").append(b.headers().get(k)).append('\n');
      }
      s.append('\n');
    }
    String b64 = Base64.getEncoder().encodeToString(b.bytes());
    for (int i = 0; i < b64.length(); i += 64) {
      s.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
    }
    s.append("-----END ").append(b.type()).append("-----\n");
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Go strips ' ' and '\t', then StdEncoding skips '\r' and '\n' and needs exact padding. */
  private static byte[] decodeBase64(byte[] in, int from, int to) {
    StringBuilder s = new StringBuilder();
    for (int i = from; i < to; i++) {
      byte c = in[i];
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        s.append((char) (c & 0xff));
      }
    }
    if (s.length() % 4 != 0) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(s.toString());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Go's getLine from {@code off}: {@code [end of the trimmed line, start of the next, start of the line]}; the
   * line stops at '\n' (a preceding '\r' dropped) and loses trailing spaces and tabs.
   */
  private static int[] getLine(byte[] data, int off) {
    int i = -1;
    for (int k = off; k < data.length; k++) {
      if (data[k] == '\n') {
        i = k;
        break;
      }
    }
    int j;
    if (i < 0) {
      i = data.length;
      j = i;
    } else {
      j = i + 1;
      if (i > off && data[i - 1] == '\r') {
        i--;
      }
    }
    int e = i;
    while (e > off && (data[e - 1] == ' ' || data[e - 1] == '\t')) {
      e--;
    }
    return new int[] {e, j, off};
  }

  /** bytes.TrimSpace (ASCII whitespace) of data[from, to) as a string. */
  private static String trimSpace(byte[] b, int from, int to) {
    int s = from;
    int e = to;
    while (s < e && isSpace(b[s])) {
      s++;
    }
    while (e > s && isSpace(b[e - 1])) {
      e--;
    }
    return new String(b, s, e - s, StandardCharsets.UTF_8);
  }

  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
  }

  /** Whether data[at..] starts with prefix[from..]. */
  private static boolean startsWith(byte[] data, int at, byte[] prefix, int from) {
    int len = prefix.length - from;
    if (at < 0 || data.length - at < len) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (data[at + i] != prefix[from + i]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] b, int from, byte[] needle) {
    outer:
    for (int i = from; i + needle.length <= b.length; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (b[i + k] != needle[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
