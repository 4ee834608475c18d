package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestLayouts;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bitproof recompress} on the demo's published image, a single blob, a zlib blob and a missing file. */
class RecompressCommandTest {
  /**
   * The image walk on the demo's published image (testdata/demo, our build with apko's compressor): every layer
   * reproduced; the same image with its layers re-gzipped by Java's deflater: every layer has the same content
   * (diffId) and is not reproduced. That apko's own golden layers are reproduced byte for byte is core's
   * ApkoGzipGoldenTest (the same encoder this command runs).
   */
  @Test
  void everyLayerOfAnImageIsCheckedAndAnotherCompressorIsCaught(@TempDir Path tmp) throws Exception {
    Path demo = SharedData.testdata("demo/published");
    Run r = run("recompress", "oci:" + demo, "--format", "json");
    assertEquals(0, r.code(), r.err() + r.out());
    JsonNode j = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout");
    assertEquals("PASS", j.get("result").asText());
    assertEquals(2, j.get("checked").asInt());
    assertEquals(2, j.get("reproduced").asInt());
    for (JsonNode f : j.get("findings")) {
      assertEquals("LAYER_COMPRESSION_REPRODUCED", f.get("code").asText(), f.toString());
      String digest = f.get("evidence").get("digest").asText();
      assertEquals(digest, Digest.sha256(Files.readAllBytes(demo.resolve("blobs/sha256/" + digest.substring(7)))).toString(),
          "names a layer blob of the image");
    }

    Path other = TestLayouts.rewrite(demo, tmp.resolve("java-gzip"), null, null, true);
    Run o = run("recompress", "oci:" + other, "--format", "json");
    assertEquals(1, o.code(), o.err() + o.out());
    JsonNode oj = Json.parse(o.out().getBytes(StandardCharsets.UTF_8), "stdout");
    assertEquals("FAIL", oj.get("result").asText());
    assertEquals(2, oj.get("checked").asInt());
    assertEquals(0, oj.get("reproduced").asInt());
    for (int i = 0; i < 2; i++) {
      JsonNode f = oj.get("findings").get(i);
      assertEquals("LAYER_COMPRESSION_NOT_REPRODUCED", f.get("code").asText(), f.toString());
      assertTrue(f.path("evidence").path("diffId").asText().startsWith("sha256:"), f.toString());
      assertEquals(j.get("findings").get(i).get("evidence").get("diffId"), f.get("evidence").get("diffId"), "same content");
    }
  }

  @Test
  void aBlobFileIsCheckedAndOurBytesWritten(@TempDir Path tmp) throws Exception {
    // the demo's amd64 layer: our build wrote it with apko's compressor, so it is reproduced
    String demoLayer = "2ee914966bc3ef22ba7ee0c0d39963e222cbadaa4d8d394be6b5ca82f4c3772f";
    Path blob = SharedData.testdata("demo/published/blobs/sha256/" + demoLayer);
    Run r = run("recompress", blob.toString(), "--write", tmp.toString(),
        "--threads", "1");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("bitproof recompress: PASS — 1 of 1 gzip layer reproduced by apko's compressor\n"),
        r.out());
    assertTrue(r.out().contains("OK    LAYER_COMPRESSION_REPRODUCED  " + blob), r.out());
    assertArrayEquals(Files.readAllBytes(blob), Files.readAllBytes(tmp.resolve(demoLayer)));
  }

  @Test
  void aZlibBlobIsNotReproduced(@TempDir Path tmp) throws Exception {
    Path blob = tmp.resolve("layer.tar.gz");
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
      z.write("not really a tar, but content all the same\n".repeat(100).getBytes(StandardCharsets.UTF_8));
    }
    Files.write(blob, gz.toByteArray());
    Run r = run("recompress", blob.toString(), "--format", "json");
    assertEquals(1, r.code(), r.err());
    JsonNode f = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout").get("findings").get(0);
    assertEquals("LAYER_COMPRESSION_NOT_REPRODUCED", f.get("code").asText());
    assertEquals("FAIL", f.get("severity").asText());
    assertEquals("1f8b08000000000000ff", f.get("evidence").get("gzipHeader").asText());
  }

  @Test
  void missingFileAndNotGzipCannotBeChecked(@TempDir Path tmp) throws Exception {
    Run r = run("recompress", tmp.resolve("nope").toString(), "--format", "json");
    assertEquals(3, r.code(), r.err());
    assertTrue(r.out().contains("FILE_NOT_FOUND"), r.out());
    Path plain = tmp.resolve("plain");
    Files.writeString(plain, "plain text");
    Run r2 = run("recompress", plain.toString());
    assertEquals(3, r2.code(), r2.err());
    assertTrue(r2.err().contains("LAYER_NOT_GZIP"), r2.err());
  }
}
