package dev.bitproof.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.image.ImageFilesystem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/** Hostile or odd layer contents: bounded, reported, never a crash or a false package. */
class LanguageScanTest {
  static LanguageScan.Result scan(TestLayers t) throws Exception {
    byte[] tar = t.tar();
    ImageFilesystem fs = new ImageFilesystem.Builder().addLayer(new ByteArrayInputStream(tar), "t", ImageContents.KEEP).build();
    return new LanguageScan().layer(new ByteArrayInputStream(tar), "t").result(fs);
  }

  @Test
  void brokenMetadataIsReportedNotFatal() throws Exception {
    LanguageScan.Result r = scan(new TestLayers().file("node_modules/x/package.json", "{\"name\": \"x\", \"version\": ")
        .file("node_modules/y/package.json", "{\"name\":\"y\",\"version\":\"1.0.0\"}")
        .file("lib/p-1.dist-info/METADATA", "Name: p\nVersion: 1\n" + "x".repeat(LanguageScan.MAX_METADATA)));
    assertEquals(1, r.packages().size(), r.packages().toString());
    assertEquals(2, r.limited().size(), r.limited().toString());
    // a package.json that is not a package's own (no name/version, or deeper than the package directory)
    LanguageScan.Result none = scan(new TestLayers().file("node_modules/x/lib/package.json", "{\"name\":\"z\",\"version\":\"1\"}")
        .file("node_modules/w/package.json", "{\"private\":true}"));
    assertEquals(0, none.packages().size(), none.packages().toString());
  }

  @Test
  void goMagicWithoutFramedModuleTextIsNoPackage() throws Exception {
    byte[] elf = new byte[4096];
    elf[0] = 0x7f;
    elf[1] = 'E';
    elf[2] = 'L';
    elf[3] = 'F';
    System.arraycopy(GoBuildInfo.MAGIC, 0, elf, 1000, GoBuildInfo.MAGIC.length);
    elf[1000 + 14] = 8;
    elf[1000 + 15] = 2;
    elf[1000 + 32] = 5; // "go1.x" then a module string without the sentinels
    System.arraycopy("go1.x".getBytes(StandardCharsets.US_ASCII), 0, elf, 1033, 5);
    elf[1038] = 4;
    assertEquals(0, scan(new TestLayers().file("bin/fake", elf)).packages().size());
  }

  @Test
  void goBuildInfoAcrossChunkBoundariesIsFound() throws Exception {
    String mod = "path\tex.com/m\nmod\tex.com/m\t(devel)\t\ndep\tex.com/d\tv1.0.0\th1:" + java.util.Base64.getEncoder()
        .encodeToString(new byte[32]) + "\n";
    byte[] modBytes = concat(HexFormat.of().parseHex("3077af0c9274080241e1c107e6d618e6"), mod.getBytes(StandardCharsets.UTF_8),
        HexFormat.of().parseHex("f932433186182072008242104116d8f2"));
    byte[] info = concat(Arrays.copyOf(GoBuildInfo.MAGIC, 32), new byte[] {8}, "go1.22.1".getBytes(StandardCharsets.US_ASCII),
        varint(modBytes.length), modBytes);
    info[14] = 8;
    info[15] = 2;
    byte[] elf = new byte[200_000];
    elf[0] = 0x7f;
    elf[1] = 'E';
    elf[2] = 'L';
    elf[3] = 'F';
    int at = (1 << 16) - 7; // the magic straddles the scanner's first read
    System.arraycopy(info, 0, elf, at, info.length);
    LanguageScan.Result r = scan(new TestLayers().file("bin/m", elf));
    assertEquals(3, r.packages().size(), r.packages().toString()); // stdlib, main module, dep
    assertTrue(r.packages().stream().anyMatch(p -> p.name().equals("stdlib") && p.version().equals("v1.22.1")));
    assertTrue(r.packages().stream().anyMatch(p -> p.name().equals("ex.com/d") && p.sha256().orElse("").equals("0".repeat(64))));
  }

  @Test
  void jarsNestedDeeperThanTheLimitAreNotRead() throws Exception {
    byte[] jar = zip("META-INF/maven/g/a4/pom.properties", "groupId=g\nartifactId=a4\nversion=4\n".getBytes(StandardCharsets.UTF_8));
    for (int i = 3; i >= 1; i--) {
      jar = zip("META-INF/maven/g/a" + i + "/pom.properties", ("groupId=g\nartifactId=a" + i + "\nversion=" + i + "\n")
          .getBytes(StandardCharsets.UTF_8), "lib/inner.jar", jar);
    }
    LanguageScan.Result r = scan(new TestLayers().file("app/x.jar", jar));
    assertEquals(java.util.Set.of("g/a1", "g/a2", "g/a3"), r.packages().stream().map(LanguagePackage::name)
        .collect(java.util.stream.Collectors.toSet()), "depth " + LanguageScan.MAX_JAR_DEPTH);
  }

  static byte[] zip(Object... nameThenBytes) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      for (int i = 0; i < nameThenBytes.length; i += 2) {
        z.putNextEntry(new ZipEntry((String) nameThenBytes[i]));
        z.write((byte[]) nameThenBytes[i + 1]);
        z.closeEntry();
      }
    }
    return out.toByteArray();
  }

  static byte[] varint(int n) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    while (n >= 0x80) {
      o.write((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    o.write(n);
    return o.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      o.writeBytes(p);
    }
    return o.toByteArray();
  }
}
