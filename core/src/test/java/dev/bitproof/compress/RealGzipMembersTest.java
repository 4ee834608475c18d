package dev.bitproof.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.apk.ApkCode;
import dev.bitproof.apk.GzipMembers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every gzip member in shared data that carries pgzip's header (written by klauspost's Go encoder: apko layers,
 * melange APK sections) is reproduced byte for byte by one of our encoder versions and framings: 1 KiB to 6 MiB,
 * text, ELF binaries and already-compressed kernels. Which version reproduces a member dates it: melange
 * packages built in 2025-11 need v1.18.2+, older ones the v1.15.10–v1.18.1 rule.
 */
class RealGzipMembersTest {
  private static final byte[] PGZIP_HEADER = PgzipOutputStream.HEADER;

  record Member(String where, byte[] raw, byte[] content) {}

  static List<Member> pgzipMembers(Path root) throws IOException {
    List<Member> out = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".apk") || p.toString().contains("/blobs/"))
          .sorted().toList();
    }
    for (Path p : files) {
      byte[] head = new byte[2];
      try (InputStream in = Files.newInputStream(p)) {
        if (in.readNBytes(head, 0, 2) < 2 || (head[0] & 0xff) != 0x1f || (head[1] & 0xff) != 0x8b) {
          continue;
        }
      }
      try (InputStream in = Files.newInputStream(p)) {
        GzipMembers g = new GzipMembers(in, p.toString());
        int i = 0;
        while (!g.atEnd()) {
          GzipMembers.Member m = g.next(new GzipMembers.MemberLimits(1L << 30, 100_000, 1L << 30, ApkCode.APK_DECOMPRESSION_BOMB, ApkCode.APK_TOO_LARGE),
              true, ApkCode.APK_NOT_GZIP);
          byte[] content = m.readAllBytes();
          byte[] raw = m.finish().raw();
          if (Arrays.equals(Arrays.copyOf(raw, 10), PGZIP_HEADER)) {
            out.add(new Member(root.relativize(p) + " member " + i, raw, content));
          }
          i++;
        }
      }
    }
    return out;
  }

  /** Which of our encoders make exactly these bytes: "pgzip new", "pgzip old", "single new", "single old". */
  static List<String> reproducers(Member m) {
    List<String> by = new ArrayList<>();
    for (FlateVersion v : FlateVersion.values()) {
      String tag = v == FlateVersion.V1_18_2_AND_LATER ? "new" : "old";
      if (Arrays.equals(m.raw(), ApkoGzip.compress(m.content(), 2, v))) {
        by.add("pgzip " + tag);
      }
      if (m.content().length < 1 << 20 && Arrays.equals(m.raw(), ApkoGzip.gzipSingleStream(m.content(), v))) {
        by.add("single " + tag);
      }
    }
    by.sort(null);
    return by;
  }

  @Test
  void everyKlauspostMemberInSharedDataIsReproduced() throws IOException {
    Path apk = dev.bitproof.testing.SharedData.require("apk");
    Map<String, List<String>> results = new LinkedHashMap<>();
    List<String> unexplained = new ArrayList<>();
    long bytes = 0;
    for (Member m : pgzipMembers(apk)) {
      List<String> by = reproducers(m);
      results.put(m.where(), by);
      bytes += m.content().length;
      if (by.isEmpty()) {
        unexplained.add(m.where() + " (" + m.content().length + " B)");
      }
    }
    assertTrue(results.size() >= 60, "expected the apko layers and melange APK sections, found " + results.size());
    assertTrue(bytes > 20_000_000, "content checked: " + bytes + " bytes");
    assertEquals(List.of(), unexplained, "members no encoder version reproduces");

    // Multi-window members date the encoder: 2025-11 melange needs the v1.18.2 rule, bash-doc the older one.
    assertEquals(List.of("pgzip new"),
        results.get("melange/pkg/sca/testdata/generated/x86_64/linux-vmlinux-6.17.7-r0.apk member 1"));
    assertEquals(List.of("pgzip new"),
        results.get("melange/pkg/sca/testdata/generated/x86_64/nvidia-driver-590.48.01-r0.apk member 1"));
    assertEquals(List.of("pgzip old"), results.get("melange/pkg/sca/testdata/bash-doc-5.2.37-r2.apk member 1"));
    // apko's golden layers are a single window: both versions agree.
    assertEquals(List.of("pgzip new", "pgzip old"), results.get(
        "apko/internal/cli/testdata/golden/blobs/sha256/c7557730da0e2d7fb242d8d1ac6dcf7e3a2439732aa5981270b4f3a02454b738 member 0"));
    // melange's control sections: one deflate stream, no pgzip blocks.
    assertTrue(results.get("melange/pkg/sca/testdata/perl-json-4.11-r0.apk member 0").contains("single new"));
  }
}
