package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.io.IoCode;
import dev.bitproof.json.Json;
import dev.bitproof.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bitproof copy} from a source that serves wrong bytes: exit 1, a stable code, no destination left. */
class CopyTamperedCommandTest {
  @Test
  void wrongLayerBytesExitOneAndWriteNothing(@TempDir Path tmp) throws Exception {
    Path layout = tmp.resolve("layout");
    Path golden = SharedData.testdata("demo/published");
    try (Stream<Path> files = Files.walk(golden)) {
      for (Path p : files.sorted().toList()) {
        Path to = layout.resolve(golden.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    // one bit flipped in the middle of every gzip layer keeps its size, so only the digest can catch it
    try (Stream<Path> blobs = Files.list(layout.resolve("blobs/sha256"))) {
      for (Path layer : blobs.toList()) {
        byte[] b = Files.readAllBytes(layer);
        if (b.length > 2 && b[0] == 0x1f && (b[1] & 0xff) == 0x8b) {
          b[b.length / 2] ^= 1;
          Files.write(layer, b);
        }
      }
    }
    Path out = Files.createDirectories(tmp.resolve("out"));
    for (String dst : List.of("oci:" + out.resolve("l"), "oci-archive:" + out.resolve("a.tar"),
        "docker-archive:" + out.resolve("d.tar") + ":x/y:v1")) {
      Run r = dst.startsWith("docker-archive:")
          ? run("copy", "--format", "json", "--platform", "linux/amd64", "oci:" + layout, dst)
          : run("copy", "--format", "json", "oci:" + layout, dst);
      assertEquals(1, r.code(), dst + ": " + r.err());
      assertEquals(IoCode.BLOB_DIGEST_MISMATCH.name(),
          Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "copy").path("error").path("code").asText(), r.out());
      assertFalse(Files.exists(out.resolve("l/index.json")), dst);
      try (Stream<Path> left = Files.list(out)) {
        assertEquals(List.of(), left.filter(p -> !Files.isDirectory(p)).toList(), dst + ": no archive, no partial file");
      }
    }
    Run missing = run("copy", "--format", "json", "oci:" + tmp.resolve("nope"), "oci:" + out.resolve("m"));
    assertEquals(3, missing.code(), missing.err());
  }
}
