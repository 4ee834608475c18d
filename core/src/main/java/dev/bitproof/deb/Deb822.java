package dev.bitproof.deb;

import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parser for deb822 control data ({@code deb-control(5)}): paragraphs separated by blank lines, {@code Name: value}
 * fields, continuation lines starting with a space or tab. Lines starting with {@code #} outside a field are
 * comments. Untrusted input: line length, fields per paragraph and paragraph count are bounded
 * ({@code DEB822_LIMIT}); a line that is neither a field nor a continuation is {@code DEB822_SYNTAX}.
 */
public final class Deb822 {
  /** Bounds for untrusted input. */
  public record Limits(int maxLineLength, int maxFieldsPerParagraph, long maxParagraphs, int maxFieldLength) {
    public static Limits defaults() {
      // the bookworm Packages index has 63,440 stanzas; libc6's Breaks line is about 1.5 KB
      return new Limits(1 << 20, 1000, 2_000_000, 8 << 20);
    }
  }

  /** Receives paragraphs one by one (streaming a 50 MB Packages file never holds it whole). */
  public interface Sink {
    void paragraph(ControlParagraph p) throws IOException;
  }

  private Deb822() {}

  public static List<ControlParagraph> parse(String text, String subject) {
    List<ControlParagraph> out = new ArrayList<>();
    try {
      stream(new StringReader(text), subject, Limits.defaults(), out::add);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  public static List<ControlParagraph> parse(byte[] utf8, String subject) {
    return parse(new String(utf8, StandardCharsets.UTF_8), subject);
  }

  /** Exactly one paragraph (a control file, a Release file); {@code DEB822_SYNTAX} otherwise. */
  public static ControlParagraph parseOne(String text, String subject) {
    List<ControlParagraph> ps = parse(text, subject);
    if (ps.size() != 1) {
      throw CheckException.integrity(DebCode.DEB822_SYNTAX, subject, "expected one paragraph, found " + ps.size());
    }
    return ps.get(0);
  }

  public static void stream(InputStream in, String subject, Limits limits, Sink sink) throws IOException {
    stream(new InputStreamReader(in, StandardCharsets.UTF_8), subject, limits, sink);
  }

  public static void stream(Reader reader, String subject, Limits limits, Sink sink) throws IOException {
    Lines r = new Lines(reader);
    List<ControlParagraph.Field> fields = new ArrayList<>();
    String name = null;
    StringBuilder value = new StringBuilder();
    int lineNo = 0;
    int startLine = 0;
    long paragraphs = 0;
    String line;
    while ((line = r.next(limits, subject, lineNo + 1)) != null) {
      lineNo++;
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isBlank()) {
        if (name != null) {
          fields.add(new ControlParagraph.Field(name, value.toString()));
          name = null;
        }
        if (!fields.isEmpty()) {
          if (++paragraphs > limits.maxParagraphs()) {
            throw limit(subject, "more than " + limits.maxParagraphs() + " paragraphs");
          }
          sink.paragraph(new ControlParagraph(fields, startLine));
          fields = new ArrayList<>();
        }
        continue;
      }
      char c0 = line.charAt(0);
      if (c0 == ' ' || c0 == '\t') {
        if (name == null) {
          throw CheckException.integrity(DebCode.DEB822_SYNTAX, subject + ":" + lineNo, "continuation line without a field");
        }
        if (value.length() + line.length() > limits.maxFieldLength()) {
          throw limit(subject + ":" + lineNo, "field " + name + " longer than " + limits.maxFieldLength());
        }
        value.append('\n').append(line);
        continue;
      }
      if (c0 == '#') {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || !validName(line, colon)) {
        throw CheckException.integrity(DebCode.DEB822_SYNTAX, subject + ":" + lineNo, "not a field: '" + abbreviate(line) + "'");
      }
      if (name != null) {
        fields.add(new ControlParagraph.Field(name, value.toString()));
      } else if (fields.isEmpty()) {
        startLine = lineNo;
      }
      if (fields.size() >= limits.maxFieldsPerParagraph()) {
        throw limit(subject + ":" + lineNo, "more than " + limits.maxFieldsPerParagraph() + " fields in a paragraph");
      }
      name = line.substring(0, colon);
      value.setLength(0);
      value.append(line.substring(colon + 1).strip());
    }
    if (name != null) {
      fields.add(new ControlParagraph.Field(name, value.toString()));
    }
    if (!fields.isEmpty()) {
      if (++paragraphs > limits.maxParagraphs()) {
        throw limit(subject, "more than " + limits.maxParagraphs() + " paragraphs");
      }
      sink.paragraph(new ControlParagraph(fields, startLine));
    }
  }

  private static boolean validName(String line, int colon) {
    for (int i = 0; i < colon; i++) {
      char c = line.charAt(i);
      if (c <= 32 || c >= 127) {
        return false;
      }
    }
    return line.charAt(0) != '-';
  }

  /** Line reader with a length bound, so input without newlines cannot exhaust memory. */
  private static final class Lines {
    private final Reader in;
    private final char[] buf = new char[1 << 16];
    private int pos;
    private int len;
    private final StringBuilder sb = new StringBuilder(256);

    Lines(Reader in) {
      this.in = in;
    }

    String next(Limits limits, String subject, int lineNo) throws IOException {
      sb.setLength(0);
      boolean any = false;
      while (true) {
        if (pos == len) {
          len = in.read(buf, 0, buf.length);
          pos = 0;
          if (len <= 0) {
            len = 0;
            return any ? sb.toString() : null;
          }
        }
        any = true;
        int start = pos;
        while (pos < len && buf[pos] != '\n') {
          pos++;
        }
        sb.append(buf, start, pos - start);
        if (sb.length() > limits.maxLineLength()) {
          throw limit(subject + ":" + lineNo, "line longer than " + limits.maxLineLength() + " characters");
        }
        if (pos < len) {
          pos++;
          return sb.toString();
        }
      }
    }
  }

  private static CheckException limit(String subject, String message) {
    return new CheckException(DebCode.DEB822_LIMIT, subject, message);
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }
}
