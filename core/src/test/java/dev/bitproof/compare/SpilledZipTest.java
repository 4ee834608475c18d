package dev.bitproof.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.Finding;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jars too large to hold (over {@link NestedLimits#maxFileSize()}), explained from files read at positions
 * ({@link NestedExplainer#explainFiles}): only the central directory and local headers are held, and only entries
 * whose stored bytes differ are inflated, one at a time. The jars are written by this test (random, incompressible
 * entries, so the files are as large as they say); one run is a child JVM limited to {@code -Xmx64m}.
 */
class SpilledZipTest {
  private static final String SUBJECT = "layer 0 app/app.jar";
  private static final LocalDateTime T1 = LocalDateTime.of(2024, 1, 2, 3, 4, 6);
  private static final LocalDateTime T2 = LocalDateTime.of(2025, 6, 7, 8, 9, 10);
  private static final int CHUNK = 64 * 1024;

  /** A jar of {@code mib} MiB of random 64 KiB entries (the same seed: the same contents), all at time {@code t}. */
  static Path jar(Path file, int mib, LocalDateTime t, int changedEntry, byte[] extraEntry) throws IOException {
    return jarOf(file, mib * 16, t, changedEntry, extraEntry);
  }

  static Path jarOf(Path file, int entries, LocalDateTime t, int changedEntry, byte[] extraEntry) throws IOException {
    Random r = new Random(42);
    byte[] buf = new byte[CHUNK];
    try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
      for (int i = 0; i < entries; i++) {
        r.nextBytes(buf);
        if (i == changedEntry) {
          buf[100] ^= 1;
        }
        ZipEntry e = new ZipEntry("demo/C" + i + ".class");
        e.setTimeLocal(t);
        z.putNextEntry(e);
        z.write(buf);
        z.closeEntry();
      }
      if (extraEntry != null) {
        ZipEntry e = new ZipEntry("bomb.bin");
        e.setTimeLocal(t);
        z.putNextEntry(e);
        z.write(extraEntry);
        z.closeEntry();
      }
    }
    return file;
  }

  static NestedExplainer.Result explain(Path a, Path b) {
    CompareOptions o = CompareOptions.strict();
    return NestedExplainer.explainFiles(SUBJECT, "app/app.jar", a, b, o, 1, new NestedExplainer.Budget(o.nested()));
  }

  @Test
  void aThreeMibJarDifferingOnlyInTimestampsIsSaidToBeExactlyThat(@TempDir Path tmp) throws Exception {
    Path a = jar(tmp.resolve("a.jar"), 3, T1, -1, null);
    Path b = jar(tmp.resolve("b.jar"), 3, T2, -1, null);
    assertTrue(Files.size(a) > 3 << 20 && Files.size(a) > NestedLimits.DEFAULT.maxFileSize());
    NestedExplainer.Result r = explain(a, b);
    assertEquals("zip", r.evidence().get(NestedExplainer.FORMAT), r.toString());
    assertEquals("the same 48 entries with the same contents; only entry headers differ: mtime (48 entries)",
        r.evidence().get("nested.note"));
    assertEquals(48, r.findings().size());
    for (Finding f : r.findings()) {
      assertEquals(CompareCode.FILE_CHANGED, f.code());
      assertEquals("mtime differs", f.message());
      assertEquals("2024-01-02 03:04:06", f.evidence().get("mtime.a"));
      assertEquals("2025-06-07 08:09:10", f.evidence().get("mtime.b"));
    }
  }

  @Test
  void aFiveMibJarWithOneChangedClassNamesThatClass(@TempDir Path tmp) throws Exception {
    Path a = jar(tmp.resolve("a.jar"), 5, T1, -1, null);
    Path b = jar(tmp.resolve("b.jar"), 5, T1, 37, null);
    NestedExplainer.Result r = explain(a, b);
    assertEquals("1 entry differs in content, 0 added, 0 removed", r.evidence().get("nested.note"), r.toString());
    assertEquals(1, r.findings().size(), r.findings().toString());
    Finding f = r.findings().get(0);
    assertEquals(CompareCode.FILE_CHANGED, f.code());
    assertEquals(SUBJECT + "!/demo/C37.class", f.subject());
    assertEquals("content differs (binary: sizes 65536 and 65536 bytes)", f.message());
  }

  @Test
  void aZipBombInsideALargeJarStopsOnlyItsExplanation(@TempDir Path tmp) throws Exception {
    byte[] zeros = new byte[12 << 20];
    byte[] ones = zeros.clone();
    ones[ones.length - 1] = 1;
    Path a = jar(tmp.resolve("a.jar"), 2, T1, -1, zeros);
    Path b = jar(tmp.resolve("b.jar"), 2, T1, -1, ones);
    NestedExplainer.Result r = explain(a, b);
    assertEquals(List.of(CompareCode.NESTED_DECOMPRESSION_BOMB),
        r.findings().stream().map(Finding::code).toList(), r.findings().toString());
    assertTrue(r.findings().get(0).message().contains("bomb.bin"), r.findings().get(0).message());
  }

  /** 9000 entries with 500-character names: a 5 MiB central directory, past the 4 MiB held for it. */
  @Test
  void aCentralDirectoryLargerThanItsBoundIsRefused(@TempDir Path tmp) throws Exception {
    Path[] files = {tmp.resolve("a.jar"), tmp.resolve("b.jar")};
    for (int k = 0; k < 2; k++) {
      try (OutputStream os = Files.newOutputStream(files[k]); ZipOutputStream z = new ZipOutputStream(os)) {
        for (int i = 0; i < 9000; i++) {
          ZipEntry e = new ZipEntry(String.format("%0500d", i));
          e.setTimeLocal(k == 0 ? T1 : T2);
          z.putNextEntry(e);
          z.closeEntry();
        }
      }
    }
    NestedExplainer.Result r = explain(files[0], files[1]);
    assertEquals(List.of(CompareCode.NESTED_TOO_LARGE), r.findings().stream().map(Finding::code).toList());
    assertTrue(r.findings().get(0).message().contains("central directory"), r.findings().get(0).message());
  }

  @Test
  void aTruncatedLargeJarIsCorruptNotAnError(@TempDir Path tmp) throws Exception {
    Path a = jar(tmp.resolve("a.jar"), 2, T1, -1, null);
    Path b = jar(tmp.resolve("b.jar"), 2, T2, -1, null);
    try (var ch = java.nio.channels.FileChannel.open(b, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 100);
    }
    NestedExplainer.Result r = explain(a, b);
    assertEquals(List.of(CompareCode.NESTED_CORRUPT), r.findings().stream().map(Finding::code).toList());
  }

  /** Two 48 MiB jars (timestamps and one class apart) explained by a child JVM with a 64 MiB heap. */
  @Test
  void twoJarsLargerThanTheHeapAreExplainedUnderSixtyFourMib(@TempDir Path tmp) throws Exception {
    Path a = jar(tmp.resolve("a.jar"), 48, T1, -1, null);
    Path b = jar(tmp.resolve("b.jar"), 48, T2, 500, null);
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-cp", System.getProperty("java.class.path"), Child.class.getName(), a.toString(), b.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "child did not end");
    assertEquals(0, p.exitValue(), "ran out of its 64 MiB heap or failed:\n" + out);
    assertTrue(out.contains("note 1 entry differs in content, 0 added, 0 removed; header fields: mtime (768 entries)"),
        out);
    assertTrue(out.contains("finding FILE_CHANGED " + SUBJECT + "!/demo/C500.class mtime, content differ"), out);
  }

  // --- whole comparisons: spilled while the layer streams ------------------------------------------------------

  private static final String JAR = "linux/amd64 layer 0 app/app.jar";

  static Path image(Path dir, Path jar, boolean truncated) throws IOException {
    byte[] bytes = Files.readAllBytes(jar);
    if (!truncated) {
      new dev.bitproof.testing.TestImages().layer(dev.bitproof.testing.TestImages.Entry.dir("app", 0755),
          dev.bitproof.testing.TestImages.Entry.file("app/app.jar", 0644, bytes)).writeTo(dir);
      return dir;
    }
    // the layer ends in the middle of the file after the jar: the comparison fails once the jar is spilled
    byte[] tar = dev.bitproof.testing.TestImages.tar(List.of(dev.bitproof.testing.TestImages.Entry.dir("app", 0755),
        dev.bitproof.testing.TestImages.Entry.file("app/app.jar", 0644, bytes),
        dev.bitproof.testing.TestImages.Entry.file("app/z.bin", 0644, new byte[100_000])));
    new dev.bitproof.testing.TestImages().writeTars(dir, List.of(java.util.Arrays.copyOf(tar, tar.length - 60_000)));
    return dir;
  }


  @Test
  void twoImagesWhoseThreeMibJarDiffersOnlyInTimestampsAreSaidToDifferExactlyThere(@TempDir Path tmp)
      throws Exception {
    Path a = image(tmp.resolve("ia"), jar(tmp.resolve("a.jar"), 3, T1, -1, null), false);
    Path b = image(tmp.resolve("ib"), jar(tmp.resolve("b.jar"), 3, T2, -1, null), false);
    Comparison c = ImageComparatorTest.compare(a, b, CompareOptions.strict());
    assertEquals(Verdict.DIFFERENT, c.verdict());
    Finding outer = Found.bySubject(c, JAR);
    assertEquals("zip", outer.evidence().get(NestedExplainer.FORMAT), outer.toString());
    assertEquals("the same 48 entries with the same contents; only entry headers differ: mtime (48 entries)",
        outer.evidence().get("nested.note"));
    List<Finding> in = c.allFindings().stream().filter(f -> f.subject().startsWith(JAR + "!/")).toList();
    assertEquals(48, in.size());
    assertTrue(in.stream().allMatch(f -> f.message().equals("mtime differs")), in.toString());
  }

  @Test
  void twoImagesWhoseFiveMibJarHasOneChangedClassNameIt(@TempDir Path tmp) throws Exception {
    Path a = image(tmp.resolve("ia"), jar(tmp.resolve("a.jar"), 5, T1, -1, null), false);
    Path b = image(tmp.resolve("ib"), jar(tmp.resolve("b.jar"), 5, T1, 3, null), false);
    Comparison c = ImageComparatorTest.compare(a, b, CompareOptions.strict());
    assertEquals("1 entry differs in content, 0 added, 0 removed", Found.bySubject(c, JAR).evidence().get("nested.note"));
    assertEquals(CompareCode.FILE_CHANGED, Found.bySubject(c, JAR + "!/demo/C3.class").code());
  }

  /** A's jar is held (900 KiB), B's spilled (3 MiB): a jar that grew past the held bound is explained too. */
  @Test
  void aJarHeldOnOneSideAndSpilledOnTheOtherIsExplained(@TempDir Path tmp) throws Exception {
    Path a = image(tmp.resolve("ia"), jarOf(tmp.resolve("a.jar"), 14, T1, -1, null), false);
    Path b = image(tmp.resolve("ib"), jar(tmp.resolve("b.jar"), 3, T1, -1, null), false);
    assertTrue(Files.size(tmp.resolve("a.jar")) < NestedLimits.DEFAULT.maxFileSize());
    Comparison c = ImageComparatorTest.compare(a, b, CompareOptions.strict());
    assertEquals("0 entries differ in content, 34 added, 0 removed", Found.bySubject(c, JAR).evidence().get("nested.note"));
    assertEquals(CompareCode.FILE_ADDED, Found.bySubject(c, JAR + "!/demo/C47.class").code());
  }

  /** B has another layer count: the merged filesystems are compared, and the jar explained from its spill there. */
  @Test
  void aSpilledJarIsExplainedInTheMergedComparisonToo(@TempDir Path tmp) throws Exception {
    Path a = image(tmp.resolve("ia"), jar(tmp.resolve("a.jar"), 3, T1, -1, null), false);
    byte[] jb = Files.readAllBytes(jar(tmp.resolve("b.jar"), 3, T2, -1, null));
    Path b = tmp.resolve("ib");
    new dev.bitproof.testing.TestImages().layer(dev.bitproof.testing.TestImages.Entry.dir("app", 0755))
        .layer(dev.bitproof.testing.TestImages.Entry.file("app/app.jar", 0644, jb)).writeTo(b);
    Comparison c = ImageComparatorTest.compare(a, b, CompareOptions.strict());
    Finding outer = Found.bySubject(c, "linux/amd64 merged app/app.jar");
    assertEquals("the same 48 entries with the same contents; only entry headers differ: mtime (48 entries)",
        outer.evidence().get("nested.note"), outer.toString());
  }

  @Test
  void aSpillPastTheBudgetIsNotMadeAndSaysSo(@TempDir Path tmp) throws Exception {
    Path a = image(tmp.resolve("ia"), jar(tmp.resolve("a.jar"), 3, T1, -1, null), false);
    Path b = image(tmp.resolve("ib"), jar(tmp.resolve("b.jar"), 3, T2, -1, null), false);
    Path temp = Files.createDirectories(tmp.resolve("temp"));
    String out = child(temp, "compare", a.toString(), b.toString(), String.valueOf(4L << 20));
    assertTrue(out.contains("finding NESTED_TOO_LARGE INFO " + JAR + " not spilled to disk: "), out);
    assertTrue(out.contains("spill budget of 4194304"), out);
    assertTrue(out.contains("finding FILE_CHANGED FAIL " + JAR + " content differs (binary or large"), out);
    assertEquals(List.of(), leftIn(temp));
  }

  @Test
  void aComparisonThatFailsAfterSpillingLeavesNothingBehind(@TempDir Path tmp) throws Exception {
    Path a = image(tmp.resolve("ia"), jar(tmp.resolve("a.jar"), 3, T1, -1, null), false);
    Path b = image(tmp.resolve("ib"), jar(tmp.resolve("b.jar"), 3, T2, -1, null), true);
    Path temp = Files.createDirectories(tmp.resolve("temp"));
    String out = child(temp, "compare", a.toString(), b.toString(), String.valueOf(NestedLimits.DEFAULT_SPILL_TOTAL));
    assertTrue(out.contains("failed TAR_TRUNCATED"), out);
    assertEquals(List.of(), leftIn(temp));
  }

  /** Two images whose 48 MiB jar differs in timestamps and one class, compared by a child JVM with a 64 MiB heap. */
  @Test
  void imagesWithAJarLargerThanTheHeapAreComparedUnderSixtyFourMib(@TempDir Path tmp) throws Exception {
    Path a = image(tmp.resolve("ia"), jar(tmp.resolve("a.jar"), 48, T1, -1, null), false);
    Path b = image(tmp.resolve("ib"), jar(tmp.resolve("b.jar"), 48, T2, 3, null), false);
    Path temp = Files.createDirectories(tmp.resolve("temp"));
    String out = child(temp, "compare", a.toString(), b.toString(), String.valueOf(NestedLimits.DEFAULT_SPILL_TOTAL));
    assertTrue(out.contains("note 1 entry differs in content, 0 added, 0 removed; header fields: mtime (768 entries)"),
        out);
    assertTrue(out.contains("finding FILE_CHANGED FAIL " + JAR + "!/demo/C3.class mtime, content differ"), out);
    assertEquals(List.of(), leftIn(temp));
  }

  private static List<Path> leftIn(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.toList();
    }
  }

  /** Runs {@link Child} under a 64 MiB heap with its own temp directory; returns its output. */
  static String child(Path temp, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-Djava.io.tmpdir=" + temp, "-cp", System.getProperty("java.class.path"), Child.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "child did not end");
    assertEquals(0, p.exitValue(), "ran out of its 64 MiB heap or failed:\n" + out);
    return out;
  }

  /** The child: explains two jar files, or compares two images; prints the outcome. */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      if (args[0].equals("compare")) {
        CompareOptions o = CompareOptions.strict().withNested(
            NestedLimits.DEFAULT.withSpill(NestedLimits.DEFAULT_SPILL_FILE, Long.parseLong(args[3])));
        try {
          Comparison c = ImageComparatorTest.compare(Path.of(args[1]), Path.of(args[2]), o);
          System.out.println("verdict " + c.verdict());
          for (Finding f : c.allFindings()) {
            if (f.subject().equals(JAR) && f.evidence().containsKey("nested.note")) {
              System.out.println("note " + f.evidence().get("nested.note"));
            }
            if (!f.message().equals("mtime differs")) {
              System.out.println("finding " + f.code() + " " + f.severity() + " " + f.subject() + " " + f.message());
            }
          }
        } catch (dev.bitproof.report.CheckException e) {
          System.out.println("failed " + e.code() + " " + e.getMessage());
        }
        return;
      }
      NestedExplainer.Result r = explain(Path.of(args[0]), Path.of(args[1]));
      System.out.println("note " + r.evidence().get("nested.note"));
      for (Finding f : r.findings()) {
        if (!f.message().equals("mtime differs")) {
          System.out.println("finding " + f.code() + " " + f.subject() + " " + f.message());
        }
      }
    }
  }
}
