package dev.bitproof.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.testing.ReportSchema;
import dev.bitproof.testing.TestImages;
import dev.bitproof.testing.TestImages.Entry;
import dev.bitproof.verify.Report;
import dev.bitproof.verify.ReportJson;
import dev.bitproof.verify.ReportText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * Zips (jar) and ar archives (.deb, static libraries) inside a layer, explained entry by entry through a whole
 * comparison of two images the test builds; hostile zips and ar archives stop only their own explanation.
 */
class NestedArchiveTest {
  private static final String WHERE = "linux/amd64 layer 0 ";
  private static final String JAR = WHERE + "app/app.jar";
  private static final LocalDateTime T1 = LocalDateTime.of(2024, 1, 2, 3, 4, 6);
  private static final LocalDateTime T2 = LocalDateTime.of(2025, 6, 7, 8, 9, 10);
  private static final byte[] CLASS = cls(1);
  private static final String MANIFEST = "Manifest-Version: 1.0\r\nImplementation-Version: 1.0\r\n\r\n";

  private static Comparison compare(Path tmp, String path, byte[] a, byte[] b, CompareOptions o) throws IOException {
    Path pa = tmp.resolve("a");
    Path pb = tmp.resolve("b");
    new TestImages().layer(Entry.dir("app", 0755), Entry.file(path, 0644, a)).writeTo(pa);
    new TestImages().layer(Entry.dir("app", 0755), Entry.file(path, 0644, b)).writeTo(pb);
    Comparison c = ImageComparatorTest.compare(pa, pb, o);
    ObjectNode json = ReportJson.toJson(report(c), "test");
    assertEquals(List.of(), ReportSchema.validate(json));
    return c;
  }

  private static Report report(Comparison c) {
    return Report.ofComparison("compare", c, "a", "b", Verdict.CONTENT_IDENTICAL, Map.of(), List.of());
  }



  private static List<Finding> inside(Comparison c, String outer) {
    return c.allFindings().stream().filter(f -> f.subject().startsWith(outer + "!/")).toList();
  }

  // --- zip / jar -------------------------------------------------------------------------------------------------

  @Test
  void aJarDifferingOnlyInTimestampsIsSaidToBeExactlyThat(@TempDir Path tmp) throws Exception {
    byte[] a = jar(List.of(manifest(MANIFEST, T1), entry("demo/App.class", CLASS, T1), entry("app.properties", "k=v\n", T1)));
    byte[] b = jar(List.of(manifest(MANIFEST, T2), entry("demo/App.class", CLASS, T2), entry("app.properties", "k=v\n", T2)));
    Comparison c = compare(tmp, "app/app.jar", a, b, CompareOptions.strict());
    assertEquals(Verdict.DIFFERENT, c.verdict());
    Finding outer = Found.bySubject(c, JAR);
    assertEquals("zip", outer.evidence().get(NestedExplainer.FORMAT));
    assertEquals("the same 3 entries with the same contents; only entry headers differ: mtime (3 entries)",
        outer.evidence().get("nested.note"));
    List<Finding> in = inside(c, JAR);
    assertEquals(3, in.size(), in.toString());
    for (Finding f : in) {
      assertEquals(CompareCode.FILE_CHANGED, f.code());
      assertEquals("mtime differs", f.message(), f.toString());
      assertEquals("2024-01-02 03:04:06", f.evidence().get("mtime.a"));
      assertEquals("2025-06-07 08:09:10", f.evidence().get("mtime.b"));
    }
    assertTrue(Found.byCode(c, CompareCode.LAYER_DIFFERENT).message().contains("in 1 entry"), "nested findings not counted");
    String text = ReportText.render(report(c), false);
    assertTrue(text.contains("app/app.jar!/demo/App.class: mtime differs"), text);
  }

  @Test
  void theSameEntriesInAnotherOrderAreSaidToBeReordered(@TempDir Path tmp) throws Exception {
    byte[] a = jar(List.of(manifest(MANIFEST, T1), entry("a.txt", "a\n", T1), entry("b.txt", "b\n", T1)));
    byte[] b = jar(List.of(manifest(MANIFEST, T1), entry("b.txt", "b\n", T1), entry("a.txt", "a\n", T1)));
    Comparison c = compare(tmp, "app/app.jar", a, b, CompareOptions.strict());
    assertEquals("the same 3 entries with the same headers and contents, in another order: position (1 entry)",
        Found.bySubject(c, JAR).evidence().get("nested.note"));
    Finding moved = Found.bySubject(c, JAR + "!/a.txt");
    assertEquals("position differs", moved.message());
    assertEquals("1", moved.evidence().get("position.a"));
    assertEquals("2", moved.evidence().get("position.b"));
    Comparison ignored = compare(tmp.resolve("i"), "app/app.jar", a, b,
        CompareOptions.strict().withAlsoIgnored(false, false, true, false, false, false));
    assertEquals(List.of(), inside(ignored, JAR), "--ignore-file-order hides the moved entry");
    assertTrue(Found.bySubject(ignored, JAR).evidence().get("nested.note").endsWith("1 entry differs only in ignored fields (file-order)"),
        Found.bySubject(ignored, JAR).evidence().toString());
  }

  @Test
  void aChangedClassAnAddedEntryAndAManifestAreExplainedOneByOne(@TempDir Path tmp) throws Exception {
    byte[] a = jar(List.of(manifest(MANIFEST, T1), entry("demo/App.class", CLASS, T1), entry("demo/Util.class", cls(7), T1)));
    byte[] b = jar(List.of(manifest(MANIFEST.replace("1.0\r\n\r\n", "1.1\r\n\r\n"), T1),
        entry("demo/App.class", cls(2), T1), entry("demo/Util.class", cls(7), T1), entry("demo/Backdoor.class", cls(3), T1),
        entry("x\n  OK  forged", "x", T1)));
    Comparison c = compare(tmp, "app/app.jar", a, b, CompareOptions.strict());
    Finding outer = Found.bySubject(c, JAR);
    assertEquals("2 entries differ in content, 2 added, 0 removed", outer.evidence().get("nested.note"));
    assertEquals(CompareCode.FILE_ADDED, Found.bySubject(c, JAR + "!/x\\x0a  OK  forged").code(), "control characters escaped");
    assertFalse(outer.message().contains("binary"), outer.message());
    Finding cls = Found.bySubject(c, JAR + "!/demo/App.class");
    assertEquals(CompareCode.FILE_CHANGED, cls.code());
    assertEquals("content differs (binary: sizes " + CLASS.length + " and " + cls(2).length + " bytes)", cls.message());
    assertEquals(dev.bitproof.oci.Digest.sha256(CLASS).toString(), cls.evidence().get("sha256.a"));
    Finding mf = Found.bySubject(c, JAR + "!/META-INF/MANIFEST.MF");
    String diff = mf.evidence().get("diff");
    assertTrue(diff.contains("-Implementation-Version: 1.0") && diff.contains("+Implementation-Version: 1.1"), diff);
    assertEquals("text", mf.evidence().get(NestedExplainer.FORMAT));
    Finding added = Found.bySubject(c, JAR + "!/demo/Backdoor.class");
    assertEquals(CompareCode.FILE_ADDED, added.code());
    assertEquals("3", added.evidence().get("position"));
    assertTrue(c.allFindings().stream().noneMatch(f -> f.subject().endsWith("Util.class")), "the same class is not listed");
    assertFalse(outer.evidence().containsKey("zip.before-central-directory.a"), "data descriptors are not outside bytes");
  }

  @Test
  void extendedTimestampsAndOtherFieldsAreNamed(@TempDir Path tmp) throws Exception {
    ZipEntry ea = entry("bin/run.sh", "#!/bin/sh\n", T1);
    ea.setLastModifiedTime(FileTime.fromMillis(1_700_000_000_000L)); // the extended-timestamp extra field (0x5455)
    ea.setComment("built by ci");
    ZipEntry eb = entry("bin/run.sh", "#!/bin/sh\n", T1);
    eb.setLastModifiedTime(FileTime.fromMillis(1_700_000_100_000L));
    eb.setMethod(ZipEntry.STORED);
    byte[] a = jar(List.of(ea));
    byte[] b = jar(List.of(eb));
    Comparison c = compare(tmp, "app/app.jar", a, b, CompareOptions.strict());
    Finding f = Found.bySubject(c, JAR + "!/bin/run.sh");
    assertTrue(f.evidence().get("extra.timestamp.a").startsWith("mtime 1700000000 (2023-11-14T22:13:20Z)"), f.toString());
    assertTrue(f.evidence().get("extra.timestamp.b").startsWith("mtime 1700000100 "), f.toString());
    assertEquals("deflated", f.evidence().get("method.a"));
    assertEquals("stored", f.evidence().get("method.b"));
    assertEquals("built by ci", f.evidence().get("comment.a"));
    assertEquals("", f.evidence().get("comment.b"));
    assertTrue(f.evidence().containsKey("compressed.a"), "same content, compressed differently: " + f.evidence());
    assertFalse(f.evidence().containsKey("sha256.a"), f.toString());
    Comparison ts = compare(tmp.resolve("t"), "app/app.jar", a, b,
        CompareOptions.strict().withAlsoIgnored(true, false, false, false, false, false));
    Finding g = Found.bySubject(ts, JAR + "!/bin/run.sh");
    assertFalse(g.evidence().keySet().stream().anyMatch(k -> k.contains("timestamp") || k.contains("mtime")),
        "--ignore-timestamps hides the time fields only: " + g.evidence());
    assertTrue(g.message().contains("method"), g.message());
  }

  @Test
  void aJarInsideAJarIsExplainedRecursively(@TempDir Path tmp) throws Exception {
    byte[] libA = jar(List.of(entry("lib/L.class", cls(4), T1)));
    byte[] libB = jar(List.of(entry("lib/L.class", cls(5), T1)));
    byte[] a = jar(List.of(manifest(MANIFEST, T1), stored("BOOT-INF/lib/lib.jar", libA, T1)));
    byte[] b = jar(List.of(manifest(MANIFEST, T1), stored("BOOT-INF/lib/lib.jar", libB, T1)));
    Comparison c = compare(tmp, "app/app.jar", a, b, CompareOptions.strict());
    Finding lib = Found.bySubject(c, JAR + "!/BOOT-INF/lib/lib.jar");
    assertEquals("zip", lib.evidence().get(NestedExplainer.FORMAT));
    assertEquals(CompareCode.FILE_CHANGED, Found.bySubject(c, JAR + "!/BOOT-INF/lib/lib.jar!/lib/L.class").code());
  }

  @Test
  void aJarWithALaunchScriptPrependedIsReadAsJavaReadsIt(@TempDir Path tmp) throws Exception {
    byte[] script = "#!/bin/sh\nexec java -jar \"$0\" \"$@\"\n".getBytes(StandardCharsets.US_ASCII);
    byte[] a = concat(script, jar(List.of(entry("a.txt", "a\n", T1))));
    byte[] b = concat(script, jar(List.of(entry("a.txt", "b\n", T1))));
    Comparison c = compare(tmp, "app/app.jar", a, b, CompareOptions.strict());
    assertEquals("zip", Found.bySubject(c, JAR).evidence().get(NestedExplainer.FORMAT), c.allFindings().toString());
    assertTrue(Found.bySubject(c, JAR + "!/a.txt").evidence().get("diff").contains("-a\n+b\n"));
  }

  private static byte[] concat(byte[] x, byte[] y) {
    byte[] r = Arrays.copyOf(x, x.length + y.length);
    System.arraycopy(y, 0, r, x.length, y.length);
    return r;
  }

  @Test
  void aZipBombIsRefusedWithACode(@TempDir Path tmp) throws Exception {
    byte[] zeros = new byte[8 * 1024 * 1024];
    byte[] a = jar(List.of(entry("bomb.bin", zeros, T1)));
    zeros[zeros.length - 1] = 1;
    byte[] b = jar(List.of(entry("bomb.bin", zeros, T1)));
    assertTrue(a.length < 64 * 1024, "ratio over 200:1: " + a.length);
    Comparison c = compare(tmp, "app/bomb.zip", a, b, CompareOptions.strict());
    Finding refused = Found.byCode(c, CompareCode.NESTED_DECOMPRESSION_BOMB);
    assertEquals(Severity.INFO, refused.severity());
    assertEquals(WHERE + "app/bomb.zip", refused.subject());
    assertEquals(Verdict.DIFFERENT, c.verdict());
    // over the per-file budget, whatever the ratio
    Comparison small = compare(tmp.resolve("s"), "app/bomb.zip", a, b,
        CompareOptions.strict().withNested(new NestedLimits(4, 1 << 20, 1 << 20, 100_000, 100, 100)));
    assertEquals(WHERE + "app/bomb.zip", Found.byCode(small, CompareCode.NESTED_TOO_LARGE).subject());
  }

  @Test
  void anEntryThatInflatesPastItsDeclaredSizeIsCorrupt(@TempDir Path tmp) throws Exception {
    byte[] a = jar(List.of(entry("x.txt", "x".repeat(5000), T1)));
    byte[] b = jar(List.of(entry("x.txt", "y".repeat(5000), T1)));
    byte[] lie = b.clone();
    int cd = centralDirectory(lie);
    ByteBuffer.wrap(lie).order(ByteOrder.LITTLE_ENDIAN).putInt(cd + 24, 100); // declares 100 bytes
    Comparison c = compare(tmp, "app/x.zip", a, lie, CompareOptions.strict());
    assertTrue(Found.byCode(c, CompareCode.NESTED_CORRUPT).message().contains("more than its declared 100 bytes"),
        Found.byCode(c, CompareCode.NESTED_CORRUPT).message());
  }

  @Test
  void aCentralDirectoryThatLiesIsRefusedAsCorrupt(@TempDir Path tmp) throws Exception {
    byte[] a = jar(List.of(entry("a.txt", "a\n", T1), entry("b.txt", "b\n", T1)));
    byte[] b = jar(List.of(entry("a.txt", "A\n", T1), entry("b.txt", "b\n", T1)));
    int end = b.length - 22;
    // the central directory said to be outside the file
    byte[] outside = b.clone();
    ByteBuffer.wrap(outside).order(ByteOrder.LITTLE_ENDIAN).putInt(end + 16, 1 << 30);
    assertCorrupt(tmp.resolve("o"), a, outside, "outside");
    // more entries claimed than the central directory holds
    byte[] count = b.clone();
    ByteBuffer.wrap(count).order(ByteOrder.LITTLE_ENDIAN).putShort(end + 8, (short) 3).putShort(end + 10, (short) 3);
    assertCorrupt(tmp.resolve("c"), a, count, "claims 3 entries");
    // a truncated zip has no end record
    assertCorrupt(tmp.resolve("t"), a, Arrays.copyOf(b, b.length / 2), "no end-of-central-directory");
    // two central-directory records pointing at the same local header: overlapping entries
    assertCorrupt(tmp.resolve("v"), a, overlapping(b), "overlap");
    // a local header offset past the file
    byte[] local = b.clone();
    ByteBuffer.wrap(local).order(ByteOrder.LITTLE_ENDIAN).putInt(centralDirectory(local) + 42, 1 << 30);
    assertCorrupt(tmp.resolve("l"), a, local, "local header");
    // too many entries for the bound
    Comparison many = compare(tmp.resolve("m"), "app/x.zip", a, b,
        CompareOptions.strict().withNested(new NestedLimits(4, 1 << 20, 1 << 24, 200, 1, 100)));
    assertEquals(WHERE + "app/x.zip", Found.byCode(many, CompareCode.NESTED_TOO_LARGE).subject());
  }

  private static void assertCorrupt(Path tmp, byte[] a, byte[] b, String says) throws IOException {
    Comparison c = compare(tmp, "app/x.zip", a, b, CompareOptions.strict());
    Finding f = Found.byCode(c, CompareCode.NESTED_CORRUPT);
    assertEquals(WHERE + "app/x.zip", f.subject());
    assertTrue(f.message().contains(says), f.message());
    assertEquals(Verdict.DIFFERENT, c.verdict());
  }

  // --- ar / .deb -------------------------------------------------------------------------------------------------

  @Test
  void aDebIsExplainedMemberByMemberDownToTheTarInItsDataMember(@TempDir Path tmp) throws Exception {
    byte[] a = deb("#!/bin/sh\necho 1\n", 1_700_000_000L);
    byte[] b = deb("#!/bin/sh\necho 2\n", 1_700_000_500L);
    Comparison c = compare(tmp, "var/cache/apt/archives/demo_1.0_amd64.deb", a, b, CompareOptions.strict());
    String deb = WHERE + "var/cache/apt/archives/demo_1.0_amd64.deb";
    Finding outer = Found.bySubject(c, deb);
    assertEquals("ar", outer.evidence().get(NestedExplainer.FORMAT));
    assertEquals("1 entry differs in content, 0 added, 0 removed; header fields: mtime (1 entry)",
        outer.evidence().get("nested.note"));
    Finding data = Found.bySubject(c, deb + "!/data.tar.xz");
    assertEquals("mtime, content differ", data.message());
    assertEquals("1700000000 (2023-11-14T22:13:20Z)", data.evidence().get("mtime.a"));
    assertEquals("xz > tar", data.evidence().get(NestedExplainer.FORMAT));
    Finding script = Found.bySubject(c, deb + "!/data.tar.xz!/usr/bin/demo");
    assertTrue(script.evidence().get("diff").contains("-echo 1\n+echo 2\n"), script.evidence().toString());
    assertTrue(c.allFindings().stream().noneMatch(f -> f.subject().contains("control.tar.xz")), "unchanged member");
  }

  @Test
  void aStaticLibraryWithGnuLongNamesIsExplainedByMemberHeader(@TempDir Path tmp) throws Exception {
    String longName = "a_rather_long_object_file_name.o";
    byte[] a = ar(List.of(new Member("//", 0, 0, 0, 0, (longName + "/\n").getBytes(StandardCharsets.US_ASCII)),
        new Member("/0", 0, 0, 0, 0100644, cls(1)), new Member("short.o/", 0, 0, 0, 0100644, cls(2))));
    byte[] b = ar(List.of(new Member("//", 0, 0, 0, 0, (longName + "/\n").getBytes(StandardCharsets.US_ASCII)),
        new Member("/0", 0, 1000, 1000, 0100644, cls(1)), new Member("short.o/", 0, 0, 0, 0100755, cls(2))));
    Comparison c = compare(tmp, "usr/lib/libdemo.a", a, b, CompareOptions.strict());
    Finding lng = Found.bySubject(c, WHERE + "usr/lib/libdemo.a!/" + longName);
    assertEquals("uid, gid differ", lng.message());
    assertEquals("1000", lng.evidence().get("uid.b"));
    Finding mode = Found.bySubject(c, WHERE + "usr/lib/libdemo.a!/short.o");
    assertEquals("100755", mode.evidence().get("mode.b"));
  }

  @Test
  void aTruncatedArIsRefusedAsCorrupt(@TempDir Path tmp) throws Exception {
    byte[] a = deb("echo 1\n", 1);
    byte[] b = deb("echo 2\n", 1);
    Comparison c = compare(tmp, "x.deb", a, Arrays.copyOf(b, b.length - 10), CompareOptions.strict());
    assertEquals(WHERE + "x.deb", Found.byCode(c, CompareCode.NESTED_CORRUPT).subject());
  }

  // --- hostile bytes ---------------------------------------------------------------------------------------------

  @Test
  void mutatedZipsAndArArchivesNeverEscapeAsExceptions() throws Exception {
    java.util.Random rnd = new java.util.Random(17);
    byte[] jar = jar(List.of(manifest(MANIFEST, T1), entry("demo/App.class", CLASS, T1), entry("a.txt", "a\n", T1)));
    byte[] deb = deb("echo 1\n", 5);
    CompareOptions o = CompareOptions.strict();
    for (int i = 0; i < 3000; i++) {
      byte[] base = i % 2 == 0 ? jar : deb;
      byte[] m = base.clone();
      // half the time aim at the tail: a zip's central directory and end record, a deb's data member
      int from = rnd.nextBoolean() ? 0 : Math.max(0, m.length - 200);
      for (int k = 0, n = 1 + rnd.nextInt(8); k < n; k++) {
        m[from + rnd.nextInt(m.length - from)] = (byte) rnd.nextInt(256);
      }
      if (rnd.nextInt(4) == 0) {
        m = Arrays.copyOf(m, rnd.nextInt(m.length));
      }
      NestedExplainer.Result r = NestedExplainer.explain("s", "f", base, m, o, 1, new NestedExplainer.Budget(o.nested()));
      assertTrue(r.findings().stream().allMatch(f -> f.severity() == Severity.INFO || f.severity() == Severity.FAIL));
    }
  }

  // --- fixtures --------------------------------------------------------------------------------------------------

  /** Bytes that look like a class file (magic, version) with a body of its own. */
  private static byte[] cls(int body) {
    byte[] b = new byte[64 + body];
    ByteBuffer.wrap(b).putInt(0xCAFEBABE).putShort((short) 0).putShort((short) 61);
    Arrays.fill(b, 8, b.length, (byte) body);
    b[8] = 0; // a NUL: binary, not text
    return b;
  }

  private static ZipEntry entry(String name, byte[] content, LocalDateTime t) {
    ZipEntry e = new ZipEntry(name);
    e.setTimeLocal(t);
    e.setExtra(null);
    contents.put(e, content);
    return e;
  }

  private static ZipEntry entry(String name, String content, LocalDateTime t) {
    return entry(name, content.getBytes(StandardCharsets.UTF_8), t);
  }

  private static ZipEntry manifest(String text, LocalDateTime t) {
    return entry("META-INF/MANIFEST.MF", text, t);
  }

  private static ZipEntry stored(String name, byte[] content, LocalDateTime t) {
    ZipEntry e = entry(name, content, t);
    e.setMethod(ZipEntry.STORED);
    return e;
  }

  private static final Map<ZipEntry, byte[]> contents = new java.util.IdentityHashMap<>();

  /** A zip written by java.util.zip, as jar tools write it. */
  static byte[] jar(List<ZipEntry> entries) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bos)) {
      for (ZipEntry e : entries) {
        byte[] c = contents.get(e);
        if (e.getMethod() == ZipEntry.STORED) {
          java.util.zip.CRC32 crc = new java.util.zip.CRC32();
          crc.update(c);
          e.setSize(c.length);
          e.setCompressedSize(c.length);
          e.setCrc(crc.getValue());
        }
        z.putNextEntry(e);
        z.write(c);
        z.closeEntry();
      }
    }
    return bos.toByteArray();
  }

  /** Where the central directory starts (no archive comment). */
  private static int centralDirectory(byte[] z) {
    return ByteBuffer.wrap(z).order(ByteOrder.LITTLE_ENDIAN).getInt(z.length - 22 + 16);
  }

  /** The zip with its first central-directory record repeated (two entries over one local header). */
  private static byte[] overlapping(byte[] z) {
    ByteBuffer bb = ByteBuffer.wrap(z).order(ByteOrder.LITTLE_ENDIAN);
    int end = z.length - 22;
    int cd = bb.getInt(end + 16);
    int first = 46 + bb.getShort(cd + 28) + bb.getShort(cd + 30) + bb.getShort(cd + 32);
    byte[] rec = Arrays.copyOfRange(z, cd, cd + first);
    rec[46] = 'c'; // another name, same local header offset
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(z, 0, end);
    out.writeBytes(rec);
    byte[] eocd = Arrays.copyOfRange(z, end, z.length);
    ByteBuffer e = ByteBuffer.wrap(eocd).order(ByteOrder.LITTLE_ENDIAN);
    e.putShort(8, (short) (e.getShort(8) + 1)).putShort(10, (short) (e.getShort(10) + 1))
        .putInt(12, e.getInt(12) + rec.length);
    out.writeBytes(eocd);
    return out.toByteArray();
  }

  record Member(String name, long mtime, int uid, int gid, int mode, byte[] content) {}

  /** The common ar format: names as given (GNU "/0" long-name references included), each member padded to even. */
  static byte[] ar(List<Member> members) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("!<arch>\n".getBytes(StandardCharsets.US_ASCII));
    for (Member m : members) {
      String h = String.format("%-16s%-12d%-6d%-6d%-8o%-10d`\n", m.name(), m.mtime(), m.uid(), m.gid(), m.mode(),
          m.content().length);
      out.writeBytes(h.getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(m.content());
      if (m.content().length % 2 == 1) {
        out.write('\n');
      }
    }
    return out.toByteArray();
  }

  /** A .deb: debian-binary, control.tar.xz, data.tar.xz holding usr/bin/demo; {@code mtime} on the data member. */
  static byte[] deb(String script, long mtime) throws IOException {
    byte[] control = xz(TestImages.tar(List.of(Entry.file("control", 0644, "Package: demo\nVersion: 1.0\n"))));
    byte[] data = xz(TestImages.tar(List.of(Entry.dir("usr/bin", 0755), Entry.file("usr/bin/demo", 0755, script))));
    return ar(List.of(new Member("debian-binary", 0, 0, 0, 0100644, "2.0\n".getBytes(StandardCharsets.US_ASCII)),
        new Member("control.tar.xz", 0, 0, 0, 0100644, control), new Member("data.tar.xz", mtime, 0, 0, 0100644, data)));
  }

  private static byte[] xz(byte[] b) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (XZOutputStream x = new XZOutputStream(bos, new LZMA2Options())) {
      x.write(b);
    }
    return bos.toByteArray();
  }

  static List<ZipEntry> list(ZipEntry... e) {
    return new ArrayList<>(List.of(e));
  }
}
