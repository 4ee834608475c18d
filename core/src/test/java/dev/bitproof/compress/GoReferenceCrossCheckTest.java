package dev.bitproof.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our encoder against the Go original on inputs of many kinds and sizes, especially around the 65535-byte
 * window and the 1 MiB pgzip block edges, where the golden layers (all under 40 KiB) say nothing.
 *
 * <p>The reference is built from Debian's {@code golang-go}, {@code golang-github-klauspost-compress-dev}
 * (1.15.12) and {@code golang-github-klauspost-pgzip-dev} (1.2.5), which {@code .ci/run} installs; without them
 * the test is skipped with a message. That is {@link FlateVersion#V1_15_10_TO_1_18_1}; the v1.18.2+ behaviour apko
 * uses now differs only in how non-final blocks declare their codes, and is checked against real melange
 * packages and apko's golden layers instead (ApkMemberRecompressionTest, ApkoGzipGoldenTest).
 */
class GoReferenceCrossCheckTest {
  private static final Path GOCODE = Path.of("/usr/share/gocode");
  private static Process reference;
  private static DataOutputStream toGo;
  private static DataInputStream fromGo;

  /** Why the Go reference is not there; each test skips with it (a class aborted in @BeforeAll would vanish). */
  private static String missing;

  @BeforeEach
  void needsTheReference() {
    if (missing != null && "1".equals(System.getenv("BITPROOF_REQUIRE_PEERS"))) {
      fail(missing + " (BITPROOF_REQUIRE_PEERS=1)");
    }
    Assumptions.assumeTrue(missing == null, () -> missing);
  }

  @BeforeAll
  static void buildReference(@TempDir Path dir) throws Exception {
    Path go = findOnPath("go");
    if (go == null) {
      missing = "skipped: `go` not on PATH (apt-get install golang-go)";
      return;
    }
    if (!Files.isDirectory(GOCODE.resolve("src/github.com/klauspost/pgzip"))
        || !Files.isDirectory(GOCODE.resolve("src/github.com/klauspost/compress/flate"))) {
      missing = "skipped: klauspost sources not in " + GOCODE
          + " (apt-get install golang-github-klauspost-compress-dev golang-github-klauspost-pgzip-dev)";
      return;
    }
    Path src = dir.resolve("src/kpgzip");
    Files.createDirectories(src);
    try (InputStream in = GoReferenceCrossCheckTest.class.getResourceAsStream("kpgzip.go.txt")) {
      Files.write(src.resolve("main.go"), in.readAllBytes());
    }
    Path exe = dir.resolve("kpgzip");
    ProcessBuilder pb = new ProcessBuilder(go.toString(), "build", "-o", exe.toString(), ".").directory(src.toFile())
        .redirectErrorStream(true);
    pb.environment().put("GOPATH", dir + ":" + GOCODE);
    pb.environment().put("GO111MODULE", "off");
    pb.environment().put("GOCACHE", dir.resolve("gocache").toString());
    pb.environment().put("GOFLAGS", "");
    Process build = pb.start();
    String log = new String(build.getInputStream().readAllBytes());
    assertTrue(build.waitFor(300, TimeUnit.SECONDS), "go build timed out");
    assertEquals(0, build.exitValue(), "go build of the reference failed:\n" + log);
    reference = new ProcessBuilder(exe.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    toGo = new DataOutputStream(new java.io.BufferedOutputStream(reference.getOutputStream(), 1 << 16));
    fromGo = new DataInputStream(new java.io.BufferedInputStream(reference.getInputStream(), 1 << 16));
  }

  @AfterAll
  static void stopReference() throws Exception {
    if (reference != null) {
      toGo.close();
      if (!reference.waitFor(30, TimeUnit.SECONDS)) {
        reference.destroyForcibly();
      }
    }
  }

  private static Path findOnPath(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(d.isEmpty() ? "." : d, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  static byte[] goCompress(byte[] data) throws IOException {
    toGo.writeInt(data.length);
    toGo.write(data);
    toGo.flush();
    byte[] gz = new byte[fromGo.readInt()];
    fromGo.readFully(gz);
    return gz;
  }

  private static final int W = Deflate.MAX_STORE_BLOCK_SIZE;
  private static final int B = PgzipOutputStream.BLOCK_SIZE;

  /** Sizes at the edges: tiny special cases, the 65535-byte window, the 1 MiB block and its 16 KiB tail. */
  static final int[] EDGE_SIZES = {0, 1, 12, 13, 32, 33, 127, 128, 129, 1000, 1024, 1025, 4096, W - 1, W, W + 1,
      W + 12, W + 32, W + 127, W + 128, 2 * W, 3 * W + 500, B - 1, B, B + 1, B + 12, B + 32, B + 128,
      B + PgzipOutputStream.TAIL_SIZE, B + PgzipOutputStream.TAIL_SIZE + 1, 2 * B, 2 * B + 77777};

  @Test
  void sameBytesAsGoOnEdgeSizesOfEveryKind() throws IOException {
    List<String> mismatches = new ArrayList<>();
    int cases = 0;
    for (Inputs.Kind kind : Inputs.Kind.values()) {
      for (int size : EDGE_SIZES) {
        long seed = 31L * size + kind.ordinal();
        check(kind + " size " + size, Inputs.make(kind, seed, size), mismatches);
        cases++;
      }
    }
    assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + cases + " differ:\n" + String.join("\n", mismatches));
  }

  @Test
  void sameBytesAsGoOnManyStructuredSizes() throws IOException {
    // Many seeds and odd sizes: the table-reuse and fixed/stored decisions depend on fine details of the data.
    List<String> mismatches = new ArrayList<>();
    java.util.SplittableRandom r = new java.util.SplittableRandom(2026);
    int cases = 0;
    for (int i = 0; i < 60; i++) {
      int size = r.nextInt(4) == 0 ? r.nextInt(3 * B) : r.nextInt(200_000);
      Inputs.Kind kind = Inputs.Kind.values()[r.nextInt(Inputs.Kind.values().length)];
      check(kind + " size " + size + " seed " + i, Inputs.make(kind, i, size), mismatches);
      cases++;
    }
    assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + cases + " differ:\n" + String.join("\n", mismatches));
  }

  private static void check(String what, byte[] data, List<String> mismatches) throws IOException {
    byte[] expected = goCompress(data);
    byte[] ours = ApkoGzip.compress(data, 2, FlateVersion.V1_15_10_TO_1_18_1);
    if (!java.util.Arrays.equals(expected, ours)) {
      mismatches.add(what + ": first difference at byte " + ApkoGzipGoldenTest.firstDifference(expected, ours)
          + ", go " + expected.length + " B, ours " + ours.length + " B");
    }
  }
}
