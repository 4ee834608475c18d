package dev.bitproof.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bitproof.oci.Digest;
import dev.bitproof.testing.SharedCsvSource;
import dev.bitproof.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * apko's published layers, decompressed and compressed again with our encoder, must come back byte for byte:
 * the golden layers of apko's TestBuild (klauspost v1.18.4) and the base image layers (an older apko, 2024-03).
 */
class ApkoGzipGoldenTest {
  @ParameterizedTest(name = "{0} {1}")
  @SharedCsvSource(data = "apk/apko/internal/cli/testdata", value = {
      "golden, c7557730da0e2d7fb242d8d1ac6dcf7e3a2439732aa5981270b4f3a02454b738, 3072",
      "golden, 7e0f9d62f6cab4785e18a55f17d03f20ffb776881f1f46258efd9458f7cdaf08, 3079",
      "base_image, 583625b6164fff3b017f62b9fcd60cb53fff18a7e89ee538212134a13fc29fb1, 4123",
      "base_image, bf74ddaf55d32ec9672a0a40efc6cb1bf0a167763c18fc22586c8a301167822f, 4126",
  })
  void recompressedLayerIsByteIdentical(String layout, String hex, int size) throws IOException {
    Path blob = SharedData.require("apk/apko/internal/cli/testdata/" + layout + "/blobs/sha256/" + hex);
    byte[] published = Files.readAllBytes(blob);
    assertEquals(size, published.length);
    byte[] tar = PgzipRoundTripTest.gunzip(published);

    for (int parallelism : new int[] {1, 2}) {
      byte[] ours = ApkoGzip.compress(tar, parallelism);
      assertEquals(Digest.parse("sha256:" + hex), Digest.sha256(ours),
          () -> "layer " + hex + " (" + tar.length + " B tar): first difference at byte " + firstDifference(published, ours)
              + " of " + published.length + " published / " + ours.length + " ours");
    }
  }

  static String firstDifference(byte[] a, byte[] b) {
    int n = Math.min(a.length, b.length);
    for (int i = 0; i < n; i++) {
      if (a[i] != b[i]) {
        return i + " (expected " + HexFormat.of().toHexDigits(a[i]) + ", got " + HexFormat.of().toHexDigits(b[i]) + ")";
      }
    }
    return a.length == b.length ? "none" : String.valueOf(n) + " (length)";
  }
}
