package dev.bitproof.compare;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A short unified diff of two small text files, for people reading a report. Common prefix and suffix lines are
 * trimmed first, so one changed line in a large file costs nothing; the rest is an LCS over at most
 * {@link #MAX_CELLS} line pairs, and the output is cut at {@link #MAX_LINES} lines.
 */
public final class UnifiedDiff {
  static final int MAX_CELLS = 1_000_000;
  static final int MAX_LINES = 60;
  private static final int CONTEXT = 3;

  private UnifiedDiff() {}

  /** The bytes as text if they look like text: valid UTF-8 without NUL. */
  public static Optional<String> asText(byte[] b) {
    for (byte x : b) {
      if (x == 0) {
        return Optional.empty();
      }
    }
    try {
      return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /** {@code --- a/PATH}, {@code +++ b/PATH} and hunks; empty when the change is too large to show as lines. */
  public static Optional<String> diff(String path, String a, String b) {
    List<String> x = lines(a);
    List<String> y = lines(b);
    int pre = 0;
    while (pre < x.size() && pre < y.size() && x.get(pre).equals(y.get(pre))) {
      pre++;
    }
    int suf = 0;
    while (suf < x.size() - pre && suf < y.size() - pre
        && x.get(x.size() - 1 - suf).equals(y.get(y.size() - 1 - suf))) {
      suf++;
    }
    List<String> mx = x.subList(pre, x.size() - suf);
    List<String> my = y.subList(pre, y.size() - suf);
    if ((long) (mx.size() + 1) * (my.size() + 1) > MAX_CELLS) {
      return Optional.empty();
    }
    // edit script over the middle: ' ' keep, '-' delete, '+' insert
    int[][] lcs = new int[mx.size() + 1][my.size() + 1];
    for (int i = mx.size() - 1; i >= 0; i--) {
      for (int j = my.size() - 1; j >= 0; j--) {
        lcs[i][j] = mx.get(i).equals(my.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    int i = 0;
    int j = 0;
    List<String[]> mid = new ArrayList<>();
    while (i < mx.size() || j < my.size()) {
      if (i < mx.size() && j < my.size() && mx.get(i).equals(my.get(j))) {
        mid.add(new String[] {" ", mx.get(i)});
        i++;
        j++;
      } else if (i < mx.size() && (j >= my.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
        mid.add(new String[] {"-", mx.get(i++)});
      } else {
        mid.add(new String[] {"+", my.get(j++)});
      }
    }
    int ctxBefore = Math.min(CONTEXT, pre);
    int ctxAfter = Math.min(CONTEXT, suf);
    int aStart = pre - ctxBefore + 1;
    int bStart = pre - ctxBefore + 1;
    int aLen = ctxBefore + mx.size() + ctxAfter;
    int bLen = ctxBefore + my.size() + ctxAfter;
    StringBuilder sb = new StringBuilder();
    sb.append("--- a/").append(path).append('\n').append("+++ b/").append(path).append('\n');
    sb.append("@@ -").append(aLen == 0 ? aStart - 1 : aStart).append(',').append(aLen)
        .append(" +").append(bLen == 0 ? bStart - 1 : bStart).append(',').append(bLen).append(" @@\n");
    int emitted = 0;
    List<String> out = new ArrayList<>();
    for (int k = pre - ctxBefore; k < pre; k++) {
      out.add(" " + x.get(k));
    }
    for (String[] op : mid) {
      out.add(op[0] + op[1]);
    }
    for (int k = x.size() - suf; k < x.size() - suf + ctxAfter; k++) {
      out.add(" " + x.get(k));
    }
    for (String line : out) {
      if (emitted++ >= MAX_LINES) {
        sb.append("... (").append(out.size() - MAX_LINES).append(" more lines)\n");
        break;
      }
      sb.append(line).append('\n');
    }
    if (!a.isEmpty() && !a.endsWith("\n") || !b.isEmpty() && !b.endsWith("\n")) {
      sb.append("\\ (one side has no newline at end of file)\n");
    }
    return Optional.of(sb.toString());
  }

  private static List<String> lines(String s) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int k = 0; k < s.length(); k++) {
      if (s.charAt(k) == '\n') {
        out.add(s.substring(start, k));
        start = k + 1;
      }
    }
    if (start < s.length()) {
      out.add(s.substring(start));
    }
    return out;
  }
}
