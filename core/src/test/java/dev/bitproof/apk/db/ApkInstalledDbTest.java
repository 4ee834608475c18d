package dev.bitproof.apk.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.CheckException;
import dev.bitproof.testing.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApkInstalledDbTest {
  static byte[] goldenInstalled() throws Exception {
    var layer = SharedData.apkoTestdata().resolve(
        "golden/blobs/sha256/c7557730da0e2d7fb242d8d1ac6dcf7e3a2439732aa5981270b4f3a02454b738");
    try (InputStream in = new GZIPInputStream(Files.newInputStream(layer)); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = t.getNextEntry()) != null) {
        if (e.getName().equals("usr/lib/apk/db/installed")) {
          ByteArrayOutputStream b = new ByteArrayOutputStream();
          t.transferTo(b);
          return b.toByteArray();
        }
      }
    }
    throw new AssertionError("no installed db in the golden layer");
  }

  @Test
  void parsesApkosGoldenDatabase() throws Exception {
    ApkInstalledDb db = ApkInstalledDb.parse(goldenInstalled(), "golden");
    assertEquals(List.of("pretend-baselayout", "replayout"), db.packages().stream().map(ApkInstalledDb.Package::name).toList());
    ApkInstalledDb.Package r = db.get("replayout").orElseThrow();
    assertEquals("1.0.0-r0", r.version());
    assertEquals("x86_64", r.arch());
    assertEquals("Q11/HhSewwwOXgl0r0ffb0O0BRtYc=", r.controlChecksum().orElseThrow().text());
    assertEquals(List.of("etc/os-release", "var/lib/db/sbom/replayout-1.0.0-r0.spdx.json"),
        r.files().stream().map(ApkInstalledDb.InstalledFile::path).toList());
    ApkInstalledDb.Checksum z = r.files().get(0).checksum().orElseThrow();
    assertEquals("SHA-1", z.algorithm());
    assertEquals("ca5e527bbb8a5cc9c4c2d2b4e29618d8ca3be5f8", z.hex());
    assertTrue(r.directories().contains("var/lib/db/sbom"));
  }

  @Test
  void hexAndQ2ChecksumsAreAccepted() {
    ApkInstalledDb db = ApkInstalledDb.parse(("P:a\nV:1-r0\nF:bin\nR:x\nZ:" + "ab".repeat(20) + "\nR:y\nZ:Q2"
        + java.util.Base64.getEncoder().encodeToString(new byte[32]) + "\n").getBytes(StandardCharsets.UTF_8), "t");
    assertEquals("SHA-1", db.packages().get(0).files().get(0).checksum().orElseThrow().algorithm());
    assertEquals("SHA-256", db.packages().get(0).files().get(1).checksum().orElseThrow().algorithm());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "P:a\nV:1\nR:orphan\n",                 // file before any directory
      "P:a\nV:1\nF:bin\nZ:Q1AAAA\n",          // checksum without a file
      "P:a\nV:1\nF:bin\nR:x\nZ:Q1notbase64!\n", // bad checksum
      "P:a\nV:1\nF:bin\nR:x\nZ:Q1AAAA\n",     // wrong length
      "P:a\nV:1\nF:bin\nR:../../etc/x\n",     // file name with a slash
      "P:a\nV:1\nthis is not a field\n",      // not X:value
      "V:1\nF:bin\n",                         // no name
      "P:a\nV:1\nt:yesterday\n",              // build time not a number
  })
  void malformedDatabasesAreRefusedWithAStableCode(String db) {
    CheckException e = assertThrows(CheckException.class, () -> ApkInstalledDb.parse(db.getBytes(StandardCharsets.UTF_8), "t"));
    assertTrue(e.code().equals(ApkDbCode.APK_DB_INVALID) || e.code().equals(ApkDbCode.APK_DB_CHECKSUM_INVALID), e.toString());
    assertEquals(CheckException.Kind.INTEGRITY, e.kind());
  }

  /** A database as apko writes one: M:/a: lines, a Z: per file, the last record ending without a blank line. */
  static final String TWO_RECORDS = """
      P:base
      V:1.0-r0
      A:x86_64
      D:so:libc.so
      p:cmd:base=1.0
      i:[]
      t:1700000000
      S:2330
      I:2899
      k:0
      C:Q1cs+Hlyu5sY+1mmwKPedcRWj8E24=
      F:
      R:top
      F:etc
      M:0:0:0700
      R:os-release
      a:0:0:0600
      Z:Q1ylUnu7uKXMnEwtK0tOKWGNjKO/g=
      F:etc/ssl
      R:../../escape-free

      P:last
      V:2
      F:usr/bin
      R:tool
      """;

  @Test
  void strictModeKeepsChecksumsAndTheLastRecord() {
    ApkInstalledDb db = ApkInstalledDb.parse(TWO_RECORDS.replace("R:../../escape-free\n", "").getBytes(StandardCharsets.UTF_8), "t");
    assertEquals(List.of("base", "last"), db.packages().stream().map(ApkInstalledDb.Package::name).toList());
    ApkInstalledDb.Package b = db.packages().get(0);
    assertEquals(List.of("top", "etc/os-release"), b.files().stream().map(ApkInstalledDb.InstalledFile::path).toList());
    assertEquals("SHA-1", b.files().get(1).checksum().orElseThrow().algorithm());
    assertEquals(Optional.of("[]"), b.installIf());
    assertEquals(Optional.empty(), b.replaces());
    assertEquals(List.of("cmd:base=1.0"), b.provideNames());
    assertEquals(2330, b.size());
    assertEquals(2899, b.installedSize());
    assertEquals(1700000000, b.buildTime());
  }

  @Test
  void strictModeRefusesAPathInAFileLine() {
    CheckException e = assertThrows(CheckException.class,
        () -> ApkInstalledDb.parse(TWO_RECORDS.getBytes(StandardCharsets.UTF_8), "t"));
    assertEquals(ApkDbCode.APK_DB_INVALID, e.code());
    assertEquals("t:20", e.subject());
  }

  @Test
  void apkoModeReadsAsGoApksParseInstalled() {
    ApkInstalledDb db = ApkInstalledDb.parse(TWO_RECORDS.getBytes(StandardCharsets.UTF_8), "t", ApkInstalledDb.Mode.APKO);
    // the last record is not followed by an empty line: go-apk never appends it
    assertEquals(List.of("base"), db.packages().stream().map(ApkInstalledDb.Package::name).toList());
    ApkInstalledDb.Package b = db.packages().get(0);
    // R: joined and cleaned as filepath.Join; Z: not read back; entries keep F:/R: order, the empty top F: left out
    assertEquals(List.of("top", "etc", "etc/os-release", "etc/ssl", "escape-free"),
        b.entries().stream().map(ApkInstalledDb.Entry::path).toList());
    assertEquals(List.of(false, true, false, true, false),
        b.entries().stream().map(ApkInstalledDb.Entry::directory).toList());
    assertTrue(b.files().stream().allMatch(f -> f.checksum().isEmpty()));
    assertEquals("Q1cs+Hlyu5sY+1mmwKPedcRWj8E24=", b.controlChecksum().orElseThrow().text());
  }

  @Test
  void apkoModeSkipsNamelessRecordsAndDropsCarriageReturns() {
    ApkInstalledDb db = ApkInstalledDb.parse("V:1\nF:x\n\nP:a\r\nV:2\r\nC:Q2AAAA\n\n".getBytes(StandardCharsets.UTF_8), "t",
        ApkInstalledDb.Mode.APKO);
    assertEquals(List.of("a"), db.packages().stream().map(ApkInstalledDb.Package::name).toList());
    assertEquals("2", db.packages().get(0).version());
    assertTrue(db.packages().get(0).controlChecksum().isEmpty(), "a C: that is not Q1 is left out, as go-apk does");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "P:x\nnot a line\n\n",
      "P:x\nF:etc\nR:../../x\n\n",        // leaves the root once cleaned
      "P:x\nt:soon\n\n",
      "P:x\nS:-1\n\n",                      // ParseUint
      "P:x\nF:\nM:0:0:0700\n\n",           // M: without a directory
      "P:x\nF:etc\na:0:0:0600\n\n",        // a: without a file
  })
  void apkoModeRefusesWhatGoApkRefusesAndEscapes(String db) {
    CheckException e = assertThrows(CheckException.class,
        () -> ApkInstalledDb.parse(db.getBytes(StandardCharsets.UTF_8), "t", ApkInstalledDb.Mode.APKO));
    assertEquals(ApkDbCode.APK_DB_INVALID, e.code());
  }
}
