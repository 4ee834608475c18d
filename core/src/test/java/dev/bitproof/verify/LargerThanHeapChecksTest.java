package dev.bitproof.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.compare.CompareOptions;
import dev.bitproof.compare.Comparison;
import dev.bitproof.compare.ImageComparator;
import dev.bitproof.compare.Verdict;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.rebuild.BuildRequest;
import dev.bitproof.rebuild.Rebuild;
import dev.bitproof.rebuild.RepoGen;
import dev.bitproof.report.Finding;
import dev.bitproof.sbom.ApkoSpdx;
import dev.bitproof.sbom.LoadedImage;
import dev.bitproof.sbom.SbomGenerator;
import dev.bitproof.sbom.SbomVerification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * verify, compare and SBOM check of an image that holds one file larger than the heap (and more file bytes than
 * the heap in all), each run by a child JVM limited to {@code -Xmx64m}: none of them may hold a file's or a
 * layer's contents on the heap. The images are built by this JVM (the build's own bound is {@code
 * rebuild.LargerThanHeapTest}). Not timed.
 */
class LargerThanHeapChecksTest {
  static final int HEAP_MB = 64;
  static final int BIG_FILE_MB = 80;

  @TempDir static Path tmp;
  static Path config;
  static Path imageA;
  static Path imageB;
  static Path sbom;

  @BeforeAll
  static void images() throws Exception {
    config = RepoGen.write(tmp.resolve("repo"), 40, List.of("x86_64"), BIG_FILE_MB);
    // B: the same repository without its last package, so every layer byte has to be read to tell them apart
    List<String> lines = new ArrayList<>(Files.readAllLines(config));
    String last = lines.stream().filter(l -> l.startsWith("    - pkg")).reduce((a, b) -> b).orElseThrow();
    lines.remove(last);
    Path configB = Files.write(tmp.resolve("repo").resolve("apko-b.yaml"), lines);
    imageA = build(config, tmp.resolve("a"));
    imageB = build(configB, tmp.resolve("b"));
    try (ImageSource s = open(imageA)) {
      Images.Tree tree = Images.walk(s);
      LoadedImage img = LoadedImage.load(s, tree, tree.images().get(0));
      sbom = Files.write(tmp.resolve("sbom.spdx.json"),
          ApkoSpdx.render(SbomGenerator.apkoSpdx(img, ApkoSpdx.Options.defaults("test"))));
    }
    long blob = Files.walk(imageA.resolve("blobs")).filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).max()
        .orElseThrow();
    assertTrue(blob > (HEAP_MB + 32L) << 20, "layer of " + blob + " bytes is not larger than the heap");
  }

  static Path build(Path cfg, Path out) throws IOException {
    var r = Rebuild.run(BuildRequest.of(cfg, cfg.getParent()).withSourceDateEpoch(0));
    try (ImageDestination d = Transports.destination(ImageReference.parse("oci:" + out), TransportOptions.defaults())) {
      r.writeTo(d, Optional.empty());
    }
    return out;
  }

  static ImageSource open(Path layout) throws IOException {
    return Transports.source(ImageReference.parse("oci:" + layout), TransportOptions.defaults());
  }

  /** Runs {@link Child} with {@code args} under the small heap; returns its output after asserting it succeeded. */
  static String child(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + HEAP_MB + "m", "-cp", System.getProperty("java.class.path"), Child.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "child did not end");
    assertEquals(0, p.exitValue(), args[0] + " ran out of its " + HEAP_MB + " MiB heap or failed:\n" + out);
    return out;
  }

  @Test
  void verifiesTheRebuildBitForBit() throws Exception {
    String out = child("verify", config.toString(), imageA.toString(), tmp.resolve("work").toString());
    assertTrue(out.contains("verdict BIT_IDENTICAL"), out);
  }

  @Test
  void comparesTheFilesOfBothImages() throws Exception {
    String out = child("compare", imageA.toString(), imageB.toString());
    assertTrue(out.contains("verdict DIFFERENT"), out);
    assertTrue(out.lines().anyMatch(l -> l.startsWith("finding ") && l.contains("usr/lib/pkg")), out);
  }

  @Test
  void checksTheSbomAgainstTheLayers() throws Exception {
    String out = child("sbom", imageA.toString(), sbom.toString());
    assertTrue(out.contains("failed false"), out);
  }

  /** The child: runs one check, prints its outcome. */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      switch (args[0]) {
        case "verify" -> {
          Path work = Files.createDirectories(Path.of(args[3]));
          Verifier.Request req = new Verifier.Request(Path.of(args[1]), Optional.empty(), Optional.empty(),
              OptionalLong.of(0), "oci:" + args[2], work, CompareOptions.strict(), Verdict.CONTENT_IDENTICAL,
              TransportOptions.defaults());
          try (ImageSource s = open(Path.of(args[2]))) {
            Report r = Verifier.run(req, new ApkoRebuilder(work), s);
            System.out.println("verdict " + r.verdict().map(Enum::name).orElse("none") + " passed " + r.passed());
          }
        }
        case "compare" -> {
          try (ImageSource a = open(Path.of(args[1])); ImageSource b = open(Path.of(args[2]))) {
            Comparison c = ImageComparator.compare(a, b, CompareOptions.strict());
            System.out.println("verdict " + c.verdict());
            for (Finding f : c.failures()) {
              System.out.println("finding " + f.code() + " " + f.subject());
            }
          }
        }
        case "sbom" -> {
          try (ImageSource s = open(Path.of(args[1]))) {
            SbomVerification.Result r = SbomVerification.run(s, Images.walk(s), List.of(new SbomVerification.Input(
                "sbom.spdx.json", Files.readAllBytes(Path.of(args[2])), Optional.empty())), Optional.empty());
            r.findings().stream().filter(Finding::fails).forEach(f -> System.out.println("finding " + f));
            System.out.println("failed " + r.failed());
          }
        }
        default -> throw new IllegalArgumentException(args[0]);
      }
    }
  }
}
