package dev.bitproof.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.testing.Bytes;
import dev.bitproof.testing.ReportSchema;
import dev.bitproof.testing.TestImages.Entry;
import dev.bitproof.testing.TestImages;
import dev.bitproof.verify.Report;
import dev.bitproof.verify.ReportJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A differing file explained by its own format: tar in tar, gzip members, JSON, ELF; hostile nesting refused. */
class NestedExplanationTest {
  private static final String WHERE = "linux/amd64 layer 0 ";

  private static Comparison compare(Path tmp, Entry a, Entry b, CompareOptions o) throws IOException {
    Path pa = tmp.resolve("a");
    Path pb = tmp.resolve("b");
    new TestImages().layer(Entry.dir("usr", 0755), a, Entry.file("etc/motd", 0644, "hi\n")).writeTo(pa);
    new TestImages().layer(Entry.dir("usr", 0755), b, Entry.file("etc/motd", 0644, "hi\n")).writeTo(pb);
    Comparison c = ImageComparatorTest.compare(pa, pb, o);
    ObjectNode json = ReportJson.toJson(Report.ofComparison("compare", c, "a", "b", Verdict.CONTENT_IDENTICAL,
        Map.of(), List.of()), "test");
    assertEquals(List.of(), ReportSchema.validate(json));
    return c;
  }



  private static byte[] scriptsTar(String postInstall, int mode) throws IOException {
    return TestImages.tar(List.of(Entry.file(".PKGINFO", 0644, "pkgname = demo\npkgver = 1.0-r0\n"),
        Entry.file(".post-install", mode, postInstall)));
  }

  @Test
  void aTarInsideALayerIsExplainedEntryByEntry(@TempDir Path tmp) throws Exception {
    Comparison c = compare(tmp,
        Entry.file("usr/lib/apk/scripts.tar", 0644, scriptsTar("#!/bin/sh\nadduser demo\nexit 0\n", 0755)),
        Entry.file("usr/lib/apk/scripts.tar", 0644, scriptsTar("#!/bin/sh\nadduser evil\nexit 0\n", 0700)),
        CompareOptions.strict());
    assertEquals(Verdict.DIFFERENT, c.verdict());
    Finding outer = Found.bySubject(c, WHERE + "usr/lib/apk/scripts.tar");
    assertEquals(CompareCode.FILE_CHANGED, outer.code());
    assertEquals("tar", outer.evidence().get(NestedExplainer.FORMAT));
    assertFalse(outer.message().contains("binary"), outer.message());
    Finding inner = Found.bySubject(c, WHERE + "usr/lib/apk/scripts.tar!/.post-install");
    assertEquals(CompareCode.FILE_CHANGED, inner.code());
    assertEquals("100755", inner.evidence().get("mode.a"));
    assertEquals("100700", inner.evidence().get("mode.b"));
    assertTrue(inner.evidence().get("diff").contains("-adduser demo\n+adduser evil\n"), inner.evidence().get("diff"));
    // .PKGINFO is the same inside: not listed
    assertTrue(c.allFindings().stream().noneMatch(f -> f.subject().endsWith("!/.PKGINFO")));
    // the nested finding explains the outer one: the layer counts one differing entry
    assertTrue(Found.byCode(c, CompareCode.LAYER_DIFFERENT).message().contains("in 1 entry"),
        Found.byCode(c, CompareCode.LAYER_DIFFERENT).message());
  }

  @Test
  void aGzipMemberIsDecompressedAndItsTarExplained(@TempDir Path tmp) throws Exception {
    Comparison c = compare(tmp,
        Entry.file("usr/share/data.tar.gz", 0644, TestImages.gzip(scriptsTar("echo 1\n", 0755))),
        Entry.file("usr/share/data.tar.gz", 0644, TestImages.gzip(scriptsTar("echo 2\n", 0755))),
        CompareOptions.strict());
    Finding outer = Found.bySubject(c, WHERE + "usr/share/data.tar.gz");
    assertEquals("gzip > tar", outer.evidence().get(NestedExplainer.FORMAT));
    Finding inner = Found.bySubject(c, WHERE + "usr/share/data.tar.gz!/.post-install");
    assertTrue(inner.evidence().get("diff").contains("-echo 1\n+echo 2\n"), inner.evidence().toString());
  }

  @Test
  void theSameBytesGzippedDifferentlyAreSaidToBeOnlyAnEncodingDifference(@TempDir Path tmp) throws Exception {
    byte[] payload = "same text\n".repeat(100).getBytes(StandardCharsets.UTF_8);
    Comparison c = compare(tmp, Entry.file("usr/share/doc.gz", 0644, gzip(payload, 1)),
        Entry.file("usr/share/doc.gz", 0644, gzip(payload, 9)), CompareOptions.strict());
    Finding outer = Found.bySubject(c, WHERE + "usr/share/doc.gz");
    assertEquals("gzip", outer.evidence().get(NestedExplainer.FORMAT));
    assertTrue(outer.evidence().get("nested.note").contains("only the gzip encoding differs"), outer.evidence().toString());
  }

  @Test
  void aJsonFileIsDiffedPathByPath(@TempDir Path tmp) throws Exception {
    Comparison c = compare(tmp,
        Entry.file("etc/conf.json", 0644, "{\"a\":{\"b\":[1,2,\"x\"]},\"keep\":true,\"gone\":1}"),
        Entry.file("etc/conf.json", 0644, "{\"a\":{\"b\":[1,2,\"y\"]},\"keep\":true,\"new key\":null}"),
        CompareOptions.strict());
    Finding f = Found.bySubject(c, WHERE + "etc/conf.json");
    assertEquals("json", f.evidence().get(NestedExplainer.FORMAT));
    assertEquals(String.join("\n", "$.a.b[2]: \"x\" → \"y\"", "$.gone: 1 → (absent)", "$['new key']: (absent) → null"),
        f.evidence().get("json.diff"));
  }

  @Test
  void anElfIsExplainedBySectionsBuildIdAndDynamicSymbols(@TempDir Path tmp) throws Exception {
    byte[] a = elf(new byte[] {1, 2, 3, 4}, id(0x11), List.of("main", "puts"));
    byte[] b = elf(new byte[] {1, 2, 3, 5}, id(0x22), List.of("main", "puts", "backdoor"));
    Comparison c = compare(tmp, Entry.file("usr/bin/tool", 0755, a), Entry.file("usr/bin/tool", 0755, b),
        CompareOptions.strict());
    Finding f = Found.bySubject(c, WHERE + "usr/bin/tool");
    assertEquals("elf", f.evidence().get(NestedExplainer.FORMAT));
    String d = f.evidence().get("elf.diff");
    assertTrue(d.contains("build-id: " + "11".repeat(20) + " → " + "22".repeat(20)), d);
    assertTrue(d.contains("section .text: size 4, sha256 "), d);
    assertTrue(d.contains("dynamic symbols: 2 → 3 (1 added, 0 removed)\n  + backdoor"), d);
  }

  @Test
  void aRealBinaryFromThisMachineWithAnotherBuildId(@TempDir Path tmp) throws Exception {
    Path bin = Path.of("/bin/true");
    Assumptions.assumeTrue(Files.isRegularFile(bin), "skipped: /bin/true is absent on this machine");
    byte[] a = Files.readAllBytes(bin); // copied at test time, never stored in the repository
    Elf.Summary s = Elf.read(a);
    Assumptions.assumeTrue(s.buildId() != null, "skipped: /bin/true has no GNU build-id");
    byte[] b = a.clone();
    int at = Bytes.indexOf(b, java.util.HexFormat.of().parseHex(s.buildId()));
    assertTrue(at >= 0, "the build-id's bytes are in the file");
    b[at] ^= 0x01;
    Comparison c = compare(tmp, Entry.file("usr/bin/true", 0755, a), Entry.file("usr/bin/true", 0755, b),
        CompareOptions.strict());
    String d = Found.bySubject(c, WHERE + "usr/bin/true").evidence().get("elf.diff");
    assertTrue(d.startsWith("build-id: " + s.buildId() + " → "), d);
    assertTrue(d.contains("section .note.gnu.build-id: "), d);
    assertTrue(d.contains("dynamic symbols: the same " + s.dynamicSymbols().size()), d);
    assertTrue(s.dynamicSymbols().size() > 5, "a real binary imports from libc: " + s.dynamicSymbols());
  }

  @Test
  void aGzipBombInsideALayerIsRefusedWithACode(@TempDir Path tmp) throws Exception {
    byte[] zeros = new byte[64 * 1024 * 1024];
    byte[] bombA = gzip(zeros, 9);
    zeros[zeros.length - 1] = 1;
    byte[] bombB = gzip(zeros, 9);
    assertTrue(bombA.length < 1024 * 1024, "small enough to be held: " + bombA.length);
    Comparison c = compare(tmp, Entry.file("usr/share/bomb.gz", 0644, bombA), Entry.file("usr/share/bomb.gz", 0644, bombB),
        CompareOptions.strict());
    Finding refused = Found.byCode(c, CompareCode.NESTED_DECOMPRESSION_BOMB);
    assertEquals(Severity.INFO, refused.severity());
    assertEquals(WHERE + "usr/share/bomb.gz", refused.subject());
    assertEquals(Verdict.DIFFERENT, c.verdict(), "the file still differs by its digest");
  }

  @Test
  void aTruncatedMemberIsRefusedWithACode(@TempDir Path tmp) throws Exception {
    byte[] whole = TestImages.gzip(scriptsTar("echo 1\n", 0755));
    byte[] cut = Arrays.copyOf(whole, whole.length / 2);
    Comparison c = compare(tmp, Entry.file("usr/share/x.tar.gz", 0644, whole), Entry.file("usr/share/x.tar.gz", 0644, cut),
        CompareOptions.strict());
    assertEquals(WHERE + "usr/share/x.tar.gz", Found.byCode(c, CompareCode.NESTED_CORRUPT).subject());
  }

  @Test
  void nestingDeeperThanTheBoundIsRefused(@TempDir Path tmp) throws Exception {
    byte[] innerA = scriptsTar("echo 1\n", 0755);
    byte[] innerB = scriptsTar("echo 2\n", 0755);
    byte[] a = innerA;
    byte[] b = innerB;
    for (int i = 0; i < 6; i++) { // tar.gz inside tar.gz …: 12 formats deep
      a = TestImages.gzip(TestImages.tar(List.of(Entry.file("in.tar.gz", 0644, a))));
      b = TestImages.gzip(TestImages.tar(List.of(Entry.file("in.tar.gz", 0644, b))));
    }
    Comparison c = compare(tmp, Entry.file("deep.tar.gz", 0644, a), Entry.file("deep.tar.gz", 0644, b),
        CompareOptions.strict());
    Finding deep = Found.byCode(c, CompareCode.NESTED_TOO_DEEP);
    assertEquals(WHERE + "deep.tar.gz!/in.tar.gz!/in.tar.gz", deep.subject(), "4 formats: gzip > tar > gzip > tar");
    Comparison shallow = compare(tmp.resolve("s"), Entry.file("deep.tar.gz", 0644, a), Entry.file("deep.tar.gz", 0644, b),
        CompareOptions.strict().withNested(new NestedLimits(1, 1 << 20, 1 << 24, 200, 100, 100)));
    assertEquals(WHERE + "deep.tar.gz", Found.byCode(shallow, CompareCode.NESTED_TOO_DEEP).subject());
  }

  @Test
  void tooManyNestedEntriesStopTheExplanationOnly(@TempDir Path tmp) throws Exception {
    List<Entry> many = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      many.add(Entry.file("f" + i, 0644, "x" + i));
    }
    byte[] a = TestImages.tar(many);
    many.set(3, Entry.file("f3", 0644, "changed"));
    byte[] b = TestImages.tar(many);
    Comparison c = compare(tmp, Entry.file("x.tar", 0644, a), Entry.file("x.tar", 0644, b),
        CompareOptions.strict().withNested(new NestedLimits(4, 1 << 20, 1 << 24, 200, 10, 100)));
    assertEquals(WHERE + "x.tar", Found.byCode(c, CompareCode.NESTED_TOO_LARGE).subject());
    assertEquals(Verdict.DIFFERENT, c.verdict());
  }

  @Test
  void identicalNestedFilesAreNotExplained(@TempDir Path tmp) throws Exception {
    byte[] t = scriptsTar("echo 1\n", 0755);
    Path pa = tmp.resolve("a");
    Path pb = tmp.resolve("b");
    new TestImages().layer(Entry.file("x.tar", 0644, t), Entry.file("etc/motd", 0644, "hi\n")).writeTo(pa);
    new TestImages().layer(Entry.file("x.tar", 0644, t), Entry.file("etc/motd", 0644, "bye\n")).writeTo(pb);
    Comparison c = ImageComparatorTest.compare(pa, pb, CompareOptions.strict());
    assertTrue(c.allFindings().stream().noneMatch(f -> f.subject().contains("x.tar")), c.allFindings().toString());
  }

  @Test
  void mutatedElfAndMembersNeverEscapeAsExceptions() throws Exception {
    java.util.Random rnd = new java.util.Random(16);
    byte[] elf = elf(new byte[] {1, 2, 3, 4}, id(0x11), List.of("main", "puts"));
    byte[] tgz = TestImages.gzip(scriptsTar("echo 1\n", 0755));
    byte[] tar = scriptsTar("echo 2\n", 0755);
    CompareOptions o = CompareOptions.strict();
    for (int i = 0; i < 3000; i++) {
      byte[] base = i % 3 == 0 ? elf : i % 3 == 1 ? tgz : tar;
      byte[] m = base.clone();
      for (int k = 0, n = 1 + rnd.nextInt(8); k < n; k++) {
        m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
      }
      if (rnd.nextInt(4) == 0) {
        m = Arrays.copyOf(m, rnd.nextInt(m.length));
      }
      NestedExplainer.Result r = NestedExplainer.explain("s", "f", base, m, o, 1, new NestedExplainer.Budget(o.nested()));
      assertTrue(r.findings().stream().allMatch(f -> f.severity() == Severity.INFO || f.severity() == Severity.FAIL));
      Elf.diff(base, m, 100); // a malformed ELF is summarized, never thrown
    }
  }

  // --- fixtures -------------------------------------------------------------------------------------------------

  static byte[] gzip(byte[] b, int level) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(bos) {
      {
        def.setLevel(level);
      }
    }) {
      g.write(b);
    }
    return bos.toByteArray();
  }

  private static byte[] id(int b) {
    byte[] id = new byte[20];
    Arrays.fill(id, (byte) b);
    return id;
  }


  /**
   * A minimal ELF64 little-endian shared object: no program headers, sections .text, .note.gnu.build-id,
   * .dynstr, .dynsym (one symbol per name), .shstrtab — what the reader needs, laid out per the gABI.
   */
  static byte[] elf(byte[] text, byte[] buildId, List<String> symbols) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[64]); // the file header, filled in below
    long textOff = body.size();
    body.writeBytes(text);
    align(body);
    long noteOff = body.size();
    ByteBuffer note = le(12 + 4 + buildId.length);
    note.putInt(4).putInt(buildId.length).putInt(3).put("GNU\0".getBytes(StandardCharsets.US_ASCII)).put(buildId);
    body.writeBytes(note.array());
    align(body);
    long dynstrOff = body.size();
    ByteArrayOutputStream dynstr = new ByteArrayOutputStream();
    dynstr.write(0);
    int[] names = new int[symbols.size()];
    for (int i = 0; i < symbols.size(); i++) {
      names[i] = dynstr.size();
      dynstr.writeBytes((symbols.get(i) + "\0").getBytes(StandardCharsets.US_ASCII));
    }
    body.writeBytes(dynstr.toByteArray());
    align(body);
    long dynsymOff = body.size();
    ByteBuffer syms = le(24 * (symbols.size() + 1));
    syms.position(24);
    for (int n : names) {
      syms.putInt(n).put((byte) 0x12).put((byte) 0).putShort((short) 1).putLong(0).putLong(0);
    }
    body.writeBytes(syms.array());
    long shstrOff = body.size();
    String shstr = "\0.text\0.note.gnu.build-id\0.dynstr\0.dynsym\0.shstrtab\0";
    body.writeBytes(shstr.getBytes(StandardCharsets.US_ASCII));
    align(body);
    long shoff = body.size();
    ByteBuffer sh = le(64 * 6);
    section(sh, 1, 0, 0, 0, 0, 0, 0);
    section(sh, 2, shstr.indexOf(".text"), 1, textOff, text.length, 0, 0);
    section(sh, 3, shstr.indexOf(".note.gnu.build-id"), 7, noteOff, note.capacity(), 0, 0);
    section(sh, 4, shstr.indexOf(".dynstr"), 3, dynstrOff, dynstr.size(), 0, 0);
    section(sh, 5, shstr.indexOf(".dynsym"), 11, dynsymOff, syms.capacity(), 3, 24);
    section(sh, 6, shstr.indexOf(".shstrtab"), 3, shstrOff, shstr.length(), 0, 0);
    body.writeBytes(sh.array());
    byte[] f = body.toByteArray();
    ByteBuffer h = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
    h.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
    h.putShort(16, (short) 3).putShort(18, (short) 62).putInt(20, 1).putLong(40, shoff).putShort(52, (short) 64)
        .putShort(58, (short) 64).putShort(60, (short) 6).putShort(62, (short) 5);
    return f;
  }

  private static void section(ByteBuffer sh, int index, int name, int type, long off, long size, int link, long entsize) {
    int o = (index - 1) * 64;
    sh.putInt(o, name).putInt(o + 4, type).putLong(o + 24, off).putLong(o + 32, size).putInt(o + 40, link)
        .putLong(o + 56, entsize);
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void align(ByteArrayOutputStream b) {
    while (b.size() % 8 != 0) {
      b.write(0);
    }
  }
}
