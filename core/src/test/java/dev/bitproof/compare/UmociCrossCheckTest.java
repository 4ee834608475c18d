package dev.bitproof.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.Finding;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestLayouts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-check with independent tools: Debian's umoci unpacks both images and {@code diff -rq} lists the files that
 * differ; our comparison must name exactly those files.
 */
class UmociCrossCheckTest {
  @Test
  void sameFilesAsUmociUnpackAndDiff(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/umoci")), "skipped: umoci is not installed (.ci/run installs it)");
    Path golden = SharedData.testdata("demo/published");
    Path t = TestLayouts.rewrite(golden, tmp.resolve("t"), (arch, tar) -> {
      try {
        byte[] b = TestLayouts.flipByte(tar, "etc/os-release");
        b = TestLayouts.insertFile(b, TestLayouts.endOfEntries(b), "usr/lib/apk/exec/hook", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
        return TestLayouts.flipByte(b, "etc/apk/world");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, null, false);

    Comparison c;
    try (ImageSource a = Transports.source(ImageReference.parse("oci:" + golden), TransportOptions.defaults());
        ImageSource b = Transports.source(ImageReference.parse("oci:" + t), TransportOptions.defaults())) {
      c = ImageComparator.compare(a, b, CompareOptions.strict().withPlatform(Platform.parse("linux/amd64")));
    }
    Set<String> ours = new TreeSet<>();
    for (Finding f : c.allFindings()) {
      if (java.util.EnumSet.of(CompareCode.FILE_ADDED, CompareCode.FILE_REMOVED, CompareCode.FILE_CHANGED).contains(f.code())) {
        ours.add(f.subject().substring("linux/amd64 layer 0 ".length()));
      }
    }

    Path ua = unpack(copyTagged(golden, tmp.resolve("ga")), tmp.resolve("ua"));
    Path ub = unpack(copyTagged(t, tmp.resolve("tb")), tmp.resolve("ub"));
    Process p = new ProcessBuilder("diff", "-rq", "--no-dereference", ua.toString(), ub.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    Set<String> theirs = new TreeSet<>();
    for (String line : out.split("\n")) {
      if (line.startsWith("Files ")) {
        theirs.add(line.substring(6 + ua.toString().length() + 1, line.indexOf(" and ")));
      } else if (line.startsWith("Only in " + ub)) {
        String[] parts = line.substring(("Only in " + ub).length()).split(": ");
        String dir = parts[0].startsWith("/") ? parts[0].substring(1) : parts[0];
        theirs.add(dir.isEmpty() ? parts[1] : dir + "/" + parts[1]);
      } else if (!line.isBlank()) {
        theirs.add("unexpected: " + line);
      }
    }
    assertEquals(Set.of("etc/apk/world", "etc/os-release", "usr/lib/apk/exec/hook"), theirs, out);
    assertEquals(theirs, ours);
  }

  /** The layout with its amd64 manifest named "amd64" in index.json, as umoci wants. */
  static Path copyTagged(Path layout, Path into) throws IOException {
    TestLayouts.rewrite(layout, into, null, null, false);
    TestLayouts.editIndex(into, idx -> {
      for (JsonNode m : idx.get("manifests")) {
        ((ObjectNode) m).putObject("annotations").put("org.opencontainers.image.ref.name", m.get("platform").get("architecture").asText());
      }
    });
    return into;
  }

  static Path unpack(Path layout, Path bundle) throws Exception {
    Process p = new ProcessBuilder(List.of("umoci", "unpack", "--rootless", "--image", layout + ":amd64", bundle.toString()))
        .redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), log);
    return bundle.resolve("rootfs");
  }
}
